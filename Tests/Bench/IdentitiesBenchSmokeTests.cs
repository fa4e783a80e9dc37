using Engage.Bench.Identities;

namespace Engage.Tests.Bench;

/// <summary>The identities benchmark runs at tiny sizes and answers its table; its figures are never asserted.</summary>
public sealed class IdentitiesBenchSmokeTests
{
    [Fact]
    public async Task Smoke_AnswersTheTableWithEveryCase()
    {
        var markdown = await IdentitiesBench.RunAsync(smoke: true, [], CancellationToken.None);

        Assert.StartsWith("## ", markdown, StringComparison.Ordinal);
        Assert.Contains("| case | figure | baseline | ratio | goal |", markdown, StringComparison.Ordinal);
        foreach (var row in new[] { "| nothing to record", "| bot already recorded", "| profile unchanged", "| first sight of a bot", "| first sight of a profile" })
        {
            Assert.Contains(row, markdown, StringComparison.Ordinal);
        }
    }
}
