using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Engage.Functions.Storage;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.Security;

/// <summary>
/// Erasure reaches the raw archive (decision 0901): after <c>DELETE /api/users/{id}</c> the bodies only the
/// user wrote are gone, the bodies that also hold others' interactions are rewritten without them, and a
/// replay of the whole archive brings back no trace of them in any row or figure. A store of its own.
/// </summary>
public sealed class ArchiveErasureTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private readonly IsolatedDevHost _host = new(Now);

    /// <summary>Everything that could betray the erased users: ids, handles, their words.</summary>
    private static readonly string[] Traces = ["t:erin", "erin_h", "Erin's secret", "sidecar cache", "github:erinhub", "erinhub", "ARM runners leak"];

    private HttpClient Client => _host.Client;
    private EngageStorage Storage => _host.Host.Services.GetRequiredService<EngageStorage>();

    public Task InitializeAsync() => _host.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string At(int hoursAgo) => Now.AddHours(-hoursAgo).ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Only erin's words: the body goes.</summary>
    private static string ErinAlone() => $$$"""
        {"events":[{"id":"f:solo","kind":"post","actor":"t:erin","actorHandle":"erin_h","occurredAt":"{{{At(5)}}}","text":"Erin's secret: a sidecar cache for every job."}]}
        """;

    /// <summary>bob asks, erin answers, cy thanks her by handle and replies to her, bob reacts to her answer, dee follows her.</summary>
    private static string Mixed() => $$$"""
        {"events":[
          {"id":"f:q","kind":"post","actor":"t:bob","actorHandle":"bob","occurredAt":"{{{At(4)}}}","text":"How do I speed up the build?"},
          {"id":"f:a","kind":"reply","actor":"t:erin","actorHandle":"erin_h","occurredAt":"{{{At(3)}}}","inReplyTo":{"id":"f:q","author":"t:bob"},
           "threadRootAuthor":"t:bob","text":"Erin's secret: the sidecar cache, mounted read-only."},
          {"id":"f:thanks","kind":"reply","actor":"t:cy","actorHandle":"cy","occurredAt":"{{{At(2)}}}","inReplyTo":{"id":"f:a","author":"t:erin"},
           "threadRootAuthor":"t:bob","mentions":["t:erin","t:bob"],"text":"Thanks @erin_h, that worked! cc @bob"},
          {"id":"f:like","kind":"reaction","actor":"t:bob","occurredAt":"{{{At(1)}}}","subject":{"id":"f:a","author":"t:erin"}},
          {"id":"f:follow","kind":"follow","actor":"t:dee","occurredAt":"{{{At(1)}}}","subject":{"author":"t:erin"}}
        ]}
        """;

    /// <summary>Nothing of erin: untouched.</summary>
    private static string Unrelated() => $$$"""
        {"events":[{"id":"f:other","kind":"post","actor":"t:cy","actorHandle":"cy","occurredAt":"{{{At(2)}}}","text":"Release notes are out."}]}
        """;

    /// <summary>An issue by erinhub, and helper's comment on it (whose payload embeds the issue and its author).</summary>
    private static (string Issue, string Comment) GitHubThread()
    {
        var issue = JsonNode.Parse(GitHubExamples.All.First(e => e.Group == "issues.opened").Json)!.AsObject();
        issue["issue"]!["id"] = 8_000_001;
        issue["issue"]!["created_at"] = At(3);
        issue["issue"]!["body"] = "ARM runners leak memory after an hour.";
        issue["issue"]!["user"]!["login"] = "erinhub";
        issue["issue"]!["user"]!["type"] = "User";
        issue["sender"] = issue["issue"]!["user"]!.DeepClone();

        var comment = JsonNode.Parse(GitHubExamples.All.First(e => e.Group == "issue_comment.created").Json)!.AsObject();
        comment["issue"] = issue["issue"]!.DeepClone();
        comment["comment"]!["id"] = 8_000_002;
        comment["comment"]!["created_at"] = At(2);
        comment["comment"]!["body"] = "Key the cache per architecture.";
        comment["comment"]!["user"]!["login"] = "helper";
        comment["comment"]!["user"]!["type"] = "User";
        comment["sender"] = comment["comment"]!["user"]!.DeepClone();
        return (issue.ToJsonString(), comment.ToJsonString());
    }

    private async Task SendAsync(HttpRequestMessage request)
    {
        using var response = await Client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<string> GetAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    private async Task DrainedAsync()
    {
        await Eventually.Until(async () => (await Storage.Interactions.GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0);
        await Task.Delay(TimeSpan.FromSeconds(1)); // the last received message is being processed
    }

    private async Task<Dictionary<string, (string Text, IDictionary<string, string> Metadata)>> ArchiveAsync()
    {
        var bodies = new Dictionary<string, (string, IDictionary<string, string>)>(StringComparer.Ordinal);
        await foreach (var blob in Storage.Webhooks.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Traits = Azure.Storage.Blobs.Models.BlobTraits.Metadata }))
        {
            var content = (await Storage.Webhooks.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
            bodies[blob.Name] = (content, blob.Metadata);
        }

        return bodies;
    }

    /// <summary>Every row of every table, as text (keys and properties).</summary>
    private async Task<List<string>> RowsAsync()
    {
        var rows = new List<string>();
        foreach (var table in Storage.Names.Tables)
        {
            await foreach (var e in Storage.TableService.GetTableClient(table).QueryAsync<TableEntity>())
            {
                rows.Add($"{table}: " + string.Join(" | ", e.Select(p => $"{p.Key}={Convert.ToString(p.Value, CultureInfo.InvariantCulture)}")));
            }
        }

        return rows;
    }

    private static void AssertNoTrace(string where, string text)
    {
        foreach (var trace in Traces)
        {
            Assert.False(text.Contains(trace, StringComparison.OrdinalIgnoreCase), $"{where} still holds '{trace}': {text}");
        }
    }

    [Fact]
    public async Task Erase_ThenReplayTheWholeArchive_LeavesNoTrace()
    {
        await SendAsync(StandardSigner.Request(ErinAlone(), id: "msg_alone", at: Now));
        await SendAsync(StandardSigner.Request(Mixed(), id: "msg_mixed", at: Now));
        await SendAsync(StandardSigner.Request(Unrelated(), id: "msg_other", at: Now));
        var (issue, comment) = GitHubThread();
        await SendAsync(GitHubSigner.Request(issue, "issues", "gh-issue"));
        await SendAsync(GitHubSigner.Request(comment, "issue_comment", "gh-comment"));
        await Eventually.Until(() => GetAsync("/api/users/t:cy/engagement"), b => b.Contains("\"reply\":1", StringComparison.Ordinal));
        await Eventually.Until(() => GetAsync("/api/users/github:helper/engagement"), b => b.StartsWith("200", StringComparison.Ordinal));
        await DrainedAsync();
        var before = await ArchiveAsync();
        Assert.Equal(5, before.Count);
        Assert.Contains(before.Values, b => b.Text.Contains("erinhub", StringComparison.Ordinal));
        var unrelatedBefore = before["standard/2026/11/20/msg_other.json"].Text;

        foreach (var user in new[] { "t:erin", "github:erinhub" })
        {
            using var erase = await Client.DeleteAsync($"/api/users/{user}");
            Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        }

        var after = await ArchiveAsync();
        Assert.False(after.ContainsKey("standard/2026/11/20/msg_alone.json"), "erin's own body is deleted");
        Assert.False(after.ContainsKey("github/2026/11/20/gh-issue.json"), "erinhub's own issue is deleted");
        Assert.Equal(unrelatedBefore, after["standard/2026/11/20/msg_other.json"].Text);
        Assert.Equal(WebhookArchive.InteractionsFormat, after["standard/2026/11/20/msg_mixed.json"].Metadata[WebhookArchive.FormatKey]);
        Assert.Equal(WebhookArchive.InteractionsFormat, after["github/2026/11/20/gh-comment.json"].Metadata[WebhookArchive.FormatKey]);
        foreach (var (name, body) in after)
        {
            AssertNoTrace(name, body.Text + string.Join(",", body.Metadata.Values));
        }

        // The others' words stay: bob's question and cy's thanks (without erin), helper's comment.
        Assert.Contains("How do I speed up the build?", after["standard/2026/11/20/msg_mixed.json"].Text, StringComparison.Ordinal);
        Assert.Contains("Thanks @[erased], that worked! cc @bob", after["standard/2026/11/20/msg_mixed.json"].Text, StringComparison.Ordinal);
        Assert.Contains("Key the cache per architecture.", after["github/2026/11/20/gh-comment.json"].Text, StringComparison.Ordinal);

        using var replay = await Client.PostAsJsonAsync("/api/ops/replay", new { from = At(48), to = Now.AddDays(1).ToString("O", CultureInfo.InvariantCulture) });
        var replayed = JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal(3, replayed.GetProperty("bodies").GetInt32());
        Assert.Equal(0, replayed.GetProperty("failed").GetInt32());
        await DrainedAsync();
        await Task.Delay(TimeSpan.FromSeconds(3)); // replies whose parent is gone wait Ingest:PendingParentDelay (2 s) once
        await DrainedAsync();
        using (var projection = await Client.PostAsync("/admin/functions/ScoresProjection", new StringContent("{}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Accepted, projection.StatusCode);
        }

        Assert.StartsWith("404", await GetAsync("/api/users/t:erin/engagement"), StringComparison.Ordinal);
        Assert.StartsWith("404", await GetAsync("/api/users/github:erinhub/engagement"), StringComparison.Ordinal);
        var figures = new[]
        {
            "/api/users/t:bob/engagement", "/api/users/t:bob/reciprocity", "/api/users/t:cy/engagement", "/api/users/t:cy/reciprocity",
            "/api/users/github:helper/engagement", "/api/users/github:helper/reciprocity", "/api/community", "/api/leaderboard",
            "/api/leaderboard?by=reciprocity",
        };
        foreach (var path in figures)
        {
            var body = await GetAsync(path);
            Assert.StartsWith("200", body, StringComparison.Ordinal);
            AssertNoTrace(path, body);
        }

        Assert.Contains("\"reply\":1", await GetAsync("/api/users/t:cy/engagement"), StringComparison.Ordinal);
        var rows = await RowsAsync();
        Assert.Contains(rows, r => r.Contains("t:cy", StringComparison.Ordinal));
        foreach (var row in rows)
        {
            AssertNoTrace("row", row);
        }
    }

    [Fact]
    public void Scrub_DropsTheUserFromSomeoneElsesInteraction()
    {
        var reply = new Engage.Domain.Interactions.Interaction
        {
            Id = "x:1", Kind = Engage.Domain.Interactions.InteractionKind.Reply, Actor = "t:cy", OccurredAt = Now,
            InReplyTo = new("x:0", "t:erin"), ThreadRootAuthor = "t:erin", Mentions = ["t:erin", "t:bob"],
            MentionHandles = new Dictionary<string, string> { ["t:erin"] = "erin_h", ["t:bob"] = "bob" },
            Text = "@Erin_H said: Erin's secret is out. cc @bob, t:erin",
        };

        var scrubbed = WebhookArchive.Scrub(reply, "t:erin", ["erin_h"], ["Erin's secret is out."])!;

        Assert.Null(scrubbed.InReplyTo!.Author);
        Assert.Equal("x:0", scrubbed.InReplyTo.Id);
        Assert.Null(scrubbed.ThreadRootAuthor);
        Assert.Equal(["t:bob"], scrubbed.Mentions);
        Assert.Equal(["t:bob"], scrubbed.MentionHandles!.Keys);
        Assert.Equal("@[erased] said: [erased] cc @bob, [erased]", scrubbed.Text);
        Assert.Null(WebhookArchive.Scrub(new Engage.Domain.Interactions.Interaction
        {
            Id = "x:2", Kind = Engage.Domain.Interactions.InteractionKind.Follow, Actor = "t:dee", OccurredAt = Now, Subject = new(null, "t:erin"),
        }, "t:erin", [], []));
    }
}
