using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Functions.Http;

namespace Engage.Functions.Storage;

/// <summary>
/// The arrival index (decision 1201): which users' facts a unit of work changed, by the time it finished. A unit is
/// one queue message (the ingest path opens one with <see cref="Collect"/>), one erasure, or one insert made outside
/// any unit. Its rows are written once, after its facts, so a projection that reads the arrivals from its previous
/// mark (minus a margin for clock skew) and then reads those users' partitions never misses a change: a unit cut
/// short before its row is retried, and the retry writes the row.
/// Table <c>arrivals</c>: PK <c>{yyyyMMddHH of the write}-{shard 0-7}</c> (hour first, so a time range is one key
/// range; shards spread the hour's writes), RK <c>{unit}-{n:D3}</c>, columns <c>At</c> (the writer's clock),
/// <c>Users</c> (a JSON list, split over rows of at most 30,000 characters) and <c>Rows</c> (decision 1241: the activity
/// keys, <c>{month}|{partition}|{row}</c>, of the interactions the unit wrote or changed, split likewise), which the
/// projection reads back by point reads instead of reading the users' partitions.
/// </summary>
public sealed class ArrivalStore(EngageStorage storage, TimeProvider clock)
{
    private const int ChunkChars = 30_000;
    private static readonly AsyncLocal<Unit?> Current = new();

    /// <summary>
    /// Opens a unit for this flow (everything it awaits, parallel branches included), or joins the one already open.
    /// Disposing the unit that opened it writes its rows, if it touched anyone; disposing a joined one does nothing.
    /// </summary>
    public Unit Collect()
    {
        if (Current.Value is { Done: false } open)
        {
            return open.Join();
        }

        var unit = new Unit(this);
        Current.Value = unit;
        return unit;
    }

    /// <summary>
    /// Writes one unit's rows: its users in chunks, all stamped with the writer's clock now. Erased users are written
    /// as keys (<see cref="ErasedKey"/>) in the first row only: the index keeps no identifier of theirs.
    /// </summary>
    public Task WriteAsync(string unitId, IReadOnlyCollection<string> users, IReadOnlyCollection<string> erasedKeys, CancellationToken ct) =>
        WriteAsync(unitId, users, erasedKeys, [], ct);

    /// <param name="rows">Activity keys (<see cref="RowKeyOf"/>) of the interactions written or changed (decision 1241).</param>
    public async Task WriteAsync(string unitId, IReadOnlyCollection<string> users, IReadOnlyCollection<string> erasedKeys, IReadOnlyCollection<string> rows, CancellationToken ct)
    {
        if (users.Count == 0 && erasedKeys.Count == 0 && rows.Count == 0)
        {
            return;
        }

        var at = clock.GetUtcNow();
        var partition = Partition(at, FactKeys.ActivityShard(unitId));
        var chunks = Chunks(users.Order(StringComparer.Ordinal)).ToList();
        var rowChunks = Chunks(rows.Order(StringComparer.Ordinal)).ToList();
        var count = Math.Max(1, Math.Max(chunks.Count, rowChunks.Count));
        for (var n = 0; n < count; n++)
        {
            var row = new TableEntity(partition, $"{unitId}-{n.ToString("D3", CultureInfo.InvariantCulture)}")
            {
                ["At"] = at,
                ["Users"] = JsonSerializer.Serialize(n < chunks.Count ? chunks[n] : [], EngageJson.Options),
            };
            if (n < rowChunks.Count)
            {
                row["Rows"] = JsonSerializer.Serialize(rowChunks[n], EngageJson.Options);
            }

            if (n == 0 && erasedKeys.Count > 0)
            {
                row["Erased"] = JsonSerializer.Serialize(erasedKeys.ToList(), EngageJson.Options);
            }

            await storage.Arrivals.UpsertEntityAsync(row, TableUpdateMode.Replace, ct);
        }
    }

    /// <summary>
    /// What a unit records of an interaction it wrote or changed (decision 1241): where its activity row is,
    /// <c>{month}|{partition}|{row key}</c>. Month and partition hold no <c>|</c>, so the row key is the rest.
    /// </summary>
    public static string RowKeyOf(Fact actorFact)
    {
        var (month, partition, row) = FactKeys.ActivityKey(actorFact);
        return month + "|" + partition + "|" + row;
    }

    /// <summary>The activity key <see cref="RowKeyOf"/> wrote, split again.</summary>
    public static (string Month, string Partition, string Row) ParseRowKey(string key)
    {
        var parts = key.Split('|', 3);
        return (parts[0], parts[1], parts[2]);
    }

