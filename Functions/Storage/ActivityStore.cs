using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Domain.Scoring;

namespace Engage.Functions.Storage;

/// <summary>
/// The activity layout (decision 1111): one row per interaction, the actor's fact (and the thread-root fallback
/// row written later for a parent that never arrived), in one table per month, partitioned by day and shard.
/// A window is read with a handful of range reads of its own months, so a community read or a projection costs
/// what the window holds, not what the store has accumulated. Rows are the fact rows' entities
/// (<see cref="FactStore.ToEntity(Fact)"/>) under other keys: one mapping for both tables.
/// </summary>
public sealed class ActivityStore(EngageStorage storage)
{
    private const int ParallelReads = 16;
    private const int ParallelWrites = 8;

    /// <summary>Months whose table this process has created or seen: creation is asked once per month per process.</summary>
    private readonly ConcurrentDictionary<string, Lazy<Task>> _created = new(StringComparer.Ordinal);

    /// <summary>The table of one month (<c>{prefix}{yyyyMM}</c>).</summary>
    public TableClient Table(string month) => storage.TableService.GetTableClient(storage.Names.Activity + month);

    /// <summary>
    /// Writes the activity row of an actor's fact, insert-only like the fact itself: 409 is the same row delivered
    /// again, and a newer classifier rewrites only the classifier columns (the same rule as the facts table).
    /// </summary>
    public async Task InsertAsync(Fact actorFact, CancellationToken ct)
    {
        var (month, partition, row) = FactKeys.ActivityKey(actorFact);
        var table = await EnsureTableAsync(month, ct);
        var entity = FactStore.ToEntity(actorFact);
        entity.PartitionKey = partition;
        entity.RowKey = row;
        await FactStore.InsertFactAsync(table, entity, actorFact.ClassifierVersion, ct);
    }

    /// <summary>
    /// Writes the activity rows of many actors' facts. Rows of one (month, partition) — interactions of one day that
    /// share a shard, from this list and from whatever else this process writes at the same time — go together in
    /// transactions of at most <see cref="FactStore.MaxBatch"/> rows of that one partition (<see cref="PartitionWriter"/>,
    /// decisions 1212, 1213). A transaction that fails (a row already there after a redelivery, a row storage refuses)
    /// sends its rows one by one through the idempotent insert. Returns the rows storage refused; transient errors
    /// are thrown, as by a single insert.
    /// </summary>
    public async Task<IReadOnlyList<(Fact Fact, Exception Error)>> InsertAsync(IReadOnlyList<Fact> actorFacts, CancellationToken ct)
    {
        var rows = new List<(TableClient, TableEntity, Func<CancellationToken, Task>)>(actorFacts.Count);
        foreach (var fact in actorFacts)
        {
            var (month, partition, row) = FactKeys.ActivityKey(fact);
            var table = await EnsureTableAsync(month, ct);
            var entity = FactStore.ToEntity(fact);
            entity.PartitionKey = partition;
            entity.RowKey = row;
            rows.Add((table, entity, token => FactStore.InsertFactAsync(table, entity, fact.ClassifierVersion, token)));
        }

        var errors = await _writer.WriteAsync(rows, ct);
        return [.. actorFacts.Zip(errors).Where(o => o.Second is not null).Select(o => (o.First, o.Second!))];
    }

    /// <summary>Activity rows are inserts: a row already there fails its transaction, and its rows go one by one.</summary>
    private readonly PartitionWriter _writer = new(TableTransactionActionType.Add);

