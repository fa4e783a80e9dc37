using Engage.Bench.Ingest;

namespace Engage.Tests.Bench;

/// <summary>The ingest benchmark runs end to end at tiny sizes and writes its table; never a timing.</summary>
public sealed class IngestBenchSmokeTests
{
    [Fact]
    public async Task Smoke_WritesTheSectionWithEveryRow()
    {
        var markdown = await IngestBench.RunAsync(smoke: true, [], CancellationToken.None);

        Assert.StartsWith("## ", markdown, StringComparison.Ordinal);
        Assert.Contains("| case | figure | baseline | ratio | goal |", markdown, StringComparison.Ordinal);
        foreach (var row in new[]
        {
            "| raw single inserts, 8 in flight, empty store", "| raw per-partition batches, 8 in flight, empty store",
            "| ingest end to end, 1 sender(s), empty store", "| ingest end to end, 8 sender(s), empty store",
            "| ingest end to end, 1 sender(s), 300 stored", "| ingest, 8 sender(s): 300 stored vs empty store",
            "| storage calls per delivery, instrumented pass", "| per delivery: TableClient.", "| signals classifier, one interaction",
            "| erasure: finding one user's 3 archived bodies in an index of 300 bodies",
            "| raw single inserts of every row those deliveries stored, 8 in flight, empty store",
            "| ingest end to end, every row stored, 1 sender(s), empty store (rows/s; a delivery's rows besides its ",
            "| ingest end to end, every row stored, 8 sender(s), 300 stored (rows/s; a delivery's rows besides its ",
        })
        {
            Assert.Contains(row, markdown, StringComparison.Ordinal);
        }

        // Every row stored: the fact rows and, beside them, at least the activity and items rows of the same deliveries.
        var besides = System.Text.RegularExpressions.Regex.Match(markdown, @"\| ingest end to end, every row stored, 8 sender\(s\), empty store \(rows/s; a delivery's rows besides its ([0-9.]+) fact rows: ([^)]*)\)");
        Assert.True(besides.Success, "no every-row row");
        Assert.True(double.Parse(besides.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("activity ", besides.Groups[2].Value, StringComparison.Ordinal);
        Assert.Contains("items ", besides.Groups[2].Value, StringComparison.Ordinal);
    }
}
