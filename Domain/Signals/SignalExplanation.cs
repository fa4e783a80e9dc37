namespace Engage.Domain.Signals;

/// <summary>Why a signal was set: the rule that fired and the span of the text it matched (offsets into the input text).</summary>
public sealed record SignalReason(SignalSet Signal, string Rule, int Start, int Length, string Text);

/// <summary>The signals of one text and, per signal, the reasons that set it.</summary>
public sealed record SignalExplanation(SignalSet Signals, IReadOnlyList<SignalReason> Reasons)
{
    public static SignalExplanation None { get; } = new(SignalSet.None, []);
}
