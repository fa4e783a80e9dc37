using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Engage.Functions.Storage;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.Storage;

public sealed class FactStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private readonly ServiceProvider _services = TestServices.Create();
    private FactStore Store => _services.GetRequiredService<FactStore>();
    private EngageStorage Storage => _services.GetRequiredService<EngageStorage>();

    public async Task InitializeAsync() => await Storage.EnsureReadyAsync(CancellationToken.None);

    public Task DisposeAsync() => OwnTables.DisposeAsync(_services);

    private static Fact Fact(string user, string id, DateTimeOffset at) => new()
    {
        UserId = user,
        InteractionId = id,
        Kind = InteractionKind.Post,
        Actor = user,
        OccurredAt = at,
        Mentions = ["u:mentioned"],
        Handles = new Dictionary<string, string> { [user] = "handle" },
    };

    [Fact]
    public async Task InsertAsync_SameFactTwice_StoresOneRow()
    {
        var fact = Fact("u:dup", "s:1", AsOf.AddDays(-1));

        await Store.InsertAsync([fact], CancellationToken.None);
        await Store.InsertAsync([fact, fact], CancellationToken.None);

        var read = await Store.ReadAsync("u:dup", new Window(AsOf, TimeSpan.FromDays(30)), CancellationToken.None);
        Assert.Single(read);
        Assert.Equal(fact.InteractionId, read[0].InteractionId);
        Assert.Equal(["u:mentioned"], read[0].Mentions);
        Assert.Equal(AsOf.AddDays(-1), read[0].OccurredAt);
    }

    [Fact]
    public async Task ReadAsync_Window_ReturnsOnlyFactsInsideIt()
    {
        await Store.InsertAsync(
        [
            Fact("u:w", "s:old", AsOf.AddDays(-31)),
            Fact("u:w", "s:in1", AsOf.AddDays(-29)),
            Fact("u:w", "s:in2", AsOf),
            Fact("u:w", "s:future", AsOf.AddSeconds(1)),
            Fact("u:other", "s:x", AsOf.AddDays(-1)),
        ], CancellationToken.None);

        var read = await Store.ReadAsync("u:w", new Window(AsOf, TimeSpan.FromDays(30)), CancellationToken.None);

        Assert.Equal(["s:in1", "s:in2"], read.Select(f => f.InteractionId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReadAsync_IdsWithForbiddenKeyCharacters_RoundTrip()
    {
        var fact = Fact("u:odd", "forum:a/b#c?d\\e", AsOf.AddHours(-1));

        await Store.InsertAsync([fact], CancellationToken.None);

        var read = await Store.ReadAsync("u:odd", new Window(AsOf, TimeSpan.FromDays(1)), CancellationToken.None);
        Assert.Equal("forum:a/b#c?d\\e", Assert.Single(read).InteractionId);
    }

    [Fact]
    public async Task Items_InsertTwiceAndRead_KeepsTheFirst()
    {
        var item = new ItemInfo("forum:q/1", "u:asker", InteractionKind.Post, Question: true, AsOf, "asker");

        await Store.InsertItemAsync(item, CancellationToken.None);
        await Store.InsertItemAsync(item, CancellationToken.None);

        Assert.Equal(item, await Store.GetItemAsync("forum:q/1", CancellationToken.None));
        Assert.Null(await Store.GetItemAsync("forum:missing", CancellationToken.None));
    }

    [Fact]
    public async Task ExistsAsync_KnownAndUnknownUsers()
    {
        await Store.InsertAsync([Fact("u:known", "s:1", AsOf.AddDays(-400))], CancellationToken.None);

        Assert.True(await Store.ExistsAsync("u:known", CancellationToken.None));
        Assert.False(await Store.ExistsAsync("u:unknown", CancellationToken.None));
    }
}
