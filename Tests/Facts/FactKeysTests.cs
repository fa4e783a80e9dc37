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
