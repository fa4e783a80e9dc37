using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Engage.Functions.Http;

namespace Engage.Functions.Ops;

/// <summary>The body of <c>POST /api/ops/replay</c> as sent, <c>{"source":"github","from":"…","to":"…"}</c>; <see cref="ReplayRequest.ReadAsync"/> validates it.</summary>
public sealed record ReplayRequestBody(string? Source, string? From, string? To);

/// <summary>
/// A validated replay: <c>source</c> is optional (all sources); <c>from</c> and <c>to</c> are ISO-8601 times,
/// <c>from</c> before <c>to</c>, at most <see cref="MaxSpan"/> apart.
/// </summary>
public sealed partial record ReplayRequest(string? Source, DateTimeOffset From, DateTimeOffset To)
{
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(366);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}")]
    private static partial Regex IsoDate();

    /// <summary>The request; a malformed body throws <see cref="Microsoft.AspNetCore.Http.BadHttpRequestException"/> (400).</summary>
    public static async Task<ReplayRequest> ReadAsync(Stream body, IEnumerable<string> sources, CancellationToken ct)
    {
        ReplayRequestBody? parsed;
        try
        {
            parsed = await JsonSerializer.DeserializeAsync(body, EngageJsonContext.Default.ReplayRequestBody, ct);
        }
        catch (JsonException e)
        {
            throw Problems.BadRequest($"The body is not a replay request such as {{\"source\":\"github\",\"from\":\"2026-11-01T00:00:00Z\",\"to\":\"2026-11-30T00:00:00Z\"}}: {e.Message}");
        }

        if (parsed is null)
        {
            throw Problems.BadRequest("The body must be a JSON object with from and to.");
        }

        var known = sources.ToList();
        string? source = null;
        if (parsed.Source is not null)
        {
            source = known.FirstOrDefault(s => string.Equals(s, parsed.Source, StringComparison.OrdinalIgnoreCase));
            if (source is null)
            {
                throw Problems.BadRequest($"source must be one of {string.Join(", ", known)} (or left out for all).");
            }
        }

        if (Time(parsed.From) is not { } from)
        {
            throw Problems.BadRequest("from is required: an ISO-8601 time such as 2026-11-01T00:00:00Z.");
        }

        if (Time(parsed.To) is not { } to)
        {
            throw Problems.BadRequest("to is required: an ISO-8601 time such as 2026-11-30T00:00:00Z.");
        }

        if (from < ReadParameters.EarliestAsOf || to > ReadParameters.LatestAsOf)
        {
            throw Problems.BadRequest("from and to must be between 2000-01-01 and 2100-01-01.");
        }

        if (from >= to)
        {
            throw Problems.BadRequest("from must be before to.");
        }

        if (to - from > MaxSpan)
        {
            throw Problems.BadRequest($"from and to may be at most {MaxSpan.TotalDays:0} days apart; replay a longer period in parts.");
        }

        return new ReplayRequest(source, from, to);
    }

    private static DateTimeOffset? Time(string? text) =>
        text is not null && IsoDate().IsMatch(text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : null;

    /// <summary>
    /// True when an archive day (the date in the blob path, UTC) overlaps [from, to]: the path carries
    /// only the day, so a day partly in the range is replayed whole (replay is idempotent).
    /// </summary>
    public bool Covers(DateOnly day)
    {
        var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return start <= To && start.AddDays(1) > From;
    }

    /// <summary>The archive's month prefixes the range touches, <c>{yyyy}/{MM}/</c>.</summary>
    public IEnumerable<string> Months()
    {
        for (var month = new DateTime(From.Year, From.Month, 1, 0, 0, 0, DateTimeKind.Utc); month <= To.UtcDateTime; month = month.AddMonths(1))
        {
            yield return month.ToString("yyyy'/'MM'/'", CultureInfo.InvariantCulture);
        }
    }
}
