using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Engage.Functions.Storage;

namespace Engage.Functions.Scores;

/// <summary>What one write of the projection's state stored (decision 1242).</summary>
/// <param name="Sets">Chunk sets written: the core part plus every day rewritten.</param>
/// <param name="Rows">Entities upserted: chunk rows and the head.</param>
/// <param name="BytesWritten">Gzip'd bytes of the sets written.</param>
/// <param name="BytesTotal">Gzip'd bytes of the whole state the head names (what a whole write would have cost).</param>
/// <param name="Deleted">Chunk rows deleted after the head moved: older versions of the sets rewritten, and days that left the window.</param>
public sealed record StateWrite(int Sets, int Rows, long BytesWritten, long BytesTotal, int Deleted);

/// <summary>A state read, and whether it came from this process's memory instead of storage (decision 1242).</summary>
public sealed record StateRead(ProjectionState? State, bool FromMemory);

/// <summary>
/// Stores the projection's state in the community table, PK <c>projection</c> (decisions 1201, 1242): one chunk set
/// for the users and entrants (<see cref="ProjectionState.CoreBytes"/>) and one per UTC day of the window's rows
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

    /// <summary>Format of the head row (its <c>Sets</c> column); a head without it is of the single-set layout before decision 1242.</summary>
    private const int HeadFormat = 3;

    /// <summary>Binary columns per chunk row, and bytes per column: under the 64 KiB property and 1 MiB entity limits.</summary>
    private const int Columns = 14;
    private const int ColumnBytes = 60_000;
    private const int RowBytes = Columns * ColumnBytes;

    /// <summary>Chunk rows written or deleted at once: single-entity requests, as before (no batch, so no batch limits).</summary>
    private const int InFlight = 8;

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

        var bytes = new System.Collections.Concurrent.ConcurrentDictionary<string, byte[]?>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(sets, new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = ct }, async (set, token) =>
            bytes[set.Key] = await ReadSetAsync(set.Key, set.Value, token));
        if (bytes.Values.Any(b => b is null))
        {
            return new StateRead(null, false);
        }

        var state = ProjectionState.FromBytes(bytes[CoreSet]!, bytes.Where(b => b.Key != CoreSet).Select(b => b.Value!));
        if (state is not null)
        {
            state.HeadETag = head.ETag;
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
        var toWrite = new List<(string Set, byte[] Bytes)> { (CoreSet, state.CoreBytes()) };
        foreach (var day in state.Rows.Days)
        {
            if (sameHead && !state.Rows.Changed.Contains(day) && previous.TryGetValue(day, out var kept))
            {
                next[day] = kept;
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
                for (var c = 0; c < Columns && (n * RowBytes) + (c * ColumnBytes) < bytes.Length; c++)
                {
                    var start = (n * RowBytes) + (c * ColumnBytes);
                    row[$"B{c}"] = bytes.AsSpan(start, Math.Min(ColumnBytes, bytes.Length - start)).ToArray();
                }

                chunks.Add(row);
            }
        }

        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = ct },
            async (row, token) => await storage.Community.UpsertEntityAsync(row, TableUpdateMode.Replace, token));
        if (stopBeforeHead)
        {
            return new StateWrite(toWrite.Count, chunks.Count, toWrite.Sum(w => (long)w.Bytes.Length), next.Values.Sum(s => s.Bytes), 0);
        }

        var etag = await WriteHeadAsync(current, generation, next, ct);

        // The head names the new state: what it no longer names can go (a run cut short here leaves rows a full run sweeps).
        var named = next.SelectMany(s => Enumerable.Range(0, s.Value.Chunks).Select(n => ChunkRow(s.Key, s.Value.Version, n))).ToHashSet(StringComparer.Ordinal);
        var stale = sweep || legacy
            ? await ChunkRowsAsync(ct)
            : previous.SelectMany(s => Enumerable.Range(0, s.Value.Chunks).Select(n => ChunkRow(s.Key, s.Value.Version, n))).ToList();
        var gone = stale.Where(k => !named.Contains(k)).ToList();
        await Parallel.ForEachAsync(gone, new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = ct },
            async (key, token) => await storage.Community.DeleteEntityAsync(ScoreStore.StatePartition, key, ETag.All, token));

        state.HeadETag = etag;
        state.Rows.Saved();
        lock (_gate)
        {
            _kept = (etag, state);
        }

        return new StateWrite(toWrite.Count, chunks.Count + 1, toWrite.Sum(w => (long)w.Bytes.Length), next.Values.Sum(s => s.Bytes), gone.Count);
    }

    private async Task<ETag> WriteHeadAsync(TableEntity? current, long generation, Dictionary<string, StoredSet> sets, CancellationToken ct)
    {
        var head = new TableEntity(ScoreStore.StatePartition, HeadRow)
        {
            ["Format"] = HeadFormat,
            ["Generation"] = generation,
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

    private async Task<byte[]?> ReadSetAsync(string set, StoredSet stored, CancellationToken ct)
    {
        var prefix = $"{HeadRow}-{set}-{stored.Version}-";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ScoreStore.StatePartition} and RowKey gt {prefix} and RowKey lt {prefix + "~"}");
        var parts = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var e in storage.Community.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            parts[e.RowKey] = e;
        }

        using var bytes = new MemoryStream((int)Math.Min(stored.Bytes, int.MaxValue));
        for (var n = 0; n < stored.Chunks; n++)
        {
            if (!parts.TryGetValue(ChunkRow(set, stored.Version, n), out var part))
            {
                return null;
            }

            for (var c = 0; c < Columns && part.GetBinary($"B{c}") is { } column; c++)
            {
                bytes.Write(column);
            }
        }

        return bytes.ToArray();
    }

    /// <summary>Every chunk row of the partition, by key only (this layout's and the single-set layout's <c>state-{parity}-{n}</c>).</summary>
    private async Task<List<string>> ChunkRowsAsync(CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ScoreStore.StatePartition} and RowKey gt {HeadRow + "-"} and RowKey lt {HeadRow + "."}");
        var keys = new List<string>();
        await foreach (var e in storage.Community.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: ct))
        {
            keys.Add(e.RowKey);
        }

        return keys;
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
