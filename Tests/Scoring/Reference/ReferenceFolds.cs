// The reciprocity and community folds as they were before interning (commit fd9d4b0), kept verbatim as the
// oracle the fast folds are compared with (Tests/Scoring/InternedFoldEqualityTests.cs) and as the "old" side
// of bench/Engage.Bench.Folds, which compiles this file too. Do not optimise it.
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;

namespace Engage.Tests.Scoring.Reference;

/// <summary>The reciprocity fold before interning: string-keyed dictionaries, a <see cref="Flow"/> record per give.</summary>
internal static class ReferenceReciprocityFold
{
    private static readonly TimeSpan ReplyWindow = ReciprocityFold.ReplyWindow;
    private const double OwedThreshold = ReciprocityFold.OwedThreshold;

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

            if (reply is null && (ask.Signals & Engage.Domain.Signals.SignalSet.Question) != 0)
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

/// <summary>The community fold before interning: a set of (string, string) pairs.</summary>
internal static class ReferenceCommunityFold
{
    /// <param name="interactions">Every interaction of the window, resolved (facts of all partitions merged by id).</param>
    public static Community Fold(IReadOnlyList<Resolved> interactions, Window window, ScoringOptions options)
    {
        var pairs = new HashSet<(string From, string To)>();
        var users = new HashSet<string>(StringComparer.Ordinal);
        var repliesByParentAndActor = new HashSet<(string Parent, string Actor)>();
        int count = 0, broadcast = 0, authored = 0;
        foreach (var i in interactions)
        {
            if (i.Kind == InteractionKind.Reply && i.ParentId is { } parent && i.OccurredAt <= window.AsOf)
            {
                repliesByParentAndActor.Add((parent, i.Actor));
            }

            if (!window.Contains(i.OccurredAt))
            {
                continue;
            }

            count++;
            foreach (var target in i.GiveTargets())
            {
                pairs.Add((i.Actor, target));
                users.Add(i.Actor);
                users.Add(target);
            }

            if (i.Kind is InteractionKind.Post or InteractionKind.Reply or InteractionKind.Repost or InteractionKind.Quote)
            {
                authored++;
                broadcast += Points.Of(i, options).Broadcast ? 1 : 0;
            }
        }

        var reciprocated = pairs.Count(p => pairs.Contains((p.To, p.From)));
        double? r = pairs.Count == 0 ? null : (double)reciprocated / pairs.Count;
        double? rho = null;
        var n = users.Count;
        if (r is { } rv && n > 1)
        {
            var density = pairs.Count / ((double)n * (n - 1));
            rho = density < 1 ? (rv - density) / (1 - density) : null;
        }

        // Open questions: a question addressed to someone (reply to them, or mention) that they have not replied to.
        var open = 0;
        foreach (var i in interactions)
        {
            if (!window.Contains(i.OccurredAt) || (i.Signals & Engage.Domain.Signals.SignalSet.Question) == 0)
            {
                continue;
            }

            var addressed = new HashSet<string>(i.Mentions, StringComparer.Ordinal);
            if (i.Kind == InteractionKind.Reply && i.ParentAuthor is { } author)
            {
                addressed.Add(author);
            }

            addressed.Remove(i.Actor);
            open += addressed.Count(a => !repliesByParentAndActor.Contains((i.Id, a)));
        }

        return new Community(window, n, count, r, rho, authored == 0 ? null : (double)broadcast / authored, open);
    }
}
