using Engage.Domain.Signals;

namespace Engage.Functions.Ingest;

/// <summary>
/// What ingestion asks of the text classifier: the signals of one text and the version that read them.
/// A seam so that a classifier upgrade (or a failing one, in tests) can be put in without touching ingestion.
/// </summary>
public interface ITextClassifier
{
    /// <summary>Stored on each fact; a newer version may rewrite the signals of facts read by an older one.</summary>
    string Version { get; }

    SignalSet Classify(SignalInput input);
}

/// <summary>The Domain classifier with its configured lexicon.</summary>
public sealed class LexiconTextClassifier(SignalClassifier classifier) : ITextClassifier
{
    public string Version => SignalClassifier.ClassifierVersion;

    public SignalSet Classify(SignalInput input) => classifier.Classify(input);
}

/// <summary>
/// Order of classifier versions: dotted numbers compare numerically (<c>1.10</c> is after <c>1.9</c>),
/// anything else ordinally; a fact without a version (written before versions were recorded, or whose
/// classification failed) is older than every version.
/// </summary>
public static class ClassifierVersions
{
    public static bool IsNewer(string? candidate, string? stored)
    {
        if (candidate is null)
        {
            return false;
        }

        if (stored is null)
        {
            return true;
        }

        return System.Version.TryParse(candidate, out var c) && System.Version.TryParse(stored, out var s)
            ? c > s
            : string.CompareOrdinal(candidate, stored) > 0;
    }
}
