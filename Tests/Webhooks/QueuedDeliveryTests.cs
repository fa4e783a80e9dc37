using System.Globalization;
using System.Net;
using Azure.Storage.Queues.Models;
using Engage.Domain.Facts;
using Engage.Domain.Scoring;
using Engage.Functions.Ingest;
using Engage.Functions.Ops;
using Engage.Functions.Storage;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.Webhooks;

/// <summary>
/// One durable write before the 202 (decision 1131): an accepted delivery is one message on the queue carrying
/// its raw body; ingestion archives it (blob + index) before its interactions. Nothing accepted is lost when the
/// queue side fails, and an erasure run while the body waits on the queue reaches it (decision 1132).
/// Background work is off: each test ingests the queue itself, so it decides what happens between.
/// </summary>
public sealed class QueuedDeliveryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private readonly IsolatedDevHost _host = new(Now);

    private EngageStorage Storage => _host.Host.Services.GetRequiredService<EngageStorage>();
    private Ingestor Ingestor => _host.Host.Services.GetRequiredService<Ingestor>();
    private FactStore Facts => _host.Host.Services.GetRequiredService<FactStore>();

    public Task InitializeAsync()
    {
        _host.Host.Overrides["DevHost:DisableBackgroundWork"] = "true";
        return _host.StartAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string At(int hoursAgo) => Now.AddHours(-hoursAgo).ToString("O", CultureInfo.InvariantCulture);

    private static string Conversation(string id) => $$$"""
        {"events":[
          {"id":"{{{id}}}:q","kind":"post","actor":"t:bob","actorHandle":"bob","occurredAt":"{{{At(4)}}}","text":"How do I speed up the build?"},
          {"id":"{{{id}}}:a","kind":"reply","actor":"t:erin","actorHandle":"erin_h","occurredAt":"{{{At(3)}}}","inReplyTo":{"id":"{{{id}}}:q","author":"t:bob"},
           "threadRootAuthor":"t:bob","text":"Erin's secret: the sidecar cache."}
        ]}
        """;

    private async Task<string> PostAsync(string body, string id)
    {
        using var response = await _host.Client.SendAsync(StandardSigner.Request(body, id: id, at: Now));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<QueueMessage[]> ReceiveAsync() =>
        (await Storage.Interactions.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value;

    /// <summary>Ingests what is on the queue, as the trigger would (a failure leaves the message for a retry).</summary>
    private async Task<int> IngestQueueAsync()
    {
        var done = 0;
        foreach (var message in await ReceiveAsync())
        {
            await Ingestor.HandleAsync(message, CancellationToken.None);
            await Storage.Interactions.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            done++;
        }

        return done;
    }

    private async Task<bool> ArchivedAsync(string name) => (await Storage.Webhooks.GetBlobClient(name).ExistsAsync()).Value;

    private async Task<List<Fact>> FactsOfAsync(string user) => await Facts.ReadAsync(user, new Window(Now, TimeSpan.FromDays(30)), CancellationToken.None);

    [Fact]
    public async Task Accepted_IsOneQueueMessageWithTheBody_ArchivedAndIndexedByIngestion()
    {
        var answer = await PostAsync(Conversation("one"), "msg_one");

        Assert.Contains("\"interactions\":2", answer, StringComparison.Ordinal);
        var message = Assert.Single(await ReceiveAsync());
        Assert.True(DeliveryMessage.Is(message.Body));
        Assert.False(await ArchivedAsync("standard/2026/11/20/msg_one.json"), "nothing is archived before the 202");
        await Storage.Interactions.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);

        Assert.Equal(1, await IngestQueueAsync());

        Assert.True(await ArchivedAsync("standard/2026/11/20/msg_one.json"));
        Assert.Contains("standard/2026/11/20/msg_one.json", await _host.Host.Services.GetRequiredService<WebhookArchive>().BodiesOfAsync("t:erin", CancellationToken.None));
        Assert.Single(await FactsOfAsync("t:erin"));
        Assert.Equal(2, (await FactsOfAsync("t:bob")).Count); // bob's post, and erin's reply to him
    }

    [Fact]
    public async Task ErasedWhileQueued_TheBodyIsArchivedWithoutThem_AndNoFactOfTheirsIsStored()
    {
        await PostAsync(Conversation("q"), "msg_queued");

        using (var erase = await _host.Client.DeleteAsync("/api/users/t:erin"))
        {
            Assert.Equal(HttpStatusCode.NotFound, erase.StatusCode); // nothing of erin is stored yet
        }

        Assert.Equal(1, await IngestQueueAsync());

        var body = (await Storage.Webhooks.GetBlobClient("standard/2026/11/20/msg_queued.json").DownloadContentAsync()).Value.Content.ToString();
        Assert.DoesNotContain("erin", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("sidecar", body, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("How do I speed up the build?", body, StringComparison.Ordinal);
        Assert.Empty(await FactsOfAsync("t:erin"));
        Assert.Empty(await _host.Host.Services.GetRequiredService<WebhookArchive>().BodiesOfAsync("t:erin", CancellationToken.None));
        Assert.Single(await FactsOfAsync("t:bob"));

        // A delivery received after the erasure is erin speaking again: it is kept.
        _host.Clock.Advance(TimeSpan.FromMinutes(1));
        await PostAsync(Conversation("later"), "msg_later");
        Assert.Equal(1, await IngestQueueAsync());
        Assert.Single(await FactsOfAsync("t:erin"));
    }

    [Fact]
    public async Task ArchiveWriteFails_TheMessageIsRetriedThenParked_AndReplayRecoversTheBody()
    {
        await PostAsync(Conversation("lost"), "msg_lost");
        await Storage.Webhooks.DeleteAsync(); // every blob write now fails (404: no container)

        var message = Assert.Single(await ReceiveAsync());
        await Assert.ThrowsAnyAsync<Azure.RequestFailedException>(() => Ingestor.HandleAsync(message, CancellationToken.None));
        Assert.Empty(await FactsOfAsync("t:bob")); // nothing of it is ingested before its body is archived

        // As the host does after the last dequeue: the whole message, body and all, goes to the poison queue.
        await Ingestor.Parked.SendMessageAsync(message.Body);
        await Storage.Interactions.DeleteMessageAsync(message.MessageId, message.PopReceipt);

        // Storage fixed; an operator replays: the parked message goes back and is ingested.
        await CreateContainerAsync();
        var replay = await _host.Host.Services.GetRequiredService<Replayer>().ReplayAsync(new ReplayRequest(null, Now.AddDays(-1), Now.AddDays(1)), CancellationToken.None);
        Assert.Equal(1, replay.Requeued.Interactions);
        Assert.Equal(1, await IngestQueueAsync());

        Assert.True(await ArchivedAsync("standard/2026/11/20/msg_lost.json"));
        Assert.Single(await FactsOfAsync("t:erin"));
    }

    [Fact]
    public async Task IngestFailsAfterTheArchive_TheInteractionsAreParked_AndReplayStoresThem()
    {
        await PostAsync(Conversation("retry"), "msg_retry");

        // Ingest fails once the body is archived: the facts table is gone for a while (404 on every row, not transient).
        await Storage.Facts.DeleteAsync();
        Assert.Equal(1, await IngestQueueAsync());
        Assert.True(await ArchivedAsync("standard/2026/11/20/msg_retry.json"));
        var parked = (await Ingestor.Parked.PeekMessagesAsync(32)).Value.Select(m => IngestMessage.Parse(m.Body.ToString())).ToList();
        Assert.Equal(["retry:a", "retry:q"], parked.SelectMany(m => m.Interactions).Select(i => i.Id).Order(StringComparer.Ordinal));

        // Fixed; an operator replays: the parked interactions come back and the archived body is replayed too (idempotent).
        await Eventually.Until(async () =>
        {
            try
            {
                await Storage.Facts.CreateIfNotExistsAsync();
                return true;
            }
            catch (Azure.RequestFailedException e) when (e.Status == 409)
            {
                return false;
            }
        }, ok => ok, TimeSpan.FromSeconds(30));
        var replay = await _host.Host.Services.GetRequiredService<Replayer>().ReplayAsync(new ReplayRequest(null, Now.AddDays(-1), Now.AddDays(1)), CancellationToken.None);
        Assert.Equal(2, replay.Requeued.Interactions);
        while (await IngestQueueAsync() > 0)
        {
        }

        Assert.Single(await FactsOfAsync("t:erin"));
        Assert.Equal(2, (await FactsOfAsync("t:bob")).Count);
    }

    private async Task CreateContainerAsync()
    {
        // A deleted container's name is held for a moment by Azure and by Azurite: retry until it is free.
        await Eventually.Until(async () =>
        {
            try
            {
                await Storage.Webhooks.CreateIfNotExistsAsync();
                return true;
            }
            catch (Azure.RequestFailedException e) when (e.Status == 409)
            {
                return false;
            }
        }, ok => ok, TimeSpan.FromSeconds(30));
    }
}
