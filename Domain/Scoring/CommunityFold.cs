using System.Buffers;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;

namespace Engage.Domain.Scoring;

/// <summary>Community figures over a window (docs/scoring.md, last paragraph).</summary>
public sealed record Community(
    Window Window,
    int Users,
    int Interactions,
    double? Reciprocity,
    double? Rho,
    double? BroadcastShare,
    int OpenQuestions);

public static class CommunityFold
{
    /// <param name="interactions">Every interaction of the window, resolved (facts of all partitions merged by id).</param>
    /// <remarks>
    /// Users are interned (<see cref="IdTable"/>) and each give is one long in a pooled buffer; r and rho come from
    /// <see cref="DirectedPairs"/> counts, integers like the former set sizes, so they are the same doubles
    /// (docs/decisions/1101-interned-folds.md).
    /// </remarks>
    public static Community Fold(IReadOnlyList<Resolved> interactions, Window window, ScoringOptions options)
    {
        var users = new IdTable();
        var pairs = ArrayPool<long>.Shared.Rent(Math.Max(16, interactions.Count));
        var pairCount = 0;
        List<Resolved>? questions = null;
        int count = 0, broadcast = 0, authored = 0;
        try
        {
            foreach (var i in interactions)
            {
                if (!window.Contains(i.OccurredAt))
                {
                    continue;
                }

                count++;
                var actor = -1;
                foreach (var target in GiveTargets.Of(i))
                {
                    if (actor < 0)
                    {
                        actor = users.Intern(i.Actor);
                    }

                    if (pairCount == pairs.Length)
                    {
                        pairs = Grow(pairs);
                    }

                    pairs[pairCount++] = DirectedPairs.Pack(actor, users.Intern(target));
                }

                if (i.Kind is InteractionKind.Post or InteractionKind.Reply or InteractionKind.Repost or InteractionKind.Quote)
                {
                    authored++;
                    broadcast += Points.Of(i, options).Broadcast ? 1 : 0;
                }

                if ((i.Signals & Signals.SignalSet.Question) != 0)
                {
                    (questions ??= []).Add(i);
                }
            }

            var n = users.Count;
            var bits = DirectedPairs.BitsFor(n);
            var keys = pairs.AsSpan(0, pairCount);
            DirectedPairs.PackedToKeys(keys, bits);
            var counts = DirectedPairs.Count(keys, bits);
            var r = counts.R;
            double? rho = null;
            if (r is { } rv && n > 1)
            {
                var density = counts.Distinct / ((double)n * (n - 1));
                rho = density < 1 ? (rv - density) / (1 - density) : null;
            }

            var open = questions is null ? 0 : OpenQuestions(interactions, questions, window);
            return new Community(window, n, count, r, rho, authored == 0 ? null : (double)broadcast / authored, open);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(pairs);
        }
    }

    /// <summary>
    /// Open questions: a question of the window addressed to someone (reply to them, or mention) that they
    /// have not replied to (up to asOf). Only replies to the window's questions are looked at.
    /// </summary>
    private static int OpenQuestions(IReadOnlyList<Resolved> interactions, List<Resolved> questions, Window window)
    {
        var questionIds = new HashSet<string>(questions.Count, StringComparer.Ordinal);
        foreach (var q in questions)
        {
            questionIds.Add(q.Id);
        }

        var replied = new HashSet<(string Parent, string Actor)>();
        foreach (var i in interactions)
        {
            if (i.Kind == InteractionKind.Reply && i.ParentId is { } parent && i.OccurredAt <= window.AsOf && questionIds.Contains(parent))
            {
                replied.Add((parent, i.Actor));
            }
        }

        var open = 0;
        var addressed = new List<string>();
        foreach (var q in questions)
        {
            addressed.Clear();
            foreach (var m in q.Mentions)
            {
                AddOnce(addressed, m);
            }

            if (q.Kind == InteractionKind.Reply && q.ParentAuthor is { } author)
            {
                AddOnce(addressed, author);
            }

            foreach (var a in addressed)
            {
                if (a != q.Actor && !replied.Contains((q.Id, a)))
                {
                    open++;
                }
            }
        }

        return open;
    }

    private static void AddOnce(List<string> set, string user)
    {
        foreach (var seen in set)
        {
            if (seen == user)
            {
                return;
            }
        }

        set.Add(user);
    }

    private static long[] Grow(long[] pairs)
    {
        var larger = ArrayPool<long>.Shared.Rent(pairs.Length * 2);
        pairs.CopyTo(larger, 0);
        ArrayPool<long>.Shared.Return(pairs);
        return larger;
    }
}
