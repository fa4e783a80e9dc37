// Text-signal commands (console, not tests):
//
//   dotnet run -c Release --project bench/Engage.Bench -- signals [approaches=Rules,Linear,Hybrid,HybridChars] [texts=20000]
//     5-fold cross-validated precision/recall/F1 per signal and per platform on Tests/Signals/labelled.jsonl, and on
//     the full labelled set (Slack included) when ../shared/data exists; the committed model on the Slack texts it never
//     saw; then throughput of the classifier alone, texts/s on one core.
//   dotnet run -c Release --project bench/Engage.Bench -- train-signals
//     trains the linear head on Tests/Signals/labelled.jsonl and writes Domain/Signals/signal-model.json.
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Engage.Domain.Signals;
using Engage.Domain.Signals.Training;

namespace Engage.Bench;

internal static class SignalBench
{
    public static void Run(string command, Dictionary<string, string> options)
    {
        var root = Root();
        var committed = LabelledText.Load(Path.Combine(root, "Tests", "Signals", "labelled.jsonl"));
        if (command == "train-signals")
        {
            var watch = Stopwatch.StartNew();
            var model = SignalEvaluation.Train(committed, SignalFeatureSet.Hybrid);
            var path = Path.Combine(root, "Domain", "Signals", "signal-model.json");
            File.WriteAllText(path, model.ToJson());
            Console.WriteLine($"trained on {committed.Count} texts in {watch.ElapsedMilliseconds} ms: {path} ({model.Signals.Sum(s => s.Value.Weights.Count)} weights)");
            return;
        }

        var approaches = options.GetValueOrDefault("approaches", "Rules,Linear,Hybrid,HybridChars")
            .Split(',').Select(a => Enum.Parse<SignalApproach>(a, ignoreCase: true)).ToList();
        var shared = SharedData(root);
        var dev = Path.Combine(shared, "signals", "dev.jsonl");
        var slack = File.Exists(dev) ? LabelledText.Load(dev).Where(t => t.Platform == "slack").ToList() : [];
        var trainer = new TrainerOptions();
        trainer = trainer with
        {
            L2 = double.Parse(options.GetValueOrDefault("l2", trainer.L2.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            Iterations = int.Parse(options.GetValueOrDefault("iterations", trainer.Iterations.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            PositiveWeightExponent = double.Parse(options.GetValueOrDefault("posexp", trainer.PositiveWeightExponent.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            MinCount = int.Parse(options.GetValueOrDefault("mincount", trainer.MinCount.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
        };
        IReadOnlyDictionary<SignalSet, SignalCombine>? combine = options.GetValueOrDefault("combine") is { } all
            ? SignalModel.Modelled.ToDictionary(m => m, _ => Enum.Parse<SignalCombine>(all, ignoreCase: true))
            : null;
        foreach (var approach in approaches)
        {
            var watch = Stopwatch.StartNew();
            var cv = SignalEvaluation.CrossValidate(committed, approach, options: trainer, combine: combine);
            Console.WriteLine($"## {approach} ({options.GetValueOrDefault("combine", "shipped combination")}): 5-fold CV on the committed set ({committed.Count} texts, {watch.ElapsedMilliseconds} ms)\n");
            Console.WriteLine(cv.Table());
            if (options.GetValueOrDefault("errors") is { } errorSignal)
            {
                var signal = SignalModel.Modelled.First(m => SignalModel.Name(m) == errorSignal);
                for (var i = 0; i < committed.Count; i++)
                {
                    if (committed[i].Label(signal) is { } expected && expected != ((cv.Predicted[i] & signal) != 0))
                    {
                        var text = committed[i].Text.ReplaceLineEndings(" ");
                        Console.WriteLine($"{(expected ? "FN" : "FP")} {committed[i].Platform}/{committed[i].Kind}: {text[..Math.Min(160, text.Length)]}");
                    }
                }
            }
            if (slack.Count > 0)
            {
                var full = committed.Concat(slack).ToList();
                Console.WriteLine($"## {approach}: 5-fold CV on the full set incl. Slack ({full.Count} texts)\n");
                Console.WriteLine(SignalEvaluation.CrossValidate(full, approach, options: trainer, combine: combine).Table());
            }
        }

        if (slack.Count > 0)
        {
            var classifier = new SignalClassifier(new SignalLexicon());
            var held = new Predictions(slack, slack.Select(t => classifier.Classify(t.Input)).ToList());
            Console.WriteLine($"## Committed model on the {slack.Count} Slack texts (never in its training data)\n");
            Console.WriteLine(held.Table());
        }

        if (options.ContainsKey("nospeed"))
        {
            return;
        }

        Throughput(root, int.Parse(options.GetValueOrDefault("texts", "20000"), CultureInfo.InvariantCulture), committed);
    }

    private static void Throughput(string root, int count, IReadOnlyList<LabelledText> fallback)
    {
        var corpus = Path.Combine(SharedData(root), "corpora", "messages.jsonl.gz");
        var inputs = new List<SignalInput>();
        if (File.Exists(corpus))
        {
            using var gz = new GZipStream(File.OpenRead(corpus), CompressionMode.Decompress);
            using var reader = new StreamReader(gz);
            var lines = new List<string>();
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }

            // Every k-th message, so all datasets are represented.
            var step = Math.Max(1, lines.Count / count);
            for (var i = 0; i < lines.Count && inputs.Count < count; i += step)
            {
                using var doc = JsonDocument.Parse(lines[i]);
                var r = doc.RootElement;
                var text = r.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                var reply = r.TryGetProperty("is_reply", out var ir) && ir.ValueKind == JsonValueKind.True;
                inputs.Add(new SignalInput(text, reply ? Engage.Domain.Interactions.InteractionKind.Reply : Engage.Domain.Interactions.InteractionKind.Post));
            }
        }
        else
        {
            while (inputs.Count < count)
            {
                inputs.AddRange(fallback.Select(f => f.Input));
            }
        }

        var rules = new SignalClassifier(new SignalLexicon(), null);
        var hybrid = new SignalClassifier(new SignalLexicon());
        var tokenize = new SignalClassifier(new SignalLexicon(), null);
        Measure("rules alone (baseline)", inputs, input => rules.Classify(input));
        Measure("shipped: rules + linear head", inputs, input => hybrid.Classify(input));
        Measure("features only", inputs, input => tokenize.Features(input, SignalFeatureSet.Hybrid));
        Console.WriteLine($"({inputs.Count} texts{(File.Exists(corpus) ? " sampled evenly from messages.jsonl.gz" : " from the committed set")}, one thread, median of 3 runs after a warm-up)");
    }

    private static void Measure(string name, List<SignalInput> inputs, Action<SignalInput> classify)
    {
        foreach (var input in inputs.Take(2000))
        {
            classify(input);
        }

        var times = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            var watch = Stopwatch.StartNew();
            foreach (var input in inputs)
            {
                classify(input);
            }

            times.Add(watch.Elapsed.TotalSeconds);
        }

        var median = times.Order().ElementAt(1);
        Console.WriteLine($"{name,-32} {inputs.Count / median,10:F0} texts/s");
    }

    /// <summary>The data folder beside the repository: ENGAGE_SHARED_DATA when set, else ../shared/data.</summary>
    private static string SharedData(string root) =>
        Environment.GetEnvironmentVariable("ENGAGE_SHARED_DATA") is { Length: > 0 } given ? given : Path.Combine(root, "..", "shared", "data");

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EngageFunctions.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
