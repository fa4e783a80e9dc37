using System.Globalization;
using Azure;
using System.Security.Cryptography;
using Azure.Data.Tables;
using Engage.Functions.Storage;

namespace Engage.Functions.Scores;

/// <summary>What one write of the projection's state stored (decision 1242).</summary>
/// <param name="Sets">Chunk sets written: the core part plus every day rewritten.</param>
/// <param name="Rows">Entities upserted: chunk rows and the head.</param>
/// <param name="BytesWritten">Gzip'd bytes of the sets written.</param>
/// <param name="BytesTotal">Gzip'd bytes of the whole state the head names (what a whole write would have cost).</param>
/// <param name="Deleted">Chunk rows deleted after the head moved: older versions of the sets rewritten, and days that left the window.</param>
public sealed record StateWrite(int Sets, int Rows, long BytesWritten, long BytesTotal, int Deleted)
{
    /// <summary>Storage calls the write made: the head's read and write, and the chunk rows' transactions and single requests (decision 1292).</summary>
    public int Calls { get; init; }

    /// <summary>Of the sets written, segments: the rows a day gained, stored beside it instead of the day rewritten (decision 1294).</summary>
    public int Segments { get; init; }

    /// <summary>Figures the core carries over the buckets, which were not rewritten (decision 1295); 0 when the buckets were.</summary>
    public int FiguresInCore { get; init; }
}

/// <summary>A state read, and whether it came from this process's memory instead of storage (decision 1242).</summary>
public sealed record StateRead(ProjectionState? State, bool FromMemory);

/// <summary>
/// Stores the projection's state in the community table, PK <c>projection</c> (decisions 1201, 1242, 1292): a core
/// chunk set (<see cref="ProjectionState.CoreBytes"/>), one per non-empty bucket of the users' and entrants' figures
/// (<c>u000</c>–<c>u255</c>, as many as the figures need, <see cref="ProjectionState.UserBucketBytes"/>) and one per UTC day of the window's rows
/// (<see cref="ProjectionState.DayBytes"/>), named by the head row <c>state</c>, which lists each set's version and
/// chunk count. A write stores the core and the days that changed under a version no row names yet, then replaces the
/// head, then deletes what the head no longer names: a write cut short anywhere leaves the head naming a whole state.
/// The last state written is kept in memory while the head still carries the ETag of that write, so a warm instance
/// reads one row instead of the window.
/// </summary>
public sealed class ProjectionStateStore(EngageStorage storage)
{
    private const string HeadRow = "state";
    private const string CoreSet = "core";

    /// <summary>
    /// Between a day and a segment's generation in a segment's set name, <c>{yyyyMMdd}+{generation}</c> (decision 1294):
    /// the rows a day gained in one write, stored beside the day's set instead of rewriting it.
    /// </summary>
    private const string SegmentMark = "+";

    /// <summary>
    /// Segments a day may have before a write that adds rows to it rewrites it whole (and its segments go): a day's rows
    /// are then rewritten once every this many runs that add to it instead of every run, and a cold read assembles at
    /// most this many more sets a day.
    /// </summary>
    internal const int MaxSegments = 8;

    /// <summary>Tests only: the figures the core may carry before the buckets are rewritten, instead of <see cref="ProjectionState.CoreOutgrown"/>.</summary>
    internal int? FiguresInCoreLimit { get; set; }

    /// <summary>Format of the head row (its <c>Sets</c> column); a head without it is of the single-set layout before decision 1242.</summary>
    private const int HeadFormat = 3;

    /// <summary>The head's column of <see cref="ProjectionState.CoreFiguresWritten"/> (decision 1303).</summary>
    private const string CarriedColumn = "CoreCarried";

    /// <summary>Binary columns per chunk row (<see cref="BinaryColumns"/>): under the 1 MiB entity limit.</summary>
    private const int Columns = 14;
    private const int RowBytes = Columns * BinaryColumns.ColumnBytes;

    /// <summary>Requests in flight when chunk rows are written, read or deleted.</summary>
    private const int InFlight = 8;

