using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Functions.Storage;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.Ingest;

/// <summary>
/// The one-off pass that lets a new item skip the look-up of <c>replies</c> (decision 1251). Since then a reply that
/// comes before its parent marks the parent's items row (<see cref="FactStore.MarkReplyWaitingAsync"/>); replies
/// registered before that have no mark, so until this pass has marked the parents of every registration not yet
/// applied, every item still looks its replies up. The pass runs once per store, in the background of the first
/// ingestion of each process until it is recorded as done (a row of <c>replies</c> outside every item's partition),
/// and never holds ingestion: while it runs, items are ingested the old way.
/// </summary>
public sealed class WaitingReplyMarks(EngageStorage storage, ILogger<WaitingReplyMarks> logger)
{
    /// <summary>A partition no item id escapes to (<see cref="FactKeys.Escape"/> follows every '%' with two hex digits).</summary>
    internal const string MetaPartition = ReplyKeys.MetaPartition;

    internal const string DoneRow = "waiting-replies-marked";

    private const int Degree = 8;

    /// <summary>How long a failed pass waits before the next ingestion may start it again (each pass reads all of <c>replies</c>).</summary>
    internal static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(5);

    private OneOffPass? _pass;

    private OneOffPass Pass => LazyInitializer.EnsureInitialized(ref _pass, () => new OneOffPass(RunAsync, RetryDelay));

    /// <summary>True once every registration has its mark (this process read the record or ran the pass); starts the pass otherwise.</summary>
    public bool Ready => Pass.DoneOrStart();

    /// <summary>Runs the pass (or reads that it was done) and waits for it: for tests and tools.</summary>
    public Task EnsureAsync() => Pass.Start();

    private async Task RunAsync()
    {
        var ct = CancellationToken.None;
        try
        {
            await storage.EnsureReadyAsync(ct);
            if ((await storage.Replies.GetEntityIfExistsAsync<TableEntity>(MetaPartition, DoneRow, cancellationToken: ct)).HasValue)
            {
                return;
            }

            // Parents of registrations their parent never reached (a reply registered knowing its parent has Applied).
            var waiting = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var row in storage.Replies.QueryAsync<TableEntity>(select: ["PartitionKey", "Applied"], cancellationToken: ct))
            {
                if (row.PartitionKey != MetaPartition && !ReplyKeys.IsShard(row.PartitionKey) && row.GetBoolean("Applied") != true)
                {
                    waiting.Add(row.PartitionKey);
                }
            }

            await Parallel.ForEachAsync(waiting, new ParallelOptions { MaxDegreeOfParallelism = Degree, CancellationToken = ct }, async (partition, token) =>
                await storage.Items.UpsertEntityAsync(new TableEntity(ItemKeys.Partition(FactStore.Unescape(partition)), partition) { [FactStore.RepliesWaitingProperty] = true },
                    TableUpdateMode.Merge, token)); // the parent's row in its shard (decision 1271): the escaped id is its row key
            await storage.Replies.UpsertEntityAsync(new TableEntity(MetaPartition, DoneRow)
            {
                ["MarkedAt"] = DateTimeOffset.UtcNow,
                ["Parents"] = waiting.Count,
            }, TableUpdateMode.Replace, ct);
            logger.LogInformation("Marked the items rows of {Count} parents that replies registered earlier wait for (decision 1251)", waiting.Count);
        }
        catch (Exception e)
        {
            // Retried on the next ingestion; until then items look their replies up as before, which is always correct.
            logger.LogWarning(e, "The pass marking parents that earlier replies wait for failed; items keep looking their replies up until it succeeds (next try in {Delay} at the earliest)", RetryDelay);
            throw;
        }
    }
}
