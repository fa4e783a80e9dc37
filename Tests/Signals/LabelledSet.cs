using Engage.Domain.Signals.Training;

namespace Engage.Tests.Signals;

/// <summary>Where the labelled texts are: the committed set, and the full set (Slack included) beside the repository.</summary>
public static class LabelledSet
{
    /// <summary>The folder holding EngageFunctions.sln, found by walking up from the test binaries.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EngageFunctions.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("EngageFunctions.sln not found above the test binaries");
        }
    }

    /// <summary>Tests/Signals/labelled.jsonl (README.md beside it).</summary>
    public static IReadOnlyList<LabelledText> Load() => LabelledText.Load(Path.Combine(Root, "Tests", "Signals", "labelled.jsonl"));

    /// <summary>
    /// The data folder beside the repository (<c>../shared/data</c>, or <c>ENGAGE_SHARED_DATA</c> when set), or null
    /// when it is absent (a fresh clone): the evaluations that need it are then skipped.
    /// </summary>
    public static string? SharedData
    {
        get
        {
            var candidates = new[] { Environment.GetEnvironmentVariable("ENGAGE_SHARED_DATA"), Path.Combine(Root, "..", "shared", "data") };
            return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && Directory.Exists(Path.Combine(c, "signals")));
        }
    }
}

/// <summary>A fact that runs only when the data folder beside the repository exists (see <see cref="LabelledSet.SharedData"/>).</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (LabelledSet.SharedData is null)
        {
            Skip = "../shared/data is not beside the repository (set ENGAGE_SHARED_DATA to evaluate on it)";
        }
    }
}
