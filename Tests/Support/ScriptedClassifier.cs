using Engage.Domain.Signals;
using Engage.Functions.Ingest;

namespace Engage.Tests.Support;

/// <summary>
/// A text classifier a test can change while the app runs: the real one by default, or a rule of the
/// test's own (one that throws, or a "newer version" that reads texts differently).
/// </summary>
public sealed class ScriptedClassifier : ITextClassifier
{
    private static readonly SignalClassifier Real = new(new SignalLexicon());

    public string Version { get; set; } = SignalClassifier.ClassifierVersion;

    public Func<SignalInput, SignalSet> Rule { get; set; } = Real.Classify;

    public SignalSet Classify(SignalInput input) => Rule(input);
}
