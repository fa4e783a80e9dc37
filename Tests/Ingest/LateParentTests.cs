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
        var mark = await Storage.Items.GetEntityIfExistsAsync<TableEntity>(FactKeys.Escape(parent.Id), FactKeys.ItemRowKey);
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
        await Storage.Items.DeleteEntityAsync(FactKeys.Escape(parent.Id), FactKeys.ItemRowKey, ETag.All);
        await Storage.Replies.DeleteEntityAsync(WaitingReplyMarks.MetaPartition, WaitingReplyMarks.DoneRow, ETag.All);

        // A process of the new version: the pass marks the parent of every registration not applied yet.
        var fresh = new WaitingReplyMarks(Storage, Microsoft.Extensions.Logging.Abstractions.NullLogger<WaitingReplyMarks>.Instance);
        Assert.False(fresh.Ready);
        await fresh.EnsureAsync();
        Assert.True(fresh.Ready);
        var mark = await Storage.Items.GetEntityIfExistsAsync<TableEntity>(FactKeys.Escape(parent.Id), FactKeys.ItemRowKey);
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
}
