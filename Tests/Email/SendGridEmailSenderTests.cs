using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Engage.Functions.Digests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Engage.Tests.Email;

/// <summary>The SendGrid sender as registered by <c>AddEngageEmail</c>, against a real WireMock server.</summary>
public sealed class SendGridEmailSenderTests : IDisposable
{
    private const string SendPath = "/v3/mail/send";
    private readonly WireMockServer _server = WireMockServer.Start();
    private readonly CapturedLogs _logs = new();
    private readonly ServiceProvider _services;

    public SendGridEmailSenderTests()
    {
        _services = EmailTestSupport.Services(
            new Dictionary<string, string?>
            {
                ["Email:Provider"] = "sendgrid",
                ["Email:ApiKey"] = EmailTestSupport.ApiKey,
                ["Email:From"] = "Engage Digest <digest@example.org>",
                ["Email:SendGridBaseUrl"] = _server.Url,
            },
            _logs);
    }

    public void Dispose()
    {
        // Whatever the test did, nothing logged (at any level, HttpClient's header logging included) holds the key.
        Assert.DoesNotContain(_logs.Entries, e => e.Text.Contains(EmailTestSupport.ApiKey, StringComparison.Ordinal));
        _services.Dispose();
        _server.Stop();
        _server.Dispose();
    }

    private static int Retries(CapturedLogs logs) => logs.Entries.Count(e => e.Text.Contains("OnRetry", StringComparison.Ordinal));

    private IEmailSender Sender => _services.GetRequiredService<IEmailSender>();

    private IReadOnlyList<ILogEntry> Requests => _server.LogEntries.ToList();

    private void Answer(int status, string? body = null, params (string Name, string Value)[] headers)
    {
        var response = Response.Create().WithStatusCode(status);
        foreach (var (name, value) in headers)
        {
            response = response.WithHeader(name, value);
        }

        if (body is not null)
        {
            response = response.WithHeader("Content-Type", "application/json").WithBody(body);
        }

        _server.Given(Request.Create().WithPath(SendPath).UsingPost()).RespondWith(response);
    }

