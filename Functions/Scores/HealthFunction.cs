using Engage.Functions.Http;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Scores;

public sealed class HealthFunction(EngageStorage storage)
{
    /// <summary>200 when storage answers; otherwise 503 with <c>Retry-After</c>.</summary>
    [Function("Health")]
    public async Task<Results<Ok<HealthResponse>, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken) =>
        await storage.PingAsync(cancellationToken)
            ? TypedResults.Ok(new HealthResponse("healthy", "ok"))
            : Problems.StorageUnavailable(request.HttpContext);
}
