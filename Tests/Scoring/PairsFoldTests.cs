using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.Scoring;

public sealed class PairsFoldTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
    private static readonly Window Window = new(AsOf, TimeSpan.FromDays(30));

    private static Resolved Reply(string id, string actor, string parentAuthor, double daysAgo, Sig signals = Sig.None) => new()
    {
        Id = id, Kind = InteractionKind.Reply, Actor = actor, OccurredAt = AsOf.AddDays(-daysAgo),
        ParentId = "p-" + id, ParentAuthor = parentAuthor, Signals = signals,
    };

    private static Resolved Post(string id, string actor, double daysAgo, Sig signals = Sig.None, params string[] mentions) => new()
    {
        Id = id, Kind = InteractionKind.Post, Actor = actor, OccurredAt = AsOf.AddDays(-daysAgo), Signals = signals, Mentions = mentions,
    };

    private static IReadOnlyList<Pair> Fold(int top, params Resolved[] interactions) =>
        PairsFold.Fold(interactions, id => id[2..], Window, new ScoringOptions(), top);

    [Fact]
    public void Fold_GivesBothWays_IsOneMutualPairKeyedBySmallerId()
    {
        var pairs = Fold(10, Reply("1", "u:b", "u:a", 3, Sig.Answer), Reply("2", "u:a", "u:b", 2, Sig.Thanks));

        var pair = Assert.Single(pairs);
        Assert.Equal(("u:a", "a", "u:b", "b"), (pair.A, pair.AHandle, pair.B, pair.BHandle));
        Assert.True(pair.Mutual);
        Assert.Equal(1, pair.AToB.Count);
        Assert.Equal(1, pair.BToA.Count);
        Assert.Equal(pair.AToB.Points + pair.BToA.Points, pair.Strength, 12);
    }

    [Fact]
    public void Fold_OneWay_KeepsTheDirection()
    {
        var pair = Assert.Single(Fold(10, Post("1", "u:z", 1, Sig.Question, "u:c"), Post("2", "u:z", 2, Sig.Question, "u:c")));

        Assert.False(pair.Mutual);
        Assert.Equal(("u:c", "u:z"), (pair.A, pair.B));
        Assert.Equal(0, pair.AToB.Count);
        Assert.Equal(2, pair.BToA.Count);
    }

    [Fact]
    public void Fold_OutsideTheWindow_IsLeftOut()
    {
        Assert.Empty(Fold(10, Reply("old", "u:b", "u:a", 31), Reply("future", "u:a", "u:b", -1)));
    }

    [Fact]
    public void Fold_Top_KeepsTheStrongest()
    {
        var pairs = Fold(2,
            Reply("1", "u:a", "u:b", 1, Sig.Answer | Sig.Evidence),
            Reply("2", "u:c", "u:d", 1),
            Reply("3", "u:e", "u:f", 1, Sig.Answer));

        Assert.Equal(["u:a", "u:e"], pairs.Select(p => p.A));
    }

    [Fact]
    public void Fold_AgreesWithEachUsersReciprocity()
    {
        Resolved[] interactions =
        [
            Reply("1", "u:b", "u:a", 3, Sig.Answer), Reply("2", "u:a", "u:b", 2, Sig.Thanks),
            Post("3", "u:c", 4, Sig.Recommendation, "u:a", "u:b"), Reply("4", "u:b", "u:c", 1),
        ];

        foreach (var pair in Fold(100, interactions))
        {
            var a = ReciprocityFold.Fold(pair.A, interactions, _ => null, Window, new ScoringOptions());
            var counterpart = Assert.Single(a.Counterparts, c => c.UserId == pair.B);
            Assert.Equal(pair.AToB.Points, counterpart.Given.Points, 12);
            Assert.Equal(pair.BToA.Points, counterpart.Received.Points, 12);
            Assert.Equal(pair.AToB.Count, counterpart.Given.Count);
        }
    }
}
