using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Dashboard;

/// <summary><c>GET /api/dashboard</c>: one self-contained page that reads the JSON API (function key in Azure, like the reads).</summary>
public sealed class DashboardFunction
{
    [Function("Dashboard")]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/html")]
    public ContentHttpResult Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "dashboard")] HttpRequest request)
    {
        var headers = request.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = DashboardPage.ContentSecurityPolicy;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Text(DashboardPage.Html, "text/html; charset=utf-8");
    }
}
