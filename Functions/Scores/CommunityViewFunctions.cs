using Engage.Domain.Scoring;
using Engage.Functions.Http;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Scores;

/// <summary>The body of <c>GET /api/community/pairs</c>.</summary>
public sealed record PairsResponse(DateTimeOffset AsOf, string Window, IReadOnlyList<Pair> Pairs);

/// <summary>The body of <c>GET /api/community/weekly</c>.</summary>
public sealed record CommunityWeeklyResponse(DateTimeOffset AsOf, string Window, IReadOnlyList<WeekPoint> Weeks);

/// <summary>
/// The community views the dashboard draws: the strongest pairs over a window (its reciprocity network, from the
/// same facts and gives as <c>GET /api/community</c>), and the community week by week (its "over time" chart: one
/// read of the window's activity rows, decision 1111, folded per week exactly as <c>GET /api/community?window=P7D</c> would fold it).
/// </summary>
public sealed class CommunityViewFunctions(FactStore facts, IOptions<ScoringOptions> options, TimeProvider clock)
{
    [Function("CommunityPairs")]
    [QueryParameter("asOf", ReadQuery.AsOf, Format = "date-time")]
    [QueryParameter("window", ReadQuery.Window, Format = "duration")]
    [QueryParameter("top", "How many pairs, strongest first: 1-1000, default 30.", Format = "int32")]
    public async Task<Ok<PairsResponse>> Pairs(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "community/pairs")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var p = ReadParameters.Parse(request.Query, clock.GetUtcNow(), defaultTop: 30);
        var scanned = await facts.Activity.ReadAsync(p.Window, cancellationToken);
        var interactions = await facts.ResolveAsync(scanned, cancellationToken);
        var pairs = PairsFold.Fold(interactions, new HandleBook(scanned).Of, p.Window, options.Value, p.Top);
        return TypedResults.Ok(new PairsResponse(p.Window.AsOf, ReadParameters.FormatDuration(p.Window.Length), pairs));
    }

    [Function("CommunityWeekly")]
    [QueryParameter("asOf", ReadQuery.AsOf, Format = "date-time")]
    [QueryParameter("window", ReadQuery.Window, Format = "duration")]
    public async Task<Ok<CommunityWeeklyResponse>> Weekly(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "community/weekly")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var p = ReadParameters.Parse(request.Query, clock.GetUtcNow());
        var interactions = await facts.ResolveAsync(await facts.Activity.ReadAsync(WeeklyFold.Span(p.Window), cancellationToken), cancellationToken);
        var weeks = WeeklyFold.Community(interactions, p.Window, options.Value);
        return TypedResults.Ok(new CommunityWeeklyResponse(p.Window.AsOf, ReadParameters.FormatDuration(p.Window.Length), weeks));
    }
}
