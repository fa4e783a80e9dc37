using Engage.Domain.Interactions;
using Engage.Functions.Ingest;

namespace Engage.Tests.Ingest;

/// <summary>The order a message's interactions run in (decision 1211): parents before their replies, copies one after the other, the rest together.</summary>
public sealed class IngestRoundsTests
{
    private static Interaction Post(string id) => new() { Id = id, Kind = InteractionKind.Post, Actor = "t:a", OccurredAt = DateTimeOffset.UnixEpoch };

    private static Interaction Reply(string id, string parent) => Post(id) with { Kind = InteractionKind.Reply, InReplyTo = new ItemRef(parent, "t:a") };

    private static List<List<string>> Rounds(params Interaction[] interactions) =>
        IngestRounds.Of(interactions).Select(r => r.Select(i => i.Id).ToList()).ToList();

    [Fact]
    public void Of_IndependentInteractions_OneRoundInMessageOrder()
    {
        Assert.Equal([["t:1", "t:2", "t:3"]], Rounds(Post("t:1"), Reply("t:2", "t:elsewhere"), Post("t:3")));
    }

    [Fact]
    public void Of_ReplyBeforeItsParentInTheMessage_RunsARoundAfterIt()
    {
        Assert.Equal([["t:parent", "t:other"], ["t:reply"], ["t:reply-to-reply"]],
            Rounds(Reply("t:reply-to-reply", "t:reply"), Reply("t:reply", "t:parent"), Post("t:parent"), Post("t:other")));
    }

    [Fact]
    public void Of_TwoCopiesOfOneInteraction_RunOneAfterTheOther()
    {
        Assert.Equal([["t:1", "t:2"], ["t:1"]], Rounds(Post("t:1"), Post("t:2"), Post("t:1")));
    }

    [Fact]
    public void Of_ACycleOfReplies_EveryInteractionRunsOnce()
    {
        var rounds = Rounds(Reply("t:a", "t:b"), Reply("t:b", "t:a"), Reply("t:self", "t:self"));

        Assert.Equal(["t:a", "t:b", "t:self"], rounds.SelectMany(r => r).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Of_NoInteraction_NoRound()
    {
        Assert.Empty(Rounds());
    }
}