    /// <summary>
    /// Chunk rows of one transaction (decision 1292): at most 100 entities and this many binary bytes, so the request
    /// (base64, a third larger, plus its envelope) stays under the 4 MiB a transaction may carry.
    /// </summary>
    private const int TransactionRows = 100;
    private const int TransactionBytes = 2_000_000;

    private readonly Lock _gate = new();
    private (ETag ETag, ProjectionState State)? _kept;

    /// <summary>
    /// The state the head names, or null (no state, another format, a chunk missing or unreadable: a full run rebuilds
    /// it). When the head is the one this process wrote last, the state kept in memory is handed out instead, once:
    /// the caller changes it in place, so it is kept again only by the next write.
    /// </summary>
    public async Task<StateRead> ReadAsync(CancellationToken ct)
    {
        var kept = Take();
        var response = await storage.Community.GetEntityIfExistsAsync<TableEntity>(ScoreStore.StatePartition, HeadRow, cancellationToken: ct);
        if (!response.HasValue || response.Value is not { } head || head.GetInt32("Format") != HeadFormat)
        {
            return new StateRead(null, false);
        }

        if (kept is { } k && k.ETag == head.ETag)
        {
            return new StateRead(k.State, true);
        }

        var sets = ParseSets(head.GetString("Sets"));
        if (!sets.ContainsKey(CoreSet))
        {
            return new StateRead(null, false);
        }

        // One range read of every chunk row (a set per bucket and per day: hundreds of sets, each a row or a few).
        var rows = await ChunkRowsAsync(keysOnly: false, ct);
        var bytes = sets.ToDictionary(set => set.Key, set => Assemble(rows, set.Key, set.Value), StringComparer.Ordinal);
        if (bytes.Values.Any(b => b is null))
        {
            return new StateRead(null, false);
        }

        var state = ProjectionState.FromBytes(bytes[CoreSet]!,
            bytes.Where(b => IsBucket(b.Key)).Select(b => b.Value!),
            bytes.Where(b => b.Key != CoreSet && !IsBucket(b.Key)).Select(b => b.Value!));
        if (state is not null)
        {
            state.HeadETag = head.ETag;
            if (head.GetInt64(CarriedColumn) is { } carried)
            {
                state.CoreFiguresWritten = carried; // a head written before decision 1303 has none: the core read counts once
            }
        }

        return new StateRead(state, false);
    }

    /// <summary>
    /// Writes the state: the core part and every day changed since it was read (all days when it was not read from the
    /// head found now: a new state, or another writer moved the head meanwhile), then the head, then deletes the sets'
    /// older versions and the days the head no longer names. With <paramref name="sweep"/> (full runs), every chunk row
    /// the new head does not name goes, including those a write cut short left behind.
    /// </summary>
    public Task<StateWrite> WriteAsync(ProjectionState state, bool sweep, CancellationToken ct) => WriteAsync(state, sweep, stopBeforeHead: false, ct);

