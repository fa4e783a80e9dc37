using System.Diagnostics;
using Azure.Data.Tables;
using Engage.Bench.Support;

namespace Engage.Tests.Bench;

/// <summary>
/// The benchmarks' Azurite under Node's CPU profiler (decision 1296): stopped by SIGINT so that Node writes the
/// profile, which <c>bench/azurite-profile.py</c> turns into a table of where the emulator's time went.
/// </summary>
public sealed class AzuriteProfileTests
{
    [Fact]
    public async Task AProfiledAzurite_WritesItsProfileWhenDisposed_AndTheScriptSaysWhereItsTimeWent()
    {
        var folder = Directory.CreateTempSubdirectory("engage-azurite-profile-").FullName;
        try
        {
            using (var azurite = BenchAzurite.Start(folder))
            {
                var table = new TableClient(azurite.ConnectionString, "profiled");
                await table.CreateIfNotExistsAsync();
                for (var n = 0; n < 300; n++)
                {
                    await table.AddEntityAsync(new TableEntity("p", $"r{n:D4}") { ["Value"] = n });
                }
            }

            Assert.Single(Directory.GetFiles(folder, "*.cpuprofile"));
            using var script = Process.Start(new ProcessStartInfo("python3")
            {
                ArgumentList = { BenchRepo.Path("bench", "azurite-profile.py"), folder },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = await script.StandardOutput.ReadToEndAsync();
            var errors = await script.StandardError.ReadToEndAsync();
            await script.WaitForExitAsync();

            Assert.True(script.ExitCode == 0, errors);
            Assert.Contains("| where | CPU s | share of busy |", output, StringComparison.Ordinal);
            Assert.Contains("| per request: ", output, StringComparison.Ordinal); // 300 requests' handling is sampled whatever they asked
            Assert.Contains("Per-request overhead (whatever the request asks): ", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
