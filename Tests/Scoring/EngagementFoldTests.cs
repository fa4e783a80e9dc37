using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.Scoring;

public sealed class EngagementFoldTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
    private static readonly Window Window = new(AsOf, TimeSpan.FromDays(30));

    private static Resolved Post(string id, double daysAgo, Sig signals = Sig.None) => new()
    {
        Id = id, Kind = InteractionKind.Post, Actor = "u:a", OccurredAt = AsOf.AddDays(-daysAgo), Signals = signals,
    };

    private static Resolved Repost(string id, double daysAgo) => new()
    {
        Id = id, Kind = InteractionKind.Repost, Actor = "u:a", OccurredAt = AsOf.AddDays(-daysAgo), SubjectId = "s", SubjectAuthor = "u:b",
    };

    private static Resolved Reply(string id, double daysAgo, Sig signals = Sig.None) => new()
    {
        Id = id, Kind = InteractionKind.Reply, Actor = "u:a", OccurredAt = AsOf.AddDays(-daysAgo), ParentId = "p", ParentAuthor = "u:b", Signals = signals,
    };

    private static readonly Resolved[] Mixed =
    [
        Post("plain", 1),
        Post("link", 2, Sig.LinkOnly),
        Repost("rt", 3),
        Reply("me-too", 4, Sig.LowContent),
        Reply("reply", 5, Sig.Evidence),
    ];

    [Fact]
    public void Broadcast_AddsNothingByDefault_ButStaysInCountsRatioAndBreakdown()
    {
        var e = EngagementFold.Fold("u:a", Mixed, null, Window, new ScoringOptions());

        var d5 = Math.Pow(2, -5.0 / 30);
        Assert.Equal(5 * d5, e.Score, 12);
        Assert.Equal(0.8, e.BroadcastRatio);
        Assert.Equal(2, e.Counts.Post);
        Assert.Equal(1, e.Counts.Repost);
        Assert.Equal(1, e.Counts.LowContent);
        Assert.Equal(4, e.BroadcastActions);
        foreach (var row in new[] { "post", "linkOnlyPost", "repost", "lowContentReply" })
        {
            var line = Assert.Single(e.Breakdown, b => b.Signal == row);
            Assert.Equal(1, line.Count);
            Assert.Equal(0, line.Points);
        }

        Assert.Equal(e.Score, e.Breakdown.Sum(b => b.Points));
        Assert.Equal(["reply", "evidence"], e.Breakdown.Take(2).Select(b => b.Signal));
    }

    [Fact]
    public void BroadcastWeight_One_CountsTheTablePoints()
    {
        var e = EngagementFold.Fold("u:a", Mixed, null, Window, new ScoringOptions { BroadcastWeight = 1 });

        static double D(double days) => Math.Pow(2, -days / 30);
        Assert.Equal((1 * D(1)) + (0.25 * (D(2) + D(3) + D(4))) + (5 * D(5)), e.Score, 12);
        Assert.Equal(e.Score, e.Breakdown.Sum(b => b.Points));
    }

    [Fact]
    public void Broadcast_StillWeighsItsGiveInReciprocity()
    {
        var r = ReciprocityFold.Fold("u:b", [Repost("rt", 0)], _ => null, Window, new ScoringOptions());

        Assert.Equal(0.25, r.Received.Points);
        Assert.Equal(1, r.Received.Count);
    }

    [Fact]
    public void Levels_ZeroScore_IsNeverChampionEvenWhenCutOffsAreZero()
    {
        var levels = Levels.From([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);

        Assert.Equal(Levels.Participant, levels.Of(0, active: true));
        Assert.Equal(Levels.ChampionLevel, levels.Of(2, active: true));
        Assert.Equal(Levels.Silent, levels.Of(0, active: false));
    }
}
