using System.Text.Json;
using Xunit.Abstractions;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Engage.Domain.Signals;
using Engage.Tests.Support;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.Scoring;

/// <summary>
/// Real tweets (Tests/Scoring/RealPosts, origin and licence in its README): news accounts that only post
/// headlines with links, accounts that only repost, and people who reply. The text signals come from the
/// app's classifier; the scores from the engagement fold with the default options.
/// </summary>
public sealed class BroadcastRankingTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
    private static readonly Window Window = new(AsOf, Window.Default);

    private sealed record Tweet(string Id, string Author, string Role, string Kind, string? Text, string? ReplyTo, string? SubjectAuthor, string[]? Mentions);

    private static readonly Lazy<(IReadOnlyList<Resolved> Interactions, Dictionary<string, string> Roles)> Corpus = new(Load);

    /// <summary>Each account's tweets spread evenly over the 30-day window, so that volume, not timing, is what differs.</summary>
    private static (IReadOnlyList<Resolved>, Dictionary<string, string>) Load()
    {
        var classifier = new SignalClassifier(new SignalLexicon());
        var tweets = File.ReadLines(RepoPaths.Of("Tests", "Scoring", "RealPosts", "tweets.jsonl"))
            .Select(l => JsonSerializer.Deserialize<Tweet>(l, new JsonSerializerOptions(JsonSerializerDefaults.Web))!)
            .ToList();
        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        var interactions = new List<Resolved>();
        foreach (var account in tweets.GroupBy(t => t.Author))
        {
            var list = account.ToList();
            roles[User(account.Key)] = list[0].Role;
            for (var k = 0; k < list.Count; k++)
            {
                var t = list[k];
                var kind = Enum.Parse<InteractionKind>(t.Kind, ignoreCase: true);
                var actor = User(t.Author);
                var mentions = kind == InteractionKind.Repost ? [] : (t.Mentions ?? []).Select(User).Where(m => m != actor).Distinct().ToList();
                var signals = classifier.Classify(new SignalInput(t.Text, kind, mentions));
                interactions.Add(new Resolved
                {
                    Id = "x:" + t.Id,
                    Kind = kind,
                    Actor = actor,
                    OccurredAt = AsOf.AddDays(-(k + 0.5) * 30 / list.Count),
                    ParentId = t.ReplyTo is null ? null : "x:parent-of-" + t.Id,
                    ParentAuthor = t.ReplyTo is null ? null : "x:" + t.ReplyTo,
                    SubjectId = t.SubjectAuthor is null ? null : "x:subject-of-" + t.Id,
                    SubjectAuthor = t.SubjectAuthor is null ? null : User(t.SubjectAuthor),
                    Mentions = mentions,
                    Signals = signals & ~Sig.Answer,
                });
            }
        }

        return (interactions, roles);
    }

    private static string User(string handle) => UserIds.Of("x", handle.ToLowerInvariant());

    private static Dictionary<string, double> Scores(ScoringOptions options)
    {
        var (interactions, roles) = Corpus.Value;
        return roles.Keys.ToDictionary(u => u, u => EngagementFold.Fold(u, interactions, u, Window, options).Score, StringComparer.Ordinal);
    }

    [Fact]
    public void Broadcasters_RankBelowEveryoneWhoReplies()
    {
        var (_, roles) = Corpus.Value;
        var scores = Scores(new ScoringOptions());
        var broadcasters = roles.Where(r => r.Value == "broadcaster").Select(r => scores[r.Key]).ToList();
        var repliers = roles.Where(r => r.Value == "replier").Select(r => scores[r.Key]).ToList();

        Assert.Equal(6, broadcasters.Count);
        Assert.Equal(5, repliers.Count);
        var counted = Scores(new ScoringOptions { BroadcastWeight = 1 });
        foreach (var (user, score) in scores.OrderByDescending(s => s.Value))
        {
            output.WriteLine($"{user,-24} {roles[user],-12} {score,8:F2} (broadcast counted: {counted[user],6:F2})");
        }

        var ranking = scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).Select(s => roles[s.Key]).ToList();
        Assert.Equal([.. Enumerable.Repeat("replier", 5), .. Enumerable.Repeat("broadcaster", 6)], ranking);
        Assert.All(broadcasters, s => Assert.True(s < 1, $"a broadcaster scored {s}"));
        Assert.All(repliers, s => Assert.True(s > 4, $"a replier scored {s}"));
    }

    [Fact]
    public void Broadcasters_StillShowWhatTheyDidInCountsRatioAndBreakdown()
    {
        var (interactions, _) = Corpus.Value;
        var reuters = EngagementFold.Fold(User("Reuters"), interactions, "Reuters", Window, new ScoringOptions());

        Assert.Equal(24, reuters.Counts.Post);
        Assert.Equal(1, reuters.BroadcastRatio);
        Assert.Equal(24, reuters.Breakdown.Sum(b => b.Count));
        Assert.All(reuters.Breakdown, b => Assert.Equal(0, b.Points));
    }

    [Fact]
    public void WhenBroadcastCounted_BroadcastersScore_SoTheWeightIsWhatRanksThemLast()
    {
        // The old rule (broadcast rows at their table points): every broadcaster scores above 0 again.
        var (_, roles) = Corpus.Value;
        var counted = Scores(new ScoringOptions { BroadcastWeight = 1 });
        var byDefault = Scores(new ScoringOptions());

        Assert.All(roles.Where(r => r.Value == "broadcaster"), r => Assert.True(counted[r.Key] > 0 && byDefault[r.Key] == 0, r.Key));
    }
}
