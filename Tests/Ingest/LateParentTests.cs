using Azure;
using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Engage.Domain.Signals;
using Engage.Functions.Ingest;
using Engage.Functions.Storage;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.Ingest;

/// <summary>
/// A parent's columns reach its replies' rows however late it comes (decision 1121), a reclassified parent's flag
/// reaches them too (decision 1122), and reads then need no items index at all. Real Ingestor, an Azurite of its own
/// (pending-parent messages go to its queue).
/// </summary>
public sealed class LateParentTests(LateParentTests.Azurite azurite) : IAsyncLifetime, IClassFixture<LateParentTests.Azurite>
{
    /// <summary>One Azurite for the class; every test uses ids of its own.</summary>
    public sealed class Azurite : IDisposable
    {
        public AzuriteProcess Process { get; } = TestStorage.StartDedicated();

        public void Dispose() => Process.Dispose();
    }

    private static readonly DateTimeOffset At = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly Window Window = new(At.AddHours(1), TimeSpan.FromDays(30));
    private readonly ScriptedClassifier _classifier = new() { Version = "1.0", Rule = QuestionMark };
    private ServiceProvider _services = null!;

    private Ingestor Ingestor => _services.GetRequiredService<Ingestor>();
    private EngageStorage Storage => _services.GetRequiredService<EngageStorage>();
    private FactStore Store => _services.GetRequiredService<FactStore>();

    private static SignalSet QuestionMark(SignalInput input) => input.Text?.EndsWith('?') == true ? SignalSet.Question : SignalSet.None;

    public async Task InitializeAsync()
    {
        _services = TestServices.Create(
            new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.Process.ConnectionString },
            services => services.AddSingleton<ITextClassifier>(_classifier));
        await Storage.EnsureReadyAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private static Interaction Post(string id, string actor, string text, int minute) => new()
    {
        Id = id, Kind = InteractionKind.Post, Actor = actor, OccurredAt = At.AddMinutes(minute), Text = text,
    };

    private static Interaction Reply(string id, string actor, string parentId, int minute, string? parentAuthor = null, params string[] mentions) => new()
    {
        Id = id, Kind = InteractionKind.Reply, Actor = actor, OccurredAt = At.AddMinutes(minute), Text = "Pin the image to its digest.",
        InReplyTo = new ItemRef(parentId, parentAuthor), Mentions = mentions,
    };

    private async Task<Fact?> RowAsync(string user, string interactionId) =>
        (await Store.ReadAsync(user, Window, CancellationToken.None)).SingleOrDefault(f => f.InteractionId == interactionId && !f.RootFallback);

    [Fact]
    public async Task ChildStoredBeforeItsParent_ParentArrives_EveryCopyHasTheParentsColumns()
    {
        var parent = Post("lp1:p", "t:bob", "How do I pin the runner image?", 0);
        var reply = Reply("lp1:r", "t:ann", parent.Id, 5, mentions: "t:cy");

        await Ingestor.IngestAsync(reply, CancellationToken.None);
        var before = await RowAsync("t:ann", reply.Id);
        Assert.NotNull(before);
        Assert.True(before.ParentTracked);
        Assert.Null(before.InReplyToAuthor);
        Assert.Null(before.ParentIsQuestion);
        Assert.Null(await RowAsync("t:bob", reply.Id));

        await Ingestor.IngestAsync(parent, CancellationToken.None);

        // The actor's row, the mention's row and the parent author's give (written by the parent's arrival) all know the parent.
        foreach (var user in new[] { "t:ann", "t:cy", "t:bob" })
        {
            var row = await RowAsync(user, reply.Id);
            Assert.NotNull(row);
            Assert.Equal(("t:bob", (bool?)true, "1.0", true), (row.InReplyToAuthor, row.ParentIsQuestion, row.ParentClassifierVersion, row.ParentTracked));
        }

        // The same rows the clean order (parent first) writes.
        var clean = Fact.For(reply, SignalSet.None, new ItemInfo(parent.Id, "t:bob", InteractionKind.Post, true, parent.OccurredAt) { ClassifierVersion = "1.0" })
            .Select(f => f with { ClassifierVersion = "1.0" }).ToList();
        foreach (var expected in clean)
        {
            Assert.Equal(Columns(expected), Columns((await RowAsync(expected.UserId, reply.Id))!));
        }

        var answer = (await Store.ReadResolvedAsync("t:bob", Window, CancellationToken.None)).Interactions.Single(i => i.Id == reply.Id);
        Assert.True((answer.Signals & SignalSet.Answer) != 0);
    }

