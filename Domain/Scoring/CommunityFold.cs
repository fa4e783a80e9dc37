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
    /// positions (docs/decisions/1221-community-fold-tables.md). The pass compares names by hash first, its gives are
    /// interned a cache-sized chunk at a time, question ids after the pass, and scattered probes are prefetched
    /// (docs/decisions/1261-community-fold-prefetch-and-one-comparison.md).
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
        using var gives = new GiveChunks(users, interactions.Length);
        var replies = ArrayPool<int>.Shared.Rent(Math.Max(16, interactions.Length));
        var replyParents = ArrayPool<string>.Shared.Rent(replies.Length);
        var replyCount = 0;
        using var questions = new QuestionRuns();
        int count = 0, broadcast = 0, authored = 0;
        var from = window.From.UtcTicks;
        var asOf = window.AsOf.UtcTicks;
        string[]? scratch = null;
        try
        {
            for (var p = 0; p < interactions.Length; p++)
            {
                if (p + Ahead < interactions.Length)
                {
                    var ahead = interactions[p + Ahead];
                    Prefetch.Object(ahead.Actor);
                    Prefetch.Object(ahead.Kind == InteractionKind.Reply ? ahead.ParentAuthor : ahead.SubjectAuthor);
                }

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
                var actor = i.Actor;
                var primary = kind switch
                {
                    InteractionKind.Reply => i.ParentAuthor,
                    InteractionKind.Repost or InteractionKind.Quote or InteractionKind.Reaction or InteractionKind.Follow => i.SubjectAuthor,
                    _ => null,
                };

                // The give targets (GiveTargets' order and rules), compared by hash first: two different users rarely
                // share one, so their characters are compared only when they are likely equal. Whether the primary
                // target is the actor also answers SelfReply for BroadcastFlag below.
                var actorHash = 0u;
                var actorHashed = false;
                var primaryHash = 0u;
                var primaryIsActor = false;
                if (!string.IsNullOrEmpty(primary))
                {
                    actorHash = IdTable.HashOf(actor);
                    actorHashed = true;
                    primaryHash = IdTable.HashOf(primary);
                    primaryIsActor = primaryHash == actorHash && string.Equals(primary, actor);
                    if (!primaryIsActor)
                    {
                        gives.Add(actor, actorHash, primary, primaryHash);
                    }
                }
                else if (primary is not null)
                {
                    primaryIsActor = actor.Length == 0;
                }

                var mentionsOther = false;
                if (kind is InteractionKind.Post or InteractionKind.Reply or InteractionKind.Quote)
                {
                    var list = i.Mentions;
                    var mentions = list switch
                    {
                        string[] array => array.AsSpan(),
                        List<string> l => CollectionsMarshal.AsSpan(l),
                        _ => CopyOf(list, ref scratch),
                    };
                    for (var k = 0; k < mentions.Length; k++)
                    {
                        var m = mentions[k];
                        if (string.IsNullOrEmpty(m))
                        {
                            mentionsOther |= !string.Equals(m, actor);
                            continue;
                        }

                        if (!actorHashed)
                        {
                            actorHash = IdTable.HashOf(actor);
                            actorHashed = true;
                        }

                        var h = IdTable.HashOf(m);
                        if (h == actorHash && string.Equals(m, actor))
                        {
                            continue;
                        }

                        mentionsOther = true;
                        if ((h == primaryHash && string.Equals(m, primary)) || mentions[..k].Contains(m))
                        {
                            continue;
                        }

                        gives.Add(actor, actorHash, m, h);
                    }
                }

                if (kind is InteractionKind.Post or InteractionKind.Reply or InteractionKind.Repost or InteractionKind.Quote)
                {
                    authored++;
                    broadcast += BroadcastFlag.Of(i, options, selfReply: kind == InteractionKind.Reply && primaryIsActor, mentionsOther) ? 1 : 0;
                }

                if ((i.Signals & Signals.SignalSet.Question) != 0)
                {
                    questions.Add(i);
                }
            }

            var keys = gives.Pairs();
            var n = users.Count;
            var bits = DirectedPairs.BitsFor(n);
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
            ArrayPool<int>.Shared.Return(replies);
            replyParents.AsSpan(0, replyCount).Clear();
            ArrayPool<string>.Shared.Return(replyParents);
        }
    }

    /// <summary>
    /// The gives of the pass, (actor, target) names with their hashes, interned a chunk at a time into packed pairs:
    /// a chunk of a few thousand names stays in cache between the pass that writes it and the loop that interns it,
    /// where one buffer for the whole window (two references and two hashes a give, tens of megabytes) went out to
    /// memory and back. Chunks are interned in order, so users still get their ids in order of first sight.
    /// </summary>
    private sealed class GiveChunks(IdTable users, int expected) : IDisposable
    {
        /// <summary>Names a chunk holds (even: a give adds two); 48 KB of references and hashes.</summary>
        private const int Chunk = 4096;

        private readonly string[] _names = ArrayPool<string>.Shared.Rent(Chunk);
        private readonly uint[] _hashes = ArrayPool<uint>.Shared.Rent(Chunk);
        private long[] _pairs = ArrayPool<long>.Shared.Rent(Math.Max(16, expected));
        private int _count;
        private int _pairCount;
        private int _written;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(string actor, uint actorHash, string target, uint targetHash)
        {
            if (_count == Chunk)
            {
                Flush();
            }

            _hashes[_count] = actorHash;
            _names[_count++] = actor;
            _hashes[_count] = targetHash;
            _names[_count++] = target;
        }

        /// <summary>Every give as a packed pair (<see cref="DirectedPairs.Pack"/>) of interned users, in the order given.</summary>
        public Span<long> Pairs()
        {
            Flush();
            return _pairs.AsSpan(0, _pairCount);
        }

        public void Dispose()
        {
            _names.AsSpan(0, Math.Max(_written, _count)).Clear();
            ArrayPool<string>.Shared.Return(_names);
            ArrayPool<uint>.Shared.Return(_hashes);
            ArrayPool<long>.Shared.Return(_pairs);
        }

        /// <summary>Interns the chunk's names, actor then target, the table probes asked for a few gives ahead.</summary>
        private void Flush()
        {
            var gives = _count / 2;
            while (_pairCount + gives > _pairs.Length)
            {
                _pairs = Grow(_pairs);
            }

            for (var g = 0; g < gives; g++)
            {
                if (g + Ahead < gives)
                {
                    users.Prefetch(_hashes[2 * (g + Ahead)]);
                    users.Prefetch(_hashes[(2 * (g + Ahead)) + 1]);
                }

                var actor = users.Intern(_names[2 * g], _hashes[2 * g]);
                _pairs[_pairCount++] = DirectedPairs.Pack(actor, users.Intern(_names[(2 * g) + 1], _hashes[(2 * g) + 1]));
            }

            _written = Math.Max(_written, _count);
            _count = 0;
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
        private IdTable? _ids;
        private int[] _latest = ArrayPool<int>.Shared.Rent(64);
        private int[] _sameId = ArrayPool<int>.Shared.Rent(64);
        private int[] _start = ArrayPool<int>.Shared.Rent(65);
        private string[] _questionIds = ArrayPool<string>.Shared.Rent(64);
        private uint[] _questionHashes = ArrayPool<uint>.Shared.Rent(64);
        private string[] _addressed = ArrayPool<string>.Shared.Rent(64);
        private int _addressedCount;

        public int Count { get; private set; }

        public void Add(Resolved question)
        {
            var k = Count;
            if (k + 1 >= _start.Length || k == _questionIds.Length || k == _questionHashes.Length)
            {
                _start = Grow(_start);
                _questionIds = Grow(_questionIds);
                _questionHashes = Grow(_questionHashes);
            }

            // The id is hashed now, while its characters are in cache, and interned after the pass (Chain).
            _questionIds[k] = question.Id;
            _questionHashes[k] = IdTable.HashOf(question.Id);
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

        /// <summary>
        /// Interns the question ids in the order the questions came, each id heading the chain of the questions that
        /// carry it; the table is sized once for all of them, and the probes are fetched a few questions ahead.
        /// </summary>
        private IdTable Chain()
        {
            var ids = new IdTable(Count);
            if (_latest.Length < Count || _sameId.Length < Count)
            {
                ArrayPool<int>.Shared.Return(_latest);
                ArrayPool<int>.Shared.Return(_sameId);
                _latest = ArrayPool<int>.Shared.Rent(Count);
                _sameId = ArrayPool<int>.Shared.Rent(Count);
            }

            for (var k = 0; k < Count; k++)
            {
                if (k + Ahead < Count)
                {
                    ids.Prefetch(_questionHashes[k + Ahead]);
                }

                var known = ids.Count;
                var id = ids.Intern(_questionIds[k], _questionHashes[k]);
                _sameId[k] = id < known ? _latest[id] : -1;
                _latest[id] = k;
            }

            return ids;
        }

        /// <param name="interactions">The fold's input (a matching reply's author is read there).</param>
        /// <param name="replies">Positions of the replies up to asOf that name a parent.</param>
        /// <param name="parents">The parent id of each of <paramref name="replies"/>, taken in the pass (the reply need not be read again).</param>
        public int Open(ReadOnlySpan<Resolved> interactions, ReadOnlySpan<int> replies, ReadOnlySpan<string> parents)
        {
            var count = _addressedCount;
            _start[Count] = count;
            var ids = _ids = Chain();
            var replied = ArrayPool<bool>.Shared.Rent(Math.Max(16, count));
            var hashes = ArrayPool<uint>.Shared.Rent(Math.Max(16, replies.Length));
            try
            {
                replied.AsSpan(0, count).Clear();

                // Hashing every reply's parent id first, in a loop of its own, lets the reads of those scattered strings
                // overlap; the probes then read a parent id again only when its hash is in the table.
                for (var r = 0; r < replies.Length; r++)
                {
                    if (r + Ahead < replies.Length)
                    {
                        Prefetch.Object(parents[r + Ahead]);
                    }

                    hashes[r] = IdTable.HashOf(parents[r]);
                }

                for (var r = 0; r < replies.Length; r++)
                {
                    if (r + Ahead < replies.Length)
                    {
                        ids.Prefetch(hashes[r + Ahead]);
                    }

                    if (!ids.TryGet(parents[r], hashes[r], out var id))
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
            _ids?.Dispose();
            _questionIds.AsSpan(0, Count).Clear();
            ArrayPool<string>.Shared.Return(_questionIds);
            ArrayPool<uint>.Shared.Return(_questionHashes);
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

    /// <summary>The mentions of a list that is neither an array nor a List, copied into a reused array.</summary>
    private static ReadOnlySpan<string> CopyOf(IReadOnlyList<string> list, ref string[]? scratch)
    {
        if (scratch is null || scratch.Length < list.Count)
        {
            scratch = new string[Math.Max(8, list.Count)];
        }

        for (var k = 0; k < list.Count; k++)
        {
            scratch[k] = list[k];
        }

        return scratch.AsSpan(0, list.Count);
    }

    /// <summary>How many items ahead a loop asks for the memory it will probe.</summary>
    private const int Ahead = 8;

    private static T[] Grow<T>(T[] items)
    {
        var larger = ArrayPool<T>.Shared.Rent(items.Length * 2);
        items.CopyTo(larger, 0);
        ArrayPool<T>.Shared.Return(items, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        return larger;
    }
}
