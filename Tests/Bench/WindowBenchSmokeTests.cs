using Engage.Bench.Window;

namespace Engage.Tests.Bench;

/// <summary>The window bench runs end to end at tiny sizes and reports its table; its figures are never asserted here.</summary>
public sealed class WindowBenchSmokeTests
{
    [Fact]
    public async Task RunAsync_Smoke_ReportsEveryCaseInItsTable()
    {
        var markdown = await WindowBench.RunAsync(smoke: true, [], CancellationToken.None);

        Assert.StartsWith("## ", markdown, StringComparison.Ordinal);
        Assert.Contains("| case | figure | baseline | ratio | goal |", markdown, StringComparison.Ordinal);
        foreach (var multiple in new[] { "(1×)", "(3×)", "(10×)" })
        {
            Assert.Contains($"| raw range read of the window's activity rows, 40 in the window, ", markdown, StringComparison.Ordinal);
            Assert.Contains(multiple + " |", markdown, StringComparison.Ordinal);
        }

        Assert.Contains("| projection run, 40 in the window, 400 before it (10×) |", markdown, StringComparison.Ordinal);
        Assert.Contains("| GET /api/community?window=P30D, 40 in the window, 400 before it (10×) |", markdown, StringComparison.Ordinal);
        Assert.Contains("| GET /api/community: raw range read beside it (Azurite's share), 40 in the window, 400 before it (10×) |", markdown, StringComparison.Ordinal);
        Assert.Contains("| GET /api/community: Engage's own work (resolve + map + filter + fold), 40 in the window, 400 before it (10×) |", markdown, StringComparison.Ordinal);
        Assert.Contains("| projection run after 5 new interactions vs a full run (10× history) |", markdown, StringComparison.Ordinal);
        Assert.Contains("| memory held per window interaction (", markdown, StringComparison.Ordinal);
        Assert.Contains("| incremental state per window interaction (", markdown, StringComparison.Ordinal);
        Assert.Contains("| state bytes written by an incremental run, amortized (", markdown, StringComparison.Ordinal);
        Assert.Contains("| state bytes written by the last incremental run above (", markdown, StringComparison.Ordinal);
        Assert.Contains("| finding 60 touched users' interactions in that state (", markdown, StringComparison.Ordinal);
        Assert.Contains("| levels and leaderboards after 60 touched users in that state (", markdown, StringComparison.Ordinal);
        Assert.Contains("| storage rows read by that incremental run vs the full run (10× history) |", markdown, StringComparison.Ordinal);

        // Cost by N and by window (decision 1281): N and 10·N new interactions, at the window and at one 10× as large.
        Assert.Contains("| incremental run after 5 new interactions, 40 in the window |", markdown, StringComparison.Ordinal);
        Assert.Contains("| incremental run after 50 new interactions, 40 in the window |", markdown, StringComparison.Ordinal);
        Assert.Contains("| full run, 400 in the window (", markdown, StringComparison.Ordinal);
        // Decision 1293: at the large window a controlled case (as many users, as many rows each) and the random one.
        foreach (var n in new[] { 5, 50 })
        {
            Assert.Contains($"| incremental run after {n} new interactions, 400 in the window, among 12 users of the grown community with a small community's rows each, vs the same N at 40 in the twin store, in turn |", markdown, StringComparison.Ordinal);
            Assert.Contains($"| incremental run after {n} new interactions, 400 in the window, among its 40 users, vs the same N at 40 |", markdown, StringComparison.Ordinal);

            // Counted in storage requests too: a run makes some at either size (the count is not left at zero).
            var requests = System.Text.RegularExpressions.Regex.Match(markdown,
                $@"\| storage requests of that run after {n} new interactions \(the controlled case\), 400 in the window vs 40 \| (\d+) \| (\d+) \|");
            Assert.True(requests.Success, $"no storage-request row for N = {n}");
            Assert.True(int.Parse(requests.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0);
            Assert.True(int.Parse(requests.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) > 0);

            // The rows the touched users were refolded from, at both sizes: some at either (decision 1299).
            var refolded = System.Text.RegularExpressions.Regex.Match(markdown,
                $@"\| rows refolded by that run after {n} new interactions \(the controlled case; the last of its runs\), 400 in the window vs 40 \| (\d+) \| (\d+) \|");
            Assert.True(refolded.Success, $"no rows-refolded row for N = {n}");
            Assert.True(int.Parse(refolded.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0);
            Assert.True(int.Parse(refolded.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) > 0);

            // And in CPU, the app's and the emulator's apart (decision 1299): a run uses some of each at either size.
            foreach (var who in new[] { "the app process", "the bench's Azurite" })
            {
                var cpu = System.Text.RegularExpressions.Regex.Match(markdown,
                    $@"\| CPU of {System.Text.RegularExpressions.Regex.Escape(who)} during that run after {n} new interactions \(the controlled case; median of its runs\), 400 in the window vs 40 \| ([0-9.]+) ms \| ([0-9.]+) ms \|");
                Assert.True(cpu.Success, $"no CPU row of {who} for N = {n}");
                Assert.True(double.Parse(cpu.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0);
                Assert.True(double.Parse(cpu.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) > 0);
            }
        }

        Assert.Contains(" in the controlled case: ", markdown, StringComparison.Ordinal);
        Assert.Contains("| incremental run after 50 vs after 5 new interactions, 40 in the window |", markdown, StringComparison.Ordinal);
        Assert.Contains("| incremental run after 50 vs after 5 new interactions, 400 in the window |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 100 score rows rewritten alone (unchanged; one transaction per shard, 8 in flight), 400 in the window vs 40 |", markdown, StringComparison.Ordinal);
        Assert.Contains("Incremental runs by N and window (decision 1281): at 40 in the window t(N) ≈ ", markdown, StringComparison.Ordinal);
    }
}
