using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Functions.Storage;

namespace Engage.Tests.Facts;

public sealed class FactKeysTests
{
    [Theory]
    [InlineData("plain:id-1.2")]
    [InlineData("a/b\\c#d?e%f")]
    [InlineData("tab\there\u0001")]
    [InlineData("%41 is not an escape of mine")]
    public void Escape_AnyId_HasNoForbiddenCharactersAndRoundTrips(string id)
    {
        var key = FactKeys.Escape(id);

        Assert.DoesNotContain(key, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
        Assert.Equal(id, FactStore.Unescape(key));
    }

    [Fact]
    public void FactRowKey_SortsByOccurredAt()
    {
        var early = Fact("z:last-id", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var late = Fact("a:first-id", new DateTimeOffset(2026, 1, 2, 3, 4, 6, TimeSpan.Zero));

        Assert.True(string.CompareOrdinal(FactKeys.FactRowKey(early), FactKeys.FactRowKey(late)) < 0);
    }

    [Fact]
    public void FactRowKey_SameFact_IsDeterministic()
    {
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));
        Assert.Equal(FactKeys.FactRowKey(Fact("x:1", at)), FactKeys.FactRowKey(Fact("x:1", at.ToUniversalTime())));
        Assert.StartsWith("20260102T010405.0000000Z_x:1", FactKeys.FactRowKey(Fact("x:1", at)), StringComparison.Ordinal);
    }

    [Fact]
    public void FactRowKey_Acceptance_IsARowOfItsOwn()
    {
        var at = DateTimeOffset.UnixEpoch;
        Assert.NotEqual(FactKeys.FactRowKey(Fact("x:1", at)), FactKeys.FactRowKey(Fact("x:1", at) with { Accepted = true }));
    }

    private static Fact Fact(string id, DateTimeOffset at) => new()
    {
        UserId = "u:1",
        InteractionId = id,
        Kind = InteractionKind.Post,
        Actor = "u:1",
        OccurredAt = at,
    };
}

public sealed class FactSetTests
{
    private static Fact Row(string user, string? author, bool fallback) => new()
    {
        UserId = user,
        InteractionId = "r:1",
        Kind = InteractionKind.Reply,
        Actor = "u:actor",
        OccurredAt = DateTimeOffset.UnixEpoch,
        InReplyToId = "p:1",
        InReplyToAuthor = author,
        ParentIsQuestion = false,
        RootFallback = fallback,
    };

    [Fact]
    public void Resolve_FallbackAndRealParentRows_RealAuthorWinsInAnyOrder()
    {
        var fallback = Row("u:root", "u:root", fallback: true);
        var real = Row("u:parent", "u:parent", fallback: false);
        var none = new Dictionary<string, ItemInfo>();

        Assert.Equal("u:parent", FactSet.Resolve([fallback, real], none).Single().ParentAuthor);
        Assert.Equal("u:parent", FactSet.Resolve([real, fallback], none).Single().ParentAuthor);
    }

    [Fact]
    public void Resolve_FallbackOnly_ParentLaterIndexed_IndexAuthorWins()
    {
        var fallback = Row("u:root", "u:root", fallback: true);
        var items = new Dictionary<string, ItemInfo> { ["p:1"] = new("p:1", "u:parent", InteractionKind.Reply, false, DateTimeOffset.UnixEpoch) };

        Assert.Contains("p:1", FactSet.UnresolvedParents([fallback]));
        Assert.Equal("u:parent", FactSet.Resolve([fallback], items).Single().ParentAuthor);
        Assert.Equal("u:root", FactSet.Resolve([fallback], new Dictionary<string, ItemInfo>()).Single().ParentAuthor);
    }
}
