using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.Scoring;

public sealed class PointsTests
{
    private static readonly ScoringOptions Options = new();

    private static Scored Score(InteractionKind kind, Sig signals = Sig.None, bool accepted = false, string? parentAuthor = "p:other", string[]? mentions = null) =>
        Points.Of(new Resolved
        {
            Id = "i:1",
            Kind = kind,
            Actor = "p:me",
            OccurredAt = DateTimeOffset.UnixEpoch,
            ParentId = kind == InteractionKind.Reply ? "i:0" : null,
            ParentAuthor = kind == InteractionKind.Reply ? parentAuthor : null,
            Signals = signals,
            Accepted = accepted,
            Mentions = mentions ?? [],
        }, Options);

    [Theory]
    [InlineData(InteractionKind.Reaction, Sig.None, 0.5, false)]
    [InlineData(InteractionKind.Follow, Sig.None, 0.25, false)]
    [InlineData(InteractionKind.Repost, Sig.None, 0.25, true)]
    [InlineData(InteractionKind.Quote, Sig.None, 3, false)]
    [InlineData(InteractionKind.Quote, Sig.LinkOnly, 0.5, true)]
    [InlineData(InteractionKind.Quote, Sig.LinkOnly | Sig.Thanks, 3, false)]
    [InlineData(InteractionKind.Post, Sig.None, 1, true)]
    [InlineData(InteractionKind.Post, Sig.LinkOnly, 0.25, true)]
    [InlineData(InteractionKind.Post, Sig.Question, 4, false)]
    [InlineData(InteractionKind.Post, Sig.Question | Sig.LinkOnly, 4, false)]
    [InlineData(InteractionKind.Post, Sig.Thanks, 3, false)]
    [InlineData(InteractionKind.Post, Sig.Recommendation, 3, false)]
    [InlineData(InteractionKind.Reply, Sig.None, 4, false)]
    [InlineData(InteractionKind.Reply, Sig.Question | Sig.Thanks, 4, false)]
    [InlineData(InteractionKind.Reply, Sig.Answer, 6, false)]
    [InlineData(InteractionKind.Reply, Sig.Answer | Sig.Evidence, 7, false)]
    [InlineData(InteractionKind.Reply, Sig.Evidence, 5, false)]
    [InlineData(InteractionKind.Reply, Sig.LowContent, 0.25, true)]
    [InlineData(InteractionKind.Reply, Sig.LowContent | Sig.Answer | Sig.Evidence | Sig.Thanks, 0.25, true)]
    public void Of_Row_HighestMatchingPlusEvidence(InteractionKind kind, Sig signals, double points, bool broadcast)
    {
        var scored = Score(kind, signals);

        Assert.Equal(points, scored.Points);
        Assert.Equal(broadcast, scored.Broadcast);
    }

    [Fact]
    public void Of_AcceptedAnswer_ScoresTenPlusEvidence()
    {
        Assert.Equal(11, Score(InteractionKind.Reply, Sig.Answer | Sig.Evidence, accepted: true).Points);
        Assert.Equal(ScoreRow.AcceptedAnswer, Score(InteractionKind.Reply, Sig.Answer, accepted: true).Row);
    }

    [Fact]
    public void Of_AcceptedButLowContent_IsStillTheAcceptedAnswer()
    {
        var scored = Score(InteractionKind.Reply, Sig.LowContent | Sig.Answer, accepted: true);

        Assert.Equal(ScoreRow.AcceptedAnswer, scored.Row);
        Assert.False(scored.Broadcast);
    }

    [Fact]
    public void Of_PostWithMention_ScoresTwo()
    {
        var scored = Score(InteractionKind.Post, mentions: ["p:friend"]);

        Assert.Equal(2, scored.Points);
        Assert.False(scored.Broadcast);
    }

    [Fact]
    public void Of_SelfReply_ScoresAsAPost()
    {
        Assert.Equal(1, Score(InteractionKind.Reply, parentAuthor: "p:me").Points);
        Assert.True(Score(InteractionKind.Reply, parentAuthor: "p:me").Broadcast);
        Assert.Equal(2, Score(InteractionKind.Reply, parentAuthor: "p:me", mentions: ["p:friend"]).Points);
        Assert.Equal(1, Score(InteractionKind.Reply, Sig.Evidence, parentAuthor: "p:me").Points);
    }

    [Fact]
    public void Of_ConfiguredPoints_AreUsed()
    {
        var options = new ScoringOptions { Answer = 9, Evidence = 2 };
        var scored = Points.Of(new Resolved
        {
            Id = "i", Kind = InteractionKind.Reply, Actor = "a", OccurredAt = default, ParentAuthor = "b", Signals = Sig.Answer | Sig.Evidence,
        }, options);

        Assert.Equal(11, scored.Points);
    }

    [Fact]
    public void Levels_FromScores_TopTenPercentChampionsNextTwentyFiveEngaged()
    {
        var scores = Enumerable.Range(1, 20).Select(i => (double)i).ToList();

        var levels = Levels.From(scores);

        Assert.Equal(2, scores.Count(s => levels.Of(s, active: true) == Levels.ChampionLevel));
        Assert.Equal(5, scores.Count(s => levels.Of(s, active: true) == Levels.EngagedLevel));
        Assert.Equal(13, scores.Count(s => levels.Of(s, active: true) == Levels.Participant));
        Assert.Equal(Levels.Silent, levels.Of(100, active: false));
        Assert.Equal(Levels.Participant, Levels.None.Of(100, active: true));
    }
}
