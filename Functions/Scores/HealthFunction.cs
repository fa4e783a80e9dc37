using Engage.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Engage.Functions.Scores;

public sealed class HealthFunction(HealthCheckService health)
{
    /// <summary>
    /// 200 when storage answers; otherwise 503 with <c>Retry-After</c>. The answer is the registered health checks'
    /// (<see cref="StorageHealthCheck"/>: cached a few seconds, so probes do not load the store).
    /// </summary>
    [Function("Health")]
    public async Task<Results<Ok<HealthResponse>, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken) =>
        (await health.CheckHealthAsync(cancellationToken)).Status == HealthStatus.Healthy
            ? TypedResults.Ok(new HealthResponse("healthy", "ok"))
            : Problems.StorageUnavailable(request.HttpContext);
}
