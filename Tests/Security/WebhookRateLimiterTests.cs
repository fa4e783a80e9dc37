using Engage.Domain.Sources;
using Engage.Functions.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Engage.Tests.Security;

/// <summary>The limiter alone: one bucket per source, one shared bucket for names that are not a source.</summary>
public sealed class WebhookRateLimiterTests
{
    private static WebhookRateLimiter Limiter(int burst) => new(
        new SourceRegistry([new GitHub(), new Slack()], new ConfigurationBuilder().Build()),
        Options.Create(new WebhooksOptions { RateLimit = new RateLimitOptions { Burst = burst, PermitsPerSecond = 1 } }),
        NullLogger<WebhookRateLimiter>.Instance);

    private static (IResult? Result, HttpContext Context) Admit(WebhookRateLimiter limiter, string source)
    {
        var context = new DefaultHttpContext();
        return (limiter.Admit(context.Request, source), context);
    }

    [Fact]
    public void BeyondTheBurst_Is429WithRetryAfter_PerSource()
    {
        using var limiter = Limiter(burst: 2);

        Assert.Null(Admit(limiter, "github").Result);
        Assert.Null(Admit(limiter, "GitHub").Result);
        var (refused, context) = Admit(limiter, "github");

        var problem = Assert.IsType<ProblemHttpResult>(refused);
        Assert.Equal(429, problem.StatusCode);
        Assert.Equal("Too many requests", problem.ProblemDetails.Title);
        Assert.True(int.TryParse(context.Response.Headers.RetryAfter.ToString(), out var seconds) && seconds >= 1, context.Response.Headers.RetryAfter.ToString());
        Assert.Null(Admit(limiter, "slack").Result);
    }

    [Fact]
    public void UnknownNames_ShareOneBucket()
    {
        using var limiter = Limiter(burst: 2);

        Assert.Null(Admit(limiter, "made-up-1").Result);
        Assert.Null(Admit(limiter, "made-up-2").Result);
        Assert.NotNull(Admit(limiter, "made-up-3").Result);
        Assert.Null(Admit(limiter, "github").Result);
    }

    [Theory]
    [InlineData(0, 400)]
    [InlineData(200, 0)]
    [InlineData(2_000_000, 400)]
    public void OutOfRangeSettings_AreRefused(int permits, int burst) =>
        Assert.NotNull(new WebhooksOptions { RateLimit = new RateLimitOptions { PermitsPerSecond = permits, Burst = burst } }.RateLimitProblem());

    [Fact]
    public void Defaults_AreTheContractsFigures()
    {
        var options = new WebhooksOptions();
        Assert.Equal(200, options.RateLimit.PermitsPerSecond);
        Assert.Equal(400, options.RateLimit.Burst);
        Assert.Null(options.RateLimitProblem());
    }
}
