using Engage.Domain.Interactions;
using Engage.Domain.Signals;

namespace Engage.Domain.Scoring;

/// <summary>Plain counts of a user's authored interactions in a window (api.md <c>counts</c>).</summary>
public sealed record Counts
{
    public int Post { get; init; }
    public int Reply { get; init; }
    public int Repost { get; init; }
    public int Quote { get; init; }
    public int Reaction { get; init; }
    public int Follow { get; init; }
    public int Question { get; init; }
    public int Answer { get; init; }
    public int Thanks { get; init; }
    public int Recommendation { get; init; }
    public int Evidence { get; init; }
    public int LowContent { get; init; }
    public int LinkOnly { get; init; }
    public int MentionsMade { get; init; }

    public int OfKind(InteractionKind kind) => kind switch
    {
        InteractionKind.Post => Post,
        InteractionKind.Reply => Reply,
        InteractionKind.Repost => Repost,
        InteractionKind.Quote => Quote,
        InteractionKind.Reaction => Reaction,
        _ => Follow,
    };

    public Counts Add(InteractionKind kind, Signals.Signals signals, int mentions) => this with
    {
        Post = Post + (kind == InteractionKind.Post ? 1 : 0),
        Reply = Reply + (kind == InteractionKind.Reply ? 1 : 0),
        Repost = Repost + (kind == InteractionKind.Repost ? 1 : 0),
        Quote = Quote + (kind == InteractionKind.Quote ? 1 : 0),
        Reaction = Reaction + (kind == InteractionKind.Reaction ? 1 : 0),
        Follow = Follow + (kind == InteractionKind.Follow ? 1 : 0),
        Question = Question + Has(signals, Signals.Signals.Question),
        Answer = Answer + Has(signals, Signals.Signals.Answer),
        Thanks = Thanks + Has(signals, Signals.Signals.Thanks),
        Recommendation = Recommendation + Has(signals, Signals.Signals.Recommendation),
        Evidence = Evidence + Has(signals, Signals.Signals.Evidence),
        LowContent = LowContent + Has(signals, Signals.Signals.LowContent),
        LinkOnly = LinkOnly + Has(signals, Signals.Signals.LinkOnly),
        MentionsMade = MentionsMade + mentions,
    };

    private static int Has(Signals.Signals set, Signals.Signals one) => (set & one) != 0 ? 1 : 0;
}
