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
            if (!window.Contains(i.OccurredAt) || (i.Signals & Signals.SignalSet.Question) == 0)
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