    /// <param name="stopBeforeHead">Tests only: return once the chunk rows are written, as a run cut short before the head would.</param>
    internal async Task<StateWrite> WriteAsync(ProjectionState state, bool sweep, bool stopBeforeHead, CancellationToken ct)
    {
        Take();
        var response = await storage.Community.GetEntityIfExistsAsync<TableEntity>(ScoreStore.StatePartition, HeadRow, cancellationToken: ct);
        var current = response.HasValue ? response.Value : null;
        var legacy = current is not null && current.GetInt32("Format") != HeadFormat;
        var previous = current is not null && !legacy ? ParseSets(current.GetString("Sets")) : new Dictionary<string, StoredSet>(StringComparer.Ordinal);
        var sameHead = state.HeadETag is { } read && current is not null && current.ETag == read;
        var generation = (legacy ? 0 : current?.GetInt64("Generation") ?? 0) + 1;

        // A version no row has: the generation, and a random part, so that two writers racing never share a row name.
        var version = string.Create(CultureInfo.InvariantCulture, $"{generation:D10}-{Random.Shared.Next(0x1000000):x6}");
        var next = new Dictionary<string, StoredSet>(StringComparer.Ordinal);

        // The figures that changed since the buckets were written ride in the core, the buckets named as they were
        // (decision 1295), until they are more than the core should carry, the bucket count changes, or the state was
        // not read from this head: then the buckets whose bytes differ are rewritten (decision 1292) and the delta empties.
        var buckets = state.BucketCount(); // a count other than the stored one changes every bucket's bytes: all are rewritten
        var forced = !sameHead || buckets != state.StoredBucketCount;
        var delta = forced ? FiguresDelta.None : state.PendingDelta(); // a pass over every figure, only when the core may carry them
        var rebucket = forced || (FiguresInCoreLimit is { } limit ? delta.Count > limit : state.CoreOutgrown(delta.Count));
        var toWrite = new List<(string Set, byte[] Bytes)> { (CoreSet, state.CoreBytes(rebucket ? FiguresDelta.None : delta)) };
        var fingerprints = rebucket ? [] : state.StoredBuckets;
        if (!rebucket)
        {
            foreach (var (set, kept) in previous.Where(p => IsBucket(p.Key)))
            {
                next[set] = kept;
            }
        }
        else
        {
            foreach (var (bucket, raw) in state.UserBucketBytes(buckets))
            {
                var set = BucketSet(bucket);
                fingerprints[bucket] = SHA256.HashData(raw);
                if (sameHead && previous.TryGetValue(set, out var kept) && state.StoredBuckets.TryGetValue(bucket, out var was)
                    && was.AsSpan().SequenceEqual(fingerprints[bucket]))
                {
                    next[set] = kept;
                }
                else
                {
                    toWrite.Add((set, ProjectionState.Pack(raw)));
                }
            }
        }

        // A day unchanged keeps its set and segments; a day that only gained rows gets a segment of them, up to
        // MaxSegments (decision 1294); any other change, or one segment too many, rewrites the day whole.
        var segmentsOf = previous.Keys.Where(set => set.Contains(SegmentMark, StringComparison.Ordinal))
            .ToLookup(set => set[..set.IndexOf(SegmentMark, StringComparison.Ordinal)], StringComparer.Ordinal);
        var segmentsWritten = 0;
        foreach (var day in state.Rows.Days)
        {
            var added = state.Rows.AddedOnly(day);
            if (sameHead && previous.TryGetValue(day, out var kept)
                && (!state.Rows.Changed.Contains(day) || (added is not null && segmentsOf[day].Count() < MaxSegments)))
            {
                next[day] = kept;
                foreach (var segment in segmentsOf[day])
                {
                    next[segment] = previous[segment];
                }

                if (added is not null)
                {
                    toWrite.Add((string.Create(CultureInfo.InvariantCulture, $"{day}{SegmentMark}{generation:D10}"), state.SegmentBytes(added)));
                    segmentsWritten++;
                }
            }
            else
            {
                toWrite.Add((day, state.DayBytes(day)));
            }
        }

        var chunks = new List<TableEntity>();
        foreach (var (set, bytes) in toWrite)
        {
            var count = Math.Max(1, (bytes.Length + RowBytes - 1) / RowBytes);
            next[set] = new StoredSet(version, count, bytes.Length);
            for (var n = 0; n < count; n++)
            {
                var row = new TableEntity(ScoreStore.StatePartition, ChunkRow(set, version, n));
                var start = n * RowBytes;
                BinaryColumns.Put(row, "B", bytes.AsSpan(start, Math.Min(RowBytes, bytes.Length - start)));
                chunks.Add(row);
            }
        }

        var calls = 2 + await SubmitAsync(chunks.Select(row => (row, BinaryBytes(row))), TableTransactionActionType.UpsertReplace, ct);
        if (stopBeforeHead)
        {
            return new StateWrite(toWrite.Count, chunks.Count, toWrite.Sum(w => (long)w.Bytes.Length), next.Values.Sum(s => s.Bytes), 0);
        }

        var carried = rebucket ? 0 : state.CoreFiguresWritten + delta.Count;
        var etag = await WriteHeadAsync(current, generation, next, carried, ct);

        // The head names the new state: what it no longer names can go (a run cut short here leaves rows a full run sweeps).
        var named = next.SelectMany(s => Enumerable.Range(0, s.Value.Chunks).Select(n => ChunkRow(s.Key, s.Value.Version, n))).ToHashSet(StringComparer.Ordinal);
        calls += sweep || legacy ? 1 : 0; // the range read of every chunk row's key (one call, whatever its pages)
        var stale = sweep || legacy
            ? (await ChunkRowsAsync(keysOnly: true, ct)).Keys.ToList()
            : previous.SelectMany(s => Enumerable.Range(0, s.Value.Chunks).Select(n => ChunkRow(s.Key, s.Value.Version, n))).ToList();
        var gone = stale.Where(k => !named.Contains(k)).ToList();
        calls += await SubmitAsync(gone.Select(key => (new TableEntity(ScoreStore.StatePartition, key) { ETag = ETag.All }, 0L)), TableTransactionActionType.Delete, ct);

        state.HeadETag = etag;
        state.StoredBuckets = fingerprints;
        state.StoredBucketCount = buckets;
        state.CoreFiguresWritten = carried;
        if (rebucket)
        {
            state.MarkBucketed();
        }

        state.Rows.Saved();
        lock (_gate)
        {
            _kept = (etag, state);
        }

        return new StateWrite(toWrite.Count, chunks.Count + 1, toWrite.Sum(w => (long)w.Bytes.Length), next.Values.Sum(s => s.Bytes), gone.Count)
        {
            Calls = calls,
            Segments = segmentsWritten,
            FiguresInCore = rebucket ? 0 : delta.Count,
        };
    }

