using System.Text.Json;
using Engage.Domain.Interactions;
using Engage.Domain.Signals;

namespace Engage.Tests.Signals;

/// <summary>One line of Tests/Signals/labelled.jsonl.</summary>
public sealed record LabelledItem(string Id, string Source, string Kind, string Text, IReadOnlyList<string> Labels)
{
    public InteractionKind InteractionKind => Kind switch
    {
        "post" => InteractionKind.Post,
        "reply" => InteractionKind.Reply,
        "quote" => InteractionKind.Quote,
        _ => throw new InvalidDataException($"Unknown kind '{Kind}' in labelled item {Id}"),
    };

    public Engage.Domain.Signals.Signals Expected => Labels.Aggregate(Engage.Domain.Signals.Signals.None, (all, label) => all | LabelledSet.Parse(label));
}

internal static class LabelledSet
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The signals the classifier decides (Answer is the fold's).</summary>
    public static readonly Engage.Domain.Signals.Signals[] Evaluated =
    [
        Engage.Domain.Signals.Signals.Question, Engage.Domain.Signals.Signals.Thanks, Engage.Domain.Signals.Signals.Recommendation,
        Engage.Domain.Signals.Signals.Evidence, Engage.Domain.Signals.Signals.LowContent, Engage.Domain.Signals.Signals.LinkOnly,
    ];

    public static Engage.Domain.Signals.Signals Parse(string label) => label switch
    {
        "question" => Engage.Domain.Signals.Signals.Question,
        "thanks" => Engage.Domain.Signals.Signals.Thanks,
        "recommendation" => Engage.Domain.Signals.Signals.Recommendation,
        "evidence" => Engage.Domain.Signals.Signals.Evidence,
        "lowContent" => Engage.Domain.Signals.Signals.LowContent,
        "linkOnly" => Engage.Domain.Signals.Signals.LinkOnly,
        _ => throw new InvalidDataException($"Unknown label '{label}'"),
    };

    /// <summary>Tests/Signals/labelled.jsonl, found by walking up from the test binaries to the folder holding EngageFunctions.sln.</summary>
    public static IReadOnlyList<LabelledItem> Load()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EngageFunctions.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException($"No EngageFunctions.sln above {AppContext.BaseDirectory}");
        }

        var path = Path.Combine(dir.FullName, "Tests", "Signals", "labelled.jsonl");
        return File.ReadLines(path)
            .Where(line => line.Length > 0)
            .Select(line => JsonSerializer.Deserialize<LabelledItem>(line, Json) ?? throw new InvalidDataException($"Bad line in {path}"))
            .ToList();
    }
}
