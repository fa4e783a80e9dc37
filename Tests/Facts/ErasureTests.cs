using Engage.Domain.Facts;
using Engage.Domain.Interactions;

namespace Engage.Tests.Facts;

public sealed class ErasureTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static Fact Row(string user, string actor, InteractionKind kind = InteractionKind.Reply) => new()
    {
        UserId = user,
        InteractionId = "t:1",
        Kind = kind,
        Actor = actor,
        OccurredAt = At,
    };

    [Fact]
    public void OtherUsers_TheirReply_NamesActorParentAuthorAndMentionsButNotThem()
    {
        var fact = Row("t:ann", "t:ann") with { InReplyToId = "t:0", InReplyToAuthor = "t:bob", Mentions = ["t:cy", "t:ann", "t:bob"] };

        Assert.Equal(["t:bob", "t:cy"], Erasure.OtherUsers(fact, "t:ann"));
    }

    [Fact]
    public void OtherUsers_ParentAuthorOnlyInTheItemsIndex_IsIncluded()
    {
        var fact = Row("t:ann", "t:ann") with { InReplyToId = "t:0" };

        Assert.Equal(["t:bob"], Erasure.OtherUsers(fact, "t:ann", parentAuthor: "t:bob"));
    }

    [Fact]
    public void OtherUsers_SomeoneElsesReaction_IsTheActorsPartition()
    {
        var fact = Row("t:ann", "t:dan", InteractionKind.Reaction) with { SubjectId = "t:0", SubjectAuthor = "t:ann" };

        Assert.Equal(["t:dan"], Erasure.OtherUsers(fact, "t:ann"));
        Assert.False(Erasure.IsTheirs(fact, "t:ann"));
    }

    [Fact]
    public void Scrub_ReplyToThem_KeepsTheReplyButNamesNobody()
    {
        var fact = Row("t:bob", "t:bob") with
        {
            InReplyToId = "t:0",
            InReplyToAuthor = "t:ann",
            ParentIsQuestion = true,
            Mentions = ["t:ann", "t:cy"],
            Handles = new Dictionary<string, string> { ["t:ann"] = "ann", ["t:bob"] = "bob" },
        };

        var scrubbed = Erasure.Scrub(fact, "t:ann");

        Assert.NotNull(scrubbed);
        Assert.Null(scrubbed.InReplyToAuthor);
        Assert.Equal("t:0", scrubbed.InReplyToId);
        Assert.Equal(InteractionKind.Reply, scrubbed.Kind);
        Assert.Equal(["t:cy"], scrubbed.Mentions);
        Assert.Equal(["t:bob"], scrubbed.Handles!.Keys);
        Assert.Equal(FactKeys.FactRowKey(fact), FactKeys.FactRowKey(scrubbed));
    }

    [Fact]
    public void Scrub_FollowOfThem_ClearsTheSubjectAuthor()
    {
        var fact = Row("t:dan", "t:dan", InteractionKind.Follow) with { SubjectAuthor = "t:ann" };

        Assert.Null(Erasure.Scrub(fact, "t:ann")!.SubjectAuthor);
    }

    [Fact]
    public void Scrub_RowNotNamingThem_IsNull()
    {
        var fact = Row("t:bob", "t:bob") with { InReplyToAuthor = "t:cy", Mentions = ["t:dan"] };

        Assert.Null(Erasure.Scrub(fact, "t:ann"));
    }

    [Fact]
    public void Scrub_TheirOwnInteraction_Throws()
    {
        Assert.Throws<ArgumentException>(() => Erasure.Scrub(Row("t:bob", "t:ann"), "t:ann"));
    }
}
