using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.Scoring;

public sealed class ReciprocityFoldTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
    private static readonly Window Window = new(AsOf, TimeSpan.FromDays(30));

    private static Resolved Reply(string id, string actor, string parentId, string parentAuthor, double daysAgo, Sig signals = Sig.None) => new()
    {
        Id = id, Kind = InteractionKind.Reply, Actor = actor, OccurredAt = AsOf.AddDays(-daysAgo),
        ParentId = parentId, ParentAuthor = parentAuthor, Signals = signals,
    };

    private static Resolved Post(string id, string actor, double daysAgo, Sig signals = Sig.None, params string[] mentions) => new()
    {
        Id = id, Kind = InteractionKind.Post, Actor = actor, OccurredAt = AsOf.AddDays(-daysAgo), Signals = signals, Mentions = mentions,
    };

    private static Reciprocity Fold(params Resolved[] interactions) =>
        ReciprocityFold.Fold("u:a", interactions, _ => null, Window, new ScoringOptions());

    [Fact]
    public void ReplyRate_AnsweredWithinSevenDays_CountsAsAnswered()
    {
        var r = Fold(
            Post("p1", "u:a", 20),
            Reply("ask1", "u:b", "p1", "u:a", 15),
            Reply("re1", "u:a", "ask1", "u:b", 14));

        Assert.Equal(1, r.ReplyRate);
        Assert.Equal(TimeSpan.FromDays(1), r.MedianReplyLatency);
    }

    [Fact]
    public void ReplyRate_AnsweredAfterSevenDays_IsDueButNotAnswered()
    {
        var r = Fold(
            Post("p1", "u:a", 20),
            Reply("ask1", "u:b", "p1", "u:a", 15),
            Reply("re1", "u:a", "ask1", "u:b", 7));

        Assert.Equal(0, r.ReplyRate);
        Assert.Null(r.MedianReplyLatency);
    }

    [Fact]
    public void ReplyRate_RecentUnansweredAsk_IsNotDueYet()
    {
        var r = Fold(
            Post("p1", "u:a", 20),
            Reply("ask1", "u:b", "p1", "u:a", 15),
            Reply("re1", "u:a", "ask1", "u:b", 14, Sig.None),
            Post("ask2", "u:c", 3, Sig.Question, "u:a"),
            Post("ask3", "u:d", 10, Sig.None, "u:a"));

        // ask1 answered in a day; ask2 is 3 days old (not due); ask3 is 10 days old and unanswered.
        Assert.Equal(0.5, r.ReplyRate);
        Assert.Equal(["ask2"], r.OpenQuestions.Select(q => q.Id));
    }

    [Fact]
    public void ReplyRate_NoAsks_IsNull()
    {
        Assert.Null(Fold(Post("p1", "u:a", 2)).ReplyRate);
    }

    [Fact]
    public void Owed_ThreeOrMorePointsReceivedAndLessThanHalfGivenBack()
    {
        var r = Fold(
            Post("p1", "u:a", 0, Sig.Question),
            Reply("b1", "u:b", "p1", "u:a", 0, Sig.Answer),
            Reply("c1", "u:c", "p1", "u:a", 0),
            Reply("a1", "u:a", "c1", "u:c", 0));

        // b gave 6 and got nothing back; c gave 4 and got 4 back.
        var owed = Assert.Single(r.Owed);
        Assert.Equal("u:b", owed.UserId);
        Assert.Equal(6, owed.Received.Points, 9);
        Assert.Equal(4, r.ReciprocatedStrength, 9);
        Assert.Equal(4.0 / 10, r.ReciprocityIndex!.Value, 9);
    }

    [Fact]
    public void SelfReply_GivesNothingToItsAuthor_ButGivesToMentions()
    {
        var r = Fold(
            Post("p1", "u:a", 1),
            Reply("a2", "u:a", "p1", "u:a", 0) with { Mentions = ["u:z"] });

        Assert.Equal(["u:z"], r.Counterparts.Select(c => c.UserId));
    }
}
