namespace Engage.Domain.Signals;

/// <summary>Signals an interaction can carry (docs/scoring.md), 0..n per interaction.</summary>
[Flags]
public enum SignalSet
{
    None = 0,
    Question = 1,
    Answer = 2,
    Thanks = 4,
    Recommendation = 8,
    Evidence = 16,
    LowContent = 32,
    LinkOnly = 64,
}
