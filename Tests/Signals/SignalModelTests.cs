using Engage.Domain.Signals;
using Engage.Domain.Signals.Training;

namespace Engage.Tests.Signals;

/// <summary>The committed linear head is exactly what the training command makes from the committed labelled texts.</summary>
public sealed class SignalModelTests
{
    [Fact]
    public void CommittedModel_EqualsAFreshTrainingRun()
    {
        // Arrange
        var committed = SignalModel.Default;
        Assert.NotNull(committed);

        // Act
        var fresh = SignalEvaluation.Train(LabelledSet.Load(), committed.FeatureSet);

        // Assert: same signals, combination and weights (rounded to 4 decimals; a last-digit wobble is tolerated).
        Assert.Equal(fresh.Signals.Keys, committed.Signals.Keys);
        foreach (var (name, weights) in fresh.Signals)
        {
            var old = committed.Signals[name];
            Assert.Equal(weights.Combine, old.Combine);
            Assert.Equal(weights.Threshold, old.Threshold);
            Assert.InRange(Math.Abs(weights.Bias - old.Bias), 0, 2e-4);
            var keys = weights.Weights.Keys.Union(old.Weights.Keys, StringComparer.Ordinal).ToList();
            var differing = keys.Where(k => Math.Abs(weights.Weights.GetValueOrDefault(k) - old.Weights.GetValueOrDefault(k)) > 2e-4).Take(5).ToList();
            Assert.True(differing.Count == 0, $"{name}: retrain with `dotnet run -c Release --project bench/Engage.Bench -- train-signals`; differs at {string.Join(", ", differing)}");
        }
    }

    [Fact]
    public void CommittedModel_RoundTripsThroughJson()
    {
        // Arrange
        var model = SignalModel.Default!;

        // Act
        var again = SignalModel.FromJson(model.ToJson());

        // Assert
        Assert.Equal(model.ToJson(), again.ToJson());
    }
}
