using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Ops;

/// <summary><c>POST /api/ops/replay</c> (not under <c>/api/admin</c>, which the Functions host reserves). A 503 may be repeated safely.</summary>
public sealed class ReplayFunction(Replayer replayer)
{
    [Function("Replay")]
    [Consumes(typeof(ReplayRequestBody), "application/json")]
    public async Task<Accepted<ReplayResult>> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/replay")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var replay = await ReplayRequest.ReadAsync(request.Body, replayer.Sources, cancellationToken);
        return TypedResults.Accepted((string?)null, await replayer.ReplayAsync(replay, cancellationToken));
    }
}
