using Engage.Domain.Facts;
using Engage.Domain.Interactions;

namespace Engage.Domain.Scoring;

public sealed record Flow(int Count, double Points)
{
    public static readonly Flow Zero = new(0, 0);

    public Flow Add(double points) => new(Count + 1, Points + points);
}

public sealed record Counterpart(string UserId, string? Handle, Flow Given, Flow Received, double Balance, DateTimeOffset LastInteractionAt);

/// <summary>Someone A owes: <paramref name="Received"/> is the help they gave A (W_help), <paramref name="Given"/> all A gave back, <paramref name="Since"/> their first help in the window.</summary>
public sealed record Owed(string UserId, string? Handle, Flow Received, Flow Given, DateTimeOffset Since);

public sealed record OpenQuestion(string Id, string From, string? FromHandle, DateTimeOffset AskedAt);

/// <summary>What a user gave and received over a window (docs/scoring.md "Reciprocity").</summary>
public sealed record Reciprocity(
    string UserId,
    string? Handle,
    Window Window,
    Flow Given,
    Flow Received,
    double ReciprocatedStrength,
    double? ReciprocityIndex,
    double? ReplyRate,
    TimeSpan? MedianReplyLatency,
    IReadOnlyList<Counterpart> Counterparts,
    IReadOnlyList<Owed> Owed,
    IReadOnlyList<OpenQuestion> OpenQuestions);

public static class ReciprocityFold
{
    public static readonly TimeSpan ReplyWindow = TimeSpan.FromDays(7);

    /// <summary>Decayed points of help from B to A at or above which A may owe B (scoring.md "owed").</summary>
    public const double OwedThreshold = 1.5;

    public static Reciprocity Fold(string userId, IReadOnlyList<Fact> facts, IReadOnlyDictionary<string, ItemInfo> parents, Window window, ScoringOptions options, int top = 50)
    {
        var handles = new HandleBook(facts);
        return Fold(userId, FactSet.Resolve(facts, parents), handles.Of, window, options, top);
    }

    /// <remarks>
    /// Counterparts are interned (<see cref="IdTable"/>) in the order the former string dictionaries first saw
    /// them, and their sums kept in a struct array, so each sum adds the same doubles in the same order as
    /// before (docs/decisions/1101-interned-folds.md); nothing is allocated per interaction but list growth.
    /// </remarks>
    public static Reciprocity Fold(string userId, IReadOnlyList<Resolved> interactions, Func<string, string?> handleOf, Window window, ScoringOptions options, int top = 50)
    {
        var ids = new IdTable();
        var peers = new Peer[16];
        var givenOrder = new List<int>();
        var receivedOrder = new List<int>();
        var asks = new List<Resolved>();
        var myReplies = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);

        foreach (var i in interactions)
        {
            if (i.OccurredAt > window.AsOf)
            {
                continue;
            }

            var mine = i.Actor == userId;
            if (mine && i.Kind == InteractionKind.Reply && i.ParentId is { } parent)
            {
                // The first reply by the user to each item, whenever it was (up to asOf): answers asks of the window.
                if (!myReplies.TryGetValue(parent, out var at) || i.OccurredAt < at)
                {
                    myReplies[parent] = i.OccurredAt;
                }
            }

            if (!window.Contains(i.OccurredAt))
            {
                continue;
            }

            if (mine)
            {
                var points = double.NaN;
                foreach (var b in GiveTargets.Of(i))
                {
                    if (double.IsNaN(points))
                    {
                        points = PointsOf(i, window, options);
                    }

                    ref var peer = ref PeerOf(ids, ref peers, b, i.OccurredAt, out var id);
                    if (peer.Given.Count == 0)
                    {
                        givenOrder.Add(id);
                    }

                    peer.Given.Add(points);
                }
            }
            else if (GiveTargets.Of(i).Contains(userId))
            {
                var points = PointsOf(i, window, options);
                ref var peer = ref PeerOf(ids, ref peers, i.Actor, i.OccurredAt, out var id);
                if (peer.Received.Count == 0)
                {
                    receivedOrder.Add(id);
                }

                peer.Received.Add(points);
                if (Help.To(i, userId) != HelpKind.None)
                {
                    if (peer.Help.Count == 0 || i.OccurredAt < peer.FirstHelp)
                    {
                        peer.FirstHelp = i.OccurredAt;
                    }

                    peer.Help.Add(points);
                }
            }

            var isAsk = !mine
                && ((i.Kind == InteractionKind.Reply && i.ParentAuthor == userId) || i.Mentions.Contains(userId));
            if (isAsk)
            {
                asks.Add(i);
            }
        }

        var givenTotal = SumGiven(peers, givenOrder);
        var receivedTotal = SumReceived(peers, receivedOrder);
        double reciprocated = 0;
        var counterparts = new List<Counterpart>(top > 0 ? ids.Count : 0);
        var owed = new List<Owed>();
        for (var id = 0; id < ids.Count; id++)
        {
            ref readonly var peer = ref peers[id];
            var g = peer.Given;
            var r = peer.Received;
            reciprocated += Math.Min(g.Points, r.Points);
            if (top > 0)
            {
                var total = g.Points + r.Points;
                var b = ids.NameOf(id);
                counterparts.Add(new Counterpart(b, handleOf(b), g.ToFlow(), r.ToFlow(), total == 0 ? 0 : (g.Points - r.Points) / total, peer.Last));
            }

            // Owed is about help received, not about every give: a question to A is an ask, not a favour.
            var h = peer.Help;
            if (h.Count > 0 && h.Points >= OwedThreshold && g.Points < 0.5 * h.Points)
            {
                var b = ids.NameOf(id);
                owed.Add(new Owed(b, handleOf(b), h.ToFlow(), g.ToFlow(), peer.FirstHelp));
            }
        }

