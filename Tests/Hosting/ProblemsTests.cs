using System.Text.Json;
using Engage.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engage.Tests.Hosting;

/// <summary><see cref="Problems.Translate"/>, the one place an exception becomes an answer, executed as ASP.NET Core writes it.</summary>
public sealed class ProblemsTests
{
    private static async Task<(HttpResponse Response, ProblemDetails Problem, string Body)> TranslateAsync(Exception exception)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => EngageJson.Apply(o.SerializerOptions));
        var http = new DefaultHttpContext { RequestServices = services.BuildServiceProvider() };
        http.Response.Body = new MemoryStream();

        await Problems.Translate(exception, http, NullLogger.Instance).ExecuteAsync(http);

        http.Response.Body.Position = 0;
        var body = await new StreamReader(http.Response.Body).ReadToEndAsync();
        return (http.Response, JsonSerializer.Deserialize<ProblemDetails>(body, EngageJson.Options)!, body);
    }

    [Fact]
    public async Task Translate_BadRequest_Is400WithItsOwnMessage()
    {
        var (response, problem, _) = await TranslateAsync(Problems.BadRequest("window must be between PT1H and P36500D."));

        Assert.Equal(400, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        Assert.Equal("window must be between PT1H and P36500D.", problem.Detail);
        Assert.Equal("https://httpstatuses.io/400", problem.Type);
    }

    [Fact]
    public async Task Translate_StorageNotAnswering_Is503WithRetryAfter()
    {
        var (response, problem, _) = await TranslateAsync(new Azure.RequestFailedException(503, "Server busy"));

        Assert.Equal(503, response.StatusCode);
        Assert.Equal("30", response.Headers.RetryAfter.ToString());
        Assert.Equal(503, problem.Status);
    }

    [Fact]
    public async Task Translate_Unexpected_Is500WithoutMessageOrStackTrace()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("connection AccountKey=c2VjcmV0 refused");
        }
        catch (InvalidOperationException e)
        {
            thrown = e;
        }

        var (response, problem, body) = await TranslateAsync(thrown);

        Assert.Equal(500, response.StatusCode);
        Assert.Equal(500, problem.Status);
        Assert.DoesNotContain("AccountKey", body, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
    }
}
