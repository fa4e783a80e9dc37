using System.Globalization;
using System.Text;

namespace Engage.Domain.Signals.Training;

/// <summary>Counts of one signal over a set of texts; texts whose label is null are left out.</summary>
public sealed record SignalScore(int TruePositives, int FalsePositives, int FalseNegatives, int TrueNegatives)
{
    public int Support => TruePositives + FalseNegatives;

    /// <summary>tp / (tp + fp); 1 when nothing was predicted.</summary>
    public double Precision => TruePositives + FalsePositives == 0 ? 1.0 : (double)TruePositives / (TruePositives + FalsePositives);

    /// <summary>tp / (tp + fn); 1 when there is nothing to find.</summary>
    public double Recall => Support == 0 ? 1.0 : (double)TruePositives / Support;

    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

/// <summary>The prediction for each labelled text, made by a classifier that never saw that text in training.</summary>
public sealed record Predictions(IReadOnlyList<LabelledText> Items, IReadOnlyList<SignalSet> Predicted)
{
    public SignalScore Score(SignalSet signal, string? platform = null)
    {
        int tp = 0, fp = 0, fn = 0, tn = 0;
        for (var i = 0; i < Items.Count; i++)
        {
            if ((platform is not null && Items[i].Platform != platform) || Items[i].Label(signal) is not { } expected)
            {
                continue;
            }

            var got = (Predicted[i] & signal) != 0;
            tp += expected && got ? 1 : 0;
            fp += !expected && got ? 1 : 0;
            fn += expected && !got ? 1 : 0;
            tn += !expected && !got ? 1 : 0;
        }

        return new SignalScore(tp, fp, fn, tn);
    }

    /// <summary>A Markdown table: per signal P/R/F1 and support, then per platform P/R per signal.</summary>
    public string Table()
    {
        var b = new StringBuilder();
        b.AppendLine("| signal | precision | recall | F1 | positives | texts |");
        b.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var signal in SignalModel.Modelled)
        {
            var s = Score(signal);
            b.AppendLine(CultureInfo.InvariantCulture,
                $"| {SignalModel.Name(signal)} | {s.Precision:F3} | {s.Recall:F3} | {s.F1:F3} | {s.Support} | {s.TruePositives + s.FalsePositives + s.FalseNegatives + s.TrueNegatives} |");
        }

        b.AppendLine();
        b.Append("| platform (texts) |");
        foreach (var signal in SignalModel.Modelled)
        {
            b.Append(CultureInfo.InvariantCulture, $" {SignalModel.Name(signal)} P / R (n+) |");
        }

        b.AppendLine();
        b.Append("|---|").Append(string.Concat(Enumerable.Repeat("---|", SignalModel.Modelled.Count))).AppendLine();
        foreach (var platform in Items.Select(i => i.Platform).Distinct().Order(StringComparer.Ordinal))
        {
            b.Append(CultureInfo.InvariantCulture, $"| {platform} ({Items.Count(i => i.Platform == platform)}) |");
            foreach (var signal in SignalModel.Modelled)
            {
                var s = Score(signal, platform);
                b.Append(s.Support == 0 && s.FalsePositives == 0
                    ? " – |"
                    : string.Create(CultureInfo.InvariantCulture, $" {s.Precision:F2} / {s.Recall:F2} ({s.Support}) |"));
            }

            b.AppendLine();
        }

        return b.ToString();
    }
}

/// <summary>How a classifier is built for evaluation.</summary>
public enum SignalApproach
{
    /// <summary>The declarative rules alone (nothing trained).</summary>
    Rules,

    /// <summary>A linear head over words and shape, without the rules.</summary>
    Linear,

    /// <summary>A linear head over words, shape and the rules that fired (the shipped approach).</summary>
    Hybrid,

    /// <summary>Hybrid plus character 3-grams.</summary>
    HybridChars,
}

/// <summary>Training and k-fold cross-validation of the classifier on labelled texts.</summary>
public static class SignalEvaluation
{
    public const int Seed = 20261130;

    public static SignalFeatureSet FeatureSet(SignalApproach approach) => approach switch
    {
        SignalApproach.Linear => SignalFeatureSet.Words | SignalFeatureSet.Shape,
        SignalApproach.Hybrid => SignalFeatureSet.Hybrid,
        SignalApproach.HybridChars => SignalFeatureSet.Hybrid | SignalFeatureSet.Chars,
        _ => SignalFeatureSet.None,
    };

