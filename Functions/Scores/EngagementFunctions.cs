using Engage.Domain.Scoring;
using Engage.Functions.Http;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Scores;

public sealed class EngagementFunctions(FactStore store, TimeProvider clock)
{
    [Function("Engagement")]
    public async Task<IActionResult> Engagement(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "users/{userId}/engagement")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        if (ReadParameters.ValidateUserId(userId) is { } badUser)
        {
            return Problems.BadRequest(badUser);
        }

        var (parameters, error) = ReadParameters.Parse(request.Query, clock.GetUtcNow());
        if (parameters is null)
        {
            return Problems.BadRequest(error!);
        }

        try
        {
            var (facts, parents) = await store.ReadResolvedAsync(userId, parameters.Window, cancellationToken);
            if (facts.Count == 0 && !await store.ExistsAsync(userId, cancellationToken))
            {
                return Problems.NotFound($"No interactions are known for user '{userId}'.");
            }

            var engagement = EngagementFold.Fold(userId, facts, parents, parameters.Window);
            return Problems.Json(new
            {
                userId,
                handle = engagement.Handle,
                asOf = parameters.Window.AsOf,
                window = ReadParameters.FormatDuration(parameters.Window.Length),
                counts = engagement.Counts,
            });
        }
        catch (Exception e) when (EngageStorage.IsUnavailable(e))
        {
            return Problems.Unavailable(request, "Storage did not answer.");
        }
    }
}