    [Fact]
    public async Task MarksReady_ReplyBeforeParent_MarkIsNoItem_ParentStillMergesIntoIt()
    {
        await _services.GetRequiredService<WaitingReplyMarks>().EnsureAsync();
        Assert.True(_services.GetRequiredService<WaitingReplyMarks>().Ready);
        var parent = Post("lp5:p", "t:bob", "Where is the cache kept?", 0);
        var reply = Reply("lp5:r", "t:ann", parent.Id, 5);

        await Ingestor.IngestAsync(reply, CancellationToken.None);
        // The reply marked its parent's items row (decision 1251); a mark alone is no item for anyone reading it.
        var mark = await Storage.Items.GetEntityIfExistsAsync<TableEntity>(ItemKeys.Partition(parent.Id), ItemKeys.Row(parent.Id));
        Assert.True(mark.HasValue && mark.Value!.GetBoolean(FactStore.RepliesWaitingProperty) == true);
        Assert.Null(await Store.GetItemAsync(parent.Id, CancellationToken.None));

        await Ingestor.IngestAsync(parent, CancellationToken.None);
        Assert.Equal(("t:bob", "t:ann"), ((await Store.GetItemAsync(parent.Id, CancellationToken.None))!.Author, (await RowAsync("t:bob", reply.Id))!.Actor));
        Assert.Equal(("t:bob", (bool?)true), ((await RowAsync("t:ann", reply.Id))!.InReplyToAuthor, (await RowAsync("t:ann", reply.Id))!.ParentIsQuestion));
    }

    [Fact]
    public async Task ReplyRegisteredBeforeTheMarks_OneOffPassMarksItsParent_ParentArrivingLaterMergesIntoIt()
    {
        var parent = Post("lp6:p", "t:bob", "Which runner is it?", 0);
        var reply = Reply("lp6:r", "t:ann", parent.Id, 5, mentions: "t:cy");
        await Ingestor.IngestAsync(reply, CancellationToken.None);

        // As stored before decision 1251: the registration in `replies`, no mark on the parent's items row, the pass not recorded.
        await Storage.Items.DeleteEntityAsync(ItemKeys.Partition(parent.Id), ItemKeys.Row(parent.Id), ETag.All);
        await Storage.Replies.DeleteEntityAsync(WaitingReplyMarks.MetaPartition, WaitingReplyMarks.DoneRow, ETag.All);

        // A process of the new version: the pass marks the parent of every registration not applied yet.
        var fresh = new WaitingReplyMarks(Storage, Microsoft.Extensions.Logging.Abstractions.NullLogger<WaitingReplyMarks>.Instance);
        Assert.False(fresh.Ready);
        await fresh.EnsureAsync();
        Assert.True(fresh.Ready);
        var mark = await Storage.Items.GetEntityIfExistsAsync<TableEntity>(ItemKeys.Partition(parent.Id), ItemKeys.Row(parent.Id));
        Assert.True(mark.HasValue && mark.Value!.GetBoolean(FactStore.RepliesWaitingProperty) == true);
        Assert.True((await Storage.Replies.GetEntityIfExistsAsync<TableEntity>(WaitingReplyMarks.MetaPartition, WaitingReplyMarks.DoneRow)).HasValue);

        // The parent comes with the marks in force: its insert meets the mark and merges into the old registration.
        await _services.GetRequiredService<WaitingReplyMarks>().EnsureAsync();
        await Ingestor.IngestAsync(parent, CancellationToken.None);
        foreach (var user in new[] { "t:ann", "t:cy", "t:bob" })
        {
            var row = await RowAsync(user, reply.Id);
            Assert.Equal(("t:bob", (bool?)true), (row!.InReplyToAuthor, row.ParentIsQuestion));
        }
    }