    /// <summary>Trains the linear head on <paramref name="items"/> (the labelled signals of each; nulls left out).</summary>
    public static SignalModel Train(IReadOnlyList<LabelledText> items, SignalFeatureSet set, TrainerOptions? options = null, SignalLexicon? lexicon = null, IReadOnlyDictionary<SignalSet, SignalCombine>? combine = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        var classifier = new SignalClassifier(lexicon ?? new SignalLexicon(), null);
        var features = items.Select(i => classifier.Features(i.Input, set)).ToList();
        return Train(items, features, set, options ?? new TrainerOptions(), combine ?? SignalModel.DefaultCombine);
    }

    private static SignalModel Train(IReadOnlyList<LabelledText> items, IReadOnlyList<IReadOnlyCollection<string>> features, SignalFeatureSet set, TrainerOptions options, IReadOnlyDictionary<SignalSet, SignalCombine> combine)
    {
        var model = new SignalModel { FeatureSet = set };
        foreach (var signal in SignalModel.Modelled)
        {
            var examples = new List<(IReadOnlyCollection<string>, bool)>();
            for (var i = 0; i < items.Count; i++)
            {
                if (signal == SignalSet.LinkOnly && items[i].InteractionKind == Interactions.InteractionKind.Reply)
                {
                    continue; // never decided for replies
                }

                if (items[i].Label(signal) is { } label)
                {
                    examples.Add((features[i], label));
                }
            }

            var how = combine.GetValueOrDefault(signal, SignalCombine.Model);
            var weights = how == SignalCombine.Rules ? new SignalWeights() : LogisticTrainer.Train(examples, options);
            model.Signals[SignalModel.Name(signal)] = new SignalWeights
            {
                Bias = weights.Bias,
                Weights = weights.Weights,
                Threshold = weights.Threshold,
                Combine = how,
            };
        }

        return model;
    }

    /// <summary>
    /// Stratified k-fold assignment with a fixed seed: texts are grouped by their positive labels, shuffled within
    /// a group, and dealt round-robin, so every fold holds a share of every signal's positives.
    /// </summary>
    public static int[] Folds(IReadOnlyList<LabelledText> items, int k, int seed = Seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        var random = new Random(seed);
        var folds = new int[items.Count];
        var next = 0;
        var groups = Enumerable.Range(0, items.Count)
            .GroupBy(i => Key(items[i]))
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var members = group.ToArray();
            random.Shuffle(members);
            foreach (var i in members)
            {
                folds[i] = next;
                next = (next + 1) % k;
            }
        }

        return folds;
    }

    private static string Key(LabelledText item) =>
        string.Concat(SignalModel.Modelled.Select(s => item.Label(s) == true ? "1" : "0"));

    /// <summary>Predictions for every text by a classifier trained on the other k−1 folds (rules: no training).</summary>
    public static Predictions CrossValidate(IReadOnlyList<LabelledText> items, SignalApproach approach, int k = 5, TrainerOptions? options = null, SignalLexicon? lexicon = null, IReadOnlyDictionary<SignalSet, SignalCombine>? combine = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        lexicon ??= new SignalLexicon();
        var predicted = new SignalSet[items.Count];
        if (approach == SignalApproach.Rules)
        {
            var rules = new SignalClassifier(lexicon, null);
            for (var i = 0; i < items.Count; i++)
            {
                predicted[i] = rules.Classify(items[i].Input);
            }

            return new Predictions(items, predicted);
        }

        var set = FeatureSet(approach);
        var extractor = new SignalClassifier(lexicon, null);
        var features = items.Select(i => extractor.Features(i.Input, set)).ToList();
        var folds = Folds(items, k);
        for (var fold = 0; fold < k; fold++)
        {
            var train = Enumerable.Range(0, items.Count).Where(i => folds[i] != fold).ToList();
            var model = Train(train.Select(i => items[i]).ToList(), train.Select(i => features[i]).ToList(), set, options ?? new TrainerOptions(), combine ?? SignalModel.DefaultCombine);
            var classifier = new SignalClassifier(lexicon, model);
            for (var i = 0; i < items.Count; i++)
            {
                if (folds[i] == fold)
                {
                    predicted[i] = classifier.Classify(items[i].Input);
                }
            }
        }

        return new Predictions(items, predicted);
    }
}
