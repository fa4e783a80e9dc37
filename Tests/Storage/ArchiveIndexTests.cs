using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Functions.Storage;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Engage.Tests.Storage;

/// <summary>
/// The archive index of decision 1254: one row per (user, body) in a partition per day and user-hash shard; an
/// erasure reads one key range of the user's shard per day of history (and the per-user rows of before decision
/// 1252) and takes the user's rows out, leaving everyone else's, including users whose ids share a prefix.
/// </summary>
public sealed class ArchiveIndexTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(T0);
    private readonly RequestLog _log = new();
    private ServiceProvider _services = null!;

    private WebhookArchive Archive => _services.GetRequiredService<WebhookArchive>();
    private EngageStorage Storage => _services.GetRequiredService<EngageStorage>();

    public async Task InitializeAsync()
    {
        _services = TestServices.Create(configure: services =>
        {
            services.AddSingleton<TimeProvider>(_clock);
            var options = new TableClientOptions();
            options.AddPolicy(_log, HttpPipelinePosition.PerCall);
            services.AddSingleton(new TableServiceClient(TestStorage.ConnectionString, options));
        });
        await Storage.EnsureReadyAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private static List<Interaction> Posts(string prefix, int users) => [.. Enumerable.Range(0, users).Select(k => new Interaction
    {
        Id = $"{prefix}:{k}", Kind = InteractionKind.Post, Actor = $"{prefix}:u{k}", OccurredAt = DateTimeOffset.UnixEpoch,
    })];

    private static Interaction By(string actor, string id) => new() { Id = id, Kind = InteractionKind.Post, Actor = actor, OccurredAt = DateTimeOffset.UnixEpoch };

    private async Task<List<TableEntity>> IndexRowsAsync()
    {
        var rows = new List<TableEntity>();
        await foreach (var row in Storage.ArchiveIndex.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ne {"first"}")))
        {
            rows.Add(row);
        }

        return rows;
    }

    [Fact]
    public async Task BodyNamingManyUsers_RowsInAtMostTheShardsOfTheDay_EachUserFindsIt_ErasedOnesAreTakenOut()
    {
        var name = "standard/2026/11/20/ai1|many.json";
        var interactions = Posts("ai1", 900);
        var day = await Archive.IndexAsync(name, interactions, CancellationToken.None);
        Assert.Equal("20261120", day);

        var rows = await IndexRowsAsync();
        Assert.Equal(900, rows.Count);
        Assert.Equal(WebhookArchive.IndexShards, rows.Select(r => r.PartitionKey).Distinct().Count());
        Assert.All(rows, r => Assert.StartsWith("20261120-", r.PartitionKey, StringComparison.Ordinal));
        foreach (var user in new[] { "ai1:u0", "ai1:u450", "ai1:u899" })
        {
            Assert.Equal([name], await Archive.BodiesOfAsync(user, CancellationToken.None));
        }

        // Erased while the body waited on the queue (decision 1132): those users' rows go, the others stay.
        await Archive.EraseQueuedAsync(name, day, T0, interactions, new HashSet<string>(StringComparer.Ordinal) { "ai1:u0", "ai1:u450" }, CancellationToken.None);
        Assert.Empty(await Archive.BodiesOfAsync("ai1:u0", CancellationToken.None));
        Assert.Empty(await Archive.BodiesOfAsync("ai1:u450", CancellationToken.None));
        Assert.Equal([name], await Archive.BodiesOfAsync("ai1:u451", CancellationToken.None));
        Assert.Equal(898, (await IndexRowsAsync()).Count);

        // A redelivery indexes the same rows again: idempotent.
        await Archive.IndexAsync(name, interactions.Where(i => i.Actor is not ("ai1:u0" or "ai1:u450")), CancellationToken.None);
        Assert.Equal(898, (await IndexRowsAsync()).Count);
    }

    [Fact]
    public async Task RetriedOnALaterDay_TheEarlierAttemptsRowsOfTheErasedUserGoToo()
    {
        // Attempt 1 indexes the body on the day of receipt, then fails (say the erasure check hit a transient error);
        // the retry runs after midnight, indexes it again on the next day and finds the user erased meanwhile.
        var name = "standard/2026/11/20/ai5-retried.json";
        var interactions = new List<Interaction> { By("ai5:ann", "ai5:1"), By("ai5:bob", "ai5:2") };
        Assert.Equal("20261120", await Archive.IndexAsync(name, interactions, CancellationToken.None));
        _clock.Advance(TimeSpan.FromHours(13));
        var day = await Archive.IndexAsync(name, interactions, CancellationToken.None);
        Assert.Equal("20261121", day);

        await Archive.EraseQueuedAsync(name, day, T0, interactions, new HashSet<string>(StringComparer.Ordinal) { "ai5:ann" }, CancellationToken.None);

        Assert.Empty(await Archive.BodiesOfAsync("ai5:ann", CancellationToken.None));
        Assert.DoesNotContain(await IndexRowsAsync(), r => r.RowKey.StartsWith("ai5:ann|", StringComparison.Ordinal));
        Assert.Equal([name], await Archive.BodiesOfAsync("ai5:bob", CancellationToken.None));
    }

    [Fact]
    public async Task AUserIdTooLongForARowKey_IsKeyedByItsHash_FoundAndErased()
    {
        var longId = "ai6:" + new string('x', 2_000);
        var name = "standard/2026/11/20/ai6-long.json";
        await Archive.IndexAsync(name, [By(longId, "ai6:1"), By("ai6:short", "ai6:2")], CancellationToken.None);

        Assert.All(await IndexRowsAsync(), r => Assert.True(r.RowKey.Length <= 1024, $"row key of {r.RowKey.Length} characters"));
        Assert.Equal([name], await Archive.BodiesOfAsync(longId, CancellationToken.None));

        await Archive.EraseQueuedAsync(name, "20261120", T0, [By(longId, "ai6:1"), By("ai6:short", "ai6:2")], new HashSet<string>(StringComparer.Ordinal) { longId }, CancellationToken.None);
        Assert.Empty(await Archive.BodiesOfAsync(longId, CancellationToken.None));
        Assert.Equal([name], await Archive.BodiesOfAsync("ai6:short", CancellationToken.None));
    }

    [Fact]
    public async Task IndexedBeforeTheChange_PerUserRow_StillFoundAndErased()
    {
        var legacy = "standard/2026/01/02/ai2-old.json";
        var current = "standard/2026/11/20/ai2-new.json";
        await Storage.ArchiveUsers.UpsertEntityAsync(new TableEntity(FactKeys.Escape("ai2:ann"), FactKeys.Escape(legacy)));
        await Archive.IndexAsync(current, Posts("ai2", 1).Select(i => i with { Actor = "ai2:ann" }), CancellationToken.None);
        Assert.Equal([legacy, current], (await Archive.BodiesOfAsync("ai2:ann", CancellationToken.None)).Order(StringComparer.Ordinal));

        // Both blobs are missing (nothing to rewrite): the erasure still takes every index entry of the user away.
        await Archive.EraseAsync("ai2:ann", [], CancellationToken.None);
        Assert.Empty(await Archive.BodiesOfAsync("ai2:ann", CancellationToken.None));
        Assert.Empty(await IndexRowsAsync());
    }

    [Fact]
    public async Task UsersWhoseIdsSharePrefixes_EachErasureTakesExactlyItsOwnRows()
    {
        // Ids sharing a prefix with "ab", with the separator and with the escape: the range of one never holds another's rows.
        string[] users = ["ab", "abc", "ab|x", "ab|", "ab%7C", "ab}", "ab~", "a", "ab/c"];
        foreach (var (user, k) in users.Select((u, k) => (u, k)))
        {
            await Archive.IndexAsync($"standard/2026/11/20/p{k}|{user}.json", [By(user, $"p{k}")], CancellationToken.None);
        }

        // One body naming them all too.
        const string shared = "standard/2026/11/20/all.json";
        await Archive.IndexAsync(shared, users.Select((u, k) => By(u, $"s{k}")), CancellationToken.None);

        foreach (var (user, k) in users.Select((u, k) => (u, k)))
        {
            Assert.Equal(new[] { $"standard/2026/11/20/p{k}|{user}.json", shared }.Order(StringComparer.Ordinal), (await Archive.BodiesOfAsync(user, CancellationToken.None)).Order(StringComparer.Ordinal));
        }

        await Archive.EraseAsync("ab", [], CancellationToken.None);
        Assert.Empty(await Archive.BodiesOfAsync("ab", CancellationToken.None));
        foreach (var (user, k) in users.Select((u, k) => (u, k)).Where(p => p.u != "ab"))
        {
            Assert.Equal(new[] { $"standard/2026/11/20/p{k}|{user}.json", shared }.Order(StringComparer.Ordinal), (await Archive.BodiesOfAsync(user, CancellationToken.None)).Order(StringComparer.Ordinal));
        }

        Assert.Equal((users.Length - 1) * 2, (await IndexRowsAsync()).Count);
    }

    [Fact]
    public async Task Erasure_ReadsOneRangeOfTheUsersShardPerDayOfHistory_AndFindsBodiesOfEveryDay()
    {
        // Bodies indexed over 10 days, naming the user and many others (every shard has rows each day).
        for (var d = 0; d < 10; d++)
        {
            await Archive.IndexAsync($"standard/2026/11/{20 + d}/ai4-{d}.json", [.. Posts($"ai4d{d}", 40), By("ai4:ann", $"ai4:ann{d}")], CancellationToken.None);
            _clock.Advance(TimeSpan.FromDays(1));
        }

        _log.Clear();
        var found = await Archive.BodiesOfAsync("ai4:ann", CancellationToken.None);
        Assert.Equal(10, found.Count);

        // Every read of the index is a key range of the user's shard on one day; from the day before the first to
        // tomorrow: 10 days of history, today (the 30th, after the last day written) and one day either side.
        var reads = _log.Snapshot().Where(r => r.Table == Storage.ArchiveIndex.Name && !r.PointRead).ToList();
        var shard = WebhookArchive.IndexShard("ai4:ann");
        Assert.Equal(13, reads.Count);
        Assert.Equal(13, reads.Select(r => r.Query).Distinct().Count());
        Assert.All(reads, r =>
        {
            Assert.Matches($"PartitionKey eq '2026\\d{{4}}-{shard}' and RowKey ge 'ai4:ann\\|' and RowKey lt 'ai4:ann}}'", r.Query);
        });
    }

    [Fact]
    public async Task ConcurrentErasureChecks_ShareQueries_EachAnswersForItsOwnTimeOfReceipt()
    {
        var before = _clock.GetUtcNow().AddMinutes(-1);
        await Archive.RecordErasureAsync("ai3:gone", CancellationToken.None);
        var after = _clock.GetUtcNow().AddMinutes(1);
        string[] users = ["ai3:gone", "ai3:kept"];

        // Received before the erasure: scrubbed of the user; received after it: the user is active again (decision 1132).
        var checks = Enumerable.Range(0, 24).Select(k => (Early: k % 2 == 0, Check: Archive.ErasedSinceAsync(users, k % 2 == 0 ? before : after, CancellationToken.None))).ToList();
        await Task.WhenAll(checks.Select(c => c.Check));
        foreach (var (early, check) in checks)
        {
            Assert.Equal(early ? ["ai3:gone"] : [], (await check).ToArray());
        }

        // Without a time of receipt (queued before decision 1132): any recorded erasure counts.
        Assert.Equal(["ai3:gone"], (await Archive.ErasedSinceAsync(users, null, CancellationToken.None)).ToArray());
    }

    /// <summary>Table GET requests: the table, whether it was a point read (keys in the path), and the decoded query string (the filter of a query).</summary>
    private sealed class RequestLog : HttpPipelineSynchronousPolicy
    {
        private readonly List<(string Table, bool PointRead, string Query)> _requests = [];

        public void Clear()
        {
            lock (_requests)
            {
                _requests.Clear();
            }
        }

        public List<(string Table, bool PointRead, string Query)> Snapshot()
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }

        public override void OnSendingRequest(HttpMessage message)
        {
            if (message.Request.Method != RequestMethod.Get)
            {
                return;
            }

            var uri = message.Request.Uri.ToUri();
            var segment = Uri.UnescapeDataString(uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Last());
            var paren = segment.IndexOf('(', StringComparison.Ordinal);
            lock (_requests)
            {
                _requests.Add((paren < 0 ? segment : segment[..paren], segment.Contains("PartitionKey=", StringComparison.Ordinal), Uri.UnescapeDataString(uri.Query.Replace('+', ' '))));
            }
        }
    }
}
