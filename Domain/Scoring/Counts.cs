using Engage.Domain.Interactions;
using Engage.Domain.Signals;

namespace Engage.Domain.Scoring;

/// <summary>Plain counts of a user's authored interactions in a window (docs/api.md <c>counts</c>).</summary>
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

    public Counts Add(InteractionKind kind, Signals.SignalSet signals, int mentions) => this with
    {
        Post = Post + (kind == InteractionKind.Post ? 1 : 0),
        Reply = Reply + (kind == InteractionKind.Reply ? 1 : 0),
        Repost = Repost + (kind == InteractionKind.Repost ? 1 : 0),
        Quote = Quote + (kind == InteractionKind.Quote ? 1 : 0),
        Reaction = Reaction + (kind == InteractionKind.Reaction ? 1 : 0),
        Follow = Follow + (kind == InteractionKind.Follow ? 1 : 0),
        Question = Question + Has(signals, Signals.SignalSet.Question),
        Answer = Answer + Has(signals, Signals.SignalSet.Answer),
        Thanks = Thanks + Has(signals, Signals.SignalSet.Thanks),
        Recommendation = Recommendation + Has(signals, Signals.SignalSet.Recommendation),
        Evidence = Evidence + Has(signals, Signals.SignalSet.Evidence),
        LowContent = LowContent + Has(signals, Signals.SignalSet.LowContent),
        LinkOnly = LinkOnly + Has(signals, Signals.SignalSet.LinkOnly),
        MentionsMade = MentionsMade + mentions,
    };

    private static int Has(Signals.SignalSet set, Signals.SignalSet one) => (set & one) != 0 ? 1 : 0;
}
