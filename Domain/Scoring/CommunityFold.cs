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
    /// (docs/decisions/1101-interned-folds.md). One pass over a span of the input (a list's or array's own
    /// storage, else a pooled copy), the window bounds compared as ticks, and the replies kept as input
    /// positions (docs/decisions/1221-community-fold-tables.md).
    /// </remarks>
    public static Community Fold(IReadOnlyList<Resolved> interactions, Window window, ScoringOptions options)
    {
        switch (interactions)
        {
            case List<Resolved> list:
                return Fold(CollectionsMarshal.AsSpan(list), window, options);
            case Resolved[] array:
                return Fold(array.AsSpan(), window, options);
        }

        var copy = ArrayPool<Resolved>.Shared.Rent(interactions.Count);
        try
        {
            for (var n = 0; n < interactions.Count; n++)
            {
                copy[n] = interactions[n];
            }

            return Fold(copy.AsSpan(0, interactions.Count), window, options);
        }
        finally
        {
            ArrayPool<Resolved>.Shared.Return(copy, clearArray: true);
        }
    }

    /// <summary>The same figures over a span of interactions (what <see cref="Fold(IReadOnlyList{Resolved}, Window, ScoringOptions)"/> runs on).</summary>
    public static Community Fold(ReadOnlySpan<Resolved> interactions, Window window, ScoringOptions options)
    {
        using var users = new IdTable(Math.Min(interactions.Length, 1 << 12));
        var gives = ArrayPool<string>.Shared.Rent(Math.Max(16, 2 * interactions.Length));
        var hashes = ArrayPool<uint>.Shared.Rent(gives.Length);
        var giveNames = 0;
        var replies = ArrayPool<int>.Shared.Rent(Math.Max(16, interactions.Length));
        var replyParents = ArrayPool<string>.Shared.Rent(replies.Length);
        var replyCount = 0;
        using var questions = new QuestionRuns();
        long[]? pairs = null;
        int count = 0, broadcast = 0, authored = 0;
        var from = window.From.UtcTicks;
        var asOf = window.AsOf.UtcTicks;
        try
        {
            for (var p = 0; p < interactions.Length; p++)
            {
                var i = interactions[p];
                var at = i.OccurredAt.UtcTicks;
                var kind = i.Kind;
                if (kind == InteractionKind.Reply && at <= asOf && i.ParentId is { } parent)
                {
                    replyParents[replyCount] = parent;
                    replies[replyCount++] = p;
                }

                if (at < from || at > asOf)
                {
                    continue;
                }

                count++;
                var actorHash = 0u;
                var hashed = false;
                foreach (var target in GiveTargets.Of(i))
                {
                    if (giveNames + 2 > gives.Length)
                    {
                        gives = Grow(gives);
                        hashes = Grow(hashes);
                    }

                    // Hashed here, where GiveTargets has just compared them with the actor: their characters are in cache.
                    if (!hashed)
                    {
                        actorHash = IdTable.HashOf(i.Actor);
                        hashed = true;
                    }

                    hashes[giveNames] = actorHash;
                    gives[giveNames++] = i.Actor;
                    hashes[giveNames] = IdTable.HashOf(target);
                    gives[giveNames++] = target;
                }

                if (kind is InteractionKind.Post or InteractionKind.Reply or InteractionKind.Repost or InteractionKind.Quote)
                {
                    authored++;
                    broadcast += BroadcastFlag.Of(i, options) ? 1 : 0;
                }

                if ((i.Signals & Signals.SignalSet.Question) != 0)
                {
                    questions.Add(i);
                }
            }

            // Users are interned in the order the gives name them (actor, then target), as one pass would; in a loop
            // of their own, with the hashes taken, the probes of the table do not wait for each other.
            var names = gives.AsSpan(0, giveNames);
            var pairCount = giveNames / 2;
            pairs = ArrayPool<long>.Shared.Rent(Math.Max(16, pairCount));
            for (var g = 0; g < pairCount; g++)
            {
                var actor = users.Intern(names[2 * g], hashes[2 * g]);
                pairs[g] = DirectedPairs.Pack(actor, users.Intern(names[(2 * g) + 1], hashes[(2 * g) + 1]));
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

            var open = questions.Count == 0 ? 0 : questions.Open(interactions, replies.AsSpan(0, replyCount), replyParents.AsSpan(0, replyCount));
            return new Community(window, n, count, r, rho, authored == 0 ? null : (double)broadcast / authored, open);
        }
        finally
        {
            gives.AsSpan(0, giveNames).Clear();
            ArrayPool<string>.Shared.Return(gives);
            ArrayPool<uint>.Shared.Return(hashes);
            if (pairs is not null)
            {
                ArrayPool<long>.Shared.Return(pairs);
            }

            ArrayPool<int>.Shared.Return(replies);
            replyParents.AsSpan(0, replyCount).Clear();
            ArrayPool<string>.Shared.Return(replyParents);
        }
    }

    /// <summary>
    /// Open questions: a question of the window addressed to someone (reply to them, or mention) that they
    /// have not replied to (up to asOf). Each question's addressed users (distinct, not the asker) are one
    /// run of a flat list; question ids are interned, each id heading a chain of the questions that carry it;
    /// each reply to a question's id marks its author's entry in every question of that id. Questions are
    /// added during the fold's pass (the interaction is in cache then); the arrays are pooled.
    /// </summary>
    private sealed class QuestionRuns : IDisposable
    {
        private readonly IdTable _ids = new(64);
        private int[] _latest = ArrayPool<int>.Shared.Rent(64);
        private int[] _sameId = ArrayPool<int>.Shared.Rent(64);
        private int[] _start = ArrayPool<int>.Shared.Rent(65);
        private string[] _addressed = ArrayPool<string>.Shared.Rent(64);
        private int _addressedCount;

        public int Count { get; private set; }

        public void Add(Resolved question)
        {
            var k = Count;
            if (k + 1 >= _start.Length || k == _latest.Length || k == _sameId.Length)
            {
                _latest = Grow(_latest);
                _sameId = Grow(_sameId);
                _start = Grow(_start);
            }

            var known = _ids.Count;
            var id = _ids.Intern(question.Id);
            _sameId[k] = id < known ? _latest[id] : -1;
            _latest[id] = k;
            _start[k] = _addressedCount;
            var mentions = question.Mentions;
            for (var m = 0; m < mentions.Count; m++)
            {
                AddOnce(_start[k], mentions[m], question.Actor);
            }

            if (question.Kind == InteractionKind.Reply && question.ParentAuthor is { } author)
            {
                AddOnce(_start[k], author, question.Actor);
            }

            Count = k + 1;
        }

        /// <param name="interactions">The fold's input (a matching reply's author is read there).</param>
        /// <param name="replies">Positions of the replies up to asOf that name a parent.</param>
        /// <param name="parents">The parent id of each of <paramref name="replies"/>, taken in the pass (the reply need not be read again).</param>
        public int Open(ReadOnlySpan<Resolved> interactions, ReadOnlySpan<int> replies, ReadOnlySpan<string> parents)
        {
            var count = _addressedCount;
            _start[Count] = count;
            var replied = ArrayPool<bool>.Shared.Rent(Math.Max(16, count));
            var hashes = ArrayPool<uint>.Shared.Rent(Math.Max(16, replies.Length));
            try
            {
                replied.AsSpan(0, count).Clear();

                // Hashing every reply's parent id first, in a loop of its own, lets the reads of those scattered strings
                // overlap; the probes then read a parent id again only when its hash is in the table.
                for (var r = 0; r < replies.Length; r++)
                {
                    hashes[r] = IdTable.HashOf(parents[r]);
                }

                for (var r = 0; r < replies.Length; r++)
                {
                    if (!_ids.TryGet(parents[r], hashes[r], out var id))
                    {
                        continue;
                    }

                    var actor = interactions[replies[r]].Actor;
                    for (var k = _latest[id]; k >= 0; k = _sameId[k])
                    {
                        for (var e = _start[k]; e < _start[k + 1]; e++)
                        {
                            if (_addressed[e] == actor)
                            {
                                replied[e] = true;
                            }
                        }
                    }
                }

                var open = 0;
                foreach (var marked in replied.AsSpan(0, count))
                {
                    open += marked ? 0 : 1;
                }

                return open;
            }
            finally
            {
                ArrayPool<bool>.Shared.Return(replied);
                ArrayPool<uint>.Shared.Return(hashes);
            }
        }

        public void Dispose()
        {
            _ids.Dispose();
            ArrayPool<int>.Shared.Return(_latest);
            ArrayPool<int>.Shared.Return(_sameId);
            ArrayPool<int>.Shared.Return(_start);
            _addressed.AsSpan(0, _addressedCount).Clear();
            ArrayPool<string>.Shared.Return(_addressed);
        }

        /// <summary>Adds <paramref name="user"/> to the run starting at <paramref name="from"/> unless it is there already or is the asker.</summary>
        private void AddOnce(int from, string user, string asker)
        {
            if (user == asker)
            {
                return;
            }

            for (var e = from; e < _addressedCount; e++)
            {
                if (_addressed[e] == user)
                {
                    return;
                }
            }

            if (_addressedCount == _addressed.Length)
            {
                _addressed = Grow(_addressed);
            }

            _addressed[_addressedCount++] = user;
        }
    }

    private static T[] Grow<T>(T[] items)
    {
        var larger = ArrayPool<T>.Shared.Rent(items.Length * 2);
        items.CopyTo(larger, 0);
        ArrayPool<T>.Shared.Return(items, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        return larger;
    }
}
