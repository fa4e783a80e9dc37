namespace Engage.Domain.Signals;

/// <summary>Interim lexicon (replaced by the full classifier).</summary>
public sealed class SignalLexicon
{
    public List<string> Thanks { get; set; } = ["thanks", "thank you", "thx", "appreciate", "grateful", "kudos"];
}