    [Fact]
    public async Task ParentColumnsMerged_OlderDeliveriesOfTheChild_NeverTakeThemBack()
    {
        var parent = Post("lp2:p", "t:bob", "Which cache key?", 0);
        var reply = Reply("lp2:r", "t:ann", parent.Id, 5, parentAuthor: "t:bob");
        await Ingestor.IngestAsync(reply, CancellationToken.None);
        var unknownParent = await RowAsync("t:ann", reply.Id);
        await Ingestor.IngestAsync(parent, CancellationToken.None);

        // The first delivery's rows, written again (a redelivery racing the parent): inserts are 409s, nothing moves back.
        await Store.InsertAsync([unknownParent!, unknownParent! with { UserId = "t:bob" }], CancellationToken.None);
        await Ingestor.IngestAsync(reply, CancellationToken.None);
        await Ingestor.IngestAsync(parent, CancellationToken.None);

        foreach (var user in new[] { "t:ann", "t:bob" })
        {
            var row = await RowAsync(user, reply.Id);
            Assert.Equal(("t:bob", (bool?)true), (row!.InReplyToAuthor, row.ParentIsQuestion));
        }
    }

    /// <summary>An items row as written before decision 1271: a partition of its own, RK <c>item</c>.</summary>
    private async Task WriteLegacyItemAsync(Interaction post, bool question)
    {
        var row = FactStore.ToEntity(new ItemInfo(post.Id, post.Actor, post.Kind, question, post.OccurredAt) { ClassifierVersion = "1.0" });
        (row.PartitionKey, row.RowKey) = ItemKeys.Legacy(post.Id);
        await Storage.Items.UpsertEntityAsync(row, TableUpdateMode.Replace);
    }

    private async Task ForgetItemShardsCopiedAsync() =>
        await Storage.Replies.DeleteEntityAsync(ItemShardMigration.MetaPartition, ItemShardMigration.DoneRow, ETag.All);

    [Fact]
    public async Task LegacyItem_ReadByItsOldKeyUntilCopied_ThenFromItsShard_ReclassificationStillReachesItsReplies()
    {
        var parent = Post("lp7:p", "t:bob", "Where do logs go?", 0);
        await ForgetItemShardsCopiedAsync();
        await WriteLegacyItemAsync(parent, question: true);

        // Before the copy: a reader falls back to the old key.
        var fresh = new FactStore(Storage, TimeProvider.System);
        Assert.Equal(("t:bob", true), ((await fresh.GetItemAsync(parent.Id, CancellationToken.None))!.Author, (await fresh.GetItemAsync(parent.Id, CancellationToken.None))!.Question));

        // The copy puts it in its shard (the old row stays) and records that it is done.
        await fresh.ItemShards.EnsureAsync();
        Assert.True(fresh.ItemShards.Ready);
        var copied = await Storage.Items.GetEntityIfExistsAsync<TableEntity>(ItemKeys.Partition(parent.Id), ItemKeys.Row(parent.Id));
        Assert.Equal("t:bob", copied.Value!.GetString("Author"));
        Assert.True((await Storage.Replies.GetEntityIfExistsAsync<TableEntity>(ItemShardMigration.MetaPartition, ItemShardMigration.DoneRow)).HasValue);

        // A reply knows it; a newer classifier's redelivery of the parent meets the copied row and its reply follows (decision 1122).
        await Store.ItemShards.EnsureAsync();
        var reply = Reply("lp7:r", "t:ann", parent.Id, 5);
        await Ingestor.IngestAsync(reply, CancellationToken.None);
        Assert.Equal(("t:bob", (bool?)true), ((await RowAsync("t:ann", reply.Id))!.InReplyToAuthor, (await RowAsync("t:ann", reply.Id))!.ParentIsQuestion));
        await IngestAsNewerClassifierAsync(parent);

        Assert.Equal(((bool?)false, "1.1"), ((await RowAsync("t:ann", reply.Id))!.ParentIsQuestion, (await RowAsync("t:ann", reply.Id))!.ParentClassifierVersion));
    }

