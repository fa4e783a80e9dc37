using System.Globalization;
using Engage.Domain.Facts;

namespace Engage.Functions.Storage;

/// <summary>
/// Where an items row is (decision 1271): in one of a few shard partitions, keyed by the item id, so that the items
/// a message (or several concurrent messages) writes share transactions instead of costing one insert each. Before
/// that decision each item had a partition of its own (PK = item id, RK <c>item</c>): those rows are the
/// <see cref="Legacy"/> keys, copied once by <see cref="ItemShardMigration"/> and read until then.
/// </summary>
public static class ItemKeys
{
    /// <summary>
    /// Shard partitions of the items index. Fixed for good: a row's partition is computed from it at write and read
    /// time. Few, so that ten items of a delivery need at most four transactions; enough that one partition's
    /// throughput (about 2,000 rows a second on Azure) is not the whole index's.
    /// </summary>
    public const int Shards = 4;

    /// <summary>
    /// Prefix of the shard partitions: '%' followed by a character that is not a hex digit, which no escaped item id
    /// has (<see cref="FactKeys.Escape"/> follows every '%' with two hex digits), so a shard never meets a legacy row.
    /// </summary>
    public const string ShardPrefix = "%i";

    /// <summary>The shard partition of an item: FNV-1a of its id (stable across processes), mod <see cref="Shards"/>.</summary>
    public static string Partition(string itemId) =>
        ShardPrefix + (FactKeys.StableHash(itemId) % Shards).ToString("00", CultureInfo.InvariantCulture);

    /// <summary>The row key of an item in its shard: the escaped item id.</summary>
    public static string Row(string itemId) => FactKeys.Escape(itemId);

    /// <summary>The key the item had before decision 1271: a partition of its own.</summary>
    public static (string Partition, string Row) Legacy(string itemId) => (FactKeys.Escape(itemId), FactKeys.ItemRowKey);

    /// <summary>True for the partition of a row written before decision 1271 (not a shard, not a record of the store's own).</summary>
    public static bool IsLegacyPartition(string partition) =>
        !partition.StartsWith(ShardPrefix, StringComparison.Ordinal) && partition != ItemShardMigration.MetaPartition;
}
