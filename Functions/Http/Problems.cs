using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Engage.Functions.Http;

/// <summary>RFC 9457 problem details and JSON results, rendered the same way on both hosts.</summary>
public static class Problems
{
    public static ContentResult Problem(int status, string title, string detail) => new()
    {
        StatusCode = status,
        ContentType = "application/problem+json",
        Content = JsonSerializer.Serialize(new
        {
            type = $"https://httpstatuses.io/{status}",
            title,
            status,
            detail,
        }, EngageJson.Options),
    };

    public static ContentResult BadRequest(string detail) => Problem(400, "Bad request", detail);
    public static ContentResult NotFound(string detail) => Problem(404, "Not found", detail);

    /// <summary>503 with <c>Retry-After</c>: nothing was promised, the caller's retry is the recovery.</summary>
    public static ContentResult Unavailable(HttpRequest request, string detail, int retryAfterSeconds = 30)
    {
        request.HttpContext.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(503, "Storage unavailable", detail);
    }

    /// <summary>Runs a storage-backed handler; storage not answering becomes 503 + Retry-After (nothing was done that a retry cannot finish).</summary>
    public static async Task<IActionResult> WhenStorageAnswersAsync(HttpRequest request, Func<Task<IActionResult>> handler, string detail = "Storage did not answer.")
    {
        try
        {
            return await handler();
        }
        catch (Exception e) when (Storage.EngageStorage.IsUnavailable(e))
        {
            return Unavailable(request, detail);
        }
    }

    public static ContentResult Json<T>(T value, int status = 200) => new()
    {
        StatusCode = status,
        ContentType = "application/json; charset=utf-8",
        Content = JsonSerializer.Serialize(value, EngageJson.Options),
    };
}
