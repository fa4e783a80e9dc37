using Azure.Core;
using Azure.Data.Tables;
using Engage.Domain.Scoring;
using Engage.Functions.Scores;
using Engage.Functions.Storage;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.Scores;

/// <summary>
/// The state's buckets of figures against Azurite (decision 1292): only a changed bucket is rewritten, warm or cold; and
/// (decision 1295) a few changed figures ride in the core instead, over the buckets as written.
/// </summary>
public sealed class ProjectionStateStoreTests : IAsyncLifetime
{
    private readonly RequestCount _requests = new();
    private readonly ServiceProvider _services;

    public ProjectionStateStoreTests() => _services = TestServices.Create(configure: services =>
    {
        var options = new TableClientOptions();
        options.AddPolicy(_requests, HttpPipelinePosition.PerCall);
        services.AddSingleton(new TableServiceClient(TestStorage.ConnectionString, options));
    });

    private EngageStorage Storage => _services.GetRequiredService<EngageStorage>();

    public async Task InitializeAsync() => await Storage.EnsureReadyAsync(CancellationToken.None);

    public Task DisposeAsync() => OwnTables.DisposeAsync(_services);

    private async Task<Dictionary<string, string>> HeadSetsAsync()
    {
        var head = await Storage.Community.GetEntityAsync<TableEntity>(ScoreStore.StatePartition, "state");
        return head.Value.GetString("Sets").Split(';').Select(e => e.Split(':')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }

    /// <summary>A new state of <paramref name="users"/> identities x:user0, x:user1, …, each with figures of its own.</summary>
    private static ProjectionState StateOf(int users)
    {
        var state = new ProjectionState { CommunityJson = "{}" };
        for (var n = 0; n < users; n++)
        {
            state.Identities[$"x:user{n}"] = new Figures($"user{n}", n, true, 0.5, 1, 2, 3) { Level = Levels.Participant };
        }

        return state;
    }

    private static string Set(int bucket) => "u" + bucket.ToString("D3", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task OneChangedUser_RewritesOneBucket_FromMemoryAndAfterAColdRead_InTransactions_WhenTheCoreMayCarryNoFigure()
    {
        var state = StateOf(3_000);

        var store = new ProjectionStateStore(Storage) { FiguresInCoreLimit = 0 };
        var first = await store.WriteAsync(state, sweep: false, CancellationToken.None);
        var count = state.BucketCount();
        Assert.Equal(8, count);
        Assert.Equal(1 + count, first.Sets); // a new state: the core and every bucket
        var before = await HeadSetsAsync();

        // Warm: the state written last, changed for one user.
        var warm = (await store.ReadAsync(CancellationToken.None)).State!;
        warm.Identities["x:user42"] = warm.Identities["x:user42"] with { Log2Score = 99 };
        _requests.Clear();
        var second = await store.WriteAsync(warm, sweep: false, CancellationToken.None);
        var (requests, batches) = (_requests.All, _requests.Batches);
        var after = await HeadSetsAsync();
        Assert.Equal(["core", Set(ProjectionState.BucketOf("x:user42", count))], after.Keys.Where(k => after[k] != before.GetValueOrDefault(k)).Order(StringComparer.Ordinal));
        Assert.Equal(2, second.Sets);

        // The head's read and write, the two new rows in one transaction, the two old ones deleted in another.
        Assert.Equal(4, requests);
        Assert.Equal(2, batches);
        Assert.Equal(4, second.Calls);

        // Cold: another process reads the state from storage (one range read of the chunk rows), changes another user.
        var cold = (await new ProjectionStateStore(Storage).ReadAsync(CancellationToken.None)).State!;
        Assert.Equal(99, cold.Identities["x:user42"].Log2Score);
        cold.Identities["x:user7"] = cold.Identities["x:user7"] with { Level = Levels.ChampionLevel };
        var third = await new ProjectionStateStore(Storage) { FiguresInCoreLimit = 0 }.WriteAsync(cold, sweep: false, CancellationToken.None);
        var last = await HeadSetsAsync();
        Assert.Equal(["core", Set(ProjectionState.BucketOf("x:user7", count))], last.Keys.Where(k => last[k] != after.GetValueOrDefault(k)).Order(StringComparer.Ordinal));
        Assert.Equal(2, third.Sets);
    }

    [Fact]
    public async Task OneChangedUser_RidesInTheCore_WarmAndCold_NoBucketRewritten()
    {
        var state = StateOf(3_000);

        var store = new ProjectionStateStore(Storage);
        await store.WriteAsync(state, sweep: false, CancellationToken.None);
        var before = await HeadSetsAsync();

        var warm = (await store.ReadAsync(CancellationToken.None)).State!;
        warm.Identities["x:user42"] = warm.Identities["x:user42"] with { Log2Score = 99 };
        warm.Identities.Remove("x:user43");
        _requests.Clear();
        var second = await store.WriteAsync(warm, sweep: false, CancellationToken.None);
        var (requests, batches) = (_requests.All, _requests.Batches);
        var after = await HeadSetsAsync();
        Assert.Equal(["core"], after.Keys.Where(k => after[k] != before.GetValueOrDefault(k)).Order(StringComparer.Ordinal));
        Assert.Equal(2, second.FiguresInCore);

        // The head's read and write, the core's new row, the old one deleted: no transaction, no bucket.
        Assert.Equal(4, requests);
        Assert.Equal(0, batches);

        // Read cold, the core's figures lie over the buckets as written.
        var cold = (await new ProjectionStateStore(Storage).ReadAsync(CancellationToken.None)).State!;
        Assert.Equal(99, cold.Identities["x:user42"].Log2Score);
        Assert.DoesNotContain("x:user43", cold.Identities.Keys);
        Assert.Equal(2_999, cold.Identities.Count);
    }

    [Theory]
    [InlineData(3_000, 260, 5)] // cores of 260, 520, 780, 1,040 carried (2,600 in all), then 1,300 would pass the 3,000 figures
    [InlineData(100_000, 60, 58)] // √(2 · 100,000 / 60) ≈ 58: a core of ~3,500 figures at the rewrite
    [InlineData(3_000, 55, 10)]
    [InlineData(300, 30, int.MaxValue)] // a bucket's worth of figures: the core carries them all, no rewrite
    [InlineData(3_000, 0, int.MaxValue)]
    public void TheBuckets_AreRewritten_OnceTheFiguresTheCoreCarriedOutweighThem(int figures, int perRun, int runs) =>
        Assert.Equal(runs, ProjectionState.RunsBetweenRewrites(figures, perRun));

    [Fact]
    public async Task TheCore_CarriesChangedFigures_UntilWhatItCarriedSinceTheBucketsOutweighsThem_ThenTheBucketsAreRewritten_AndItStartsAgain()
    {
        var state = StateOf(3_000);

        var store = new ProjectionStateStore(Storage);
        await store.WriteAsync(state, sweep: false, CancellationToken.None);

        // 260 figures not changed before, each write (decision 1303): as RunsBetweenRewrites(3,000, 260) says, the
        // core carries 260, 520, 780, 1,040; the fifth write rewrites the buckets; then the core starts again. The
        // writes after the first read the state cold, as a new instance every run would: the count goes on from the
        // head (counted from each core read alone, the rewrite would wait for the seventh write).
        var changed = 0;
        var carried = new List<int>();
        var bucketsWritten = new List<bool>();
        for (var write = 1; write <= 7; write++)
        {
            store = write == 1 ? store : new ProjectionStateStore(Storage);
            var read = await store.ReadAsync(CancellationToken.None);
            Assert.Equal(write == 1, read.FromMemory);
            var warm = read.State!;
            for (var n = 0; n < 260; n++, changed++)
            {
                var id = $"x:user{changed % 3_000}";
                warm.Identities[id] = warm.Identities[id] with { Log2Score = 10_000 + changed };
            }

            var before = await HeadSetsAsync();
            var result = await store.WriteAsync(warm, sweep: false, CancellationToken.None);
            var after = await HeadSetsAsync();
            carried.Add(result.FiguresInCore);
            bucketsWritten.Add(after.Keys.Any(k => k.StartsWith('u') && after[k] != before.GetValueOrDefault(k)));
        }

        Assert.Equal([260, 520, 780, 1_040, 0, 260, 520], carried);
        Assert.Equal([false, false, false, false, true, false, false], bucketsWritten);

        // Read cold, the core's figures lie over the buckets as written.
        var cold = (await new ProjectionStateStore(Storage).ReadAsync(CancellationToken.None)).State!;
        Assert.Equal(10_000 + changed - 1, cold.Identities[$"x:user{(changed - 1) % 3_000}"].Log2Score);
        Assert.Equal(3_000, cold.Identities.Count);
    }
}
