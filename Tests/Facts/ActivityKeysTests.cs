using Engage.Domain.Facts;
using Engage.Domain.Interactions;

namespace Engage.Tests.Facts;

/// <summary>The activity layout's keys (decision 1111): stable, spread over shards, and read back by the ranges of a window.</summary>
public sealed class ActivityKeysTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 21, 15, 0, TimeSpan.Zero);

    [Fact]
    public void ActivityShard_SameId_SameShardAndKnownValue()
    {
        // Pinned: a shard computed differently after an upgrade would strand every row already written.
        Assert.Equal(FactKeys.ActivityShard("github:comment:1"), FactKeys.ActivityShard("github:comment:1"));
        Assert.Equal(Fnv("github:comment:1") % FactKeys.ActivityShards, (uint)FactKeys.ActivityShard("github:comment:1"));
        Assert.Equal(5, FactKeys.ActivityShard("")); // 2166136261 (the FNV offset basis) mod 8
    }

    [Fact]
    public void ActivityShard_ManyIds_UseEveryShardEvenly()
    {
        var counts = new int[FactKeys.ActivityShards];
        for (var n = 0; n < 8000; n++)
        {
            counts[FactKeys.ActivityShard($"standard:{n}")]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
    }

    [Fact]
    public void ActivityKey_ActorFact_MonthTableDayShardPartitionAndFactRowKey()
    {
        var fact = Fact("standard:42", At);

        var (month, partition, row) = FactKeys.ActivityKey(fact);

        Assert.Equal("202611", month);
        Assert.Equal($"{FactKeys.ActivityShard("standard:42"):00}-20261130", partition);
        Assert.Equal(FactKeys.FactRowKey(fact), row);
    }

    [Fact]
    public void ActivityPartition_LocalOffset_UsesTheUtcDay()
    {
        var late = new DateTimeOffset(2026, 12, 1, 0, 30, 0, TimeSpan.FromHours(2)); // 22:30 UTC on 30 November

        Assert.EndsWith("-20261130", FactKeys.ActivityPartition("x", late));
        Assert.Equal("202611", FactKeys.ActivityMonth(late));
    }

    [Fact]
    public void ActivityRanges_WindowOverTwoMonths_OneRangePerMonthAndShard()
    {
        var ranges = FactKeys.ActivityRanges(At.AddDays(-30), At);

        Assert.Equal(2 * FactKeys.ActivityShards, ranges.Count);
        Assert.Contains(new ActivityRange("202610", "03-20261031", "03-20261031"), ranges);
        Assert.Contains(new ActivityRange("202611", "03-20261101", "03-20261130"), ranges);
    }

    [Fact]
    public void ActivityRanges_EveryInstantOfTheWindow_FallsInARangeOfItsShard()
    {
        var from = At.AddDays(-45);
        var ranges = FactKeys.ActivityRanges(from, At);
        for (var t = from; t <= At; t = t.AddHours(7))
        {
            var fact = Fact($"id:{t.Ticks}", t);
            var (month, partition, _) = FactKeys.ActivityKey(fact);
            Assert.Contains(ranges, r => r.Month == month
                && string.CompareOrdinal(r.FirstPartition, partition) <= 0 && string.CompareOrdinal(partition, r.LastPartition) <= 0);
        }
    }

    [Fact]
    public void ActivityRanges_OneHourWindow_OneMonthOneDay()
    {
        var ranges = FactKeys.ActivityRanges(At.AddHours(-1), At);

        Assert.Equal(FactKeys.ActivityShards, ranges.Count);
        Assert.All(ranges, r => Assert.Equal(r.FirstPartition, r.LastPartition));
    }

    private static uint Fnv(string s)
    {
        var hash = 2166136261u;
        foreach (var c in s)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash;
    }

    private static Fact Fact(string id, DateTimeOffset at) => new()
    {
        UserId = "ann",
        InteractionId = id,
        Kind = InteractionKind.Post,
        Actor = "ann",
        OccurredAt = at,
    };
}