        var larger = Math.Max(givenTotal.Points, receivedTotal.Points);

        // Reply rate: an ask counts once answered within 7 days, or once 7 days have passed without an answer.
        int answered = 0, due = 0;
        var latencies = new List<TimeSpan>();
        var open = new List<OpenQuestion>();
        foreach (var ask in asks.DistinctBy(a => a.Id))
        {
            var reply = myReplies.TryGetValue(ask.Id, out var at) && at >= ask.OccurredAt ? at : (DateTimeOffset?)null;
            if (reply is { } r && r - ask.OccurredAt <= ReplyWindow)
            {
                answered++;
                due++;
                latencies.Add(r - ask.OccurredAt);
            }
            else if (window.AsOf - ask.OccurredAt > ReplyWindow)
            {
                due++;
            }

            if (reply is null && (ask.Signals & Signals.SignalSet.Question) != 0)
            {
                open.Add(new OpenQuestion(ask.Id, ask.Actor, handleOf(ask.Actor), ask.OccurredAt));
            }
        }

        return new Reciprocity(
            userId,
            handleOf(userId),
            window,
            givenTotal,
            receivedTotal,
            reciprocated,
            larger == 0 ? null : reciprocated / larger,
            due == 0 ? null : (double)answered / due,
            Median(latencies),
            top > 0 ? counterparts.OrderByDescending(c => c.LastInteractionAt).ThenBy(c => c.UserId, StringComparer.Ordinal).Take(top).ToList() : [],
            owed.OrderByDescending(o => o.Received.Points).ThenBy(o => o.UserId, StringComparer.Ordinal).ToList(),
            open.OrderBy(q => q.AskedAt).ThenBy(q => q.Id, StringComparer.Ordinal).ToList());
    }

    private static double PointsOf(Resolved i, Window window, ScoringOptions options) =>
        Points.Of(i, options).Points * options.Decay(i.OccurredAt, window.AsOf);

    /// <summary>A counterpart's sums, interned on first sight; its last interaction moves to <paramref name="at"/> if later.</summary>
    private static ref Peer PeerOf(IdTable ids, ref Peer[] peers, string user, DateTimeOffset at, out int id)
    {
        var count = ids.Count;
        id = ids.Intern(user);
        if (id == peers.Length)
        {
            Array.Resize(ref peers, peers.Length * 2);
        }

        ref var peer = ref peers[id];
        if (id == count || at > peer.Last)
        {
            peer.Last = at;
        }

        return ref peer;
    }

    // The totals add the per-counterpart flows in the order the counterparts first had one, as the dictionaries enumerated.
    private static Flow SumGiven(Peer[] peers, List<int> order)
    {
        var total = default(Sums);
        foreach (var id in order)
        {
            total.Count += peers[id].Given.Count;
            total.Points += peers[id].Given.Points;
        }

        return total.ToFlow();
    }

    private static Flow SumReceived(Peer[] peers, List<int> order)
    {
        var total = default(Sums);
        foreach (var id in order)
        {
            total.Count += peers[id].Received.Count;
            total.Points += peers[id].Received.Points;
        }

        return total.ToFlow();
    }

    private static TimeSpan? Median(List<TimeSpan> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : TimeSpan.FromTicks((values[mid - 1].Ticks + values[mid].Ticks) / 2);
    }
}

/// <summary>A count of interactions and their decayed points, added to in place (the fold's accumulator).</summary>
internal struct Sums
{
    public int Count;
    public double Points;

    public void Add(double points)
    {
        Count++;
        Points += points;
    }

    public readonly Flow ToFlow() => new(Count, Points);
}

/// <summary>What the user and one counterpart exchanged (indexed by the counterpart's interned id).</summary>
internal struct Peer
{
    public Sums Given;
    public Sums Received;
    public Sums Help;
    public DateTimeOffset Last;
    public DateTimeOffset FirstHelp;
}

/// <summary>Handles seen in a set of facts, most recent per user (display only).</summary>
public sealed class HandleBook
{
    private readonly Dictionary<string, (DateTimeOffset At, string Handle)> _handles = new(StringComparer.Ordinal);

    public HandleBook(IEnumerable<Fact> facts)
    {
        foreach (var f in facts)
        {
            if (f.Handles is null)
            {
                continue;
            }

            foreach (var (user, handle) in f.Handles)
            {
                if (!_handles.TryGetValue(user, out var seen) || f.OccurredAt > seen.At
                    || (f.OccurredAt == seen.At && string.CompareOrdinal(handle, seen.Handle) < 0))
                {
                    _handles[user] = (f.OccurredAt, handle);
                }
            }
        }
    }

    public string? Of(string userId) => _handles.TryGetValue(userId, out var h) ? h.Handle : null;

    /// <summary>Every user with a known handle, and that handle.</summary>
    public IEnumerable<(string UserId, string Handle)> All => _handles.Select(h => (h.Key, h.Value.Handle));
}