    /// <summary>What an erasure records of the erased user: a hash of the id, which the projection matches against its own users.</summary>
    public static string ErasedKey(string userId) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(userId)));

    /// <summary>
    /// Erasure (decision 0301): the user leaves every arrival row that names them; a row left with no one goes. The
    /// table holds the units of about a day (full runs prune it), so this reads it whole.
    /// </summary>
    public async Task ForgetAsync(string userId, CancellationToken ct)
    {
        await foreach (var e in storage.Arrivals.QueryAsync<TableEntity>(cancellationToken: ct))
        {
            var users = JsonSerializer.Deserialize<List<string>>(e.GetString("Users") ?? "[]", EngageJson.Options) ?? [];
            if (users.Remove(userId))
            {
                e["Users"] = JsonSerializer.Serialize(users, EngageJson.Options);
                await storage.Arrivals.UpdateEntityAsync(e, e.ETag, TableUpdateMode.Replace, ct);
            }
        }
    }

    /// <summary>
    /// Every user touched by a unit written at or after <paramref name="since"/> (writer's clock): one range read over
    /// the hours from <paramref name="since"/> on, rows of those hours before it filtered out here.
    /// </summary>
    public async Task<Touched> ReadTouchedAsync(DateTimeOffset since, CancellationToken ct)
    {
        var touched = new Touched(new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
        // The hour range is the key range; the time filter keeps the hour's earlier units (already read) off the wire.
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {Partition(since, 0)} and At ge {since}");
        await foreach (var e in storage.Arrivals.QueryAsync<TableEntity>(filter, select: ["RowKey", "At", "Users", "Erased", "Rows"], cancellationToken: ct))
        {
            if (e.GetDateTimeOffset("At") is { } at && at >= since)
            {
                touched.Users.UnionWith(JsonSerializer.Deserialize<List<string>>(e.GetString("Users") ?? "[]", EngageJson.Options) ?? []);
                touched.ErasedKeys.UnionWith(JsonSerializer.Deserialize<List<string>>(e.GetString("Erased") ?? "[]", EngageJson.Options) ?? []);
                touched.Rows.UnionWith(JsonSerializer.Deserialize<List<string>>(e.GetString("Rows") ?? "[]", EngageJson.Options) ?? []);

                // A unit's first row names its rows whenever it names users (but for an erasure): one that does not was
                // written by a writer older than decision 1241, whose rows only a full run reads.
                if (e.RowKey.EndsWith("-000", StringComparison.Ordinal) && e.GetString("Rows") is null && e.GetString("Erased") is null
                    && e.GetString("Users") is { Length: > 2 })
                {
                    touched.WithoutRows = true;
                }
            }
        }

        return touched;
    }

    /// <summary>Users touched since a time, the keys (<see cref="ErasedKey"/>) of users erased since, and the activity keys (<see cref="RowKeyOf"/>) of the interactions written or changed since.</summary>
    public sealed record Touched(HashSet<string> Users, HashSet<string> ErasedKeys, HashSet<string> Rows)
    {
        /// <summary>Some unit named users but not its rows: written before decision 1241 (during an upgrade).</summary>
        public bool WithoutRows { get; set; }
    }

    /// <summary>Deletes the rows of hours wholly before <paramref name="before"/>: nothing reads them any more.</summary>
    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey lt {Partition(before, 0)}");
        var deleted = 0;
        await foreach (var e in storage.Arrivals.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
        {
            await storage.Arrivals.DeleteEntityAsync(e.PartitionKey, e.RowKey, Azure.ETag.All, ct);
            deleted++;
        }

        return deleted;
    }

    private static string Partition(DateTimeOffset at, int shard) =>
        at.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture) + "-" + shard.ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<List<string>> Chunks(IEnumerable<string> users)
    {
        var current = new List<string>();
        var chars = 0;
        foreach (var user in users)
        {
            if (chars + user.Length + 8 > ChunkChars && current.Count > 0)
            {
                yield return current;
                current = [];
                chars = 0;
            }

            current.Add(user);
            chars += user.Length + 8;
        }

        if (current.Count > 0)
        {
            yield return current;
        }
    }

    /// <summary>The users one unit of work touched; written when the flow that opened it disposes it.</summary>
    public sealed class Unit : IAsyncDisposable
    {
        private readonly ArrivalStore _store;
        private readonly HashSet<string> _users = new(StringComparer.Ordinal);
        private readonly HashSet<string> _erased = new(StringComparer.Ordinal);
        private readonly HashSet<string> _rows = new(StringComparer.Ordinal);
        private readonly Unit? _outer;

        internal Unit(ArrivalStore store) => _store = store;

        private Unit(Unit outer)
        {
            _store = outer._store;
            _outer = outer;
        }

        internal Unit Join() => new(this);

        /// <summary>Written: a flow that goes on after the dispose opens a unit of its own.</summary>
        internal bool Done { get; private set; }

        public void Add(string? user) => Add([user]);

        public void Add(IEnumerable<string?> users)
        {
            if (_outer is not null)
            {
                _outer.Add(users);
                return;
            }

            lock (_users)
            {
                foreach (var user in users)
                {
                    if (!string.IsNullOrEmpty(user))
                    {
                        _users.Add(user);
                    }
                }
            }
        }

        /// <summary>Interactions written or changed, by their actors' facts: where their activity rows are (decision 1241).</summary>
        public void AddRows(IEnumerable<Fact> actorFacts)
        {
            if (_outer is not null)
            {
                _outer.AddRows(actorFacts);
                return;
            }

            lock (_users)
            {
                foreach (var fact in actorFacts)
                {
                    _rows.Add(RowKeyOf(fact));
                }
            }
        }

        /// <summary>An erased user: recorded by key only, so that the projection drops them without the index naming them.</summary>
        public void Erased(string userId)
        {
            if (_outer is not null)
            {
                _outer.Erased(userId);
                return;
            }

            lock (_users)
            {
                _erased.Add(ErasedKey(userId));
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_outer is not null)
            {
                return;
            }

            Done = true;
            List<string> users, erased, rows;
            lock (_users)
            {
                users = [.. _users];
                erased = [.. _erased];
                rows = [.. _rows];
            }

            await _store.WriteAsync(Guid.NewGuid().ToString("N"), users, erased, rows, CancellationToken.None);
        }
    }
}
