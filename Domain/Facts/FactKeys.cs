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

    /// <summary>
    /// Shards per day of the activity layout. Fixed for good: a row's partition is computed from it at write
    /// and at erase time, so changing it would strand every row already written (decision 1111).
    /// </summary>
    public const int ActivityShards = 8;

    /// <summary>
    /// Stable shard of an interaction id (FNV-1a over its UTF-16 code units, mod <see cref="ActivityShards"/>):
    /// <see cref="string.GetHashCode()"/> is randomized per process, so it cannot place rows.
    /// </summary>
    public static int ActivityShard(string interactionId) => (int)(StableHash(interactionId) % ActivityShards);

    /// <summary>
    /// FNV-1a over the UTF-16 code units of <paramref name="value"/>: the same in every process and release, so every
    /// layout that spreads rows over shard partitions computes a row's shard from it at write and at read time.
    /// </summary>
    public static uint StableHash(string value)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash;
    }

    /// <summary>
    /// Month suffix of the activity table a row goes to (<c>yyyyMM</c> of its UTC occurredAt): one table per
    /// month, so a window's reads touch only tables of its months, whatever the history around them.
    /// </summary>
    public static string ActivityMonth(DateTimeOffset occurredAt) => occurredAt.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture);

    /// <summary>
    /// Partition of an activity row: <c>{shard:00}-{yyyyMMdd}</c>. The day spreads a shard over time and the shard
    /// spreads a day over partitions (no hot partition for today's writes); shard first, so one shard's days
    /// are one contiguous key range that a single query reads.
    /// </summary>
    public static string ActivityPartition(string interactionId, DateTimeOffset occurredAt) =>
        ActivityPartition(ActivityShard(interactionId), occurredAt);

    /// <summary>Partition of one shard on one UTC day.</summary>
    public static string ActivityPartition(int shard, DateTimeOffset day) =>
        $"{shard.ToString("00", CultureInfo.InvariantCulture)}-{day.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Where an interaction's activity row is: its month's table, its day-shard partition, and the row key of its
    /// actor's fact (the same key in both tables, so erasure and reclassification find it from the fact).
    /// </summary>
    public static (string Month, string Partition, string Row) ActivityKey(Fact fact) =>
        (ActivityMonth(fact.OccurredAt), ActivityPartition(fact.InteractionId, fact.OccurredAt), FactRowKey(fact));

    /// <summary>
    /// The range reads that cover [from, to): per month table touched, per shard, the partitions from the first to
    /// the last day of the range within that month. Row keys bound the exact instants (<see cref="LowerBound"/>,
    /// <see cref="UpperBound"/>). Months are listed oldest first.
    /// </summary>
    public static IReadOnlyList<ActivityRange> ActivityRanges(DateTimeOffset from, DateTimeOffset to)
    {
        var ranges = new List<ActivityRange>();
        var first = from.UtcDateTime.Date;
        var last = to.UtcDateTime.Date;
        for (var month = new DateTime(first.Year, first.Month, 1, 0, 0, 0, DateTimeKind.Utc); month <= last; month = month.AddMonths(1))
        {
            var start = month < first ? first : month;
            var end = month.AddMonths(1).AddDays(-1) < last ? month.AddMonths(1).AddDays(-1) : last;
            for (var shard = 0; shard < ActivityShards; shard++)
            {
                ranges.Add(new ActivityRange(ActivityMonth(month), ActivityPartition(shard, start), ActivityPartition(shard, end)));
            }
        }

        return ranges;
    }
}

/// <summary>One range read of the activity layout: partitions <see cref="FirstPartition"/> to <see cref="LastPartition"/> (inclusive) of one month's table.</summary>
public readonly record struct ActivityRange(string Month, string FirstPartition, string LastPartition);
