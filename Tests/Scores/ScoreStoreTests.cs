using System.Text.Json;
using Azure.Core;
using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Functions.Http;
using Engage.Functions.Scores;
using Engage.Functions.Storage;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.Scores;

/// <summary>Score rows in shard partitions (decision 1291) against Azurite: written in transactions, read back, moved from the old layout once.</summary>
public sealed class ScoreStoreTests : IAsyncLifetime
{
    private readonly RequestCount _requests = new();
    private readonly ServiceProvider _services;

    public ScoreStoreTests() => _services = TestServices.Create(configure: services =>
    {
        var options = new TableClientOptions();
        options.AddPolicy(_requests, HttpPipelinePosition.PerCall);
        services.AddSingleton(new TableServiceClient(TestStorage.ConnectionString, options));
    });

    private EngageStorage Storage => _services.GetRequiredService<EngageStorage>();

    private ScoreStore Scores => _services.GetRequiredService<ScoreStore>();

    public async Task InitializeAsync() => await Storage.EnsureReadyAsync(CancellationToken.None);

    public Task DisposeAsync() => OwnTables.DisposeAsync(_services);

    private static UserScore Score(string user, double score, string level = "engaged") =>
        new(user, user.Split(':').Last(), new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero), score, level, 0.25, 1, 2, 3);

    [Fact]
    public void Transactions_OnePartitionEach_AtMostAHundred_EveryUserOnce_TheLastRowWins()
    {
        var rows = Enumerable.Range(0, 2_500).Select(n => Score($"x:user{n}", n)).Append(Score("x:user7", -1)).ToList();

        var transactions = ScoreKeys.Transactions(rows, r => r.UserId);

        Assert.All(transactions, t => Assert.InRange(t.Count, 1, ScoreKeys.TransactionRows));
        Assert.All(transactions, t => Assert.Single(t.Select(r => ScoreKeys.Partition(r.UserId)).Distinct()));
        var written = transactions.SelectMany(t => t).ToList();
        Assert.Equal(2_500, written.Count);
        Assert.Equal(2_500, written.Select(r => r.UserId).Distinct().Count());
        Assert.Equal(-1, written.Single(r => r.UserId == "x:user7").Score);

        // Every shard is used, and no more transactions than the shards' rows need.
        var perShard = rows.Select(r => ScoreKeys.Partition(r.UserId)).Distinct().Count();
        Assert.Equal(ScoreKeys.Shards, perShard);
        var needed = written.GroupBy(r => ScoreKeys.Partition(r.UserId)).Sum(g => (g.Count() + ScoreKeys.TransactionRows - 1) / ScoreKeys.TransactionRows);
        Assert.Equal(needed, transactions.Count);
    }

    [Fact]
    public void Partition_IsAShardNoEscapedUserIdCanBe()
    {
        foreach (var user in new[] { "x:ann", "%s00", "50%", "gh:1/2", "" })
        {
            Assert.True(ScoreKeys.IsShard(ScoreKeys.Partition(user)));
            Assert.False(ScoreKeys.IsShard(ScoreKeys.Legacy(user).Partition));
            Assert.Equal(ScoreKeys.Partition(user), ScoreKeys.Partition(user));
        }
    }

    [Fact]
    public async Task WriteScores_OneTransactionPerShardOfAHundred_NoSingleWrites_ReadBackByKeyAndWhole()
    {
        var rows = Enumerable.Range(0, 250).Select(n => Score($"x:u{n:D3}", n)).ToList();
        _requests.Clear();

        await Scores.WriteScoresAsync(rows, CancellationToken.None);

        var (batches, singles) = (_requests.Batches, _requests.Singles);
        Assert.Equal(0, singles);
        Assert.Equal(ScoreKeys.Transactions(rows, r => r.UserId).Count, batches);
        Assert.InRange(batches, ScoreKeys.Shards, ScoreKeys.Shards + 3);

        Assert.Equal(rows[42], await Scores.GetScoreAsync("x:u042", CancellationToken.None));
        Assert.Null(await Scores.GetScoreAsync("x:nobody", CancellationToken.None));
        var all = await Scores.ReadScoresAsync(CancellationToken.None);
        Assert.Equal(rows.OrderBy(r => r.UserId, StringComparer.Ordinal), all.Values.OrderBy(r => r.UserId, StringComparer.Ordinal));

        // Rewritten: the row is replaced, not added.
        await Scores.WriteScoresAsync([rows[42] with { Score = 99, Level = "champion" }], CancellationToken.None);
        Assert.Equal(99, (await Scores.GetScoreAsync("x:u042", CancellationToken.None))!.Score);
        Assert.Equal(250, (await Scores.ReadScoresAsync(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task EnsureSharded_MovesOldRowsOnce_ANewerShardRowWins_AndForgetReachesBothLayouts()
    {
        // Rows as the layout before decision 1291 wrote them: a partition per user, RK "current".
        var old = new[] { Score("x:ann", 5), Score("x:bob/1", 6, "champion"), Score("x:cy", 7), Score("x:dee", 8) };
        foreach (var row in old)
        {
            await Storage.Scores.AddEntityAsync(new TableEntity(FactKeys.Escape(row.UserId), ScoreStore.CurrentRow)
            {
                ["Score"] = row.Score,
                ["Level"] = row.Level,
                ["Json"] = JsonSerializer.Serialize(row, EngageJson.Options),
            });
        }

        // cy's row was written again in the shard since (newer); dee is erased before any run moved her row.
        await Scores.WriteScoresAsync([Score("x:cy", 70, "silent")], CancellationToken.None);
        await Scores.ForgetAsync("x:dee", CancellationToken.None);
        var before = await Scores.ReadScoresAsync(CancellationToken.None);
        Assert.Equal(["x:ann", "x:bob/1", "x:cy"], before.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(70, before["x:cy"].Score);

        await Scores.EnsureShardedAsync(CancellationToken.None);

        var rows = new List<TableEntity>();
        await foreach (var e in Storage.Scores.QueryAsync<TableEntity>())
        {
            rows.Add(e);
        }

        Assert.All(rows, e => Assert.True(ScoreKeys.IsShard(e.PartitionKey), e.PartitionKey));
        Assert.Equal(3, rows.Count);
        Assert.Equal(old[0], await Scores.GetScoreAsync("x:ann", CancellationToken.None));
        Assert.Equal(old[1], await Scores.GetScoreAsync("x:bob/1", CancellationToken.None));
        Assert.Equal(70, (await Scores.GetScoreAsync("x:cy", CancellationToken.None))!.Score);
        Assert.Null(await Scores.GetScoreAsync("x:dee", CancellationToken.None));

        // Done once: the next call in this process makes no request, and a new process reads the record only.
        _requests.Clear();
        await Scores.EnsureShardedAsync(CancellationToken.None);
        Assert.Equal(0, _requests.All);
        await new ScoreStore(Storage).EnsureShardedAsync(CancellationToken.None);
        Assert.Equal(1, _requests.All);

        await Scores.ForgetAsync("x:ann", CancellationToken.None);
        Assert.Null(await Scores.GetScoreAsync("x:ann", CancellationToken.None));
    }

    [Fact]
    public async Task AnErasureDuringTheMove_NeverBringsTheRowBack_WhicheverWritesFirst()
    {
        async Task<TableEntity> OldRowAsync(UserScore row)
        {
            await Storage.Scores.AddEntityAsync(new TableEntity(FactKeys.Escape(row.UserId), ScoreStore.CurrentRow)
            {
                ["Score"] = row.Score,
                ["Level"] = row.Level,
                ["Json"] = JsonSerializer.Serialize(row, EngageJson.Options),
            });
            return (await Storage.Scores.GetEntityAsync<TableEntity>(FactKeys.Escape(row.UserId), ScoreStore.CurrentRow)).Value;
        }

        // The move read the old row, then the user was erased, then the move inserts from its copy and deletes the old row.
        var ann = await OldRowAsync(Score("x:ann", 5));
        await Scores.ForgetAsync("x:ann", CancellationToken.None);
        await Scores.MoveAsync(ann, CancellationToken.None);
        Assert.Null(await Scores.GetScoreAsync("x:ann", CancellationToken.None));

        // The move finished before the erasure: the erasure finds the row in its shard.
        var bob = await OldRowAsync(Score("x:bob", 6));
        await Scores.MoveAsync(bob, CancellationToken.None);
        Assert.Equal(6, (await Scores.GetScoreAsync("x:bob", CancellationToken.None))!.Score);
        await Scores.ForgetAsync("x:bob", CancellationToken.None);
        Assert.Null(await Scores.GetScoreAsync("x:bob", CancellationToken.None));

        var rows = new List<TableEntity>();
        await foreach (var e in Storage.Scores.QueryAsync<TableEntity>())
        {
            rows.Add(e);
        }

        Assert.Empty(rows);
    }
    [Fact]
    public async Task Leaderboards_AreStoredGzipped_ReadBackEntryForEntry_AndBoardsOfBeforeDecision1298StillRead()
    {
        var asOf = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
        var entries = Enumerable.Range(0, 1_000).Select(n => n % 3 == 0
                ? new LeaderboardEntry(null, null, 1_000.0 / (n + 1), "engaged") { PersonId = $"p:{n:D4}", Identities = [$"x:a{n}", $"gh:b{n}"], Role = n % 2 == 0 ? "team" : null }
                : new LeaderboardEntry($"x:user{n:D4}", $"user{n}", 1_000.0 / (n + 1), n < 100 ? "champion" : "participant"))
            .ToList();
        var community = new Engage.Domain.Scoring.Community(new Engage.Domain.Scoring.Window(asOf, TimeSpan.FromDays(30)), 1_000, 5_000, 0.5, 0.1, 0.2, 3);
        _requests.Clear();

        await Scores.WriteCommunityAsync(community, new Engage.Domain.Scoring.Levels(10, 5, 1_000),
            [new Leaderboard(asOf, "engagement", entries), new Leaderboard(asOf, "reciprocity", entries.Take(10).ToList())], CancellationToken.None);

        Assert.Equal((1, 0), (_requests.Batches, _requests.Singles)); // the community row and both boards: one transaction
        var read = (await Scores.GetLeaderboardAsync("engagement", CancellationToken.None))!;
        Assert.Equal(asOf, read.AsOf);
        Assert.Equal(JsonSerializer.Serialize(entries, EngageJson.Options), JsonSerializer.Serialize(read.Entries, EngageJson.Options));
        Assert.Equal(10, (await Scores.GetLeaderboardAsync("reciprocity", CancellationToken.None))!.Entries.Count);

        // The row holds the gzip'd JSON only, a fraction of the JSON's size.
        var row = (await Storage.Community.GetEntityAsync<TableEntity>(ScoreStore.CommunityPartition, "leaderboard-engagement")).Value;
        Assert.Null(row.GetString("Json0"));
        var stored = Enumerable.Range(0, row.GetInt32("GzChunks")!.Value).Sum(c => row.GetBinary($"Gz{c}").Length);
        var json = JsonSerializer.SerializeToUtf8Bytes(read, EngageJson.Options).Length;
        Assert.InRange(stored, 1, json / 3);

        // A board written before the decision: its JSON in string columns.
        var old = JsonSerializer.Serialize(new Leaderboard(asOf, "engagement", entries.Take(3).ToList()), EngageJson.Options);
        await Storage.Community.UpsertEntityAsync(new TableEntity(ScoreStore.CommunityPartition, "leaderboard-engagement")
        {
            ["Chunks"] = 2,
            ["Json0"] = old[..50],
            ["Json1"] = old[50..],
        }, TableUpdateMode.Replace);
        Assert.Equal(["x:user0001", "x:user0002"], (await Scores.GetLeaderboardAsync("engagement", CancellationToken.None))!.Entries.Skip(1).Select(e => e.UserId));
    }
}
