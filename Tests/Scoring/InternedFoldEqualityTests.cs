using System.Text.Json;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Engage.Functions.Http;
using Engage.Tests.Scoring.Reference;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.Scoring;

/// <summary>
/// The interned folds give exactly what the string-keyed folds gave (the oracle in Reference/), compared as
/// serialized JSON (doubles round-trip exactly), over random interactions with tied times, self-gives,
/// duplicate ids, unknown parents, several decays and windows.
/// </summary>
public sealed class InternedFoldEqualityTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<int> Seeds => new() { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, EngageJson.Options);

    /// <summary>Random resolved interactions among a few users; times on a coarse grid so that many tie.</summary>
    internal static List<Resolved> RandomInteractions(Random random, int users, int count)
    {
        string User() => $"u:{random.Next(users)}";
        var list = new List<Resolved>(count);
        for (var n = 0; n < count; n++)
        {
            var actor = User();
            var kind = (InteractionKind)random.Next(6);
            var parent = list.Count > 0 && random.Next(5) > 0 ? list[random.Next(list.Count)] : null;
            var mentions = new List<string>();
            for (var m = random.Next(4) == 0 ? random.Next(1, 5) : 0; m > 0; m--)
            {
                // Duplicates, the actor itself and empty ids all occur.
                mentions.Add(random.Next(12) switch { 0 => actor, 1 => "", _ => User() });
            }

            var offset = random.Next(8) == 0 ? TimeSpan.FromHours(2) : TimeSpan.Zero;
            list.Add(new Resolved
            {
                Id = random.Next(15) == 0 && list.Count > 0 ? list[random.Next(list.Count)].Id : $"i:{n}",
                Kind = kind,
                Actor = actor,
                // Hours on a grid from 70 days before asOf to 2 days after: ties, out-of-window and future rows.
                OccurredAt = AsOf.AddHours(-random.Next(-48, 70 * 24) / 6 * 6).ToOffset(offset),
                ParentId = kind == InteractionKind.Reply ? parent?.Id ?? $"x:{random.Next(5)}" : null,
                ParentAuthor = kind == InteractionKind.Reply ? random.Next(6) switch { 0 => null, 1 => actor, _ => parent?.Actor ?? User() } : null,
                ParentIsQuestion = random.Next(3) == 0,
                SubjectId = kind is InteractionKind.Repost or InteractionKind.Quote or InteractionKind.Reaction ? parent?.Id : null,
                SubjectAuthor = kind == InteractionKind.Post ? null : random.Next(7) switch { 0 => null, 1 => actor, _ => User() },
                Mentions = mentions,
                Signals = (Sig)random.Next(128),
                Accepted = kind == InteractionKind.Reply && random.Next(8) == 0,
            });
        }

        return list;
    }

    private static IEnumerable<(Window Window, ScoringOptions Options)> Settings()
    {
        yield return (new Window(AsOf, TimeSpan.FromDays(30)), new ScoringOptions());
        yield return (new Window(AsOf, TimeSpan.FromDays(7)), new ScoringOptions { HalfLifeDays = 3.5 });
        yield return (new Window(AsOf.AddDays(-20), TimeSpan.FromDays(60)), new ScoringOptions { HalfLifeDays = 0.7, Reply = 5, Reaction = 0.3 });
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ReciprocityFold_RandomInteractions_EqualsTheStringKeyedFold(int seed)
    {
        var random = new Random(seed);
        var interactions = RandomInteractions(random, users: 4 + random.Next(20), count: 50 + random.Next(400));
        string? HandleOf(string user) => user.EndsWith('3') ? null : "h" + user;
        foreach (var (window, options) in Settings())
        {
            foreach (var user in Enumerable.Range(0, 25).Select(u => $"u:{u}").Append("nobody"))
            {
                foreach (var top in new[] { 0, 3, 50 })
                {
                    Assert.Equal(
                        Json(ReferenceReciprocityFold.Fold(user, interactions, HandleOf, window, options, top)),
                        Json(ReciprocityFold.Fold(user, interactions, HandleOf, window, options, top)));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void CommunityFold_RandomInteractions_EqualsTheStringKeyedFold(int seed)
    {
        var random = new Random(seed);
        // Some runs are large enough (over 512 pairs) to take the radix sort.
        var interactions = RandomInteractions(random, users: 2 + random.Next(seed % 2 == 0 ? 20 : 300), count: seed % 4 == 0 ? 4000 : 20 + random.Next(300));
        foreach (var (window, options) in Settings())
        {
            Assert.Equal(
                Json(ReferenceCommunityFold.Fold(interactions, window, options)),
                Json(CommunityFold.Fold(interactions, window, options)));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Folds_OverFactsOfARandomCommunity_EqualTheStringKeyedFolds(int seed)
    {
        var c = RandomCommunity.Generate(seed, users: 12, count: 300);
        var interactions = FactSet.Resolve(c.Facts, c.Items);
        var window = new Window(RandomCommunity.Start.AddDays(40), TimeSpan.FromDays(30));
        var options = new ScoringOptions();
        Assert.Equal(Json(ReferenceCommunityFold.Fold(interactions, window, options)), Json(CommunityFold.Fold(interactions, window, options)));
        foreach (var user in c.Users)
        {
            Assert.Equal(
                Json(ReferenceReciprocityFold.Fold(user, interactions, _ => null, window, options)),
                Json(ReciprocityFold.Fold(user, interactions, _ => null, window, options)));
        }
    }

    [Fact]
    public void Folds_WithoutInteractions_EqualTheStringKeyedFolds()
    {
        var window = new Window(AsOf, TimeSpan.FromDays(30));
        var options = new ScoringOptions();
        Assert.Equal(Json(ReferenceCommunityFold.Fold([], window, options)), Json(CommunityFold.Fold([], window, options)));
        Assert.Equal(Json(ReferenceReciprocityFold.Fold("u:a", [], _ => null, window, options)), Json(ReciprocityFold.Fold("u:a", [], _ => null, window, options)));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void GiveTargets_RandomInteractions_AreGivesTargetsInOrder(int seed)
    {
        foreach (var i in RandomInteractions(new Random(seed), users: 5, count: 300))
        {
            var fast = new List<string>();
            foreach (var t in GiveTargets.Of(i))
            {
                fast.Add(t);
            }

            Assert.Equal(i.GiveTargets(), fast);
            Assert.All(Enumerable.Range(0, 6).Select(u => $"u:{u}"), u => Assert.Equal(i.GiveTargets().Contains(u), GiveTargets.Of(i).Contains(u)));
        }
    }

    [Theory]
    [InlineData(1, 10, 30)]
    [InlineData(2, 50, 3000)]
    [InlineData(3, 3000, 20000)]
    [InlineData(4, 2, 600)]
    [InlineData(5, 1000, 600_000)]
    [InlineData(6, 2100, 1_500_000)]
    [InlineData(7, 100_000, 300_000)]
    public void DirectedPairs_RandomPairs_CountLikeASetOfPairs(int seed, int users, int count)
    {
        var random = new Random(seed);
        // Skewed ids, so that some radix buckets are large and some tiny.
        var pairs = Enumerable.Range(0, count).Select(_ => (From: (int)(users * Math.Pow(random.NextDouble(), 3)), To: random.Next(users))).ToList();
        var set = pairs.Where(p => p.From != p.To).ToHashSet();
        var bits = DirectedPairs.BitsFor(users);
        var keys = pairs.Select(p => DirectedPairs.Pack(p.From, p.To)).ToArray();
        DirectedPairs.PackedToKeys(keys, bits);

        var counts = DirectedPairs.Count(keys, bits);

        Assert.Equal(set.Count, counts.Distinct);
        Assert.Equal(set.Count(p => set.Contains((p.To, p.From))), counts.Reciprocated);
        var sorted = keys.ToArray();
        Array.Sort(sorted);
        Assert.True(keys.AsSpan().SequenceEqual(sorted));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void CommunityFold_ArrayAndOtherLists_EqualTheListFold(int seed)
    {
        // Lists and arrays are folded over their own storage, any other IReadOnlyList over a pooled copy.
        var interactions = RandomInteractions(new Random(seed), users: 9, count: 400);
        var window = new Window(AsOf, TimeSpan.FromDays(20));
        var options = new ScoringOptions();
        var expected = Json(ReferenceCommunityFold.Fold(interactions, window, options));
        Assert.Equal(expected, Json(CommunityFold.Fold((IReadOnlyList<Resolved>)interactions.ToArray(), window, options)));
        Assert.Equal(expected, Json(CommunityFold.Fold(interactions.AsReadOnly(), window, options)));
        Assert.Equal(expected, Json(CommunityFold.Fold(interactions.ToArray().AsSpan(), window, options)));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void CommunityFold_MentionsOfEveryListTypeAndEmptyIds_EqualTheStringKeyedFold(int seed)
    {
        // The pass reads mentions from an array's or a List's storage and copies any other list; it compares ids by
        // hash first, with empty actors and parent authors treated as GiveTargets and SelfReply treat them
        // (docs/decisions/1261-community-fold-prefetch-and-one-comparison.md).
        var random = new Random(seed);
        var interactions = RandomInteractions(random, users: 6 + random.Next(10), count: 200 + random.Next(300))
            .Select(i => i with
            {
                Actor = random.Next(15) == 0 ? "" : i.Actor,
                ParentAuthor = i.ParentAuthor is not null && random.Next(10) == 0 ? "" : i.ParentAuthor,
                Mentions = random.Next(3) switch
                {
                    0 => i.Mentions.ToArray(),
                    1 => i.Mentions.ToList().AsReadOnly(),
                    _ => i.Mentions.Select(m => new string(m.AsSpan())).ToList(), // equal ids, other instances
                },
            })
            .ToList();
        foreach (var (window, options) in Settings())
        {
            Assert.Equal(
                Json(ReferenceCommunityFold.Fold(interactions, window, options)),
                Json(CommunityFold.Fold(interactions, window, options)));
        }
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void CommunityFold_ManyGives_AcrossChunks_EqualsTheStringKeyedFold(int seed)
    {
        // Gives are interned a chunk of 4,096 names at a time; this input spans many chunks, a chunk boundary falling
        // inside interactions with several mentions.
        var interactions = RandomInteractions(new Random(seed), users: 400, count: 15_000);
        foreach (var (window, options) in Settings())
        {
            Assert.Equal(
                Json(ReferenceCommunityFold.Fold(interactions, window, options)),
                Json(CommunityFold.Fold(interactions, window, options)));
        }
    }

    [Fact]
    public void IdTable_ManyNames_GrowsAndFindsEachOnce()
    {
        // Enough names to double the table many times; similar names, so that hashes of near neighbours are exercised.
        using var ids = new IdTable();
        var names = Enumerable.Range(0, 50_000).Select(n => $"github:{n}").Concat(["", "a", "ab", "abc", "abcd", "abcde"]).ToArray();
        for (var n = 0; n < names.Length; n++)
        {
            Assert.Equal(n, ids.Intern(names[n]));
        }

        Assert.Equal(names.Length, ids.Count);
        for (var n = 0; n < names.Length; n++)
        {
            // A fresh copy of the string: found by content, not by reference.
            Assert.Equal(n, ids.Intern(new string(names[n].AsSpan())));
            Assert.True(ids.TryGet(new string(names[n].AsSpan()), out var id) && id == n);
            Assert.True(ids.MayContain(IdTable.HashOf(names[n])));
            Assert.Same(names[n], ids.NameOf(n));
        }

        Assert.False(ids.TryGet("github:50000", out _));
        Assert.False(ids.TryGet("abcdef", out _));
        Assert.Equal(names.Length, ids.Count);
    }

    [Fact]
    public void IdTable_InternsInOrderOfFirstSight()
    {
        var ids = new IdTable();
        Assert.Equal([0, 1, 0, 2], new[] { "b", "a", "b", "c" }.Select(ids.Intern));
        Assert.Equal(3, ids.Count);
        Assert.Equal("a", ids.NameOf(1));
        Assert.True(ids.TryGet("c", out var c) && c == 2);
        Assert.False(ids.TryGet("d", out _));
    }
}
