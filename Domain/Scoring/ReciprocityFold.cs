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

    public static Reciprocity Fold(string userId, IReadOnlyList<Resolved> interactions, Func<string, string?> handleOf, Window window, ScoringOptions options, int top = 50)
    {
        var given = new Dictionary<string, Flow>(StringComparer.Ordinal);
        var received = new Dictionary<string, Flow>(StringComparer.Ordinal);
        var last = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var help = new Dictionary<string, Flow>(StringComparer.Ordinal);
        var firstHelp = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var asks = new List<Resolved>();
        var myReplies = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);

        foreach (var i in interactions)
        {
            if (i.OccurredAt > window.AsOf)
            {
                continue;
            }

            if (i.Actor == userId && i.Kind == InteractionKind.Reply && i.ParentId is { } parent)
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

            var points = Points.Of(i, options).Points * options.Decay(i.OccurredAt, window.AsOf);
            var targets = i.GiveTargets();
            if (i.Actor == userId)
            {
                foreach (var b in targets)
                {
                    given[b] = (given.GetValueOrDefault(b) ?? Flow.Zero).Add(points);
                    Touch(last, b, i.OccurredAt);
                }
            }
            else if (targets.Contains(userId))
            {
                var b = i.Actor;
                received[b] = (received.GetValueOrDefault(b) ?? Flow.Zero).Add(points);
                Touch(last, b, i.OccurredAt);
                if (Help.To(i, userId) != HelpKind.None)
                {
                    help[b] = (help.GetValueOrDefault(b) ?? Flow.Zero).Add(points);
                    if (!firstHelp.TryGetValue(b, out var first) || i.OccurredAt < first)
                    {
                        firstHelp[b] = i.OccurredAt;
                    }
                }
            }

            var isAsk = i.Actor != userId
                && ((i.Kind == InteractionKind.Reply && i.ParentAuthor == userId) || i.Mentions.Contains(userId));
            if (isAsk)
            {
                asks.Add(i);
            }
        }

        var givenTotal = Sum(given.Values);
        var receivedTotal = Sum(received.Values);
        double reciprocated = 0;
        var counterparts = new List<Counterpart>();
        var owed = new List<Owed>();
        foreach (var b in last.Keys)
        {
            var g = given.GetValueOrDefault(b) ?? Flow.Zero;
            var r = received.GetValueOrDefault(b) ?? Flow.Zero;
            reciprocated += Math.Min(g.Points, r.Points);
            var total = g.Points + r.Points;
            counterparts.Add(new Counterpart(b, handleOf(b), g, r, total == 0 ? 0 : (g.Points - r.Points) / total, last[b]));
            // Owed is about help received, not about every give: a question to A is an ask, not a favour.
            if (help.TryGetValue(b, out var h) && h.Points >= OwedThreshold && g.Points < 0.5 * h.Points)
            {
                owed.Add(new Owed(b, handleOf(b), h, g, firstHelp[b]));
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
            counterparts.OrderByDescending(c => c.LastInteractionAt).ThenBy(c => c.UserId, StringComparer.Ordinal).Take(top).ToList(),
            owed.OrderByDescending(o => o.Received.Points).ThenBy(o => o.UserId, StringComparer.Ordinal).ToList(),
            open.OrderBy(q => q.AskedAt).ThenBy(q => q.Id, StringComparer.Ordinal).ToList());
    }

    private static void Touch(Dictionary<string, DateTimeOffset> last, string user, DateTimeOffset at)
    {
        if (!last.TryGetValue(user, out var seen) || at > seen)
        {
            last[user] = at;
        }
    }

    private static Flow Sum(IEnumerable<Flow> flows)
    {
        var total = Flow.Zero;
        foreach (var f in flows)
        {
            total = new Flow(total.Count + f.Count, total.Points + f.Points);
        }

        return total;
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
