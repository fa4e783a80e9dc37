using Engage.Domain.Interactions;

namespace Engage.Domain.Signals;

/// <summary>Interim classifier: question marks and thanks words only (replaced by the full classifier).</summary>
public sealed class SignalClassifier(SignalLexicon lexicon)
{
    public Signals Classify(SignalInput input)
    {
        if (input.Text is not { Length: > 0 } text || input.Kind is InteractionKind.Repost or InteractionKind.Reaction or InteractionKind.Follow)
        {
            return Signals.None;
        }

        var signals = Signals.None;
        if (text.TrimEnd().EndsWith('?'))
        {
            signals |= Signals.Question;
        }

        if (lexicon.Thanks.Any(t => text.Contains(t, StringComparison.OrdinalIgnoreCase)))
        {
            signals |= Signals.Thanks;
        }

        return signals;
    }
}
