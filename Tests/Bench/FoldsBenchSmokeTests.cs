using Engage.Bench.Folds;

namespace Engage.Tests.Bench;

/// <summary>The folds benchmark runs at smoke sizes and renders its tables (figures are not asserted: bench/ measures, tests do not).</summary>
public sealed class FoldsBenchSmokeTests
{
    [Fact]
    public async Task Smoke_RendersBothSectionsWithTheirRows()
    {
        var markdown = await FoldsBench.RunAsync(smoke: true, [], CancellationToken.None);

        Assert.Contains("## Folds over interned ids", markdown, StringComparison.Ordinal);
        Assert.Contains("## Community r against igraph and networkx", markdown, StringComparison.Ordinal);
        Assert.Equal(2, markdown.Split('\n').Count(l => l.StartsWith("| case | figure | baseline | ratio | goal |", StringComparison.Ordinal)));
        foreach (var row in new[]
        {
            "| reciprocity fold, facts/s (wall) |", "| reciprocity fold, facts per CPU-second |", "| reciprocity fold, B/fact |",
            "| community fold, facts/s (wall) |", "| community fold, facts per CPU-second |", "| community fold, B/fact |",
        })
        {
            Assert.Contains(row, markdown, StringComparison.Ordinal);
        }

        // With or without igraph installed, each size has its load + r, r alone and r rows.
        Assert.Contains("| 1,000 users: Engage load + r", markdown, StringComparison.Ordinal);
        Assert.Contains("| 1,000 users: Engage r alone", markdown, StringComparison.Ordinal);
        Assert.Contains("| 1,000 users: r", markdown, StringComparison.Ordinal);
        Assert.Contains("| 100 users: r", markdown, StringComparison.Ordinal);
    }
}
