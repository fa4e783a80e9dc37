using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.Http;

/// <summary>
/// RFC 9457 problem details, the one way Engage answers an error: <see cref="TypedResults.Problem(string?, string?, int?, string?, string?, IDictionary{string, object?}?)"/>,
/// written by ASP.NET Core's <c>IProblemDetailsService</c> on both hosts. Handlers return
/// <see cref="ProblemHttpResult"/> for outcomes of the contract (404, 401, 413); malformed input is
/// thrown as <see cref="BadHttpRequestException"/>; storage outages and faults are translated once by
/// <see cref="Translate"/> (the worker middleware and DevHost's exception handler both call it).
/// </summary>
public static class Problems
{
    public const int RetryAfterSeconds = 30;

    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title, type: $"https://httpstatuses.io/{status}");

    public static ProblemHttpResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    /// <summary>503 with <c>Retry-After</c>: storage did not answer, and nothing was promised that a retry cannot finish.</summary>
    public static ProblemHttpResult StorageUnavailable(HttpContext http)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status503ServiceUnavailable, "Storage unavailable", "Storage did not answer; nothing was done that a retry cannot finish. Retry later.");
    }

    /// <summary>Malformed input: thrown, answered as 400 by <see cref="Translate"/>.</summary>
    public static BadHttpRequestException BadRequest(string detail) => new(detail, StatusCodes.Status400BadRequest);

    /// <summary>
    /// The answer to an exception that escaped an HTTP function: 400 (or the given status) for
    /// <see cref="BadHttpRequestException"/> with its message, 503 + <c>Retry-After</c> when storage did
    /// not answer (nothing was promised: the caller's retry is the recovery), otherwise 500. Only the
    /// 400's message (written by Engage for the caller) reaches the body; never a stack trace.
    /// </summary>
    public static ProblemHttpResult Translate(Exception exception, HttpContext http, ILogger logger)
    {
        if (Find<BadHttpRequestException>(exception) is { } bad)
        {
            return Problem(bad.StatusCode, Title(bad.StatusCode), bad.Message);
        }

        if (Storage.EngageStorage.IsUnavailable(exception))
        {
            logger.LogError(exception, "Storage did not answer during {Method} {Path}", http.Request.Method, http.Request.Path.Value);
            return StorageUnavailable(http);
        }

        logger.LogError(exception, "Unexpected failure during {Method} {Path}", http.Request.Method, http.Request.Path.Value);
        return Problem(StatusCodes.Status500InternalServerError, "Unexpected error",
            $"The request failed; it was logged with trace id {System.Diagnostics.Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier}.");
    }

    private static string Title(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad request",
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status413PayloadTooLarge => "Payload too large",
        _ => ReasonPhrase(status),
    };

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";

    private static T? Find<T>(Exception? e)
        where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }
}
