using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Domain.Scoring;

/// <summary>The row of the points table an interaction scores (docs/scoring.md "Engagement"); its name is the breakdown's <c>signal</c>.</summary>
public enum ScoreRow
{
    AcceptedAnswer,
    Answer,
    Reply,
    Question,
    Thanks,
    Recommendation,
    Quote,
    MentionPost,
    Post,
    Reaction,
    LinkOnlyQuote,
    Repost,
    LinkOnlyPost,
    LowContentReply,
    Follow,
}

/// <summary>What one interaction is worth, undecayed: its row, its points (evidence included) and whether it is broadcast.</summary>
public readonly record struct Scored(ScoreRow Row, double RowPoints, double EvidencePoints, bool Broadcast)
{
    /// <summary>The table points: what the interaction weighs as a give in reciprocity.</summary>
    public double Points => RowPoints + EvidencePoints;

    /// <summary>Multiplier of this interaction's points in the engagement score: <see cref="ScoringOptions.BroadcastWeight"/> for broadcast rows, else 1.</summary>
    public double EngagementWeight(ScoringOptions o) => Broadcast ? o.BroadcastWeight : 1;
}

public static class Points
{
    /// <summary>
    /// The highest matching row, plus evidence for a substantive reply. The broadcast rows (link-only,
    /// low-content, repost) replace the plain post and reply rows they would otherwise also match; a
    /// low-content reply is never an answer nor substantive (0.25, broadcast); a self-reply scores as a post.
    /// </summary>
    public static Scored Of(Resolved i, ScoringOptions o)
    {
        var s = i.Signals;
        switch (i.Kind)
        {
            case InteractionKind.Reaction:
                return new(ScoreRow.Reaction, o.Reaction, 0, false);
            case InteractionKind.Follow:
                return new(ScoreRow.Follow, o.Follow, 0, false);
            case InteractionKind.Repost:
                return new(ScoreRow.Repost, o.Repost, 0, true);
            case InteractionKind.Quote:
                {
                    var best = Has(s, Sig.LinkOnly) || Has(s, Sig.LowContent)
                        ? new Scored(ScoreRow.LinkOnlyQuote, o.LinkOnlyQuote, 0, true)
                        : new Scored(ScoreRow.Quote, o.Quote, 0, false);
                    return Best(best, s, o, questionCounts: false);
                }

            case InteractionKind.Reply when !i.SelfReply:
                {
                    // Accepted answers always (docs/scoring.md): a person marked it, however short it is.
                    if (Has(s, Sig.LowContent) && !i.Accepted)
                    {
                        return new(ScoreRow.LowContentReply, o.LowContentReply, 0, true);
                    }

                    var best = new Scored(ScoreRow.Reply, o.Reply, 0, false);
                    if (i.Accepted)
                    {
                        best = Max(best, new(ScoreRow.AcceptedAnswer, o.AcceptedAnswer, 0, false));
                    }

                    if (Has(s, Sig.Answer))
                    {
                        best = Max(best, new(ScoreRow.Answer, o.Answer, 0, false));
                    }

                    best = Best(best, s, o, questionCounts: true);
                    return Has(s, Sig.Evidence) ? best with { EvidencePoints = o.Evidence } : best;
                }

            default:
                {
                    // A post, or a self-reply (a thread continuation), scored as a post.
                    var plain = Has(s, Sig.LinkOnly)
                        ? new Scored(ScoreRow.LinkOnlyPost, o.LinkOnlyPost, 0, true)
                        : MentionsOther(i)
                            ? new Scored(ScoreRow.MentionPost, o.MentionPost, 0, false)
                            : Has(s, Sig.Question) ? new Scored(ScoreRow.Question, o.Question, 0, false)
                            : new Scored(ScoreRow.Post, o.Post, 0, true);
                    return Best(plain, s, o, questionCounts: true);
                }
        }
    }

    private static Scored Best(Scored best, Sig s, ScoringOptions o, bool questionCounts)
    {
        if (questionCounts && Has(s, Sig.Question))
        {
            best = Max(best, new(ScoreRow.Question, o.Question, 0, false));
        }

        if (Has(s, Sig.Thanks))
        {
            best = Max(best, new(ScoreRow.Thanks, o.Thanks, 0, false));
        }

        if (Has(s, Sig.Recommendation))
        {
            best = Max(best, new(ScoreRow.Recommendation, o.Recommendation, 0, false));
        }

        return best;
    }

    /// <summary>The larger row; on a tie the earlier (more specific) row of the table wins, so the result is deterministic.</summary>
    private static Scored Max(Scored a, Scored b) =>
        b.RowPoints > a.RowPoints || (b.RowPoints == a.RowPoints && b.Row < a.Row) ? b : a;

    /// <summary>Whether a mention names someone other than the actor (a loop, not LINQ: the folds call this per interaction).</summary>
    internal static bool MentionsOther(Resolved i)
    {
        var mentions = i.Mentions;
        for (var n = 0; n < mentions.Count; n++)
        {
            if (mentions[n] != i.Actor)
            {
                return true;
            }
        }

        return false;
    }

    private static bool Has(Sig set, Sig one) => (set & one) != 0;
}