    /// <summary>
    /// Writes or deletes chunk rows in transactions of at most <see cref="TransactionRows"/> rows and
    /// <see cref="TransactionBytes"/> binary bytes (all rows are in one partition), a lone row as a single request,
    /// <see cref="InFlight"/> at once; returns the calls made. A delete transaction that meets a row already gone (a
    /// sweep racing another) is done again row by row, where a missing row is no error.
    /// </summary>
    private async Task<int> SubmitAsync(IEnumerable<(TableEntity Row, long Bytes)> rows, TableTransactionActionType action, CancellationToken ct)
    {
        var groups = new List<List<TableEntity>>();
        long bytes = 0;
        foreach (var (row, size) in rows)
        {
            if (groups.Count == 0 || groups[^1].Count == TransactionRows || bytes + size > TransactionBytes)
            {
                groups.Add([]);
                bytes = 0;
            }

            groups[^1].Add(row);
            bytes += size;
        }

        var calls = 0;
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = ct }, async (group, token) =>
        {
            Interlocked.Add(ref calls, 1 + await TransactionAsync(group, action, token));
        });
        return calls;
    }

    /// <summary>One transaction (or a single request for one row); extra calls made when a delete had to go row by row.</summary>
    private async Task<int> TransactionAsync(List<TableEntity> group, TableTransactionActionType action, CancellationToken ct)
    {
        if (group.Count == 1)
        {
            await SingleAsync(group[0], action, ct);
            return 0;
        }

        try
        {
            await storage.Community.SubmitTransactionAsync(group.Select(row => action == TableTransactionActionType.Delete ? new TableTransactionAction(action, row, ETag.All) : new TableTransactionAction(action, row)), ct);
            return 0;
        }
        catch (TableTransactionFailedException gone) when (action == TableTransactionActionType.Delete && gone.Status == 404)
        {
            foreach (var row in group)
            {
                await SingleAsync(row, action, ct);
            }

            return group.Count;
        }
    }

    private Task SingleAsync(TableEntity row, TableTransactionActionType action, CancellationToken ct) => action == TableTransactionActionType.Delete
        ? storage.Community.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct)
        : storage.Community.UpsertEntityAsync(row, TableUpdateMode.Replace, ct);

    private static long BinaryBytes(TableEntity row) => ((IDictionary<string, object>)row).Values.OfType<byte[]>().Sum(b => (long)b.Length);

    /// <summary>A bucket's set name: <c>u</c> and three digits (no day, which is eight digits, nor <c>core</c> can be one).</summary>
    private static string BucketSet(int bucket) => "u" + bucket.ToString("D3", CultureInfo.InvariantCulture);

    private static bool IsBucket(string set) => set.StartsWith('u');

    /// <param name="carried">The figures the cores have carried since the buckets were written (decision 1303): kept with the
    /// head, so that a process that reads the state cold (a new instance every run, say) goes on counting.</param>
    private async Task<ETag> WriteHeadAsync(TableEntity? current, long generation, Dictionary<string, StoredSet> sets, long carried, CancellationToken ct)
    {
        var head = new TableEntity(ScoreStore.StatePartition, HeadRow)
        {
            ["Format"] = HeadFormat,
            ["Generation"] = generation,
            [CarriedColumn] = carried,
            ["Sets"] = string.Join(';', sets.OrderBy(s => s.Key, StringComparer.Ordinal)
                .Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key}:{s.Value.Version}:{s.Value.Chunks}:{s.Value.Bytes}"))),
            ["Bytes"] = sets.Values.Sum(s => s.Bytes),
        };

        // Only over the head this write started from: a writer that moved it meanwhile wins, and this run fails (its
        // chunks are swept by the next full run) rather than naming days the other writer may have deleted.
        var response = current is null
            ? await storage.Community.AddEntityAsync(head, ct)
            : await storage.Community.UpdateEntityAsync(head, current.ETag, TableUpdateMode.Replace, ct);
        return response.Headers.ETag ?? throw new InvalidOperationException("The table service answered the state's head without an ETag.");
    }

    /// <summary>A set's bytes from its chunk rows, or null when one is missing.</summary>
    private static byte[]? Assemble(Dictionary<string, TableEntity> rows, string set, StoredSet stored)
    {
        using var bytes = new MemoryStream((int)Math.Min(stored.Bytes, int.MaxValue));
        for (var n = 0; n < stored.Chunks; n++)
        {
            if (!rows.TryGetValue(ChunkRow(set, stored.Version, n), out var part))
            {
                return null;
            }

            BinaryColumns.AppendTo(bytes, part, "B");
        }

        return bytes.ToArray();
    }

    /// <summary>
    /// Every chunk row of the partition, by key (this layout's and the single-set layout's <c>state-{parity}-{n}</c>):
    /// with their bytes to read a state, or keys only to sweep.
    /// </summary>
    private async Task<Dictionary<string, TableEntity>> ChunkRowsAsync(bool keysOnly, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ScoreStore.StatePartition} and RowKey gt {HeadRow + "-"} and RowKey lt {HeadRow + "."}");
        var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var e in storage.Community.QueryAsync<TableEntity>(filter, select: keysOnly ? ["RowKey"] : null, cancellationToken: ct))
        {
            rows[e.RowKey] = e;
        }

        return rows;
    }

    private (ETag ETag, ProjectionState State)? Take()
    {
        lock (_gate)
        {
            var kept = _kept;
            _kept = null;
            return kept;
        }
    }

    /// <summary>Chunk row <c>state-{set}-{version}-{n}</c>: set <c>core</c> or a day yyyyMMdd.</summary>
    private static string ChunkRow(string set, string version, int n) =>
        string.Create(CultureInfo.InvariantCulture, $"{HeadRow}-{set}-{version}-{n:D5}");

    private static Dictionary<string, StoredSet> ParseSets(string? text)
    {
        var sets = new Dictionary<string, StoredSet>(StringComparer.Ordinal);
        foreach (var entry in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var p = entry.Split(':');
            if (p.Length == 4 && int.TryParse(p[2], CultureInfo.InvariantCulture, out var chunks) && long.TryParse(p[3], CultureInfo.InvariantCulture, out var bytes))
            {
                sets[p[0]] = new StoredSet(p[1], chunks, bytes);
            }
        }

        return sets;
    }

    private sealed record StoredSet(string Version, int Chunks, long Bytes);
}