    [Fact]
    public async Task LegacyMarkOfAWaitingReply_CopiedIntoTheShard_ParentArrivingLaterMergesIntoIt()
    {
        var parent = Post("lp8:p", "t:bob", "Which cache key?", 0);
        var reply = Reply("lp8:r", "t:ann", parent.Id, 5, mentions: "t:cy");
        await Ingestor.IngestAsync(reply, CancellationToken.None);

        // As stored before decision 1271: the waiting reply's mark under the parent's old key, the copy not recorded.
        await Storage.Items.DeleteEntityAsync(ItemKeys.Partition(parent.Id), ItemKeys.Row(parent.Id), ETag.All);
        var (partition, row) = ItemKeys.Legacy(parent.Id);
        await Storage.Items.UpsertEntityAsync(new TableEntity(partition, row) { [FactStore.RepliesWaitingProperty] = true }, TableUpdateMode.Merge);
        await ForgetItemShardsCopiedAsync();

        var fresh = new FactStore(Storage, TimeProvider.System);
        Assert.Null(await fresh.GetItemAsync(parent.Id, CancellationToken.None)); // a mark is no item, at either key
        await fresh.ItemShards.EnsureAsync();
        var mark = await Storage.Items.GetEntityIfExistsAsync<TableEntity>(ItemKeys.Partition(parent.Id), ItemKeys.Row(parent.Id));
        Assert.True(mark.HasValue && mark.Value!.GetBoolean(FactStore.RepliesWaitingProperty) == true);

        // The parent comes to a process that knows the copy is done: its insert meets the copied mark and merges.
        await Store.ItemShards.EnsureAsync();
        Assert.True(Store.ItemShards.Ready);
        await Ingestor.IngestAsync(parent, CancellationToken.None);
        Assert.Equal(("t:bob", (bool?)true), ((await RowAsync("t:ann", reply.Id))!.InReplyToAuthor, (await RowAsync("t:ann", reply.Id))!.ParentIsQuestion));
        Assert.Equal("t:ann", (await RowAsync("t:bob", reply.Id))!.Actor);
    }

    [Fact]
    public async Task AddItems_ShardTransactions_SayWhichRowWasThere()
    {
        var items = Enumerable.Range(0, 12).Select(n => new ItemInfo($"lp9:{n}", "t:bob", InteractionKind.Post, false, At.AddMinutes(n)) { ClassifierVersion = "1.0" }).ToList();
        await Store.MarkReplyWaitingAsync(items[3].ItemId, CancellationToken.None);
        await Store.InsertItemAsync(items[7], CancellationToken.None);

        var stored = await Store.AddItemsAsync(items, CancellationToken.None);
        Assert.All(stored, s => Assert.Null(s.Error));
        Assert.Equal([3, 7], stored.Select((s, k) => (s, k)).Where(o => o.s.Item!.WasThere).Select(o => o.k));
        foreach (var item in items)
        {
            Assert.Equal("t:bob", (await Store.GetItemAsync(item.ItemId, CancellationToken.None))!.Author);
        }

        // Again (a redelivery): every row was there.
        Assert.All(await Store.AddItemsAsync(items, CancellationToken.None), s => Assert.True(s.Item!.WasThere));
    }

