using System.Text.Json;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Engage.Functions.Http;

namespace Engage.Tests.Scoring;

/// <summary>Properties every fold must have, over seeded random communities.</summary>
public sealed class FoldPropertyTests
{
    private static readonly ScoringOptions Options = new();
    private static readonly Window Window = new(RandomCommunity.Start.AddDays(40), TimeSpan.FromDays(30));
    public static TheoryData<int> Seeds => new() { 1, 2, 3, 5, 8, 13, 21, 34 };

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, EngageJson.Options);

    private static List<Fact> Shuffle(List<Fact> facts, int seed)
    {
        var copy = facts.ToList();
        new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(copy));
        return copy;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void UserFolds_AnyPermutationOrDuplication_GiveIdenticalResults(int seed)
    {
        var c = RandomCommunity.Generate(seed);
        foreach (var user in c.Users)
        {
            var facts = c.PartitionOf(user);
            var variants = new[]
            {
                Shuffle(facts, seed + 100),
                Shuffle(facts, seed + 200),
                Shuffle([.. facts, .. facts.Take(facts.Count / 2), .. facts], seed + 300),
            };

            var engagement = Json(EngagementFold.Fold(user, facts, c.Items, Window, Options));
            var reciprocity = Json(ReciprocityFold.Fold(user, facts, c.Items, Window, Options));
            foreach (var variant in variants)
            {
                Assert.Equal(engagement, Json(EngagementFold.Fold(user, variant, c.Items, Window, Options)));
                Assert.Equal(reciprocity, Json(ReciprocityFold.Fold(user, variant, c.Items, Window, Options)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void CommunityFold_AnyPermutationOrDuplication_GivesIdenticalResults(int seed)
    {
        var c = RandomCommunity.Generate(seed);
        var expected = Json(CommunityFold.Fold(FactSet.Resolve(c.Facts, c.Items), Window, Options));

        Assert.Equal(expected, Json(CommunityFold.Fold(FactSet.Resolve(Shuffle(c.Facts, seed), c.Items), Window, Options)));
        Assert.Equal(expected, Json(CommunityFold.Fold(FactSet.Resolve(Shuffle([.. c.Facts, .. c.Facts], seed + 1), c.Items), Window, Options)));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Breakdown_SumsToScore(int seed)
    {
        var c = RandomCommunity.Generate(seed);
        foreach (var user in c.Users)
        {
            var e = EngagementFold.Fold(user, c.PartitionOf(user), c.Items, Window, Options);
            Assert.Equal(e.Score, e.Breakdown.Sum(b => b.Points), 1e-9);
            Assert.Equal(e.Breakdown.Where(b => b.Signal != "evidence").Sum(b => b.Count), e.Authored);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Score_OneHalfLifeLater_IsHalved(int seed)
    {
        var c = RandomCommunity.Generate(seed);
        var wide = new Window(RandomCommunity.Start.AddDays(60), TimeSpan.FromDays(3650));
        var later = wide with { AsOf = wide.AsOf + Options.HalfLife };
        foreach (var user in c.Users)
        {
            var now = EngagementFold.Fold(user, c.PartitionOf(user), c.Items, wide, Options).Score;
            var then = EngagementFold.Fold(user, c.PartitionOf(user), c.Items, later, Options).Score;
            Assert.Equal(now / 2, then, 1e-9);
        }
    }

    [Fact]
    public void Decay_OneHalfLife_IsOneHalf()
    {
        var at = RandomCommunity.Start;
        Assert.Equal(1, Options.Decay(at, at));
        Assert.Equal(0.5, Options.Decay(at, at + Options.HalfLife), 12);
        Assert.Equal(0.25, new ScoringOptions { HalfLifeDays = 7 }.Decay(at, at.AddDays(14)), 12);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void CommunityReciprocity_EqualsCountBasedDefinitionComputedIndependently(int seed)
    {
        var c = RandomCommunity.Generate(seed);

        // Independently of Resolved.GiveTargets: directed pairs straight from the generated interactions.
        var pairs = new HashSet<(string, string)>();
        foreach (var i in c.Interactions.Where(i => Window.Contains(i.OccurredAt)))
        {
            var targets = new List<string?>();
            if (i.Kind == InteractionKind.Reply)
            {
                targets.Add(c.ParentAuthor[i.Id]);
            }

            if (i.Kind is InteractionKind.Repost or InteractionKind.Quote or InteractionKind.Reaction or InteractionKind.Follow)
            {
                targets.Add(i.Subject!.Author);
            }

            if (i.Kind is not (InteractionKind.Repost or InteractionKind.Reaction or InteractionKind.Follow))
            {
                targets.AddRange(i.Mentions);
            }

            foreach (var t in targets.Where(t => t is not null && t != i.Actor))
            {
                pairs.Add((i.Actor, t!));
            }
        }

        var mutual = pairs.Count(p => pairs.Contains((p.Item2, p.Item1)));
        var users = pairs.SelectMany(p => new[] { p.Item1, p.Item2 }).Distinct().Count();
        var r = (double)mutual / pairs.Count;
        var density = pairs.Count / ((double)users * (users - 1));

        var community = CommunityFold.Fold(FactSet.Resolve(c.Facts, c.Items), Window, Options);

        Assert.Equal(users, community.Users);
        Assert.Equal(r, community.Reciprocity!.Value, 12);
        Assert.Equal((r - density) / (1 - density), community.Rho!.Value, 12);
        Assert.Equal(c.Interactions.Count(i => Window.Contains(i.OccurredAt)), community.Interactions);
    }
}
