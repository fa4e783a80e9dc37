using Azure;
using Azure.Data.Tables;

namespace Engage.Functions.Storage;

/// <summary>
/// The one-off copy of the items rows written before decision 1271 (a partition per item) into the shard layout.
/// Until this process has read that the copy is done (or done it), reads of an item fall back to the old key when
/// the shard has no item, and every item's ingest looks up its replies (as before decision 1251), because an old row
/// (an item, or the mark of a reply waiting for it) is not met by an insert into the shard. After it, neither.
/// The pass runs in the background of the first ingestion of each process and never holds it; it is idempotent
/// (inserts and merges that only move a row forward), so several processes may run it at once.
/// </summary>
public sealed class ItemShardMigration(EngageStorage storage, FactStore store)
{
    /// <summary>
    /// The partition of <c>replies</c> that holds the store's own records (decision 1251's too): no item id escapes to
    /// it. Not in <c>items</c>, whose every row is an item or a mark.
    /// </summary>
    internal const string MetaPartition = ReplyKeys.MetaPartition;

    internal const string DoneRow = "items-sharded";

    private const int Degree = 8;

    /// <summary>How long a failed pass waits before the next ingestion may start it again (each pass reads every old row).</summary>
    internal static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(5);

    private OneOffPass? _pass;

    private OneOffPass Pass => LazyInitializer.EnsureInitialized(ref _pass, () => new OneOffPass(RunAsync, RetryDelay));

    /// <summary>True once every old items row is in its shard (read from the record, or copied by this process); starts the pass otherwise.</summary>
    public bool Ready => Pass.DoneOrStart();

    /// <summary>Whether this process already knows the copy is done, without starting it (reads use this).</summary>
    internal bool Known => Pass.Done;

    /// <summary>Runs the pass (or reads that it was done) and waits for it: for tests and tools.</summary>
    public Task EnsureAsync() => Pass.Start();

    private async Task RunAsync()
    {
        // A failure is retried on a later ingestion (OneOffPass); until then reads fall back to the old keys and items look
        // their replies up, which is always correct.
        var ct = CancellationToken.None;
        await storage.EnsureReadyAsync(ct);
        if ((await storage.Replies.GetEntityIfExistsAsync<TableEntity>(MetaPartition, DoneRow, cancellationToken: ct)).HasValue)
        {
            return;
        }

        var filter = TableClient.CreateQueryFilter($"RowKey eq {Engage.Domain.Facts.FactKeys.ItemRowKey}");
        var old = new List<TableEntity>();
        await foreach (var row in storage.Items.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            if (ItemKeys.IsLegacyPartition(row.PartitionKey))
            {
                old.Add(row);
            }
        }

        await Parallel.ForEachAsync(old, new ParallelOptions { MaxDegreeOfParallelism = Degree, CancellationToken = ct }, CopyAsync);
        await storage.Replies.UpsertEntityAsync(new TableEntity(MetaPartition, DoneRow)
        {
            ["CopiedAt"] = DateTimeOffset.UtcNow,
            ["Rows"] = old.Count,
        }, TableUpdateMode.Replace, ct);
    }

    /// <summary>
    /// One old row into its shard: the item through the ordinary idempotent insert (a newer classification already in
    /// the shard stays), the mark of a waiting reply as a mark. Then, if the old row is gone (an erasure deleted it
    /// meanwhile: it deletes the old key before the shard's), the copy goes too, so no erased item comes back.
    /// </summary>
    private async ValueTask CopyAsync(TableEntity row, CancellationToken ct)
    {
        var itemId = row.GetString("ItemId") ?? FactStore.Unescape(row.PartitionKey);
        if (row.ContainsKey("ItemId"))
        {
            await store.AddItemAsync(FactStore.ToItem(row), ct);
        }

        if (row.GetBoolean(FactStore.RepliesWaitingProperty) == true)
        {
            await store.MarkReplyWaitingAsync(itemId, ct);
        }

        if (!(await storage.Items.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, select: ["RowKey"], cancellationToken: ct)).HasValue)
        {
            await storage.Items.DeleteEntityAsync(ItemKeys.Partition(itemId), ItemKeys.Row(itemId), ETag.All, ct);
        }
    }
}
