using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.Http;

/// <summary>
/// ASP.NET Core's counterpart of <see cref="ProblemsMiddleware"/> for hosts that run the same function
/// classes without the Functions host (DevHost): <c>UseExceptionHandler()</c> calls it, and it writes the
/// same problem <see cref="Problems.Translate"/> chooses.
/// </summary>
public sealed class ProblemsExceptionHandler(ILogger<ProblemsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var result = Problems.Translate(exception, httpContext, logger);
        await result.ExecuteAsync(httpContext);
        return true;
    }
}
