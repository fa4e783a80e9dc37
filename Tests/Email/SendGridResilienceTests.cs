using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Engage.Functions.Digests;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Engage.Tests.Email;

/// <summary>Which SendGrid failures are retried: only what certainly was not delivered.</summary>
public sealed class SendGridResilienceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));

    private static Outcome<HttpResponseMessage> Answer(HttpStatusCode status, RetryConditionHeaderValue? retryAfter = null)
    {
        var response = new HttpResponseMessage(status);
        response.Headers.RetryAfter = retryAfter;
        return Outcome.FromResult(response);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Accepted)]
    public void ShouldRetry_AnswerThatMayHaveBeenDeliveredOrIsFinal_IsNotRetried(HttpStatusCode status)
    {
        Assert.False(SendGridResilience.ShouldRetry(Answer(status), _time));
    }

    [Fact]
    public void ShouldRetry_TooManyRequestsWithoutRetryAfter_IsRetried()
    {
        Assert.True(SendGridResilience.ShouldRetry(Answer(HttpStatusCode.TooManyRequests), _time));
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(60, true)]
    [InlineData(61, false)]
    [InlineData(3600, false)]
    public void ShouldRetry_TooManyRequestsWithRetryAfterSeconds_RetriesOnlyWithinTheCap(int seconds, bool expected)
    {
        var outcome = Answer(HttpStatusCode.TooManyRequests, new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds)));

        Assert.Equal(expected, SendGridResilience.ShouldRetry(outcome, _time));
    }

    [Fact]
    public void RetryAfter_HttpDate_IsTheTimeUntilThatDate()
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "Mon, 30 Nov 2026 08:00:20 GMT");

        Assert.Equal(TimeSpan.FromSeconds(20), SendGridResilience.RetryAfter(response, _time));
    }

    [Fact]
    public void RetryAfter_HttpDateInThePast_IsZero()
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(_time.GetUtcNow().AddMinutes(-1));

        Assert.Equal(TimeSpan.Zero, SendGridResilience.RetryAfter(response, _time));
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused)]
    [InlineData(SocketError.HostNotFound)]
    public void ShouldRetry_ConnectionNeverMade_IsRetried(SocketError error)
    {
        var outcome = Outcome.FromException<HttpResponseMessage>(new HttpRequestException("connect failed", new SocketException((int)error)));

        Assert.True(SendGridResilience.ShouldRetry(outcome, _time));
    }

    [Fact]
    public void ShouldRetry_NameResolutionError_IsRetried()
    {
        var outcome = Outcome.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.NameResolutionError, "no such host"));

        Assert.True(SendGridResilience.ShouldRetry(outcome, _time));
    }

    [Fact]
    public void ShouldRetry_ConnectionResetOrTimeoutOrOpenCircuit_IsNotRetried()
    {
        Outcome<HttpResponseMessage>[] outcomes =
        [
            Outcome.FromException<HttpResponseMessage>(new HttpRequestException("reset", new SocketException((int)SocketError.ConnectionReset))),
            Outcome.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ResponseEnded, "ended")),
            Outcome.FromException<HttpResponseMessage>(new HttpRequestException("no inner")),
            Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException()),
            Outcome.FromException<HttpResponseMessage>(new TaskCanceledException()),
            Outcome.FromException<HttpResponseMessage>(new BrokenCircuitException()),
        ];

        Assert.All(outcomes, outcome => Assert.False(SendGridResilience.ShouldRetry(outcome, _time), outcome.Exception!.GetType().Name));
    }
}
