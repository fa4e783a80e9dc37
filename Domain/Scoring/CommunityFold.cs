using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
        var replies = ArrayPool<Reply>.Shared.Rent(Math.Max(16, interactions.Count / 2));
        var replyCount = 0;
        List<Resolved>? questions = null;
        int count = 0, broadcast = 0, authored = 0;
        try
        {
            foreach (var i in interactions)
            {
                if (i.Kind == InteractionKind.Reply && i.ParentId is { } parent && i.OccurredAt <= window.AsOf)
                {
                    if (replyCount == replies.Length)
                    {
                        replies = Grow(replies);
                    }

                    replies[replyCount++] = new Reply(parent, i.Actor);
                }

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

            var open = questions is null ? 0 : OpenQuestions(questions, replies.AsSpan(0, replyCount));
            return new Community(window, n, count, r, rho, authored == 0 ? null : (double)broadcast / authored, open);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(pairs);
            ArrayPool<Reply>.Shared.Return(replies, clearArray: true);
        }
    }

    /// <summary>A reply up to asOf: which item it answers and who wrote it (what open questions look up).</summary>
    private readonly record struct Reply(string Parent, string Actor);

    /// <summary>
    /// Open questions: a question of the window addressed to someone (reply to them, or mention) that they
    /// have not replied to (up to asOf). Each question's addressed users (distinct, not the asker) are one
    /// run of a flat list; each reply to a question's id marks its author's entry in every question of that id.
    /// </summary>
    private static int OpenQuestions(List<Resolved> questions, ReadOnlySpan<Reply> replies)
    {
        var latest = new Dictionary<string, int>(questions.Count, StringComparer.Ordinal);
        var sameId = new int[questions.Count];
        var start = new int[questions.Count + 1];
        var addressed = new List<string>();
        for (var k = 0; k < questions.Count; k++)
        {
            var q = questions[k];
            ref var head = ref CollectionsMarshal.GetValueRefOrAddDefault(latest, q.Id, out var exists);
            sameId[k] = exists ? head : -1;
            head = k;
            start[k] = addressed.Count;
            var mentions = q.Mentions;
            for (var m = 0; m < mentions.Count; m++)
            {
                AddOnce(addressed, start[k], mentions[m], q.Actor);
            }

            if (q.Kind == InteractionKind.Reply && q.ParentAuthor is { } author)
            {
                AddOnce(addressed, start[k], author, q.Actor);
            }
        }

        start[questions.Count] = addressed.Count;
        var replied = new bool[addressed.Count];
        foreach (var reply in replies)
        {
            if (!latest.TryGetValue(reply.Parent, out var k))
            {
                continue;
            }

            for (; k >= 0; k = sameId[k])
            {
                for (var e = start[k]; e < start[k + 1]; e++)
                {
                    if (addressed[e] == reply.Actor)
                    {
                        replied[e] = true;
                    }
                }
            }
        }

        return replied.Count(r => !r);
    }

    /// <summary>Adds <paramref name="user"/> to the run starting at <paramref name="from"/> unless it is there already or is the asker.</summary>
    private static void AddOnce(List<string> addressed, int from, string user, string asker)
    {
        if (user == asker)
        {
            return;
        }

        for (var e = from; e < addressed.Count; e++)
        {
            if (addressed[e] == user)
            {
                return;
            }
        }

        addressed.Add(user);
    }

    private static T[] Grow<T>(T[] items)
    {
        var larger = ArrayPool<T>.Shared.Rent(items.Length * 2);
        items.CopyTo(larger, 0);
        ArrayPool<T>.Shared.Return(items, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        return larger;
    }
}
