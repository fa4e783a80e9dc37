using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Functions.Scores;
using Engage.Functions.Storage;

namespace Engage.Tests.Scores;

/// <summary>
/// Which arrived rows an incremental run reads by range and which by key (decision 1293): a range only where several
/// named rows share a partition and the state knows few other rows between them.
/// </summary>
public sealed class ArrivedReadsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static Fact Post(string id, DateTimeOffset at) =>
        new() { UserId = "x:ada", InteractionId = id, Kind = InteractionKind.Post, Actor = "x:ada", OccurredAt = at };

    /// <summary>Posts of one shard (the first <paramref name="count"/> ids whose shard is <paramref name="shard"/>), a minute apart from <paramref name="from"/>.</summary>
    private static List<Fact> OfShard(int shard, int count, DateTimeOffset from, string prefix) =>
        [.. Enumerable.Range(0, 10_000).Select(n => $"{prefix}{n}").Where(id => FactKeys.ActivityShard(id) == shard).Take(count)
            .Select((id, n) => Post(id, from.AddMinutes(n)))];

    [Fact]
    public void RowsOfOnePartition_WithFewKnownRowsBetween_AreOneRangeFromTheFirstKeyToTheLast()
    {
        var arrived = OfShard(3, 5, Noon, "x:n");
        var known = OfShard(3, 4, Noon.AddSeconds(30), "x:k"); // between the arrived ones: 4 others for 5 asked
        var rows = new WindowRows();
        foreach (var f in known)
        {
            rows[FactKeys.FactRowKey(f)] = f;
        }

        var plan = ArrivedReads.Make(arrived.Select(ArrivalStore.RowKeyOf), rows);

        var span = Assert.Single(plan.Spans);
        Assert.Empty(plan.Points);
        Assert.Equal(FactKeys.ActivityPartition(3, Noon), span.Partition);
        Assert.Equal(FactKeys.FactRowKey(arrived[0]), span.First);
        Assert.Equal(FactKeys.FactRowKey(arrived[^1]), span.Last);
        Assert.Equal(arrived.Select(ArrivalStore.RowKeyOf).Order(StringComparer.Ordinal), span.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ALoneKey_AndRowsWithManyKnownRowsBetween_AreReadByKey()
    {
        // Two rows of shard 1 at the ends of a day the state knows 40 rows of in that shard: a range would read 20× what is asked.
        var early = Post(OfShard(1, 1, Noon, "x:e")[0].InteractionId, Noon.AddHours(-11));
        var late = Post(OfShard(1, 1, Noon, "x:l")[0].InteractionId, Noon.AddHours(11));
        var rows = new WindowRows();
        foreach (var f in OfShard(1, 40, Noon.AddHours(-5), "x:k"))
        {
            rows[FactKeys.FactRowKey(f)] = f;
        }

        // Rows of other shards between them do not count: they are in other partitions.
        foreach (var f in OfShard(2, 40, Noon.AddHours(-5), "x:o"))
        {
            rows[FactKeys.FactRowKey(f)] = f;
        }

        var alone = OfShard(5, 1, Noon, "x:a")[0];
        var plan = ArrivedReads.Make([ArrivalStore.RowKeyOf(early), ArrivalStore.RowKeyOf(late), ArrivalStore.RowKeyOf(alone)], rows);

        Assert.Empty(plan.Spans);
        Assert.Equal(3, plan.Points.Count);

        // With only the other shard's rows known, the same two are one range.
        var quiet = new WindowRows();
        foreach (var f in OfShard(2, 40, Noon.AddHours(-5), "x:o"))
        {
            quiet[FactKeys.FactRowKey(f)] = f;
        }

        var again = ArrivedReads.Make([ArrivalStore.RowKeyOf(early), ArrivalStore.RowKeyOf(late), ArrivalStore.RowKeyOf(alone)], quiet);
        Assert.Single(again.Spans);
        Assert.Equal([ArrivalStore.RowKeyOf(alone)], again.Points);
    }

    [Fact]
    public void RowsOfOneShardOnTwoDays_AreTwoPartitions()
    {
        var ids = OfShard(6, 4, Noon, "x:d").Select(f => f.InteractionId).ToList();
        var arrived = new[] { Post(ids[0], Noon), Post(ids[1], Noon.AddMinutes(1)), Post(ids[2], Noon.AddDays(1)), Post(ids[3], Noon.AddDays(1).AddMinutes(1)) };

        var plan = ArrivedReads.Make(arrived.Select(ArrivalStore.RowKeyOf), new WindowRows());

        Assert.Equal(2, plan.Spans.Count);
        Assert.All(plan.Spans, s => Assert.Equal(2, s.Keys.Count));
        Assert.Empty(plan.Points);
    }
}