    [Fact]
    public async Task ReplyThatKnewItsParent_RegisteredInTheParentsShard_OldRegistrationsToo_ReclassificationReachesBoth()
    {
        var parent = Post("lp10:p", "t:bob", "Does the cache survive?", 0);
        var knew = Reply("lp10:knew", "t:ann", parent.Id, 5, parentAuthor: "t:bob");
        var old = Reply("lp10:old", "t:cy", parent.Id, 6, parentAuthor: "t:bob");
        await Ingestor.IngestAsync(parent, CancellationToken.None);
        await Ingestor.IngestAsync(knew, CancellationToken.None);
        await Ingestor.IngestAsync(old, CancellationToken.None);

        // Decision 1272: in the parent's shard, not in its own partition.
        var knewKey = FactKeys.FactRowKey((await RowAsync("t:ann", knew.Id))!);
        Assert.True((await Storage.Replies.GetEntityIfExistsAsync<TableEntity>(ReplyKeys.Partition(parent.Id), ReplyKeys.Row(parent.Id, knewKey))).HasValue);
        Assert.False((await Storage.Replies.GetEntityIfExistsAsync<TableEntity>(FactKeys.Escape(parent.Id), knewKey)).HasValue);

        // As registered before decision 1272: the other reply's row under the parent's own partition.
        var oldKey = FactKeys.FactRowKey((await RowAsync("t:cy", old.Id))!);
        var moved = (await Storage.Replies.GetEntityAsync<TableEntity>(ReplyKeys.Partition(parent.Id), ReplyKeys.Row(parent.Id, oldKey))).Value;
        await Storage.Replies.DeleteEntityAsync(moved.PartitionKey, moved.RowKey, ETag.All);
        (moved.PartitionKey, moved.RowKey) = (FactKeys.Escape(parent.Id), oldKey);
        await Storage.Replies.AddEntityAsync(moved);

        await IngestAsNewerClassifierAsync(parent);

        foreach (var (user, id) in new[] { ("t:ann", knew.Id), ("t:bob", knew.Id), ("t:cy", old.Id), ("t:bob", old.Id) })
        {
            var row = await RowAsync(user, id);
            Assert.Equal(((bool?)false, "1.1"), (row!.ParentIsQuestion, row.ParentClassifierVersion));
        }

        // Each registration is marked done for the new classification where it is.
        Assert.Equal("1.1", (await Storage.Replies.GetEntityAsync<TableEntity>(ReplyKeys.Partition(parent.Id), ReplyKeys.Row(parent.Id, knewKey))).Value.GetString("AppliedVersion"));
        Assert.Equal("1.1", (await Storage.Replies.GetEntityAsync<TableEntity>(FactKeys.Escape(parent.Id), oldKey)).Value.GetString("AppliedVersion"));
    }

    [Fact]
    public async Task ParentReclassifiedByANewerClassifier_ChildrensFlagFollows_AnOlderOneChangesNothing()
    {
        var parent = Post("lp3:p", "t:bob", "Is the cache shared?", 0);
        var early = Reply("lp3:early", "t:ann", parent.Id, 5);
        var later = Reply("lp3:later", "t:cy", parent.Id, 6, parentAuthor: "t:bob");
        await Ingestor.IngestAsync(early, CancellationToken.None);
        await Ingestor.IngestAsync(parent, CancellationToken.None);
        await Ingestor.IngestAsync(later, CancellationToken.None);
        Assert.True((await RowAsync("t:cy", later.Id))!.ParentIsQuestion);

        // A newer classifier reads no question in the parent: replay re-ingests it, its replies follow.
        _classifier.Version = "1.1";
        _classifier.Rule = _ => SignalSet.None;
        await Ingestor.IngestAsync(parent, CancellationToken.None);
        foreach (var (user, id) in new[] { ("t:ann", early.Id), ("t:bob", early.Id), ("t:cy", later.Id), ("t:bob", later.Id) })
        {
            var row = await RowAsync(user, id);
            Assert.Equal(((bool?)false, "1.1"), (row!.ParentIsQuestion, row.ParentClassifierVersion));
        }

        // The old classifier again (a replay racing the upgrade): no child moves back.
        _classifier.Version = "1.0";
        _classifier.Rule = QuestionMark;
        await Ingestor.IngestAsync(parent, CancellationToken.None);
        await Ingestor.IngestAsync(later, CancellationToken.None);
        Assert.Equal(((bool?)false, "1.1"), ((await RowAsync("t:cy", later.Id))!.ParentIsQuestion, (await RowAsync("t:cy", later.Id))!.ParentClassifierVersion));
        Assert.Equal(((bool?)false, "1.1"), ((await RowAsync("t:ann", early.Id))!.ParentIsQuestion, (await RowAsync("t:ann", early.Id))!.ParentClassifierVersion));
    }

