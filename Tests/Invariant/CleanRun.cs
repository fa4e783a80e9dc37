using System.Globalization;
using System.Text.Json;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Engage.Domain.Signals;
using Engage.Domain.Sources;
using Engage.Functions.Http;
using Engage.Functions.Ingest;

namespace Engage.Tests.Invariant;

/// <summary>
/// What the figures must be, computed with the Domain alone: every distinct delivery normalized once, its
/// interactions classified, the items index complete before any fact is built (as if every parent had
/// arrived first), one row per storage key, then the same folds the read API runs. No storage, no queue,
/// no order: the invariant is that the app, under duplication, reordering and concurrency, reads the same.
/// </summary>
public sealed class CleanRun
{
    public List<Fact> Facts { get; } = [];
    public Dictionary<string, ItemInfo> Items { get; } = new(StringComparer.Ordinal);
    public int Interactions { get; private set; }

    public static CleanRun Of(IEnumerable<SignedDelivery> distinct, IEnumerable<WebhookSource> sources, ITextClassifier classifier)
    {
        var bySource = sources.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var interactions = new List<Interaction>();
        foreach (var delivery in distinct)
        {
            var request = delivery.ToRequest();
            using var document = JsonDocument.Parse(request.Body);
            interactions.AddRange(bySource[delivery.Source].Normalize(request, document.RootElement).Interactions);
        }

        SignalSet Classify(Interaction i) => classifier.Classify(new SignalInput(i.Text, i.Kind, i.Mentions, Accepted: i.Accepted)) & ~SignalSet.Answer;

        var run = new CleanRun { Interactions = interactions.Count };
        foreach (var i in interactions.Where(i => i.Kind is not (InteractionKind.Reaction or InteractionKind.Follow)))
        {
            run.Items.TryAdd(i.Id, new ItemInfo(i.Id, i.Actor, i.Kind, (Classify(i) & SignalSet.Question) != 0, i.OccurredAt, i.ActorHandle));
        }

        var keys = new HashSet<(string, string)>();
        foreach (var i in interactions)
        {
            var parent = i.InReplyTo?.Id is { } parentId ? run.Items.GetValueOrDefault(parentId) : null;
            foreach (var fact in Fact.For(i, Classify(i), parent))
            {
                if (keys.Add((FactKeys.Escape(fact.UserId), FactKeys.FactRowKey(fact))))
                {
                    run.Facts.Add(fact);
                }
            }
        }

        return run;
    }

    public IEnumerable<string> Users => Facts.Select(f => f.UserId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    private IReadOnlyList<Resolved> Resolve(IReadOnlyCollection<Fact> facts) =>
        FactSet.Resolve(facts, FactSet.UnresolvedParents(facts).Where(Items.ContainsKey).ToDictionary(id => id, id => Items[id], StringComparer.Ordinal));

    public JsonElement Engagement(string user, Window window, ScoringOptions options)
    {
        var facts = Facts.Where(f => f.UserId == user).ToList();
        return ToJson(EngagementFold.Fold(user, Resolve(facts), FactSet.HandleOf(user, facts), window, options));
    }

    public JsonElement Reciprocity(string user, Window window, ScoringOptions options)
    {
        var facts = Facts.Where(f => f.UserId == user).ToList();
        return ToJson(ReciprocityFold.Fold(user, Resolve(facts), new HandleBook(facts).Of, window, options));
    }

    public JsonElement Community(Window window, ScoringOptions options) => ToJson(CommunityFold.Fold(Resolve(Facts), window, options));

    private static JsonElement ToJson<T>(T value) => JsonSerializer.SerializeToElement(value, EngageJson.Options);

    /// <summary>
    /// The first difference between <paramref name="expected"/> and <paramref name="actual"/> in the named
    /// properties (all when none are named), numbers equal within 1e-9 relative (a sum may add in another
    /// order); null when they agree.
    /// </summary>
    public static string? Difference(JsonElement expected, JsonElement actual, params string[] properties)
    {
        if (properties.Length == 0)
        {
            return Diff("$", expected, actual);
        }

        foreach (var name in properties)
        {
            var e = expected.TryGetProperty(name, out var ev) ? ev : default;
            var a = actual.TryGetProperty(name, out var av) ? av : default;
            if (Diff(name, e, a) is { } d)
            {
                return d;
            }
        }

        return null;
    }

    private static string? Diff(string path, JsonElement e, JsonElement a)
    {
        if (e.ValueKind == JsonValueKind.Number && a.ValueKind == JsonValueKind.Number)
        {
            double x = e.GetDouble(), y = a.GetDouble();
            return Math.Abs(x - y) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y)))
                ? null
                : string.Create(CultureInfo.InvariantCulture, $"{path}: expected {x}, got {y}");
        }

        if (e.ValueKind != a.ValueKind)
        {
            return $"{path}: expected {e.ValueKind} {Raw(e)}, got {a.ValueKind} {Raw(a)}";
        }

        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var names = e.EnumerateObject().Select(p => p.Name).Union(a.EnumerateObject().Select(p => p.Name)).ToList();
                foreach (var name in names)
                {
                    var ev = e.TryGetProperty(name, out var x) ? x : default;
                    var av = a.TryGetProperty(name, out var y) ? y : default;
                    if (Diff($"{path}.{name}", ev, av) is { } d)
                    {
                        return d;
                    }
                }

                return null;
            case JsonValueKind.Array:
                if (e.GetArrayLength() != a.GetArrayLength())
                {
                    return $"{path}: expected {e.GetArrayLength()} items {Raw(e)}, got {a.GetArrayLength()} {Raw(a)}";
                }

                for (var i = 0; i < e.GetArrayLength(); i++)
                {
                    if (Diff($"{path}[{i}]", e[i], a[i]) is { } d)
                    {
                        return d;
                    }
                }

                return null;
            case JsonValueKind.Undefined:
                return null;
            default:
                return e.GetRawText() == a.GetRawText() ? null : $"{path}: expected {e.GetRawText()}, got {a.GetRawText()}";
        }
    }

    private static string Raw(JsonElement e)
    {
        var text = e.ValueKind == JsonValueKind.Undefined ? "(missing)" : e.GetRawText();
        return text.Length > 300 ? text[..300] + "…" : text;
    }
}
