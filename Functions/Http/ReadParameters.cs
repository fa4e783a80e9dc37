using System.Globalization;
using System.Xml;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Microsoft.AspNetCore.Http;

namespace Engage.Functions.Http;

/// <summary>The read parameters every score route shares (docs/api.md "Scores"), validated in one place.</summary>
public sealed record ReadParameters(Window Window, int Top)
{
    public static readonly DateTimeOffset EarliestAsOf = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset LatestAsOf = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Parses <c>asOf</c>, <c>window</c> and <c>top</c>; a malformed one throws <see cref="BadHttpRequestException"/> (400).</summary>
    public static ReadParameters Parse(IQueryCollection query, DateTimeOffset now, int defaultTop = 50)
    {
        var asOf = now;
        if (query.TryGetValue("asOf", out var asOfText))
        {
            // ISO-8601 only ("2026-11-20", "2026-11-20T12:00:00Z"): no culture-dependent forms such as 11/20/2026.
            if (!System.Text.RegularExpressions.Regex.IsMatch(asOfText.ToString(), @"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1))
                || !DateTimeOffset.TryParse(asOfText.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out asOf))
            {
                throw Problems.BadRequest($"asOf '{asOfText}' is not an ISO-8601 time.");
            }

            if (asOf < EarliestAsOf || asOf > LatestAsOf)
            {
                throw Problems.BadRequest("asOf must be between 2000-01-01 and 2100-01-01.");
            }
        }

        var length = Window.Default;
        if (query.TryGetValue("window", out var windowText))
        {
            if (!TryParseDuration(windowText.ToString(), out length))
            {
                throw Problems.BadRequest($"window '{windowText}' is not an ISO-8601 duration such as P30D or PT1H.");
            }

            if (length < Window.Min || length > Window.Max)
            {
                throw Problems.BadRequest("window must be between PT1H and P36500D.");
            }
        }

        var top = defaultTop;
        if (query.TryGetValue("top", out var topText)
            && (!int.TryParse(topText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > 1000))
        {
            throw Problems.BadRequest("top must be an integer from 1 to 1000.");
        }

        return new ReadParameters(new Window(asOf.ToUniversalTime(), length), top);
    }

    /// <summary>Throws <see cref="BadHttpRequestException"/> (400) for a userId outside <c>[A-Za-z0-9._:-]{1,256}</c>.</summary>
    public static string RequireUserId(string userId) => UserIds.IsValid(userId)
        ? userId
        : throw Problems.BadRequest("userId must be 1-256 characters of [A-Za-z0-9._:-].");

    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        // XmlConvert accepts years and months as fixed lengths; only days and smaller are unambiguous.
        if (string.IsNullOrEmpty(text) || !text.StartsWith('P') || text.Contains('Y', StringComparison.Ordinal)
            || text.Split('T')[0].Contains('M', StringComparison.Ordinal) || text.Contains('-', StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            duration = XmlConvert.ToTimeSpan(text);
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return false;
        }
    }

    public static string FormatDuration(TimeSpan duration) => XmlConvert.ToString(duration);
}
