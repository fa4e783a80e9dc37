using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Engage.Tests.EndToEnd;

/// <summary>
/// A digest whose send keeps failing at the provider (a real HTTP server answering 500) is retried by the queue
/// and ends in <c>digests-poison</c>; once the provider answers again, <c>POST /api/ops/replay</c> sends it.
/// </summary>
public sealed class DigestFailureEndToEndTests : IAsyncLifetime
{
    private readonly IsolatedDevHost _host = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly WireMockServer _sendGrid = WireMockServer.Start();

    public async Task InitializeAsync()
    {
        _sendGrid.Given(Request.Create().WithPath("/v3/mail/send").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(500).WithBody("{\"errors\":[{\"message\":\"internal error\"}]}"));
        _host.Host.Overrides["Email:Provider"] = "sendgrid";
        _host.Host.Overrides["Email:ApiKey"] = "SG.test-key";
        _host.Host.Overrides["Email:From"] = "Engage <digest@example.org>";
        _host.Host.Overrides["Email:SendGridBaseUrl"] = _sendGrid.Url;
        _host.Host.Overrides["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00.300";
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _sendGrid.Stop();
    }

    [Fact]
    public async Task FailingSend_IsRetriedFiveTimes_ThenLandsInDigestsPoison_AndAReplaySendsIt()
    {
        using (var put = await _host.Client.PutAsync("/api/users/demo:ada/subscription",
            new StringContent(JsonSerializer.Serialize(new { email = "ada@example.org" }), Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using (var run = await _host.Client.PostAsync("/admin/functions/DigestScheduler", new StringContent("{}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        }

        var poison = _host.Host.Services.GetRequiredService<QueueServiceClient>().GetQueueClient("digests-poison");
        var poisoned = await Eventually.Until(async () => (await poison.PeekMessagesAsync(10)).Value, m => m.Length > 0, TimeSpan.FromSeconds(60));

        var request = JsonDocument.Parse(Assert.Single(poisoned).Body.ToString()).RootElement;
        Assert.Equal("demo:ada", request.GetProperty("userId").GetString());
        Assert.Equal(5, _sendGrid.LogEntries.Count(e => e.RequestMessage.Path == "/v3/mail/send"));

        // The provider is back: a replay moves the digest out of poison and it is sent, once.
        _sendGrid.Reset();
        _sendGrid.Given(Request.Create().WithPath("/v3/mail/send").UsingPost()).RespondWith(Response.Create().WithStatusCode(202));
        var period = JsonSerializer.Serialize(new { from = "2026-11-22T00:00:00Z", to = "2026-11-24T00:00:00Z" });
        using (var replay = await _host.Client.PostAsync("/api/ops/replay", new StringContent(period, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        }

        var digests = _host.Host.Services.GetRequiredService<QueueServiceClient>().GetQueueClient("digests");
        await Eventually.Until(() => Task.FromResult(_sendGrid.LogEntries.Count(e => e.RequestMessage.Path == "/v3/mail/send")), n => n >= 1, TimeSpan.FromSeconds(60));
        Assert.Equal(0, await Eventually.Until(async () => (await digests.GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0));
        Assert.Equal(0, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(1, _sendGrid.LogEntries.Count(e => e.RequestMessage.Path == "/v3/mail/send"));
    }
}
