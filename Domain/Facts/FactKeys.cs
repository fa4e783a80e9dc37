using System.Globalization;
using System.Text;

namespace Engage.Domain.Facts;

/// <summary>
/// Table keys, made in one place. Keys may not hold <c>/ \ # ?</c> or control characters; those
/// (and <c>%</c>, the escape character) are written as <c>%XX</c>, so escaping is reversible.
/// </summary>
public static class FactKeys
{
    public const string ItemRowKey = "item";
    private const string TimeFormat = "yyyyMMdd'T'HHmmss.fffffff'Z'";

    public static string Escape(string value)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var bad = c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c);
            if (bad)
            {
                sb ??= new StringBuilder(value, 0, i, value.Length + 8);
                sb.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb?.Append(c);
            }
        }

        return sb?.ToString() ?? value;
    }

    /// <summary>Sortable UTC time: row keys sort by when things happened.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>Row key of a fact: <c>{sortable occurredAt}_{escaped interaction id}</c>; acceptances are facts of their own.</summary>
    public static string FactRowKey(Fact fact) =>
        $"{Time(fact.OccurredAt)}_{Escape(fact.InteractionId)}{(fact.Accepted ? "_accepted" : "")}{(fact.RootFallback ? "_root" : "")}";

    /// <summary>Lowest row key of facts at or after <paramref name="from"/>.</summary>
    public static string LowerBound(DateTimeOffset from) => Time(from);

    /// <summary>Row keys of facts strictly before <paramref name="to"/> are less than this.</summary>
    public static string UpperBound(DateTimeOffset to) => Time(to);
}
