using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Domain.Scoring;

/// <summary>What kind of help an interaction gave a user (scoring.md, "owed"): what the digest names and owed lists weigh.</summary>
public enum HelpKind
{
    None,
    AcceptedAnswer,
    Answer,
    Reply,
    Recommendation,
    Quote,
}

/// <summary>
/// Help received, the ground of "owed (repay them)": B's answers and substantive replies to A's items,
/// recommendations of A, and quotes of A's items with substantive text. Asks (questions to A, other
/// mentions of A), thanks, reactions, follows and broadcast rows are not help, however many points
/// they give in reciprocity.
/// </summary>
public static class Help
{
    /// <summary>The help <paramref name="i"/> gives <paramref name="userId"/>, or <see cref="HelpKind.None"/>.</summary>
    public static HelpKind To(Resolved i, string userId)
    {
        if (i.Actor == userId)
        {
            return HelpKind.None;
        }

        var s = i.Signals;
        if (Has(s, Sig.Recommendation) && i.Mentions.Contains(userId) && i.Kind is InteractionKind.Post or InteractionKind.Reply or InteractionKind.Quote)
        {
            return HelpKind.Recommendation;
        }

        if (i.Kind == InteractionKind.Reply && i.ParentAuthor == userId)
        {
            if (i.Accepted)
            {
                return HelpKind.AcceptedAnswer;
            }

            if (Has(s, Sig.LowContent))
            {
                return HelpKind.None;
            }

            if (Has(s, Sig.Answer))
            {
                return HelpKind.Answer;
            }

            // A reply that asks A something is an ask, one that thanks A is thanks: neither is help.
            return Has(s, Sig.Question) || Has(s, Sig.Thanks) ? HelpKind.None : HelpKind.Reply;
        }

        if (i.Kind == InteractionKind.Quote && i.SubjectAuthor == userId
            && !Has(s, Sig.LinkOnly) && !Has(s, Sig.LowContent) && !Has(s, Sig.Question) && !Has(s, Sig.Thanks))
        {
            return HelpKind.Quote;
        }

        return HelpKind.None;
    }

    private static bool Has(Sig set, Sig one) => (set & one) != 0;
}
