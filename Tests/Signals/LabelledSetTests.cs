using System.Globalization;
using Engage.Domain.Interactions;
using Engage.Domain.Signals;
using Engage.Domain.Signals.Training;
using Xunit.Abstractions;

namespace Engage.Tests.Signals;

/// <summary>
/// The classifier on real labelled texts, always on text it was not trained on: 5-fold cross-validation with a fixed
/// seed (docs/signals.md, "Evaluation"). Floors are the cross-validated figures reported there, less 0.03.
/// </summary>
public sealed class LabelledSetTests(ITestOutputHelper output)
{
    /// <summary>Cross-validated precision and recall on the committed set (docs/signals.md), less 0.03.</summary>
    private static readonly Dictionary<SignalSet, (double Precision, double Recall)> Reported = new()
    {
        [SignalSet.Question] = (0.776, 0.806),
        [SignalSet.Thanks] = (0.935, 0.946),
        [SignalSet.Recommendation] = (0.895, 0.425),
        [SignalSet.LowContent] = (0.693, 0.787),
        [SignalSet.LinkOnly] = (0.805, 0.852),
    };

    private const double Margin = 0.03;

    [Fact]
    public void LabelledSet_IsRealAgreedAndCommittable()
    {
        // Arrange / Act
        var items = LabelledSet.Load();

        // Assert
        Assert.True(items.Count >= 1000, $"only {items.Count} labelled texts");
        Assert.Equal(items.Count, items.Select(i => i.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(items, i => i.Platform == "slack"); // its licence allows evaluation only
        Assert.All(items, i => Assert.All(SignalModel.Modelled, s => Assert.True(i.Labels.ContainsKey(SignalModel.Name(s)), $"{i.Id}: no {s}")));
        Assert.All(items.Where(i => i.InteractionKind == InteractionKind.Reply), i => Assert.NotEqual(true, i.Label(SignalSet.LinkOnly)));
    }

    [Fact]
    public void CrossValidated_CommittedSet_MeetsReportedFiguresLessMargin()
    {
        // Arrange
        var items = LabelledSet.Load();

        // Act
        var predictions = SignalEvaluation.CrossValidate(items, SignalApproach.Hybrid);

        // Assert
        output.WriteLine(predictions.Table());
        var failures = Reported
            .Select(r => (signal: r.Key, floor: r.Value, score: predictions.Score(r.Key)))
            .Where(x => x.score.Precision < x.floor.Precision - Margin || x.score.Recall < x.floor.Recall - Margin)
            .Select(x => string.Create(CultureInfo.InvariantCulture,
                $"{x.signal}: P {x.score.Precision:F3} R {x.score.Recall:F3}, reported {x.floor.Precision:F3} / {x.floor.Recall:F3}"))
            .ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Folds_AreStratifiedAndFixed()
    {
        // Arrange
        var items = LabelledSet.Load();

        // Act
        var first = SignalEvaluation.Folds(items, 5);
        var second = SignalEvaluation.Folds(items, 5);

        // Assert: the same seed deals the same folds, and each fold holds a fifth of each signal's positives.
        Assert.Equal(first, second);
        foreach (var signal in SignalModel.Modelled)
        {
            var positives = Enumerable.Range(0, items.Count).Where(i => items[i].Label(signal) == true).ToList();
            var perFold = Enumerable.Range(0, 5).Select(f => positives.Count(i => first[i] == f)).ToList();
            Assert.True(perFold.Max() - perFold.Min() <= 2 + (positives.Count / 25), $"{signal}: {string.Join(",", perFold)}");
        }
    }

    [SharedDataFact]
    public void CrossValidated_FullSetWithSlack_MeetsReportedFiguresLessMargin()
    {
        // Arrange: the committed texts plus the Slack texts, which may be evaluated on but never committed.
        var slack = LabelledText.Load(Path.Combine(LabelledSet.SharedData!, "signals", "dev.jsonl")).Where(i => i.Platform == "slack").ToList();
        var items = LabelledSet.Load().Concat(slack).ToList();

        // Act
        var predictions = SignalEvaluation.CrossValidate(items, SignalApproach.Hybrid);
        var committed = new SignalClassifier(new SignalLexicon());
        var heldOut = new Predictions(slack, slack.Select(i => committed.Classify(i.Input)).ToList());

        // Assert
        output.WriteLine(predictions.Table());
        output.WriteLine("Committed model on the Slack texts it never saw:");
        output.WriteLine(heldOut.Table());
        Assert.True(slack.Count >= 100, $"only {slack.Count} Slack texts");
        Assert.All(Reported, r =>
        {
            var score = predictions.Score(r.Key);
            Assert.True(score.Precision >= FullSet[r.Key].Precision - Margin && score.Recall >= FullSet[r.Key].Recall - Margin,
                string.Create(CultureInfo.InvariantCulture, $"{r.Key}: P {score.Precision:F3} R {score.Recall:F3}"));
        });
    }

    /// <summary>Cross-validated precision and recall on the full set with Slack (docs/signals.md).</summary>
    private static readonly Dictionary<SignalSet, (double Precision, double Recall)> FullSet = new()
    {
        [SignalSet.Question] = (0.799, 0.842),
        [SignalSet.Thanks] = (0.948, 0.953),
        [SignalSet.Recommendation] = (0.708, 0.405),
        [SignalSet.LowContent] = (0.702, 0.792),
        [SignalSet.LinkOnly] = (0.810, 0.852),
    };
}
