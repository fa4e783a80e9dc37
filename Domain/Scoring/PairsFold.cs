using Engage.Domain.Facts;

namespace Engage.Domain.Scoring;

/// <summary>
/// Two users who gave to each other, or one to the other, over a window: <see cref="A"/> is the
/// ordinally smaller userId. <see cref="AToB"/> counts A's gives to B (decayed points, as in the
/// reciprocity fold); <see cref="Strength"/> is the sum of both directions.
/// </summary>
public sealed record Pair(string A, string? AHandle, string B, string? BHandle, Flow AToB, Flow BToA, bool Mutual, double Strength);

/// <summary>The strongest pairs of a window, computed from the same gives as the community fold.</summary>
public static class PairsFold
{
    public static IReadOnlyList<Pair> Fold(IReadOnlyList<Resolved> interactions, Func<string, string?> handleOf, Window window, ScoringOptions options, int top)
    {
        var flows = new Dictionary<(string From, string To), Flow>();
        foreach (var i in interactions)
        {
            if (!window.Contains(i.OccurredAt))
            {
                continue;
            }

            var points = Points.Of(i, options).Points * options.Decay(i.OccurredAt, window.AsOf);
            foreach (var target in i.GiveTargets())
            {
                flows[(i.Actor, target)] = (flows.GetValueOrDefault((i.Actor, target)) ?? Flow.Zero).Add(points);
            }
        }

        var pairs = new List<Pair>();
        foreach (var ((from, to), flow) in flows)
        {
            if (string.CompareOrdinal(from, to) > 0 && flows.ContainsKey((to, from)))
            {
                continue; // the mutual pair is built once, from its smaller userId
            }

            var (a, b) = string.CompareOrdinal(from, to) < 0 ? (from, to) : (to, from);
            var aToB = flows.GetValueOrDefault((a, b)) ?? Flow.Zero;
            var bToA = flows.GetValueOrDefault((b, a)) ?? Flow.Zero;
            pairs.Add(new Pair(a, handleOf(a), b, handleOf(b), aToB, bToA, aToB.Count > 0 && bToA.Count > 0, aToB.Points + bToA.Points));
        }

        return pairs
            .OrderByDescending(p => p.Strength)
            .ThenBy(p => p.A, StringComparer.Ordinal)
            .ThenBy(p => p.B, StringComparer.Ordinal)
            .Take(top)
            .ToList();
    }
}
