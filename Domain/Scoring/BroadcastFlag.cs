using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Domain.Scoring;

/// <summary>
/// Whether an authored interaction (post, reply, repost, quote) scores a broadcast row: the same answer as
/// <c>Points.Of(i, o).Broadcast</c>, without building the row where the table cannot change it. The community
/// fold asks this of every authored interaction of the window, and the full row (a chain of comparisons of
/// points) was a seventh of its time (docs/decisions/1221-community-fold-tables.md).
/// </summary>
/// <remarks>
/// Only the broadcast rows (repost, link-only quote, low-content reply, link-only post, plain post) are
/// broadcast, and <see cref="Points.Of"/> only ever replaces its first row by a higher non-broadcast row
/// (answer, accepted answer, question, thanks, recommendation). So: a repost is broadcast; a reply that is not
/// a self-reply is broadcast exactly when it is a low-content reply (its other rows are all non-broadcast);
/// a quote or a post whose signals offer no such replacement keeps its first row. The remaining cases (a
/// quote or post with thanks, recommendation or, for a post, question) ask <see cref="Points.Of"/>.
/// The equality with <see cref="Points.Of"/> is tested over every signal combination.
/// </remarks>
public static class BroadcastFlag
{
    public static bool Of(Resolved i, ScoringOptions o) => Of(i, o, i.SelfReply, Points.MentionsOther(i));

    /// <summary>
    /// <see cref="Of(Resolved, ScoringOptions)"/> with the two string comparisons it needs already made by the caller:
    /// the community fold's pass compares the parent author and the mentions with the actor anyway (by hash first),
    /// so it does not read those strings a second time (docs/decisions/1261-community-fold-prefetch-and-one-comparison.md).
    /// </summary>
    /// <param name="selfReply"><see cref="Resolved.SelfReply"/> of <paramref name="i"/>.</param>
    /// <param name="mentionsOther">Whether a mention of <paramref name="i"/> names someone other than its actor.</param>
    public static bool Of(Resolved i, ScoringOptions o, bool selfReply, bool mentionsOther)
    {
        var s = i.Signals;
        switch (i.Kind)
        {
            case InteractionKind.Repost:
                return true;
            case InteractionKind.Quote when (s & (Sig.Thanks | Sig.Recommendation)) == 0:
                return (s & (Sig.LinkOnly | Sig.LowContent)) != 0;
            case InteractionKind.Reply when !selfReply:
                return (s & Sig.LowContent) != 0 && !i.Accepted;
            case InteractionKind.Post or InteractionKind.Reply when (s & (Sig.Question | Sig.Thanks | Sig.Recommendation)) == 0:
                return (s & Sig.LinkOnly) != 0 || !mentionsOther;
            default:
                return Points.Of(i, o).Broadcast;
        }
    }
}
