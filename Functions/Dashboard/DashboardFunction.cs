using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Dashboard;

/// <summary><c>GET /api/dashboard</c>: one self-contained page that reads the JSON API (function key in Azure, like the reads).</summary>
public sealed class DashboardFunction
{
    [Function("Dashboard")]
    public IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "dashboard")] HttpRequest request)
    {
        var headers = request.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = DashboardPage.ContentSecurityPolicy;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return new ContentResult { StatusCode = 200, ContentType = "text/html; charset=utf-8", Content = DashboardPage.Html };
    }
}
