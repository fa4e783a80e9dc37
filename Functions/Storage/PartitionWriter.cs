using Azure.Data.Tables;

namespace Engage.Functions.Storage;

/// <summary>
/// Group commit of table rows by partition, across everything this process writes at once (decision 1213): a row
/// for a partition with no write in flight goes at once; rows for a partition whose transaction is in flight wait
/// for it and then go together, in transactions of at most <see cref="FactStore.MaxBatch"/> rows of ONE partition
/// (Azure refuses cross-partition transactions even though Azurite accepts them). Nothing waits for a timer, so an
/// idle process writes as before; a busy one pays one round trip for what many messages wrote to one partition.
/// Each caller gets its own row's outcome: a transaction that fails for a reason a retry would only repeat (a row
/// already there, a row storage refuses) sends its rows one by one through the caller's own single write, and a
/// transient failure is thrown to every caller whose row was in it.
/// </summary>
public sealed class PartitionWriter(TableTransactionActionType action)
{
    private sealed record Row(TableEntity Entity, Func<CancellationToken, Task> Single, TaskCompletionSource<Exception?> Done);

    private sealed class Pending(TableClient table)
    {
        public TableClient Table { get; } = table;
        public List<Row> Rows { get; } = [];
        public bool Writing { get; set; }
    }

    private readonly Dictionary<(string Table, string Partition), Pending> _pending = [];

    /// <summary>
    /// Writes the rows with the others of their partitions; answers, row by row, null when it is stored or the error
    /// storage gave for that row alone when it refused it; throws a transient error. Each row's <c>Single</c> writes
    /// it alone, idempotently (for an insert, a 409 is success). The rows are queued together, so the rows of one
    /// partition in the list share a transaction even when nothing else is being written.
    /// </summary>
    public async Task<Exception?[]> WriteAsync(IEnumerable<(TableClient Table, TableEntity Entity, Func<CancellationToken, Task> Single)> rows, CancellationToken ct)
    {
        var queued = new List<Row>();
        var start = new List<(string, string)>();
        lock (_pending)
        {
            foreach (var (table, entity, single) in rows)
            {
                var row = new Row(entity, single, new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously));
                var key = (table.Name, entity.PartitionKey);
                if (!_pending.TryGetValue(key, out var pending))
                {
                    _pending[key] = pending = new Pending(table);
                }

                pending.Rows.Add(row);
                queued.Add(row);
                if (!pending.Writing)
                {
                    pending.Writing = true;
                    start.Add(key);
                }
            }
        }

        foreach (var key in start)
        {
            // The drain serves every caller queued on the partition: none of their flows' AsyncLocal state goes with it.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(() => DrainAsync(key), CancellationToken.None);
            }
        }

        // The rows are written whatever happens to this caller (another caller's rows may share their transaction):
        // a cancelled caller leaves rows written, which an insert-only store tolerates (its retry finds them).
        return await Task.WhenAll(queued.Select(r => r.Done.Task)).WaitAsync(ct);
    }

    /// <summary>Writes the partition's waiting rows, a transaction at a time, until none is left.</summary>
    private async Task DrainAsync((string Table, string Partition) key)
    {
        while (true)
        {
            Pending pending;
            List<Row> chunk;
            lock (_pending)
            {
                pending = _pending[key];
                if (pending.Rows.Count == 0)
                {
                    _pending.Remove(key);
                    return;
                }

                // One row per key in a transaction: a second row of the same key waits for the next one.
                var keys = new HashSet<string>(StringComparer.Ordinal);
                chunk = [];
                foreach (var row in pending.Rows)
                {
                    if (chunk.Count < FactStore.MaxBatch && keys.Add(row.Entity.RowKey))
                    {
                        chunk.Add(row);
                    }
                }

                pending.Rows.RemoveAll(chunk.Contains);
            }

            await WriteAsync(pending.Table, chunk);
        }
    }

    private async Task WriteAsync(TableClient table, List<Row> chunk)
    {
        if (chunk.Count > 1)
        {
            try
            {
                await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(action, r.Entity)), CancellationToken.None);
                foreach (var row in chunk)
                {
                    row.Done.TrySetResult(null);
                }

                return;
            }
            catch (TableTransactionFailedException e) when (!EngageStorage.IsUnavailable(e))
            {
                // A row already there (409, a redelivery) or one storage refuses fails the whole transaction:
                // the rows go one by one, where a duplicate is success and a refused row is reported alone.
            }
            catch (Exception e)
            {
                foreach (var row in chunk)
                {
                    row.Done.TrySetException(e);
                }

                return;
            }
        }

        foreach (var row in chunk)
        {
            try
            {
                await row.Single(CancellationToken.None);
                row.Done.TrySetResult(null);
            }
            catch (Exception e) when (!EngageStorage.IsUnavailable(e) && e is not OperationCanceledException)
            {
                row.Done.TrySetResult(e);
            }
            catch (Exception e)
            {
                row.Done.TrySetException(e);
            }
        }
    }
}
