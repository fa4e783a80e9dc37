using Azure.Data.Tables;
using Azure.Storage.Queues.Models;
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
/// One interaction that fails never takes the rest of its message with it (issue: reliability, isolation).
/// Real Ingestor against an Azurite of its own, so the poison queue is the test's.
/// </summary>
public sealed class IngestIsolationTests(IngestIsolationTests.Azurite azurite) : IAsyncLifetime, IClassFixture<IngestIsolationTests.Azurite>
{
    /// <summary>One Azurite for the class: its tests run one after another and each empties the poison queue first.</summary>
    public sealed class Azurite : IDisposable
    {
        public AzuriteProcess Process { get; } = TestStorage.StartDedicated();

        public void Dispose() => Process.Dispose();
    }

    private static readonly DateTimeOffset At = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private readonly ScriptedClassifier _classifier = new();
    private ServiceProvider _services = null!;

    private Ingestor Ingestor => _services.GetRequiredService<Ingestor>();
    private EngageStorage Storage => _services.GetRequiredService<EngageStorage>();
    private FactStore Store => _services.GetRequiredService<FactStore>();

    public async Task InitializeAsync()
    {
        _services = TestServices.Create(
            new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.Process.ConnectionString },
            services => services.AddSingleton<ITextClassifier>(_classifier));
        await Storage.EnsureReadyAsync(CancellationToken.None);
        await Storage.Queue(StorageNames.InteractionsQueue + "-poison").ClearMessagesAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
    }

    private static Interaction Post(int n, string prefix) => new()
    {
        Id = $"{prefix}:{n}",
        Kind = InteractionKind.Post,
        Actor = $"t:user{n}",
        OccurredAt = At.AddMinutes(-n),
        Text = n % 2 == 0 ? "How do I pin the runner image?" : "Shipped the new cache today.",
        Mentions = ["t:hub"],
    };

    private static QueueMessage Message(IReadOnlyList<Interaction> interactions) => QueuesModelFactory.QueueMessage(
        "m1", "p1", new BinaryData(new IngestMessage { Source = "standard", DeliveryId = "d1", Interactions = interactions }.ToJson()), 1);

    private async Task<List<Fact>> ActorFactsAsync(IEnumerable<Interaction> interactions)
    {
        var facts = new List<Fact>();
        foreach (var i in interactions)
        {
            facts.AddRange((await Store.ReadAsync(i.Actor, new Window(At, TimeSpan.FromDays(30)), CancellationToken.None)).Where(f => f.InteractionId == i.Id));
        }

        return facts;
    }

    private async Task<List<IngestMessage>> ParkedAsync()
    {
        var poison = Storage.Queue(StorageNames.InteractionsQueue + "-poison");
        var messages = (await poison.PeekMessagesAsync(32)).Value;
        return messages.Select(m => IngestMessage.Parse(m.Body.ToString())).ToList();
    }

    [Fact]
    public async Task Handle_OneRowStorageRefusesInAMessageOf100_99StoredAndThatOneParkedWithItsError()
    {
        var interactions = Enumerable.Range(1, 100).Select(n => Post(n, "iso")).ToList();
        // A mention list whose stored JSON is over the 32K-character property limit: storage refuses that row (400), for good.
        interactions[41] = interactions[41] with { Mentions = Enumerable.Range(0, 200).Select(k => $"t:{k}-{new string('m', 200)}").ToList() };

        await Ingestor.HandleAsync(Message(interactions), CancellationToken.None);

        var stored = await ActorFactsAsync(interactions);
        Assert.Equal(99, stored.Count);
        Assert.DoesNotContain(stored, f => f.InteractionId == interactions[41].Id);
        var parked = Assert.Single(await ParkedAsync());
        Assert.Equal(interactions[41].Id, Assert.Single(parked.Interactions).Id);
        Assert.Equal("d1", parked.DeliveryId);
        Assert.Contains("RequestFailedException", parked.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_ParkedInteractionReplayedAfterAFix_IsStored()
    {
        var interactions = Enumerable.Range(1, 10).Select(n => Post(n, "fix")).ToList();
        var broken = interactions[3] with { Mentions = Enumerable.Range(0, 200).Select(k => $"t:{k}-{new string('m', 200)}").ToList() };
        interactions[3] = broken;
        await Ingestor.HandleAsync(Message(interactions), CancellationToken.None);
        var parked = Assert.Single(await ParkedAsync());

        // The fix: the same interaction, as a corrected normalizer would produce it, comes back through the parked message.
        var fixedMessage = parked with { Interactions = [broken with { Mentions = ["t:hub"] }] };
        await Ingestor.HandleAsync(QueuesModelFactory.QueueMessage("m2", "p2", new BinaryData(fixedMessage.ToJson()), 1), CancellationToken.None);

        Assert.Single(await ActorFactsAsync([broken]));
    }

    [Fact]
    public async Task Handle_ClassifierThrowsOnOneText_AllStored_ThatOneWithoutTextSignalsOrVersion()
    {
        var interactions = Enumerable.Range(1, 100).Select(n => Post(n, "cls")).ToList();
        interactions[7] = interactions[7] with { Text = "this text breaks the classifier" };
        _classifier.Version = "9.1";
        _classifier.Rule = input => input.Text == "this text breaks the classifier"
            ? throw new ArgumentOutOfRangeException(nameof(input), "injected")
            : SignalSet.Question;

        await Ingestor.HandleAsync(Message(interactions), CancellationToken.None);

        var stored = await ActorFactsAsync(interactions);
        Assert.Equal(100, stored.Count);
        var broken = Assert.Single(stored, f => f.InteractionId == interactions[7].Id);
        Assert.Equal(SignalSet.None, broken.TextSignals);
        Assert.Null(broken.ClassifierVersion);
        Assert.All(stored.Where(f => f != broken), f => Assert.Equal((SignalSet.Question, "9.1"), (f.TextSignals, f.ClassifierVersion)));
        Assert.Empty(await ParkedAsync());
    }

    [Fact]
    public async Task Insert_NewerClassifierVersion_RewritesOnlyTheSignals_AndAnOlderOneNeverRegresses()
    {
        var v1 = new Fact
        {
            UserId = "t:ann", InteractionId = "v:1", Kind = InteractionKind.Reply, Actor = "t:ann", OccurredAt = At,
            InReplyToId = "v:0", InReplyToAuthor = "t:bob", ParentIsQuestion = true, Mentions = ["t:cy"],
            TextSignals = SignalSet.LowContent, ClassifierVersion = "1.0",
        };
        var v2 = v1 with { TextSignals = SignalSet.Evidence, ClassifierVersion = "1.10" };
        await Store.InsertAsync([v1], CancellationToken.None);
        var before = await RowAsync(v1);

        await Store.InsertAsync([v2], CancellationToken.None);
        var after = await RowAsync(v1);
        await Store.InsertAsync([v1 with { ClassifierVersion = "1.9" }], CancellationToken.None);
        var afterOlder = await RowAsync(v1);

        Assert.Equal((int)SignalSet.Evidence, after.GetInt32("Signals"));
        Assert.Equal("1.10", after.GetString("ClassifierVersion"));
        Assert.Equal(Without(before), Without(after));
        Assert.Equal(Without(after), Without(afterOlder));
        Assert.Equal(("1.10", (int?)(int)SignalSet.Evidence), (afterOlder.GetString("ClassifierVersion"), afterOlder.GetInt32("Signals")));
    }

    private async Task<TableEntity> RowAsync(Fact f) =>
        (await Storage.Facts.GetEntityAsync<TableEntity>(FactKeys.Escape(f.UserId), FactKeys.FactRowKey(f))).Value;

    private static string Without(TableEntity e) => string.Join(";", e
        .Where(p => p.Key is not ("Signals" or "ClassifierVersion" or "odata.etag" or "Timestamp"))
        .OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => $"{p.Key}={p.Value}"));
}
