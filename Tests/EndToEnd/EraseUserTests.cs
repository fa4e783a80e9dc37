using System.Net;
using System.Net.Http.Json;
using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Functions.Digests;
using Engage.Functions.Scores;
using Engage.Functions.Storage;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.EndToEnd;

/// <summary><c>DELETE /api/users/{userId}</c> through DevHost over real HTTP, on the shared DevHost with users of each test's own.</summary>
[Collection(DevHostCollection.Name)]
public sealed class EraseUserTests(DevHostFixture host)
{
    private readonly HttpClient _client = host.Client;
    private readonly EngageStorage _storage = host.Services.GetRequiredService<EngageStorage>();

    private static string Unique(string name) => $"erase:{name}-{Guid.NewGuid():N}";

    /// <summary>
    /// bob asks; ann answers mentioning cy and likes the question; bob thanks ann mentioning cy; dan follows
    /// ann. Item ids start with <paramref name="p"/>, which names nobody.
    /// </summary>
    private static string Conversation(string p, string ann, string bob, string cy, string dan, DateTimeOffset at) => $$$"""
        {"events":[
          {"id":"{{{p}}}-q","kind":"post","actor":"{{{bob}}}","actorHandle":"bob","occurredAt":"{{{at.AddMinutes(-50):O}}}","text":"How do I cache builds on ARM?"},
          {"id":"{{{p}}}-a","kind":"reply","actor":"{{{ann}}}","actorHandle":"ann","occurredAt":"{{{at.AddMinutes(-40):O}}}",
           "inReplyTo":{"id":"{{{p}}}-q","author":"{{{bob}}}"},"mentions":["{{{cy}}}"],"text":"Key the cache per architecture; @cy measured it: 3 minutes instead of 12."},
          {"id":"{{{p}}}-like","kind":"reaction","actor":"{{{ann}}}","occurredAt":"{{{at.AddMinutes(-35):O}}}","subject":{"id":"{{{p}}}-q","author":"{{{bob}}}"}},
          {"id":"{{{p}}}-thanks","kind":"reply","actor":"{{{bob}}}","actorHandle":"bob","occurredAt":"{{{at.AddMinutes(-30):O}}}",
           "inReplyTo":{"id":"{{{p}}}-a","author":"{{{ann}}}"},"mentions":["{{{cy}}}"],"text":"Thanks @ann, that worked."},
          {"id":"{{{p}}}-follow","kind":"follow","actor":"{{{dan}}}","occurredAt":"{{{at.AddMinutes(-10):O}}}","subject":{"author":"{{{ann}}}"}}
        ]}
        """;

    /// <summary>
    /// Delivered before the conversation: replies whose parents are not known yet and whose payloads do not
    /// name the parents' authors, so their gives are written later, by the pending-parent path (ann → bob, cy → ann).
    /// </summary>
    private static string EarlyReplies(string p, string ann, string cy, DateTimeOffset at) => $$$"""
        {"events":[
          {"id":"{{{p}}}-a2","kind":"reply","actor":"{{{ann}}}","occurredAt":"{{{at.AddMinutes(-39):O}}}","inReplyTo":{"id":"{{{p}}}-q"},"text":"Also: pin the runner image."},
          {"id":"{{{p}}}-cy","kind":"reply","actor":"{{{cy}}}","actorHandle":"cy","occurredAt":"{{{at.AddMinutes(-20):O}}}","inReplyTo":{"id":"{{{p}}}-a"},"text":"Confirmed on our runners too."}
        ]}
        """;

    /// <summary>The status, and the body as <typeparamref name="T"/> when it is a success (null otherwise).</summary>
    private async Task<(HttpStatusCode Status, T Body)> GetAsync<T>(string path)
        where T : class
    {
        using var response = await _client.GetAsync(path);
        return (response.StatusCode, response.IsSuccessStatusCode ? await response.ReadAsync<T>() : null!);
    }

    private async Task<T> WhenAsync<T>(string path, Func<T, bool> done)
        where T : class =>
        await _client.GetWhenAsync(path, done) ?? throw new Xunit.Sdk.XunitException($"{path} never answered as expected.");

    private static IEnumerable<string> Counterparts(ReciprocityResponse reciprocity) => reciprocity.Counterparts.Select(c => c.UserId);

    private async Task<HttpStatusCode> DeleteAsync(string user)
    {
        using var response = await _client.DeleteAsync($"/api/users/{user}");
        return response.StatusCode;
    }

    /// <summary>Whether the item has a row in the items index, at its shard key (decision 1271) or its old key.</summary>
    private async Task<bool> ItemRowAsync(string itemId)
    {
        var (partition, row) = ItemKeys.Legacy(itemId);
        return (await _storage.Items.GetEntityIfExistsAsync<TableEntity>(ItemKeys.Partition(itemId), ItemKeys.Row(itemId))).HasValue
            || (await _storage.Items.GetEntityIfExistsAsync<TableEntity>(partition, row)).HasValue;
    }

