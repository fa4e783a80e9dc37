using Engage.Domain.Facts;

namespace Engage.Functions.Storage;

/// <summary>
/// Where a reply's registration in <c>replies</c> is (decision 1272). A reply that could not read its parent is
/// registered under the parent's own partition (PK = parent item id, RK = the reply's fact row key), as since
/// decision 1121. A reply that read its parent is registered only for a later reclassification of that parent
/// (decision 1122), in one of a few shard partitions of the parent (<see cref="Partition"/>), so that the
/// registrations of a message and of concurrent messages share transactions.
/// </summary>
public static class ReplyKeys
{
    /// <summary>
    /// The partition of <c>replies</c> that holds the store's own records (the one-off passes of decisions 1251 and 1271):
    /// no item id escapes to it (<see cref="Engage.Domain.Facts.FactKeys.Escape"/> follows every '%' with two hex digits).
    /// </summary>
    public const string MetaPartition = "%meta";

    /// <summary>Shard partitions of the registrations of replies that knew their parent (fixed for good, as <see cref="ItemKeys.Shards"/>).</summary>
    public const int Shards = ItemKeys.Shards;

    /// <summary>'%' and a letter: no escaped item id starts so (<see cref="FactKeys.Escape"/>), nor the meta partition.</summary>
    public const string ShardPrefix = "%r";

    /// <summary>
    /// Between the parent's escaped id and the reply's fact row key: '%' followed by a character that is not a hex
    /// digit, which no escaped id contains, so one parent's rows are exactly the row keys in [parent%|, parent%}).
    /// </summary>
    private const string Separator = "%|";

    /// <summary>The shard of a parent's registrations: the same shard as its items row (<see cref="ItemKeys.Partition"/>).</summary>
    public static string Partition(string parentId) => ShardPrefix + ItemKeys.Partition(parentId)[ItemKeys.ShardPrefix.Length..];

    public static string Row(string parentId, string factRowKey) => FactKeys.Escape(parentId) + Separator + factRowKey;

    /// <summary>The row-key range of one parent's registrations in its shard: [lower, upper).</summary>
    public static (string Lower, string Upper) Range(string parentId) => (FactKeys.Escape(parentId) + Separator, FactKeys.Escape(parentId) + "%}");

    /// <summary>True for a shard partition (not a parent's own partition).</summary>
    public static bool IsShard(string partition) => partition.StartsWith(ShardPrefix, StringComparison.Ordinal);
}