    [Fact]
    public async Task SendAsync_Accepted_PostsTheV3MailShapeAndReturnsTheMessageId()
    {
        Answer(202, headers: ("X-Message-Id", "sg-message-1"));

        var id = await Sender.SendAsync(EmailTestSupport.Message(), CancellationToken.None);

        Assert.Equal("sg-message-1", id);
        Assert.Contains(_logs.Entries, e => e.Text.Contains("SendGrid accepted message sg-message-1", StringComparison.Ordinal));
        Assert.Contains(_logs.Entries, e => e.Category.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal) && e.Level == LogLevel.Trace);
        var request = Assert.Single(Requests).RequestMessage;
        Assert.Equal("POST", request.Method);
        Assert.Equal(SendPath, request.Path);
        using var json = JsonDocument.Parse(request.Body!);
        var root = json.RootElement;
        var personalization = Assert.Single(root.GetProperty("personalizations").EnumerateArray());
        var to = Assert.Single(personalization.GetProperty("to").EnumerateArray());
        Assert.Equal("ada@example.org", to.GetProperty("email").GetString());
        Assert.Equal("Ada Lovelace", to.GetProperty("name").GetString());
        var headers = personalization.GetProperty("headers");
        Assert.Equal("<https://engage.example.org/api/unsubscribe?token=abc123>", headers.GetProperty("List-Unsubscribe").GetString());
        Assert.Equal("List-Unsubscribe=One-Click", headers.GetProperty("List-Unsubscribe-Post").GetString());
        Assert.Equal("digest@example.org", root.GetProperty("from").GetProperty("email").GetString());
        Assert.Equal("Engage Digest", root.GetProperty("from").GetProperty("name").GetString());
        Assert.Equal("Your week in Engage", root.GetProperty("subject").GetString());
        var content = root.GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(["text/plain", "text/html"], content.Select(c => c.GetProperty("type").GetString()));
        Assert.Equal("You earned 42 points.", content[0].GetProperty("value").GetString());
        Assert.Equal("<html><body><p>You earned <b>42</b> points.</p></body></html>", content[1].GetProperty("value").GetString());
    }

    [Fact]
    public async Task SendAsync_Always_AuthenticatesWithTheApiKeyAsBearer()
    {
        Answer(202, headers: ("X-Message-Id", "sg-message-2"));

        await Sender.SendAsync(EmailTestSupport.Message(), CancellationToken.None);

        var headers = Assert.Single(Requests).RequestMessage.Headers!;
        Assert.Equal($"Bearer {EmailTestSupport.ApiKey}", Assert.Single(headers["Authorization"]));
    }

    [Fact]
    public async Task SendAsync_PlainAddressAndNoHeaders_OmitsNameAndHeaders()
    {
        Answer(202);
        var message = EmailTestSupport.Message("grace@example.org") with { Headers = new Dictionary<string, string>() };

        var id = await Sender.SendAsync(message, CancellationToken.None);

        Assert.False(string.IsNullOrWhiteSpace(id)); // no X-Message-Id: a generated id
        using var json = JsonDocument.Parse(Assert.Single(Requests).RequestMessage.Body!);
        var personalization = Assert.Single(json.RootElement.GetProperty("personalizations").EnumerateArray());
        var to = Assert.Single(personalization.GetProperty("to").EnumerateArray());
        Assert.Equal("grace@example.org", to.GetProperty("email").GetString());
        Assert.False(to.TryGetProperty("name", out _));
        Assert.False(personalization.TryGetProperty("headers", out _));
    }

    [Fact]
    public async Task SendAsync_RateLimitedOnceWithRetryAfter_WaitsAndSucceedsOnTheSecondRequest()
    {
        _server.Given(Request.Create().WithPath(SendPath).UsingPost())
            .InScenario("rate-limited").WillSetStateTo("open")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "1"));
        _server.Given(Request.Create().WithPath(SendPath).UsingPost())
            .InScenario("rate-limited").WhenStateIs("open")
            .RespondWith(Response.Create().WithStatusCode(202).WithHeader("X-Message-Id", "sg-after-429"));
        var clock = Stopwatch.StartNew();

        var id = await Sender.SendAsync(EmailTestSupport.Message(), CancellationToken.None);

        Assert.Equal("sg-after-429", id);
        Assert.Equal(2, Requests.Count);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"Retry-After: 1 was not honoured ({clock.Elapsed})");
        Assert.Equal(Requests[0].RequestMessage.Body, Requests[1].RequestMessage.Body);
        Assert.Equal(1, Retries(_logs));
    }

    [Fact]
    public async Task SendAsync_RetryAfterBeyondTheCap_FailsWithoutWaitingOrResending()
    {
        Answer(429, headers: ("Retry-After", "3600"));

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => Sender.SendAsync(EmailTestSupport.Message(), CancellationToken.None));

        Assert.Equal(HttpStatusCode.TooManyRequests, e.StatusCode);
        Assert.Single(Requests);
    }

    [Fact]
    public async Task SendAsync_BadRequest_IsRejectedWithSendGridsMessageAfterOneRequest()
    {
        Answer(400, """{"errors":[{"message":"The from address does not match a verified Sender Identity","field":"from","help":null}]}""");

        var e = await Assert.ThrowsAsync<EmailRejectedException>(() => Sender.SendAsync(EmailTestSupport.Message(), CancellationToken.None));

        Assert.Contains("The from address does not match a verified Sender Identity", e.Message, StringComparison.Ordinal);
        Assert.Single(Requests);
    }

    [Fact]
    public async Task SendAsync_ServerError_FailsAfterExactlyOneRequest()
    {
        Answer(500, """{"errors":[{"message":"Internal error"}]}""");

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => Sender.SendAsync(EmailTestSupport.Message(), CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Single(Requests);
        Assert.Equal(0, Retries(_logs));
    }

    [Fact]
    public async Task SendAsync_CancelledWhileWaiting_ThrowsCancellationAfterOneRequest()
    {
        _server.Given(Request.Create().WithPath(SendPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(202).WithDelay(TimeSpan.FromSeconds(3)));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Sender.SendAsync(EmailTestSupport.Message(), cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"cancellation took {clock.Elapsed}");
        Assert.Equal(0, Retries(_logs));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task SendAsync_KeyRefused_IsRejectedNamingTheSettingWithoutTheKey(int status)
    {
        // SendGrid's real 401 body; this one also echoes the key, which must still not surface.
        Answer(status, $$"""{"errors":[{"field":null,"message":"The provided authorization grant is invalid, expired, or revoked: {{EmailTestSupport.ApiKey}}","help":null}]}""");

        var e = await Assert.ThrowsAsync<EmailRejectedException>(() => Sender.SendAsync(EmailTestSupport.Message(), CancellationToken.None));

        Assert.Contains("Email__ApiKey", e.Message, StringComparison.Ordinal);
        Assert.Contains("authorization grant is invalid", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(EmailTestSupport.ApiKey, e.ToString(), StringComparison.Ordinal);
        Assert.Single(Requests);
    }

    [Fact]
    public async Task SendAsync_TooLarge_IsRejected()
    {
        Answer(413);

        await Assert.ThrowsAsync<EmailRejectedException>(() => Sender.SendAsync(EmailTestSupport.Message(), CancellationToken.None));

        Assert.Single(Requests);
    }

    [Fact]
    public async Task SendAsync_InvalidRecipient_IsRejectedWithoutARequest()
    {
        Answer(202);

        await Assert.ThrowsAsync<EmailRejectedException>(() => Sender.SendAsync(EmailTestSupport.Message("not an address"), CancellationToken.None));

        Assert.Empty(Requests);
    }

    [Fact]
    public async Task SendAsync_ConnectionRefused_ThrowsTheTransportFailure()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        var logs = new CapturedLogs();
        using var services = EmailTestSupport.Services(
            new Dictionary<string, string?>
            {
                ["Email:Provider"] = "sendgrid",
                ["Email:ApiKey"] = EmailTestSupport.ApiKey,
                ["Email:From"] = "digest@example.org",
                ["Email:SendGridBaseUrl"] = $"http://127.0.0.1:{port}",
            },
            logs);

        var e = await Assert.ThrowsAsync<HttpRequestException>(
            () => services.GetRequiredService<IEmailSender>().SendAsync(EmailTestSupport.Message(), CancellationToken.None));

        Assert.True(SendGridResilience.NeverReachedServer(e), e.ToString());
        Assert.Equal(SendGridResilience.MaxRetries, Retries(logs)); // never delivered, so retried to the limit
        Assert.DoesNotContain(EmailTestSupport.ApiKey, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, entry => entry.Text.Contains(EmailTestSupport.ApiKey, StringComparison.Ordinal));
    }
}
