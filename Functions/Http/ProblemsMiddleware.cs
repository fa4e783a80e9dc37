using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.Http;

/// <summary>
/// The worker's one place for failures of HTTP functions: an exception becomes the problem
/// <see cref="Problems.Translate"/> chooses, set as the invocation's result (the ASP.NET Core
/// integration then writes it). Queue and timer functions keep their exceptions: the host's
/// retries and poison queue are their recovery. DevHost's equivalent is <c>EngageExceptionHandler</c>.
/// </summary>
public sealed class ProblemsMiddleware(ILogger<ProblemsMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (context.GetHttpContext() is { } http && !http.Response.HasStarted)
        {
            context.GetInvocationResult().Value = Problems.Translate(e, http, logger);
        }
    }
}
