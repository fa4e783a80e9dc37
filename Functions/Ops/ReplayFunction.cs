using Engage.Functions.Http;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Ops;

/// <summary><c>POST /api/ops/replay</c> (not under <c>/api/admin</c>, which the Functions host reserves).</summary>
public sealed class ReplayFunction(Replayer replayer)
{
    [Function("Replay")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/replay")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (replay, error) = await ReplayRequest.ReadAsync(request.Body, replayer.Sources, cancellationToken);
        if (replay is null)
        {
            return Problems.BadRequest(error!);
        }

        return await Problems.WhenStorageAnswersAsync(request,
            async () => Problems.Json(await replayer.ReplayAsync(replay, cancellationToken), 202),
            "Storage did not answer; the replay may be repeated safely.");
    }
}
