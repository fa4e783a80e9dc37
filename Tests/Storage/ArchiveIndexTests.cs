using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Functions.Storage;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.Storage;

/// <summary>
/// The archive index of decision 1252: one row per archived body listing who it names, in an hour partition; an
/// erasure finds every body of a user in it (and in the per-user rows written before it) and takes the user out.
/// </summary>
public sealed class ArchiveIndexTests : IAsyncLifetime
{
    private ServiceProvider _services = null!;

    private WebhookArchive Archive => _services.GetRequiredService<WebhookArchive>();
    private EngageStorage Storage => _services.GetRequiredService<EngageStorage>();

    public async Task InitializeAsync()
    {
        _services = TestServices.Create();
        await Storage.EnsureReadyAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private static List<Interaction> Posts(string prefix, int users) => [.. Enumerable.Range(0, users).Select(k => new Interaction
    {
        Id = $"{prefix}:{k}", Kind = InteractionKind.Post, Actor = $"{prefix}:u{k}", OccurredAt = DateTimeOffset.UnixEpoch,
    })];

    [Fact]
    public async Task BodyNamingManyUsers_OneRowPerFewHundred_EachUserFindsIt_ErasedOnesAreTakenOut()
    {
        var name = "standard/2026/11/20/ai1|many.json";
        var interactions = Posts("ai1", 900);
        var partition = await Archive.IndexAsync(name, interactions, CancellationToken.None);

        var rows = new List<TableEntity>();
        await foreach (var row in Storage.ArchiveIndex.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}")))
        {
            rows.Add(row);
        }

        Assert.Equal(3, rows.Count);
        foreach (var user in new[] { "ai1:u0", "ai1:u450", "ai1:u899" })
        {
            Assert.Equal([name], await Archive.BodiesOfAsync(user, CancellationToken.None));
        }

        // Erased while the body waited on the queue (decision 1132): those users leave the body's rows, the others stay.
        await Archive.EraseQueuedAsync(name, partition, interactions, new HashSet<string>(StringComparer.Ordinal) { "ai1:u0", "ai1:u450" }, CancellationToken.None);
        Assert.Empty(await Archive.BodiesOfAsync("ai1:u0", CancellationToken.None));
        Assert.Empty(await Archive.BodiesOfAsync("ai1:u450", CancellationToken.None));
        Assert.Equal([name], await Archive.BodiesOfAsync("ai1:u451", CancellationToken.None));
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
    }

    [Fact]
    public async Task ConcurrentErasureChecks_ShareQueries_EachAnswersForItsOwnTimeOfReceipt()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        await Archive.RecordErasureAsync("ai3:gone", CancellationToken.None);
        var after = DateTimeOffset.UtcNow.AddMinutes(1);
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
}
