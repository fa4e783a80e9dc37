using Engage.Functions.Ingest;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Telemetry;

/// <summary>
/// Counts the messages the Functions host is about to move to a poison queue: a queue function that
/// fails on the last allowed dequeue (host.json <c>maxDequeueCount</c>, mirrored by
/// <c>Ingest:MaxDequeueCount</c>). The exception is rethrown: the host does the moving. DevHost's
/// queue poller counts the same event where it moves the message.
/// </summary>
public sealed class PoisonMiddleware(EngageMetrics metrics, IOptions<IngestOptions> options) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch when (context.BindingContext.BindingData.TryGetValue("DequeueCount", out var count)
            && long.TryParse(count?.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var dequeues)
            && dequeues >= options.Value.MaxDequeueCount)
        {
            metrics.Poisoned(context.FunctionDefinition.Name);
            throw;
        }
    }
}
