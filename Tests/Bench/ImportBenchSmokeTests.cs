using Engage.Bench.Import;

namespace Engage.Tests.Bench;

/// <summary>The import benchmark at tiny size: it runs end to end and reports both rows (no timing is asserted).</summary>
public sealed class ImportBenchSmokeTests
{
    [Fact]
    public async Task Smoke_run_reports_the_import_beside_its_webhook_baseline()
    {
        var markdown = await ImportBench.RunAsync(smoke: true, [], CancellationToken.None);

        Assert.Contains("| signed webhook deliveries, 2 clients (baseline) |", markdown, StringComparison.Ordinal);
        Assert.Contains("| history import (`POST /api/ops/import`) |", markdown, StringComparison.Ordinal);
        Assert.Contains("200 recorded GitHub items", markdown, StringComparison.Ordinal);
    }
}