    private async Task<List<TableEntity>> PartitionAsync(TableClient table, string user)
    {
        var rows = new List<TableEntity>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {FactKeys.Escape(user)}")))
        {
            rows.Add(e);
        }

        return rows;
    }

    private async Task PostAsync(string body)
    {
        using var response = await _client.SendAsync(StandardSigner.Request(body));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task EraseUser_AfterAConversation_RemovesThemEverywhereAndKeepsOthersOwnActivity()
    {
        string p = Unique("items"), ann = Unique("ann"), bob = Unique("bob"), cy = Unique("cy"), dan = Unique("dan");
        var now = DateTimeOffset.UtcNow;
        await PostAsync(EarlyReplies(p, ann, cy, now));
        await PostAsync(Conversation(p, ann, bob, cy, dan, now));
        await host.DrainAsync(); // everything of the conversation ingested before anything is erased
        await WhenAsync<EngagementResponse>($"/api/users/{ann}/engagement", e => e.Counts.Reply == 2
            && e.Counts.Reaction == 1);

        // Every give written, the pending ones included: bob received 3 from ann, ann received from bob, cy and dan.
        var bobBefore = await WhenAsync<ReciprocityResponse>($"/api/users/{bob}/reciprocity", r => r.Received.Count == 3);
        await WhenAsync<ReciprocityResponse>($"/api/users/{ann}/reciprocity", r => r.Received.Count == 3);
        var cyBefore = await WhenAsync<ReciprocityResponse>($"/api/users/{cy}/reciprocity", r => r.Given.Count == 1);
        await WhenAsync<ReciprocityResponse>($"/api/users/{dan}/reciprocity", r => Counterparts(r).Contains(ann));
        Assert.Contains(ann, Counterparts(bobBefore));
        Assert.Contains(ann, Counterparts(cyBefore));

        // State beyond the facts: a subscription, a projected score row, a digest claim.
        using (var put = await _client.PutAsJsonAsync($"/api/users/{ann}/subscription", new { email = "ann@example.org", cadence = "weekly", timeZone = "UTC" }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var scores = host.Services.GetRequiredService<ScoreStore>();
        await scores.WriteScoresAsync([new UserScore(ann, "ann", DateTimeOffset.UtcNow, 12, "engaged", 0.5, 1, 3, 4)], CancellationToken.None);
        Assert.NotNull(await scores.GetScoreAsync(ann, CancellationToken.None));
        await host.Services.GetRequiredService<DigestState>().ClaimAsync(ann, "2026-W47", "message-1", CancellationToken.None);

        Assert.Equal(HttpStatusCode.NoContent, await DeleteAsync(ann));

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync<EngagementResponse>($"/api/users/{ann}/engagement")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync<ReciprocityResponse>($"/api/users/{ann}/reciprocity")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync<SubscriptionResponse>($"/api/users/{ann}/subscription")).Status);
        Assert.Empty(await PartitionAsync(_storage.Facts, ann));
        Assert.Null(await scores.GetScoreAsync(ann, CancellationToken.None));
        Assert.Empty(await PartitionAsync(_storage.Digests, ann));
        Assert.False(await ItemRowAsync($"{p}-a"));
        Assert.False(await ItemRowAsync($"{p}-a2"));
        Assert.True(await ItemRowAsync($"{p}-q"));
        Assert.True(await ItemRowAsync($"{p}-cy"));

        // Counterparts no longer list her; what the others did themselves still counts.
        var (_, bobAfter) = await GetAsync<ReciprocityResponse>($"/api/users/{bob}/reciprocity");
        Assert.DoesNotContain(ann, Counterparts(bobAfter));
        var (_, bobEngagement) = await GetAsync<EngagementResponse>($"/api/users/{bob}/engagement");
        Assert.Equal(1, bobEngagement.Counts.Post);
        Assert.Equal(1, bobEngagement.Counts.Reply);
        var (_, cyAfter) = await GetAsync<ReciprocityResponse>($"/api/users/{cy}/reciprocity");
        Assert.DoesNotContain(ann, Counterparts(cyAfter));
        Assert.Equal(0, cyAfter.Given.Count);
        var (_, cyEngagement) = await GetAsync<EngagementResponse>($"/api/users/{cy}/engagement");
        Assert.Equal(1, cyEngagement.Counts.Reply);
        var (_, danAfter) = await GetAsync<ReciprocityResponse>($"/api/users/{dan}/reciprocity");
        Assert.DoesNotContain(ann, Counterparts(danAfter));
        var (_, danEngagement) = await GetAsync<EngagementResponse>($"/api/users/{dan}/engagement");
        Assert.Equal(1, danEngagement.Counts.Follow);

        // No row left anywhere names her.
        foreach (var other in new[] { bob, cy, dan })
        {
            foreach (var row in await PartitionAsync(_storage.Facts, other))
            {
                Assert.DoesNotContain(ann, string.Join("|", row.Select(kv => kv.Value?.ToString())), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task EraseUser_Twice_IsThen404()
    {
        string p = Unique("items"), ann = Unique("ann"), bob = Unique("bob"), cy = Unique("cy"), dan = Unique("dan");
        await PostAsync(Conversation(p, ann, bob, cy, dan, DateTimeOffset.UtcNow));
        await host.DrainAsync(); // everything of the conversation ingested before anything is erased
        await WhenAsync<EngagementResponse>($"/api/users/{ann}/engagement", e => e.Counts.Reaction == 1);

        Assert.Equal(HttpStatusCode.NoContent, await DeleteAsync(ann));
        Assert.Equal(HttpStatusCode.NotFound, await DeleteAsync(ann));
    }

    [Fact]
    public async Task EraseUser_MoreRowsThanOneBatch_AreAllGone()
    {
        string ann = Unique("ann"), bob = Unique("bob");
        var at = DateTimeOffset.UtcNow.AddHours(-3);
        var likes = Enumerable.Range(0, 230).Select(i =>
            $$$"""{"id":"{{{ann}}}-like-{{{i}}}","kind":"reaction","actor":"{{{ann}}}","occurredAt":"{{{at.AddSeconds(i):O}}}","subject":{"id":"{{{bob}}}-post","author":"{{{bob}}}"}}""");
        await PostAsync($$"""{"events":[{"id":"{{bob}}-post","kind":"post","actor":"{{bob}}","occurredAt":"{{at.AddMinutes(-1):O}}","text":"Release notes are out"},{{string.Join(",", likes)}}]}""");
        await WhenAsync<EngagementResponse>($"/api/users/{ann}/engagement", e => e.Counts.Reaction == 230);
        // Ann's and bob's partitions are written concurrently (a transaction at a time each): bob's last one may still be in flight.
        Assert.Equal(231, (await Eventually.Until(async () => await PartitionAsync(_storage.Facts, bob), rows => rows.Count == 231)).Count);

        Assert.Equal(HttpStatusCode.NoContent, await DeleteAsync(ann));

        Assert.Empty(await PartitionAsync(_storage.Facts, ann));
        Assert.Single(await PartitionAsync(_storage.Facts, bob));
        var (_, bobReciprocity) = await GetAsync<ReciprocityResponse>($"/api/users/{bob}/reciprocity");
        Assert.Equal(0, bobReciprocity.Received.Count);
    }

    [Fact]
    public async Task EraseUser_SomeRowsAlreadyGone_FinishesTheRest()
    {
        string p = Unique("items"), ann = Unique("ann"), bob = Unique("bob"), cy = Unique("cy"), dan = Unique("dan");
        await PostAsync(Conversation(p, ann, bob, cy, dan, DateTimeOffset.UtcNow));
        await host.DrainAsync(); // everything of the conversation ingested before anything is erased
        await WhenAsync<ReciprocityResponse>($"/api/users/{bob}/reciprocity", r => r.Received.Count == 2);

        // An earlier erasure cut short: one of bob's rows of ann's interactions is gone already, so bob's batch fails with 404.
        var bobRows = await PartitionAsync(_storage.Facts, bob);
        var gone = bobRows.First(r => r.GetString("Actor") == ann);
        await _storage.Facts.DeleteEntityAsync(gone.PartitionKey, gone.RowKey);

        Assert.Equal(HttpStatusCode.NoContent, await DeleteAsync(ann));

        Assert.Empty(await PartitionAsync(_storage.Facts, ann));
        Assert.DoesNotContain(await PartitionAsync(_storage.Facts, bob), r => r.GetString("Actor") == ann);
        Assert.Equal(2, (await PartitionAsync(_storage.Facts, bob)).Count);
    }

    [Fact]
    public async Task EraseUser_KnownOnlyBySubscription_Is204AndUnsubscribes()
    {
        var ann = Unique("ann");
        using (var put = await _client.PutAsJsonAsync($"/api/users/{ann}/subscription", new { email = "ann@example.org" }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, await DeleteAsync(ann));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync<SubscriptionResponse>($"/api/users/{ann}/subscription")).Status);
        Assert.Equal(HttpStatusCode.NotFound, await DeleteAsync(ann));
    }

    [Fact]
    public async Task EraseUser_Unknown_Is404Problem()
    {
        using var response = await _client.DeleteAsync($"/api/users/{Unique("nobody")}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("bad%20user")]
    [InlineData("bad!user")]
    [InlineData("a%2Fb")]
    public async Task EraseUser_MalformedUserId_Is400Problem(string user)
    {
        using var response = await _client.DeleteAsync($"/api/users/{user}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task EraseUser_LongUserId_Is400()
    {
        Assert.Equal(HttpStatusCode.BadRequest, await DeleteAsync($"x:{new string('1', 256)}"));
    }
}
