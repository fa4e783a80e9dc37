using Engage.Bench.Webhook;

namespace Engage.Tests.Bench;

/// <summary>The webhook latency benchmark runs every kind of phase at tiny sizes and writes its table; never a timing.</summary>
public sealed class WebhookBenchSmokeTests
{
    [Fact]
    public async Task Smoke_WritesTheSectionWithEveryRow()
    {
        var markdown = await WebhookBench.RunAsync(smoke: true, [], CancellationToken.None);

        Assert.StartsWith("## ", markdown, StringComparison.Ordinal);
        Assert.Contains("| case | figure | baseline | ratio | goal |", markdown, StringComparison.Ordinal);
        foreach (var row in new[]
        {
            "| webhook 20/s, one Azurite process, ingestion running: p50 / p99 / errors of 20 |",
            "| webhook 20/s, one Azurite process, ingestion running: CPU in cores",
            "| webhook 20/s, one Azurite process, ingestion running: messages not yet ingested",
            "| webhook 20/s, three Azurite processes, ingestion running: p50 / p99 / errors of 20 |",
            "| webhook 20/s, three Azurite processes, ingestion running: CPU in cores",
            "| X CRC `GET` 20/s (no storage), one Azurite process: p50 / p99 / errors of 20 |",
        })
        {
            Assert.Contains(row, markdown, StringComparison.Ordinal);
        }

        Assert.Contains("raw puts at 20/s:", markdown, StringComparison.Ordinal);
    }
}
