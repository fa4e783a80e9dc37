using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Engage.Domain.Signals;
using Engage.Functions.Storage;
using Engage.Functions.Users;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.Storage;

/// <summary>The activity layout against Azurite (decision 1111): written beside the facts, read by window, reclassified, copied, erased.</summary>
public sealed class ActivityStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly Window Window = new(AsOf, TimeSpan.FromDays(30));
    private readonly ServiceProvider _services = TestServices.Create(new Dictionary<string, string?> { ["Storage:Activity"] = TestStorage.UniqueName("tact") });
    private FactStore Store => _services.GetRequiredService<FactStore>();
    private EngageStorage Storage => _services.GetRequiredService<EngageStorage>();

    public async Task InitializeAsync() => await Storage.EnsureReadyAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        foreach (var month in await Store.Activity.MonthsAsync(CancellationToken.None))
        {
            await Store.Activity.Table(month).DeleteAsync();
        }

        // Only the tables of this test's own names (TestServices gives every table one); a default name would be shared.
        var shared = new StorageNames().Tables.ToHashSet(StringComparer.Ordinal);
        foreach (var table in Storage.Names.Tables.Where(t => !shared.Contains(t)))
        {
            await Storage.TableService.DeleteTableAsync(table);
        }

        await _services.DisposeAsync();
    }

    private static IReadOnlyList<Fact> Reply(string id, string actor, string parentAuthor, DateTimeOffset at, string? mention = null) =>
        Fact.For(new Interaction
        {
            Id = id,
            Kind = InteractionKind.Reply,
            Actor = actor,
            ActorHandle = actor + "-handle",
            OccurredAt = at,
            InReplyTo = new ItemRef("item:" + id, parentAuthor),
            Mentions = mention is null ? [] : [mention],
        }, SignalSet.None, null).Select(f => f with { ClassifierVersion = "1.0" }).ToList();

    [Fact]
    public async Task ReadAsync_FactsOfManyUsers_OneRowPerInteractionInsideTheWindowOnly()
    {
        await Store.InsertAsync(
        [
            .. Reply("r:in", "u:ann", "u:bob", AsOf.AddDays(-3), mention: "u:cy"),
            .. Reply("r:edge", "u:bob", "u:ann", Window.From),
            .. Reply("r:previous-month", "u:cy", "u:ann", AsOf.AddDays(-25)),
            .. Reply("r:old", "u:ann", "u:bob", AsOf.AddDays(-31)),
            .. Reply("r:future", "u:ann", "u:bob", AsOf.AddSeconds(1)),
        ], CancellationToken.None);

        var read = await Store.Activity.ReadAsync(Window, CancellationToken.None);

        Assert.Equal(["r:edge", "r:in", "r:previous-month"], read.Select(f => f.InteractionId).Order(StringComparer.Ordinal));
        Assert.All(read, f => Assert.Equal(f.Actor, f.UserId));
        var inWindow = read.Single(f => f.InteractionId == "r:in");
        Assert.Equal("u:bob", inWindow.InReplyToAuthor);
        Assert.Equal(["u:cy"], inWindow.Mentions);
        Assert.Equal(["202610", "202611"], (await Store.Activity.MonthsAsync(CancellationToken.None)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task InsertAsync_NewerClassifier_RewritesTheActivityRowsSignalsToo()
    {
        var facts = Reply("r:re", "u:ann", "u:bob", AsOf.AddDays(-1));
        await Store.InsertAsync(facts, CancellationToken.None);

        await Store.InsertAsync(facts.Select(f => f with { TextSignals = SignalSet.Thanks, ClassifierVersion = "2.0" }).ToList(), CancellationToken.None);

        var row = Assert.Single(await Store.Activity.ReadAsync(Window, CancellationToken.None));
        Assert.Equal(SignalSet.Thanks, row.TextSignals);
        Assert.Equal("2.0", row.ClassifierVersion);
    }

    [Fact]
    public async Task BackfillAsync_FactsWrittenBeforeTheLayout_CopiesOneRowPerInteraction()
    {
        foreach (var fact in Reply("r:before", "u:ann", "u:bob", AsOf.AddDays(-2)))
        {
            await Storage.Facts.AddEntityAsync(FactStore.ToEntity(fact));
        }

        Assert.Empty(await Store.Activity.ReadAsync(Window, CancellationToken.None));
        Assert.Equal(1, await Store.Activity.BackfillAsync(CancellationToken.None));
        Assert.Equal(1, await Store.Activity.BackfillAsync(CancellationToken.None)); // again: the same row, nothing added

        var row = Assert.Single(await Store.Activity.ReadAsync(Window, CancellationToken.None));
        Assert.Equal("r:before", row.InteractionId);
    }

    [Fact]
    public async Task EraseAsync_User_DeletesTheirActivityRowsAndScrubsOthersNamingThem()
    {
        await Store.InsertAsync(
        [
            .. Reply("r:theirs", "u:ann", "u:bob", AsOf.AddDays(-2)),
            .. Reply("r:names-them", "u:bob", "u:ann", AsOf.AddDays(-1), mention: "u:cy"),
            .. Reply("r:not-them", "u:bob", "u:cy", AsOf.AddDays(-1)),
        ], CancellationToken.None);

        await _services.GetRequiredService<UserEraser>().EraseAsync("u:ann", CancellationToken.None);

        var read = await Store.Activity.ReadAsync(Window, CancellationToken.None);
        Assert.Equal(["r:names-them", "r:not-them"], read.Select(f => f.InteractionId).Order(StringComparer.Ordinal));
        var scrubbed = read.Single(f => f.InteractionId == "r:names-them");
        Assert.Null(scrubbed.InReplyToAuthor);
        Assert.Equal(["u:cy"], scrubbed.Mentions);
        Assert.DoesNotContain("u:ann", scrubbed.Handles?.Keys ?? []);
    }

    [Fact]
    public async Task ReadAsync_NoActivityTableYet_IsEmpty()
    {
        Assert.Empty(await Store.Activity.ReadAsync(Window, CancellationToken.None));
        Assert.Empty(await Store.Activity.ReadAsync(new Window(AsOf, Window.Max), CancellationToken.None));
        Assert.IsType<TableClient>(Store.Activity.Table("202611"));
    }
}
