using Engage.Domain.Facts;
using Engage.Functions.Storage;

namespace Engage.Functions.Scores;

/// <summary>
/// How an incremental run reads the activity rows the arrival index named (decision 1293). Rows that arrived together
/// mostly happened together: on the same day, so in at most <see cref="FactKeys.ActivityShards"/> day-shard partitions,
/// close in row-key order. Where several named rows share a partition, one range read from the first key to the last
/// replaces their point reads — provided the range holds few other rows, which the state (a copy of the window's rows)
/// tells before the read. Everything else is read by key, as before.
/// </summary>
internal static class ArrivedReads
{
    /// <summary>
    /// A range read may bring at most this many rows the run did not ask for per row it did: beyond that, point reads
    /// (one call each, but no row wasted) cost less. On Azure a range read of one partition is one transaction per
    /// 1,000 rows; a point read is one transaction per row.
    /// </summary>
    public const int SlackPerRow = 4;

    /// <summary>What to read: key ranges of one partition each, and single keys.</summary>
    public sealed record Plan(IReadOnlyList<Span> Spans, IReadOnlyList<string> Points);

    /// <summary>One range read: rows <see cref="First"/>..<see cref="Last"/> (row keys, inclusive) of one partition; <see cref="Keys"/> are the arrival keys it answers.</summary>
    public sealed record Span(string Month, string Partition, string First, string Last, IReadOnlyList<string> Keys);

    /// <summary>
    /// Groups the arrival keys (<see cref="ArrivalStore.RowKeyOf"/>) by partition. A partition with two keys or more is one
    /// span when the rows the state holds between its first and last key, other than those asked for, are at most
    /// <see cref="SlackPerRow"/> per key asked; otherwise (and for lone keys) each key is a point read. The state's count is
    /// exact for the window; rows not yet in the state (arrived since, or before the window) are the few it cannot see.
    /// </summary>
    public static Plan Make(IEnumerable<string> arrivalKeys, WindowRows rows)
    {
        var spans = new List<Span>();
        var points = new List<string>();
        foreach (var group in arrivalKeys.Distinct(StringComparer.Ordinal)
                     .Select(key => (Key: key, Parts: ArrivalStore.ParseRowKey(key)))
                     .GroupBy(k => (k.Parts.Month, k.Parts.Partition))
                     .OrderBy(g => g.Key.Month, StringComparer.Ordinal).ThenBy(g => g.Key.Partition, StringComparer.Ordinal))
        {
            var keys = group.OrderBy(k => k.Parts.Row, StringComparer.Ordinal).ToList();
            if (keys.Count < 2)
            {
                points.AddRange(keys.Select(k => k.Key));
                continue;
            }

            var first = keys[0].Parts.Row;
            var last = keys[^1].Parts.Row;
            var asked = keys.Select(k => k.Parts.Row).ToHashSet(StringComparer.Ordinal);
            var others = OthersBetween(rows, group.Key.Partition, first, last, asked, limit: SlackPerRow * keys.Count);
            if (others <= SlackPerRow * keys.Count)
            {
                spans.Add(new Span(group.Key.Month, group.Key.Partition, first, last, [.. keys.Select(k => k.Key)]));
            }
            else
            {
                points.AddRange(keys.Select(k => k.Key));
            }
        }

        return new Plan(spans, points);
    }

    /// <summary>
    /// Rows of the state in <paramref name="partition"/> with keys from <paramref name="first"/> to <paramref name="last"/>
    /// that are not <paramref name="asked"/>, counted up to just past <paramref name="limit"/>. A partition is one day of one
    /// shard, so only that day's rows are looked at.
    /// </summary>
    private static int OthersBetween(WindowRows rows, string partition, string first, string last, HashSet<string> asked, int limit)
    {
        var others = 0;
        foreach (var (key, fact) in rows.Day(WindowRows.DayOf(first)))
        {
            if (string.CompareOrdinal(key, first) >= 0 && string.CompareOrdinal(key, last) <= 0 && !asked.Contains(key)
                && string.Equals(FactKeys.ActivityPartition(fact.InteractionId, fact.OccurredAt), partition, StringComparison.Ordinal)
                && ++others > limit)
            {
                break;
            }
        }

        return others;
    }
}
