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
        })
        {
            Assert.Contains(row, markdown, StringComparison.Ordinal);
        }
    }
}
