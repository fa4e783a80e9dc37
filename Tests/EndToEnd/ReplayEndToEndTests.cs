using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Engage.Domain.Interactions;
using Engage.Functions.Digests;
using Engage.Functions.Http;
using Engage.Functions.Ingest;
using Engage.Functions.Ops;
using Engage.Functions.Scores;
using Engage.Functions.Storage;
using Engage.Functions.Webhooks;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.EndToEnd;

/// <summary>
/// <c>POST /api/ops/replay</c> in a store of its own (the archive and the poison queues are the test's),
/// with the clock at <see cref="Now"/>: deliveries are archived under 2026/11/20.
/// </summary>
public sealed class ReplayEndToEndTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private readonly IsolatedDevHost _host = new(Now);

    private HttpClient Client => _host.Client;
    private EngageStorage Storage => _host.Host.Services.GetRequiredService<EngageStorage>();

    public Task InitializeAsync() => _host.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string Conversation(string prefix) => $$$"""
        {"events":[
          {"id":"{{{prefix}}}:q","kind":"post","actor":"t:bob","actorHandle":"bob","occurredAt":"{{{Now.AddHours(-3):O}}}","text":"How do I pin the runner image?"},
          {"id":"{{{prefix}}}:a","kind":"reply","actor":"t:ann","actorHandle":"ann","occurredAt":"{{{Now.AddHours(-2):O}}}",
           "inReplyTo":{"id":"{{{prefix}}}:q","author":"t:bob"},"mentions":["t:cy"],"text":"Use the digest instead of the tag; @cy wrote it up."},
          {"id":"{{{prefix}}}:like","kind":"reaction","actor":"t:bob","occurredAt":"{{{Now.AddHours(-1):O}}}","subject":{"id":"{{{prefix}}}:a","author":"t:ann"}}
        ]}
        """;

    /// <summary>An issue by <c>asker</c> and a comment on it by <c>helper</c>: published payloads with the test's users and times.</summary>
    private static (JsonObject Issue, JsonObject Comment) GitHubThread()
    {
        var issue = JsonNode.Parse(GitHubExamples.All.First(e => e.Group == "issues.opened").Json)!.AsObject();
        issue["issue"]!["id"] = 7_000_001;
        issue["issue"]!["created_at"] = Now.AddHours(-2).ToString("O", CultureInfo.InvariantCulture);
        issue["issue"]!["body"] = "How do I make the cache work on ARM?";
        issue["issue"]!["user"]!["login"] = "asker";
        issue["issue"]!["user"]!["type"] = "User";

        var comment = JsonNode.Parse(GitHubExamples.All.First(e => e.Group == "issue_comment.created").Json)!.AsObject();
        comment["issue"] = issue["issue"]!.DeepClone();
        comment["comment"]!["id"] = 7_000_002;
        comment["comment"]!["created_at"] = Now.AddHours(-1).ToString("O", CultureInfo.InvariantCulture);
        comment["comment"]!["body"] = "Key the cache per architecture.";
        comment["comment"]!["user"]!["login"] = "helper";
        comment["comment"]!["user"]!["type"] = "User";
        return (issue, comment);
    }

    private async Task SendAsync(HttpRequestMessage request)
    {
        using var response = await Client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<string> CountsAsync(string user)
    {
        using var response = await Client.GetAsync($"/api/users/{user}/engagement");
        return response.StatusCode == HttpStatusCode.OK
            ? System.Text.Json.JsonSerializer.Serialize((await response.ReadAsync<EngagementResponse>()).Counts, Api.Strict)
            : "";
    }

    private async Task<string> CountsWhenAsync(string user, string expected) =>
        await Eventually.Until(() => CountsAsync(user), c => c == expected);

    private async Task<ReplayResult> ReplayAsync(object body)
    {
        using var response = await Client.PostAsJsonAsync("/api/ops/replay", body);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.ReadAsync<ReplayResult>();
    }

    private static object Range(string? source = null) =>
        new { source, from = Now.AddDays(-1).ToString("O", CultureInfo.InvariantCulture), to = Now.AddDays(1).ToString("O", CultureInfo.InvariantCulture) };

    /// <summary>Loses every fact and item, as if the ingestion had never happened (or a bad normalizer had dropped them).</summary>
    private async Task WipeFactsAsync()
    {
        foreach (var table in new[] { Storage.Facts, Storage.Items })
        {
            await foreach (var e in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
            {
                await table.DeleteEntityAsync(e.PartitionKey, e.RowKey);
            }
        }
    }

    private async Task DrainedAsync()
    {
        var queue = Storage.Interactions;
        await Eventually.Until(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0);
        await Task.Delay(TimeSpan.FromSeconds(1)); // the last received message is being processed
    }

    [Fact]
    public async Task Replay_AfterFactsAreLost_BringsCountsBack_AndAgainChangesNothing()
    {
        var (issue, comment) = GitHubThread();
        await SendAsync(StandardSigner.Request(Conversation("r1"), at: Now));
        await SendAsync(GitHubSigner.Request(issue.ToJsonString(), "issues"));
        await SendAsync(GitHubSigner.Request(comment.ToJsonString(), "issue_comment"));
        var ann = await Eventually.Until(() => CountsAsync("t:ann"), c => c.Contains("\"reply\":1", StringComparison.Ordinal));
        var bob = await Eventually.Until(() => CountsAsync("t:bob"), c => c.Contains("\"reaction\":1", StringComparison.Ordinal));
        var helper = await Eventually.Until(() => CountsAsync("github:helper"), c => c.Contains("\"answer\":1", StringComparison.Ordinal));
        var asker = await CountsWhenAsync("github:asker", await CountsAsync("github:asker"));
        Assert.Contains("\"post\":1", asker, StringComparison.Ordinal);
        await DrainedAsync();

        await WipeFactsAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/api/users/t:ann/engagement")).Status);

        var replay = await ReplayAsync(Range());

        Assert.Equal(3, replay.Bodies);
        Assert.Equal(5, replay.Interactions);
        Assert.Equal(0, replay.Failed);
        Assert.Equal(0, replay.Requeued.Interactions);
        Assert.Equal(0, replay.Requeued.Digests);
        Assert.Equal(ann, await CountsWhenAsync("t:ann", ann));
        Assert.Equal(bob, await CountsWhenAsync("t:bob", bob));
        Assert.Equal(helper, await CountsWhenAsync("github:helper", helper));
        Assert.Equal(asker, await CountsWhenAsync("github:asker", asker));
        await DrainedAsync();
        var reciprocity = (await GetAsync("/api/users/t:bob/reciprocity")).Body;

        var again = await ReplayAsync(Range());
        await DrainedAsync();

        Assert.Equal(replay, again);
        Assert.Equal(ann, await CountsAsync("t:ann"));
        Assert.Equal(helper, await CountsAsync("github:helper"));
        Assert.Equal(reciprocity, (await GetAsync("/api/users/t:bob/reciprocity")).Body);
    }

    [Fact]
    public async Task Archive_KeepsTheHeadersReplayNeeds_AndNoSignature()
    {
        var (issue, _) = GitHubThread();
        var delivery = Guid.NewGuid().ToString();
        await SendAsync(GitHubSigner.Request(issue.ToJsonString(), "issues", delivery));
        await DrainedAsync(); // a body that fits a queue message is archived by ingestion (decision 1131)

        var blob = Storage.Webhooks.GetBlobClient($"github/2026/11/20/{delivery}.json");
        var properties = (await blob.GetPropertiesAsync()).Value;
        var headers = ArchivedHeaders.Decode(properties.Metadata[ArchivedHeaders.MetadataKey]);

        Assert.NotNull(headers);
        Assert.Equal("issues", headers["X-GitHub-Event"]);
        Assert.Equal(delivery, headers["X-GitHub-Delivery"]);
        Assert.False(headers.ContainsKey("X-Hub-Signature-256"));
    }

    [Fact]
    public async Task Replay_BodiesArchivedWithoutHeaders_AreReplayedWithNone_BySourceAndDate()
    {
        var (issue, _) = GitHubThread();
        var container = Storage.Webhooks;
        await Storage.EnsureReadyAsync(CancellationToken.None);
        var json = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } };
        await container.GetBlobClient("standard/2026/11/20/legacy-1.json").UploadAsync(BinaryData.FromString(Conversation("legacy")), json);
        await container.GetBlobClient("standard/2026/10/01/too-old.json").UploadAsync(BinaryData.FromString(Conversation("old")), json);
        await container.GetBlobClient("github/2026/11/20/legacy-2.json").UploadAsync(BinaryData.FromString(issue.ToJsonString()), json);

        var standard = await ReplayAsync(Range("standard"));

        Assert.Equal(1, standard.Bodies);
        Assert.Equal(3, standard.Interactions);
        Assert.Equal(0, standard.Failed);
        Assert.Contains("\"reply\":1", await Eventually.Until(() => CountsAsync("t:ann"), c => c.Contains("\"reply\":1", StringComparison.Ordinal)), StringComparison.Ordinal);

        // GitHub cannot read a body without its X-GitHub-Event header: counted as failed, the others still replayed.
        var all = await ReplayAsync(Range());

        Assert.Equal(2, all.Bodies);
        Assert.Equal(3, all.Interactions);
        Assert.Equal(1, all.Failed);
    }

    [Fact]
    public async Task Replay_PoisonMessages_AreMovedBackAndProcessed()
    {
        await Storage.EnsureReadyAsync(CancellationToken.None);
        var interaction = new Interaction { Id = "poison:1", Kind = InteractionKind.Post, Actor = "t:zed", OccurredAt = Now.AddHours(-1), Text = "Back from the dead" };
        var poisonInteractions = Storage.Queue(StorageNames.InteractionsQueue + "-poison");
        var poisonDigests = Storage.Queue(StorageNames.DigestsQueue + "-poison");
        await poisonInteractions.SendMessageAsync(IngestMessage.Pack("standard", "d-1", [interaction]).Single());
        await poisonDigests.SendMessageAsync(JsonSerializer.Serialize(new DigestRequest("t:nobody-subscribed", "2026-W47", Now, "request-1"), EngageJson.Options));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/api/users/t:zed/engagement")).Status);

        var replay = await ReplayAsync(Range());

        Assert.Equal(0, replay.Bodies);
        Assert.Equal(1, replay.Requeued.Interactions);
        Assert.Equal(1, replay.Requeued.Digests);
        Assert.Equal(0, (await poisonInteractions.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(0, (await poisonDigests.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Contains("\"post\":1", await Eventually.Until(() => CountsAsync("t:zed"), c => c.Contains("\"post\":1", StringComparison.Ordinal)), StringComparison.Ordinal);
        var digests = Storage.Queue(StorageNames.DigestsQueue);
        Assert.Equal(0, await Eventually.Until(async () => (await digests.GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0));

        var again = await ReplayAsync(Range());
        Assert.Equal(0, again.Requeued.Interactions);
    }
}
