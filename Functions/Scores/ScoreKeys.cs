using System.Globalization;
using Engage.Domain.Facts;

namespace Engage.Functions.Scores;

/// <summary>
/// Where a user's score row is (decision 1291): in one of a few shard partitions of table <c>scores</c>, keyed by the
/// user id, so that the rows a projection run writes share entity group transactions (at most 100 rows of one
/// partition) instead of costing one call each. Before that decision each user had a partition of their own
/// (PK = user id, RK <c>current</c>): those are the <see cref="Legacy"/> keys, moved once by
/// <see cref="ScoreStore.EnsureShardedAsync"/>.
/// </summary>
public static class ScoreKeys
{
    /// <summary>
    /// Shard partitions of the scores table. Fixed for good: a row's partition is computed from it at write and read
    /// time. Sixteen, so that a full run of 100,000 users spreads its 1,000 transactions over partitions that Azure
    /// serves apart (about 2,000 rows a second each), and a run of a few dozen users still fills a few transactions.
    /// </summary>
    public const int Shards = 16;

    /// <summary>
    /// Prefix of the shard partitions: '%' followed by a character that is not a hex digit, which no escaped user id
    /// has (<see cref="FactKeys.Escape"/> follows every '%' with two hex digits), so a shard never meets a legacy row.
    /// </summary>
    public const string ShardPrefix = "%s";

    /// <summary>Entities in one transaction at most (Table Storage's limit).</summary>
    public const int TransactionRows = 100;

    /// <summary>The shard partition of a user's row: FNV-1a of the id, mod <see cref="Shards"/>.</summary>
    public static string Partition(string userId) =>
        ShardPrefix + (FactKeys.StableHash(userId) % Shards).ToString("00", CultureInfo.InvariantCulture);

    /// <summary>The row key of a user's row in its shard: the escaped user id.</summary>
    public static string Row(string userId) => FactKeys.Escape(userId);

    /// <summary>The key a user's row had before decision 1291: a partition of its own.</summary>
    public static (string Partition, string Row) Legacy(string userId) => (FactKeys.Escape(userId), ScoreStore.CurrentRow);

    /// <summary>True for the partition of a row of the shard layout.</summary>
    public static bool IsShard(string partition) => partition.StartsWith(ShardPrefix, StringComparison.Ordinal);

    /// <summary>
    /// The transactions that write <paramref name="userIds"/>' rows: grouped by shard, at most
    /// <see cref="TransactionRows"/> each, a user at most once (the last of them wins), in a stable order.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<T>> Transactions<T>(IEnumerable<T> rows, Func<T, string> userId)
    {
        var last = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            last[userId(row)] = row;
        }

        return [.. last
            .GroupBy(r => Partition(r.Key), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Value).Chunk(TransactionRows))
            .Select(chunk => (IReadOnlyList<T>)chunk)];
    }
}
