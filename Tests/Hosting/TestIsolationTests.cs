using Cronos;
using Engage.Functions.Storage;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.Hosting;

/// <summary>
/// What keeps the tests that share one Azurite and one test process out of each other's way. Each guard here stands
/// for a CI failure that once came from breaking it.
/// </summary>
public sealed class TestIsolationTests
{
    [Fact]
    public async Task TestServices_EveryTableIsTheTestsOwn_SoDeletingThemLeavesTheSharedDevHostsAlone()
    {
        // FactStoreTests and others delete every table of their graph when they end. A table left at its default name
        // (archiveusers and imports once were) is the shared DevHost's: deleting it turned the next erasure into a 500.
        await using var one = TestServices.Create();
        await using var two = TestServices.Create();
        var defaults = new StorageNames().Tables.ToHashSet(StringComparer.Ordinal);
        var first = one.GetRequiredService<EngageStorage>().Names.Tables.ToList();
        var second = two.GetRequiredService<EngageStorage>().Names.Tables.ToList();

        Assert.Equal(defaults.Count, first.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(first.Intersect(defaults, StringComparer.Ordinal));
        Assert.Empty(first.Intersect(second, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Scores:Schedule")]
    [InlineData("Digest:Schedule")]
    public void DevHostFixture_TimerSchedules_NeverFire_HoweverFarAFakeClockIsAdvanced(string setting)
    {
        // DevHost's timers wait on the host's TimeProvider. A test that advanced its fake clock past the old "1 January"
        // schedule fired the projection timer beside the test's own run: two runs raced for the state's head (a 500).
        var schedule = DevHostFixture.DefaultSettings("UseDevelopmentStorage=true")[setting]!;
        var cron = CronExpression.Parse(schedule, CronFormat.IncludeSeconds);

        Assert.Null(cron.GetNextOccurrence(new DateTime(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc), TimeZoneInfo.Utc));
    }
}
