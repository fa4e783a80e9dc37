using System.Net;
using Azure.Storage.Blobs;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.Security;

/// <summary>
/// api.md "Limits": beyond the per-source token bucket a delivery gets 429 + Retry-After and is not stored. An
/// accepted body is archived, or on the queue waiting to be archived by ingestion (decision 1131): an Azurite of
/// its own with background work off, so the queue is this test's and nothing takes from it.
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly DevHostFixture _host = new();
    private readonly string _container = "ratelimit" + Guid.NewGuid().ToString("N")[..12];
    private AzuriteProcess? _azurite;

    public Task InitializeAsync()
    {
        _azurite = TestStorage.StartDedicated();
        _host.Overrides["AzureWebJobsStorage"] = _azurite.ConnectionString;
        _host.Overrides["Webhooks:RateLimit:PermitsPerSecond"] = "1";
        _host.Overrides["Webhooks:RateLimit:Burst"] = "3";
        _host.Overrides["Storage:Webhooks"] = _container;
        _host.Overrides["DevHost:DisableBackgroundWork"] = "true";
        return _host.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _azurite?.Dispose();
    }

    private static string Body(int n) =>
        $$"""{"events":[{"id":"rl:{{Guid.NewGuid():N}}","kind":"post","actor":"rl:user{{n}}","occurredAt":"2026-11-20T10:00:00Z","text":"hello {{n}}"}]}""";

    private async Task<int> ArchivedAsync()
    {
        var container = _host.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(_container);
        var count = 0;
        await foreach (var _ in container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = "standard/" }))
        {
            count++;
        }

        var queue = _host.Services.GetRequiredService<Azure.Storage.Queues.QueueServiceClient>().GetQueueClient("interactions");
        if ((await queue.ExistsAsync()).Value)
        {
            count += (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }

        return count;
    }

    [Fact]
    public async Task OverTheLimit_Is429WithRetryAfter_NothingArchived_ThenAcceptedAgain()
    {
        var statuses = new List<HttpStatusCode>();
        TimeSpan? retryAfter = null;
        for (var i = 0; i < 10; i++)
        {
            using var response = await _host.Client.SendAsync(StandardSigner.Request(Body(i)));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                retryAfter = response.Headers.RetryAfter?.Delta;
                Assert.NotNull(retryAfter);
                Assert.True(retryAfter > TimeSpan.Zero);
            }
        }

        var accepted = statuses.Count(s => s == HttpStatusCode.Accepted);
        Assert.True(accepted >= 3, "the burst is accepted: " + string.Join(",", statuses));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Accepted or HttpStatusCode.TooManyRequests, s.ToString()));
        Assert.Equal(accepted, await ArchivedAsync());

        // Another source has a bucket of its own.
        using var github = await _host.Client.SendAsync(GitHubSigner.Request("""{"zen":"Keep it logically awesome.","hook_id":1}""", "ping"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, github.StatusCode);

        // After the Retry-After the bucket has refilled: the delivery is accepted again.
        await Task.Delay(retryAfter!.Value + TimeSpan.FromMilliseconds(100));
        using var again = await _host.Client.SendAsync(StandardSigner.Request(Body(99)));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(accepted + 1, await ArchivedAsync());
    }
}
