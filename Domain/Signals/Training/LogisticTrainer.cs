namespace Engage.Domain.Signals.Training;

/// <summary>Settings of <see cref="LogisticTrainer"/>; the defaults are the ones the committed model uses.</summary>
public sealed record TrainerOptions
{
    /// <summary>L2 penalty on the mean log-loss.</summary>
    public double L2 { get; init; } = 0.003;

    /// <summary>Full-batch Adam steps.</summary>
    public int Iterations { get; init; } = 300;

    public double LearningRate { get; init; } = 0.1;

    /// <summary>A feature must occur in at least this many training texts to get a weight.</summary>
    public int MinCount { get; init; } = 2;

    /// <summary>
    /// Exponent of the positive class weight (negatives / positives)^x: 0 weighs every text alike, 1 balances the classes,
    /// 0.5 is in between (rare signals such as recommendation are otherwise rarely predicted).
    /// </summary>
    public double PositiveWeightExponent { get; init; } = 0.5;

    /// <summary>Weights are rounded to this many decimals (and zeros dropped), so the artefact is stable and small.</summary>
    public int Decimals { get; init; } = 4;
}

/// <summary>
/// L2-regularised logistic regression over binary features, trained with full-batch Adam from zero. No randomness:
/// the same examples in the same order give the same weights.
/// </summary>
public static class LogisticTrainer
{
    public static SignalWeights Train(IReadOnlyList<(IReadOnlyCollection<string> Features, bool Label)> examples, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (features, _) in examples)
        {
            foreach (var f in features)
            {
                counts[f] = counts.GetValueOrDefault(f) + 1;
            }
        }

        var names = counts.Where(c => c.Value >= options.MinCount).Select(c => c.Key).Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(names.Length, StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            index[names[i]] = i;
        }

        var rows = examples.Select(e => e.Features.Where(index.ContainsKey).Select(f => index[f]).Distinct().Order().ToArray()).ToArray();
        var y = examples.Select(e => e.Label ? 1.0 : 0.0).ToArray();
        var n = rows.Length;
        var positives = y.Count(v => v > 0);
        var positiveWeight = positives == 0 || positives == n ? 1.0 : Math.Pow((double)(n - positives) / positives, options.PositiveWeightExponent);
        var scale = n == 0 ? 1.0 : n / ((positives * positiveWeight) + (n - positives));
        var d = names.Length + 1; // last: bias
        var w = new double[d];
        var m = new double[d];
        var v = new double[d];
        var g = new double[d];
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        for (var t = 1; t <= options.Iterations && n > 0; t++)
        {
            Array.Clear(g);
            for (var r = 0; r < n; r++)
            {
                var z = w[d - 1];
                foreach (var j in rows[r])
                {
                    z += w[j];
                }

                var err = ((1.0 / (1.0 + Math.Exp(-z))) - y[r]) * (y[r] > 0 ? positiveWeight : 1.0) * scale;
                foreach (var j in rows[r])
                {
                    g[j] += err;
                }

                g[d - 1] += err;
            }

            for (var j = 0; j < d; j++)
            {
                var grad = (g[j] / n) + (j < d - 1 ? options.L2 * w[j] : 0);
                m[j] = (beta1 * m[j]) + ((1 - beta1) * grad);
                v[j] = (beta2 * v[j]) + ((1 - beta2) * grad * grad);
                var mHat = m[j] / (1 - Math.Pow(beta1, t));
                var vHat = v[j] / (1 - Math.Pow(beta2, t));
                w[j] -= options.LearningRate * mHat / (Math.Sqrt(vHat) + eps);
            }
        }

        var weights = new SortedDictionary<string, double>(StringComparer.Ordinal);
        for (var j = 0; j < names.Length; j++)
        {
            var rounded = Math.Round(w[j], options.Decimals);
            if (rounded != 0)
            {
                weights[names[j]] = rounded;
            }
        }

        return new SignalWeights { Bias = Math.Round(w[d - 1], options.Decimals), Weights = weights };
    }
}
