using System.Globalization;
using System.Text;
using Engage.Domain.Signals;
using Xunit.Abstractions;
using SignalFlags = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.Signals;

/// <summary>Per-signal precision and recall on the labelled set of real posts and replies (Tests/Signals/README.md).</summary>
public sealed class LabelledSetTests(ITestOutputHelper output)
{
    /// <summary>Floors per signal: the figures reached on the set, less a small margin (README.md has the table).</summary>
    private static readonly Dictionary<SignalFlags, (double Precision, double Recall)> Floors = new()
    {
        [SignalFlags.Question] = (0.90, 0.90),
        [SignalFlags.Thanks] = (0.90, 0.90),
        [SignalFlags.Recommendation] = (0.90, 0.90),
        [SignalFlags.Evidence] = (0.90, 0.90),

        // The reaction lexicon is precise but misses idiosyncratic quips ("Can't.", "segfault. core dumped."):
        // widening it would flag substantive one-word answers ("Done", "SYSCONFDIR."). See README.md.
        [SignalFlags.LowContent] = (0.90, 0.30),
        [SignalFlags.LinkOnly] = (0.90, 0.90),
    };

    private readonly SignalClassifier classifier = new(new SignalLexicon());

    [Fact]
    public void LabelledSet_HasAtLeast200RealItemsWithSources()
    {
        // Arrange / Act
        var items = LabelledSet.Load();

        // Assert
        Assert.True(items.Count >= 200, $"only {items.Count} labelled items");
        Assert.All(items, item => Assert.False(string.IsNullOrWhiteSpace(item.Source)));
        Assert.Equal(items.Count, items.Select(item => item.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(items, item => Assert.True(
            (item.Expected & SignalFlags.Evidence) == 0 || item.Kind == "reply",
            $"{item.Id}: evidence is labelled on replies only"));
        Assert.All(items, item => Assert.True(
            (item.Expected & SignalFlags.LinkOnly) == 0 || item.Kind is "post" or "quote",
            $"{item.Id}: linkOnly is labelled on posts and quotes only"));
    }

    [Fact]
    public void Classify_LabelledSet_MeetsPrecisionAndRecallFloors()
    {
        // Arrange
        var items = LabelledSet.Load();

        // Act
        var predictions = items.Select(item => (item, actual: classifier.Classify(new SignalInput(item.Text, item.InteractionKind)))).ToList();

        // Assert
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{"signal",-16}{"precision",10}{"recall",10}{"support",9}{"tp",5}{"fp",5}{"fn",5}");
        var failures = new List<string>();
        foreach (var signal in LabelledSet.Evaluated)
        {
            int tp = 0, fp = 0, fn = 0;
            foreach (var (item, actual) in predictions)
            {
                var expected = (item.Expected & signal) != 0;
                var got = (actual & signal) != 0;
                tp += expected && got ? 1 : 0;
                fp += !expected && got ? 1 : 0;
                fn += expected && !got ? 1 : 0;
                if (expected != got)
                {
                    output.WriteLine($"{(got ? "FP" : "FN")} {signal} {item.Id} [{item.Kind}]: {Shorten(item.Text)}");
                }
            }

            var precision = tp + fp == 0 ? 1.0 : (double)tp / (tp + fp);
            var recall = tp + fn == 0 ? 1.0 : (double)tp / (tp + fn);
            table.AppendLine(CultureInfo.InvariantCulture, $"{signal,-16}{precision,10:F3}{recall,10:F3}{tp + fn,9}{tp,5}{fp,5}{fn,5}");
            var floor = Floors[signal];
            if (precision < floor.Precision || recall < floor.Recall)
            {
                failures.Add($"{signal}: precision {precision:F3} (floor {floor.Precision}), recall {recall:F3} (floor {floor.Recall})");
            }
        }

        output.WriteLine(table.ToString());
        Assert.True(failures.Count == 0, string.Join("; ", failures) + Environment.NewLine + table);
    }

    private static string Shorten(string text)
    {
        var flat = text.Replace('\n', ' ');
        return flat.Length > 160 ? flat[..160] + "…" : flat;
    }
}
