using Engage.Functions.Http;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Scores;

public sealed class HealthFunction(EngageStorage storage)
{
    [Function("Health")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken) =>
        await storage.PingAsync(cancellationToken)
            ? Problems.Json(new { status = "healthy", storage = "ok" })
            : Problems.Unavailable(request, "Storage did not answer.", retryAfterSeconds: 10);
}
