using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engage.Domain.Signals;

/// <summary>Which features the linear head reads (docs/signals.md, "How it works").</summary>
[Flags]
public enum SignalFeatureSet
{
    None = 0,

    /// <summary>Words of the author's own prose (lower-cased) and word pairs within a sentence.</summary>
    Words = 1,

    /// <summary>Shape of the text: kind, counts of words, links, mentions, hashtags, emoji, lines, '?' and '!', and their conjunctions.</summary>
    Shape = 2,

    /// <summary>The rules that fired (rule names, also per kind).</summary>
    Rules = 4,

    /// <summary>Character 3-grams of the words (tried; see docs/signals.md).</summary>
    Chars = 8,

    Hybrid = Words | Shape | Rules,
}

/// <summary>How the rules and the linear head decide one signal together.</summary>
public enum SignalCombine
{
    /// <summary>The rules alone decide.</summary>
    Rules,

    /// <summary>The linear head alone decides (it reads the rules that fired as features).</summary>
    Model,

    /// <summary>Set when a rule fires or the linear head says yes.</summary>
    Either,
}

/// <summary>Weights of one signal's logistic regression: p = σ(bias + Σ weight of each present feature).</summary>
public sealed class SignalWeights
{
    [JsonPropertyName("bias")]
    public double Bias { get; init; }

    [JsonPropertyName("combine")]
    public SignalCombine Combine { get; init; } = SignalCombine.Model;

    [JsonPropertyName("threshold")]
    public double Threshold { get; init; } = 0.5;

    [JsonPropertyName("weights")]
    public SortedDictionary<string, double> Weights { get; init; } = new(StringComparer.Ordinal);

    private FrozenDictionary<string, double>? lookup;

    /// <summary>The weight of <paramref name="feature"/>, 0 when it has none (ordinal hash lookup).</summary>
    public double Weight(string feature) =>
        (lookup ??= Weights.ToFrozenDictionary(StringComparer.Ordinal)).GetValueOrDefault(feature);

    /// <summary>The probability of the signal given <paramref name="features"/> (each counted once).</summary>
    public double Probability(IReadOnlyCollection<string> features)
    {
        var z = Bias;
        foreach (var feature in features)
        {
            z += Weight(feature);
        }

        return 1.0 / (1.0 + Math.Exp(-z));
    }
}

/// <summary>
/// The trained linear head of the classifier: one logistic regression per modelled signal over the features of
/// <see cref="FeatureSet"/>. Built by <c>dotnet run --project bench/Engage.Bench -- train-signals</c> from the
/// labelled texts in Tests/Signals, deterministically; the committed artefact is <c>signal-model.json</c>.
/// </summary>
public sealed class SignalModel
{
    /// <summary>The signals the model decides; <see cref="SignalSet.Evidence"/> stays a rule and <see cref="SignalSet.Answer"/> is the fold's.</summary>
    public static IReadOnlyList<SignalSet> Modelled { get; } =
        [SignalSet.Question, SignalSet.Thanks, SignalSet.Recommendation, SignalSet.LowContent, SignalSet.LinkOnly];

    [JsonPropertyName("features")]
    public SignalFeatureSet FeatureSet { get; init; } = SignalFeatureSet.Hybrid;

    [JsonPropertyName("signals")]
    public SortedDictionary<string, SignalWeights> Signals { get; init; } = new(StringComparer.Ordinal);

    public static bool IsModelled(SignalSet signal) => Modelled.Contains(signal);

    /// <summary>
    /// How each signal is decided in the shipped classifier, chosen by 5-fold cross-validation (docs/signals.md):
    /// the rules keep thanks; the linear head joins the rules for the others.
    /// </summary>
    public static IReadOnlyDictionary<SignalSet, SignalCombine> DefaultCombine { get; } = new Dictionary<SignalSet, SignalCombine>
    {
        [SignalSet.Question] = SignalCombine.Model,
        [SignalSet.Thanks] = SignalCombine.Rules,
        [SignalSet.Recommendation] = SignalCombine.Either,
        [SignalSet.LowContent] = SignalCombine.Either,
        [SignalSet.LinkOnly] = SignalCombine.Either,
    };

    /// <summary>The guide's name of a signal ("lowContent").</summary>
    public static string Name(SignalSet signal) => signal switch
    {
        SignalSet.Question => "question",
        SignalSet.Thanks => "thanks",
        SignalSet.Recommendation => "recommendation",
        SignalSet.LowContent => "lowContent",
        SignalSet.LinkOnly => "linkOnly",
        SignalSet.Evidence => "evidence",
        SignalSet.Answer => "answer",
        _ => signal.ToString(),
    };

    public SignalWeights? For(SignalSet signal) => Signals.GetValueOrDefault(Name(signal));

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions) + "\n";

    public static SignalModel FromJson(string json) =>
        JsonSerializer.Deserialize<SignalModel>(json, JsonOptions) ?? throw new InvalidDataException("empty signal model");

    /// <summary>Name of the embedded artefact in Engage.Domain.</summary>
    public const string ResourceName = "Engage.Domain.Signals.signal-model.json";

    private static readonly Lazy<SignalModel?> Embedded = new(() =>
    {
        using var stream = typeof(SignalModel).Assembly.GetManifestResourceStream(ResourceName);
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return FromJson(reader.ReadToEnd());
    });

    /// <summary>The committed model, or null when the assembly carries none (then the rules decide alone).</summary>
    public static SignalModel? Default => Embedded.Value;

    internal static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
