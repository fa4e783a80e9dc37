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

    public Engage.Domain.Signals.SignalSet Expected => Labels.Aggregate(Engage.Domain.Signals.SignalSet.None, (all, label) => all | LabelledSet.Parse(label));
}

internal static class LabelledSet
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The signals the classifier decides (Answer is the fold's).</summary>
    public static readonly Engage.Domain.Signals.SignalSet[] Evaluated =
    [
        Engage.Domain.Signals.SignalSet.Question, Engage.Domain.Signals.SignalSet.Thanks, Engage.Domain.Signals.SignalSet.Recommendation,
        Engage.Domain.Signals.SignalSet.Evidence, Engage.Domain.Signals.SignalSet.LowContent, Engage.Domain.Signals.SignalSet.LinkOnly,
    ];

    public static Engage.Domain.Signals.SignalSet Parse(string label) => label switch
    {
        "question" => Engage.Domain.Signals.SignalSet.Question,
        "thanks" => Engage.Domain.Signals.SignalSet.Thanks,
        "recommendation" => Engage.Domain.Signals.SignalSet.Recommendation,
        "evidence" => Engage.Domain.Signals.SignalSet.Evidence,
        "lowContent" => Engage.Domain.Signals.SignalSet.LowContent,
        "linkOnly" => Engage.Domain.Signals.SignalSet.LinkOnly,
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
