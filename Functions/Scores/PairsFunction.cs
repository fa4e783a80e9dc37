using Engage.Domain.Scoring;
using Engage.Functions.Http;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Scores;

/// <summary>The body of <c>GET /api/community/pairs</c>.</summary>
public sealed record PairsResponse(DateTimeOffset AsOf, string Window, IReadOnlyList<Pair> Pairs);

/// <summary>
/// The strongest pairs of the community over a window (the dashboard's reciprocity network), from the
/// same facts and gives as <c>GET /api/community</c>.
/// </summary>
public sealed class PairsFunction(FactStore facts, IOptions<ScoringOptions> options, TimeProvider clock)
{
    [Function("CommunityPairs")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "community/pairs")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (p, error) = ReadParameters.Parse(request.Query, clock.GetUtcNow(), defaultTop: 30);
        if (p is null)
        {
            return Problems.BadRequest(error!);
        }

        return await Problems.WhenStorageAnswersAsync(request, async () =>
        {
            var scanned = await facts.ScanAsync(p.Window, cancellationToken);
            var interactions = await facts.ResolveAsync(scanned, cancellationToken);
            var pairs = PairsFold.Fold(interactions, new HandleBook(scanned).Of, p.Window, options.Value, p.Top);
            return Problems.Json(new PairsResponse(p.Window.AsOf, ReadParameters.FormatDuration(p.Window.Length), pairs));
        });
    }
}
