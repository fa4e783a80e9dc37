using Engage.Domain.Scoring;
using Engage.Functions.Http;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Scores;

/// <summary>The body of <c>GET /api/community/weekly</c>.</summary>
public sealed record CommunityWeeklyResponse(DateTimeOffset AsOf, string Window, IReadOnlyList<WeekPoint> Weeks);

/// <summary>
/// The community week by week over a window (the dashboard's "over time" chart): one scan of the
/// window's facts, folded per week exactly as <c>GET /api/community?window=P7D</c> would fold it.
/// </summary>
public sealed class CommunityWeeklyFunction(FactStore facts, IOptions<ScoringOptions> options, TimeProvider clock)
{
    [Function("CommunityWeekly")]
    [QueryParameter("asOf", ReadQuery.AsOf, Format = "date-time")]
    [QueryParameter("window", ReadQuery.Window, Format = "duration")]
    public async Task<Ok<CommunityWeeklyResponse>> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "community/weekly")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var p = ReadParameters.Parse(request.Query, clock.GetUtcNow());
        var interactions = await facts.ResolveAsync(await facts.ScanAsync(WeeklyFold.Span(p.Window), cancellationToken), cancellationToken);
        var weeks = WeeklyFold.Community(interactions, p.Window, options.Value);
        return TypedResults.Ok(new CommunityWeeklyResponse(p.Window.AsOf, ReadParameters.FormatDuration(p.Window.Length), weeks));
    }
}