    [Fact]
    public async Task ShuffledConversation_ReadsNeedNoItemsIndex_FiguresUnchangedWithoutIt()
    {
        var interactions = new List<Interaction>();
        for (var t = 0; t < 6; t++)
        {
            interactions.Add(Post($"lp4:p{t}", "t:hub", t % 2 == 0 ? "Where are the logs?" : "Released 2.0.", t));
            for (var r = 0; r < 4; r++)
            {
                interactions.Add(Reply($"lp4:r{t}x{r}", $"t:u{r}", $"lp4:p{t}", 10 + t + r, parentAuthor: r % 2 == 0 ? "t:hub" : null));
                interactions.Add(Reply($"lp4:h{t}x{r}", "t:hub", $"lp4:r{t}x{r}", 20 + t + r));
            }
        }

        // Every child before its parent: the hardest order for the late-parent path.
        foreach (var interaction in Enumerable.Reverse(interactions))
        {
            await Ingestor.IngestAsync(interaction, CancellationToken.None);
        }

        // The clean fold: every parent known before any fact is built.
        var items = interactions.ToDictionary(i => i.Id, i => new ItemInfo(i.Id, i.Actor, i.Kind, QuestionMark(new SignalInput(i.Text, i.Kind, i.Mentions)) != 0, i.OccurredAt) { ClassifierVersion = "1.0" });
        var clean = interactions.SelectMany(i => Fact.For(i, QuestionMark(new SignalInput(i.Text, i.Kind, i.Mentions)), i.InReplyTo?.Id is { } p ? items.GetValueOrDefault(p) : null)).ToList();

        var users = new[] { "t:hub", "t:u0", "t:u1", "t:u2", "t:u3" };
        var options = new ScoringOptions();
        var before = new List<string>();
        foreach (var user in users)
        {
            var (facts, resolved) = await Store.ReadResolvedAsync(user, Window, CancellationToken.None);
            Assert.Empty(FactSet.UnresolvedParents(facts));
            before.Add(Figures(user, facts, resolved, options));
            var cleanFacts = clean.Where(f => f.UserId == user).ToList();
            Assert.Equal(Figures(user, cleanFacts, FactSet.Resolve(cleanFacts, new Dictionary<string, ItemInfo>()), options), before[^1]);
        }

        // No items index at all: the same figures.
        await foreach (var item in Storage.Items.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
        {
            await Storage.Items.DeleteEntityAsync(item.PartitionKey, item.RowKey, ETag.All);
        }

        var after = new List<string>();
        foreach (var user in users)
        {
            var (facts, resolved) = await Store.ReadResolvedAsync(user, Window, CancellationToken.None);
            after.Add(Figures(user, facts, resolved, options));
        }

        Assert.Equal(before, after);
        Assert.Contains(before, f => f.Contains("\"answer\"", StringComparison.Ordinal));
    }

    private static string Figures(string user, List<Fact> facts, IReadOnlyList<Resolved> resolved, ScoringOptions options) =>
        System.Text.Json.JsonSerializer.Serialize(EngagementFold.Fold(user, resolved, FactSet.HandleOf(user, facts), Window, options), Engage.Functions.Http.EngageJson.Options)
        + System.Text.Json.JsonSerializer.Serialize(ReciprocityFold.Fold(user, resolved, new HandleBook(facts).Of, Window, options), Engage.Functions.Http.EngageJson.Options);

    private static string Columns(Fact f) =>
        $"{f.UserId}|{f.Actor}|{f.InReplyToId}|{f.InReplyToAuthor}|{f.ParentIsQuestion}|{f.ParentClassifierVersion}|{f.ParentTracked}|{f.TextSignals}|{f.ClassifierVersion}|{string.Join(",", f.Mentions)}";

    /// <summary>Ingests the item again as a newer classifier (1.1) that reads no signal in it would, then restores 1.0.</summary>
    private async Task IngestAsNewerClassifierAsync(Interaction item)
    {
        _classifier.Version = "1.1";
        _classifier.Rule = _ => SignalSet.None;
        try
        {
            await Ingestor.IngestAsync(item, CancellationToken.None);
        }
        finally
        {
            _classifier.Version = "1.0";
            _classifier.Rule = QuestionMark;
        }
    }
}
