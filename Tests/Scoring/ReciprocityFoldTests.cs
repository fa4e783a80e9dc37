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
    public void Owed_HelpOfOnePointFiveOrMoreAndLessThanHalfGivenBack()
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
    public void Owed_AsksThanksAndBroadcastAreNotHelp()
    {
        var r = Fold(
            Post("p1", "u:a", 0),
            Post("q", "u:q", 0, Sig.Question, "u:a"),             // a question to a: an ask (4 points)
            Reply("qr", "u:r", "p1", "u:a", 0, Sig.Question),     // a reply that asks a: an ask (4 points)
            Reply("t", "u:t", "p1", "u:a", 0, Sig.Thanks),        // thanks (4 points as a reply)
            Post("m", "u:m", 0, Sig.None, "u:a"),                 // a mention (2 points)
            Reply("lc", "u:l", "p1", "u:a", 0, Sig.LowContent),   // "+1" (broadcast)
            new Resolved { Id = "rp", Kind = InteractionKind.Repost, Actor = "u:p", OccurredAt = AsOf, SubjectId = "p1", SubjectAuthor = "u:a" },
            new Resolved { Id = "rx", Kind = InteractionKind.Reaction, Actor = "u:x", OccurredAt = AsOf, SubjectId = "p1", SubjectAuthor = "u:a" },
            new Resolved { Id = "lq", Kind = InteractionKind.Quote, Actor = "u:lq", OccurredAt = AsOf, SubjectId = "p1", SubjectAuthor = "u:a", Signals = Sig.LinkOnly });

        Assert.Empty(r.Owed);
        Assert.Equal(8, r.Received.Count);
        Assert.Equal(["q", "qr"], r.OpenQuestions.Select(o => o.Id));
    }

    [Fact]
    public void Owed_RecommendationSubstantiveReplyAndQuote_AreHelp()
    {
        var r = Fold(
            Post("p1", "u:a", 0),
            Post("rec", "u:r", 0, Sig.Recommendation, "u:a"),
            Reply("sub", "u:s", "p1", "u:a", 0),
            new Resolved { Id = "qt", Kind = InteractionKind.Quote, Actor = "u:q", OccurredAt = AsOf, SubjectId = "p1", SubjectAuthor = "u:a" },
            Reply("acc", "u:z", "p1", "u:a", 0, Sig.LowContent) with { Accepted = true });

        Assert.Equal(["u:z", "u:s", "u:q", "u:r"], r.Owed.Select(o => o.UserId));
        Assert.Equal([10, 4, 3, 3], r.Owed.Select(o => o.Received.Points));
    }

    [Fact]
    public void Owed_ThresholdIsOnePointFiveDecayedAndHalfRepaidClearsIt()
    {
        // A quote of a's post (3 points) is 1.5 decayed after 30 days, 1.33 after 35 (in a 60-day window).
        var quote = new Resolved { Id = "qt", Kind = InteractionKind.Quote, Actor = "u:q", OccurredAt = AsOf.AddDays(-29.9), SubjectId = "p1", SubjectAuthor = "u:a" };
        var sixty = new Window(AsOf, TimeSpan.FromDays(60));
        Assert.Equal(["u:q"], ReciprocityFold.Fold("u:a", [quote], _ => null, sixty, new ScoringOptions()).Owed.Select(o => o.UserId));
        Assert.Empty(ReciprocityFold.Fold("u:a", [quote with { OccurredAt = AsOf.AddDays(-35) }], _ => null, sixty, new ScoringOptions()).Owed);

        // A reaction back (0.5) is less than half of 3; a substantive reply back (4) clears it.
        var now = quote with { OccurredAt = AsOf };
        var reaction = new Resolved { Id = "rx", Kind = InteractionKind.Reaction, Actor = "u:a", OccurredAt = AsOf, SubjectId = "qt", SubjectAuthor = "u:q" };
        var owed = Assert.Single(Fold(now, reaction).Owed);
        Assert.Equal(0.5, owed.Given.Points, 9);
        Assert.Empty(Fold(now, Reply("back", "u:a", "qt", "u:q", 0)).Owed);

        // A link-only quote is broadcast, not help.
        Assert.Empty(Fold(now with { Signals = Sig.LinkOnly }).Owed);
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