    /// <summary>
    /// Every interaction's activity rows with occurredAt in the window, as facts of their actors: one range read per
    /// (month, shard), read concurrently; months with no table are skipped (one listing of the tables first).
    /// </summary>
    public async Task<List<Fact>> ReadAsync(Window window, CancellationToken ct)
    {
        var months = await MonthsAsync(ct);
        var lower = FactKeys.LowerBound(window.From);
        var upper = FactKeys.UpperBound(window.AsOf) + "~";
        var ranges = FactKeys.ActivityRanges(window.From, window.AsOf).Where(r => months.Contains(r.Month)).ToList();
        var parts = new ConcurrentBag<List<Fact>>();
        await Parallel.ForEachAsync(ranges, new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = ct }, async (range, token) =>
        {
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey ge {range.FirstPartition} and PartitionKey le {range.LastPartition} and RowKey ge {lower} and RowKey lt {upper}");
            var facts = new List<Fact>();
            await foreach (var entity in Table(range.Month).QueryAsync<TableEntity>(filter, cancellationToken: token))
            {
                facts.Add(ToFact(entity));
            }

            parts.Add(facts);
        });
        return parts.SelectMany(p => p).ToList();
    }

    /// <summary>
    /// One activity row by a point read (indexed on Azure and on Azurite alike), or null when it is not there (never
    /// written, erased, or its month's table does not exist): how the projection reads what arrived (decision 1241).
    /// </summary>
    public async Task<Fact?> GetAsync(string month, string partition, string row, CancellationToken ct)
    {
        try
        {
            var response = await Table(month).GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: ct);
            return response.HasValue && response.Value is { } e ? ToFact(e) : null;
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            return null; // the month's table is not there
        }
    }

    /// <summary>
    /// The rows of one partition with row keys from <paramref name="first"/> to <paramref name="last"/> (inclusive), by row
    /// key: one range read (decision 1293); empty when the month's table is not there.
    /// </summary>
    public async Task<Dictionary<string, Fact>> ReadSpanAsync(string month, string partition, string first, string last, CancellationToken ct)
    {
        var rows = new Dictionary<string, Fact>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {first} and RowKey le {last}");
        try
        {
            await foreach (var entity in Table(month).QueryAsync<TableEntity>(filter, cancellationToken: ct))
            {
                rows[entity.RowKey] = ToFact(entity);
            }
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            // The month's table is not there: none of its rows are.
        }

        return rows;
    }

    /// <summary>An activity row read back: its fact, with the actor as the affected user (the partition is a day-shard, not a user).</summary>
    public static Fact ToFact(TableEntity entity)
    {
        var fact = FactStore.ToFact(entity);
        return fact with { UserId = fact.Actor };
    }

    /// <summary>Months that have an activity table (<c>yyyyMM</c>): one listing of the account's tables by name range.</summary>
    public async Task<HashSet<string>> MonthsAsync(CancellationToken ct)
    {
        var prefix = storage.Names.Activity;
        var months = new HashSet<string>(StringComparer.Ordinal);
        var filter = TableServiceClient.CreateQueryFilter($"TableName ge {prefix + "000000"} and TableName le {prefix + "999999"}");
        await foreach (var table in storage.TableService.QueryAsync(filter, cancellationToken: ct))
        {
            var name = table.Name;
            if (name.Length == prefix.Length + 6 && name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && name[prefix.Length..].All(char.IsAsciiDigit))
            {
                months.Add(name[prefix.Length..]);
            }
        }

        return months;
    }

    /// <summary>
    /// Migration of a store that has facts but no activity rows (decision 1111): one scan of the facts table, the
    /// actor's rows copied into the activity layout, idempotently. Returns the number of rows copied.
    /// </summary>
    public async Task<int> BackfillAsync(CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        var copied = 0;
        var batch = new List<Fact>(1000);
        async Task FlushAsync()
        {
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = ParallelWrites, CancellationToken = ct },
                async (fact, token) => await InsertAsync(fact, token));
            copied += batch.Count;
            batch.Clear();
        }

        await foreach (var entity in storage.Facts.QueryAsync<TableEntity>(cancellationToken: ct))
        {
            var fact = FactStore.ToFact(entity);
            if (fact.IsActor)
            {
                batch.Add(fact);
                if (batch.Count == batch.Capacity)
                {
                    await FlushAsync();
                }
            }
        }

        await FlushAsync();
        return copied;
    }

    private async Task<TableClient> EnsureTableAsync(string month, CancellationToken ct)
    {
        var table = Table(month);
        var created = _created.GetOrAdd(month, _ => new Lazy<Task>(() => table.CreateIfNotExistsAsync(CancellationToken.None)));
        try
        {
            await created.Value.WaitAsync(ct);
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException)
        {
            // Not created (storage unavailable): forget the attempt, so the retry of the message asks again.
            _created.TryRemove(new KeyValuePair<string, Lazy<Task>>(month, created));
            throw;
        }

        return table;
    }
}
