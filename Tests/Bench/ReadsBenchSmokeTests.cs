using Engage.Bench.Reads;

namespace Engage.Tests.Bench;

/// <summary>The read bench runs end to end at a tiny size and reports its table rows (never a timing: figures are the bench's).</summary>
public sealed class ReadsBenchSmokeTests
{
    [Fact]
    public async Task Smoke_ReportsEveryCase()
    {
        var markdown = await ReadsBench.RunAsync(smoke: true, [], CancellationToken.None);

        Assert.StartsWith("## ", markdown, StringComparison.Ordinal);
        Assert.Contains("| case | figure | baseline | ratio | goal |", markdown, StringComparison.Ordinal);
        foreach (var row in new[] { "| 200 facts: raw range read (baseline) |", "| 200 facts: `GET …/engagement` |", "| 200 facts: `GET …/reciprocity` |" })
        {
            Assert.Contains(row, markdown, StringComparison.Ordinal);
        }

        // No parent is looked up at read time: the late-parent merge reached every row.
        Assert.Contains("| 200 facts: parents a read looks up in `items` | 0 |", markdown, StringComparison.Ordinal);
    }
}
