using System.Text.Json;
using System.Text.Json.Serialization;
using Engage.Domain.Interactions;

namespace Engage.Domain.Signals.Training;

/// <summary>
/// One labelled text: a real post or reply with, per modelled signal, <c>true</c>/<c>false</c> where two independent
/// annotators agreed and <c>null</c> where they did not (left out of that signal's training and evaluation).
/// </summary>
public sealed record LabelledText(
    string Id,
    string Platform,
    string Kind,
    IReadOnlyList<string> Mentions,
    string Text,
    IReadOnlyDictionary<string, bool?> Labels)
{
    public InteractionKind InteractionKind => Kind switch
    {
        "reply" => InteractionKind.Reply,
        "quote" => InteractionKind.Quote,
        _ => InteractionKind.Post,
    };

    public SignalInput Input => new(Text, InteractionKind, Mentions);

    /// <summary>The agreed label of <paramref name="signal"/>, or null when the annotators disagreed or it was not labelled.</summary>
    public bool? Label(SignalSet signal) =>
        Labels.TryGetValue(SignalModel.Name(signal), out var value) ? value : null;

    /// <summary>Reads a JSON-lines file of <c>{id, platform, kind, mentions, text, labels}</c>.</summary>
    public static IReadOnlyList<LabelledText> Load(string path)
    {
        var items = new List<LabelledText>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var row = JsonSerializer.Deserialize<Row>(line, Options) ?? throw new InvalidDataException($"{path}: empty line");
            items.Add(new LabelledText(row.Id, row.Platform, row.Kind, row.Mentions ?? [], row.Text ?? string.Empty, row.Labels ?? []));
        }

        return items;
    }

    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    private sealed record Row(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("platform")] string Platform,
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("mentions")] List<string>? Mentions,
        [property: JsonPropertyName("text")] string? Text,
        [property: JsonPropertyName("labels")] Dictionary<string, bool?>? Labels);
}
