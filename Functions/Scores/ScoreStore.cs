using System.Text;
using Azure;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Domain.Scoring;
using Engage.Functions.Http;
using Engage.Functions.Storage;

namespace Engage.Functions.Scores;

/// <summary>A user's figures as of the last projection (table <c>scores</c>, in the user's shard: <see cref="ScoreKeys"/>).</summary>
public sealed record UserScore(string UserId, string? Handle, DateTimeOffset AsOf, double Score, string Level,
    double? BroadcastRatio, double? ReciprocityIndex, double Given, double Received);

/// <summary>
/// One place on a leaderboard: an unlinked identity (<c>userId</c>, <c>handle</c>) or a linked person (<c>personId</c>,
/// <c>identities</c>). <c>role</c> is written for <c>team</c> and <c>bot</c> people only, whom reads leave out unless asked.
/// </summary>
public sealed record LeaderboardEntry(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserId,
    string? Handle,
    double Score,
    string Level)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PersonId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Identities { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; init; }
}

public sealed record Leaderboard(DateTimeOffset AsOf, string By, IReadOnlyList<LeaderboardEntry> Entries);

/// <summary>
/// The projection's rows: per-user score rows, the community row (figures and level cut-offs) and the
/// leaderboards. Written by the projection only (a timer function: one instance at a time).
/// </summary>
public sealed class ScoreStore(EngageStorage storage)
{
    public const string CommunityPartition = "community";
    public const string CurrentRow = "current";

    /// <summary>Table string properties hold at most 32K UTF-16 characters: long JSON is split over numbered columns.</summary>
    private const int ChunkChars = 30_000;

    public async Task<Levels> GetLevelsAsync(CancellationToken ct)
    {
        var row = await storage.Community.GetEntityIfExistsAsync<TableEntity>(CommunityPartition, CurrentRow, cancellationToken: ct);
        return row.HasValue && row.Value is { } e && e.GetDouble("ChampionCutoff") is { } champion && e.GetDouble("EngagedCutoff") is { } engaged
            ? new Levels(champion, engaged, e.GetInt32("ActiveUsers") ?? 0)
            : Levels.None;
    }

    public async Task<Dictionary<string, UserScore>> ReadScoresAsync(CancellationToken ct)
    {
        var rows = new Dictionary<string, UserScore>(StringComparer.Ordinal);
        await foreach (var e in storage.Scores.QueryAsync<TableEntity>(filter: (string?)null, cancellationToken: ct))
        {
            // Rows of the layout before decision 1291 count only until the first run has moved them (EnsureShardedAsync).
            if (ScoreKeys.IsShard(e.PartitionKey) || (e.RowKey == CurrentRow && !rows.ContainsKey(UserOf(e).UserId)))
            {
                var row = UserOf(e);
                rows[row.UserId] = row;
            }
        }

        return rows;
    }

    private static UserScore UserOf(TableEntity e) => JsonSerializer.Deserialize<UserScore>(e.GetString("Json"), EngageJson.Options)!;

    private static TableEntity ToEntity(UserScore row) => new(ScoreKeys.Partition(row.UserId), ScoreKeys.Row(row.UserId))
    {
        ["Score"] = row.Score,
        ["Level"] = row.Level,
        ["Json"] = JsonSerializer.Serialize(row, EngageJson.Options),
    };

    /// <summary>
    /// Writes the rows in one transaction per shard and hundred rows (decision 1291), 8 in flight: a run that touched
    /// 60 users makes about 16 calls, a full run of 100,000 users about 1,000. A transaction is all or nothing, and a
    /// run cut short is followed by one that rewrites what it touched, as before.
    /// </summary>
    public Task WriteScoresAsync(IEnumerable<UserScore> rows, CancellationToken ct) =>
        Parallel.ForEachAsync(ScoreKeys.Transactions(rows, r => r.UserId), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (chunk, token) => await storage.Scores.SubmitTransactionAsync(
                chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(r))), token));

    /// <summary>The record, in the projection's partition, that every score row of the layout before decision 1291 was moved.</summary>
    private const string ShardedRow = "scores-sharded";

    private volatile bool _sharded;

    /// <summary>
    /// Moves the score rows of the layout before decision 1291 (a partition per user) into the shards, once per store:
    /// each is inserted under its new key unless a row is there already (written by a run since, so newer) and then
    /// deleted; then a record says it is done. Every projection run calls this first (one point read, the first time in
    /// a process). The old rows are moved a page (up to 1,000) at a time, so a pass cut short (a timeout on a large
    /// store) leaves only unmoved rows, and the next run goes on from there.
    /// </summary>
    public async Task EnsureShardedAsync(CancellationToken ct)
    {
        if (_sharded)
        {
            return;
        }

        if (!(await storage.Community.GetEntityIfExistsAsync<TableEntity>(StatePartition, ShardedRow, cancellationToken: ct)).HasValue)
        {
            var moved = 0;
            var filter = TableClient.CreateQueryFilter($"RowKey eq {CurrentRow}");
            await foreach (var page in storage.Scores.QueryAsync<TableEntity>(filter, cancellationToken: ct).AsPages())
            {
                var legacy = page.Values.Where(e => !ScoreKeys.IsShard(e.PartitionKey)).ToList();
                await Parallel.ForEachAsync(legacy, new ParallelOptions { MaxDegreeOfParallelism = MoveDegree, CancellationToken = ct },
                    async (old, token) => await MoveAsync(old, token));
                moved += legacy.Count;
            }

            await storage.Community.UpsertEntityAsync(new TableEntity(StatePartition, ShardedRow) { ["Rows"] = moved }, TableUpdateMode.Replace, ct);
        }

        _sharded = true;
    }

    /// <summary>Old rows moved at once: the move is one insert and one delete a row, each in a partition of its own.</summary>
    private const int MoveDegree = 32;

    /// <summary>
    /// One old row into its shard. Erasure deletes the old key before the shard key (<see cref="ForgetAsync"/>): if the
    /// old row is gone when the move deletes it (by its ETag), the user was erased meanwhile and the row this move
    /// inserted from its copy goes too, so an erased user never comes back.
    /// </summary>
    internal async Task MoveAsync(TableEntity old, CancellationToken ct)
    {
        var row = UserOf(old);
        var inserted = false;
        try
        {
            await storage.Scores.AddEntityAsync(ToEntity(row), ct);
            inserted = true;
        }
        catch (RequestFailedException exists) when (exists.Status == 409)
        {
            // A run since the upgrade wrote this user's row in the shard: it is newer than the old one.
        }

        var deleted = await storage.Scores.DeleteEntityAsync(old.PartitionKey, old.RowKey, old.ETag, ct);
        if (deleted.Status == 404 && inserted)
        {
            await storage.Scores.DeleteEntityAsync(ScoreKeys.Partition(row.UserId), ScoreKeys.Row(row.UserId), ETag.All, ct);
        }
    }

    public async Task WriteCommunityAsync(Community community, Levels levels, IEnumerable<Leaderboard> boards, CancellationToken ct)
    {
        var current = new TableEntity(CommunityPartition, CurrentRow)
        {
            ["ActiveUsers"] = levels.ActiveUsers,
            ["Json"] = JsonSerializer.Serialize(community, EngageJson.Options),
        };
        if (levels.ActiveUsers > 0)
        {
            // No active users: no cut-offs (Levels.None); tables cannot store infinities.
            current["ChampionCutoff"] = levels.Champion;
            current["EngagedCutoff"] = levels.Engaged;
        }
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpsertReplace, current) };
        foreach (var board in boards)
        {
            actions.Add(new(TableTransactionActionType.UpsertReplace, ToEntity(board)));
        }

        // One partition, a handful of rows: one transaction, so readers never see a leaderboard of another run.
        await storage.Community.SubmitTransactionAsync(actions, ct);
    }

    /// <summary>
    /// A board as one row: its JSON gzip'd, in binary columns (<see cref="BinaryColumns"/>, decision 1298). A board of
    /// 1,000 entries is ~130 KB of JSON and ~25 KB gzip'd; rows of before that decision (JSON in string columns) still read.
    /// </summary>
    private static TableEntity ToEntity(Leaderboard board)
    {
        var entity = new TableEntity(CommunityPartition, "leaderboard-" + board.By);
        entity["GzChunks"] = BinaryColumns.Put(entity, "Gz", Gzip(JsonSerializer.SerializeToUtf8Bytes(board, EngageJson.Options)));
        return entity;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>
    /// Erasure (docs/decisions/0301-erasure.md): the user's score row goes, and they leave the leaderboards
    /// now rather than at the next projection. A board is rewritten only if it still holds an entry for the
    /// user, with its ETag, so a projection that wrote a newer board meanwhile wins.
    /// </summary>
    public async Task ForgetAsync(string userId, CancellationToken ct)
    {
        // The old key first (not moved yet if no projection has run since decision 1291), then the shard's: a move running
        // meanwhile then finds its old row gone and takes back what it inserted (MoveAsync).
        var legacy = ScoreKeys.Legacy(userId);
        await storage.Scores.DeleteEntityAsync(legacy.Partition, legacy.Row, cancellationToken: ct);
        await storage.Scores.DeleteEntityAsync(ScoreKeys.Partition(userId), ScoreKeys.Row(userId), cancellationToken: ct);
        foreach (var by in new[] { "engagement", "reciprocity" })
        {
            var row = await storage.Community.GetEntityIfExistsAsync<TableEntity>(CommunityPartition, "leaderboard-" + by, cancellationToken: ct);
            if (!row.HasValue || row.Value is not { } e || ReadBoard(e) is not { } board || board.Entries.All(x => x.UserId != userId))
            {
                continue;
            }

            try
            {
                await storage.Community.UpdateEntityAsync(ToEntity(board with { Entries = board.Entries.Where(x => x.UserId != userId).ToList() }),
                    e.ETag, TableUpdateMode.Replace, ct);
            }
            catch (Azure.RequestFailedException changed) when (changed.Status == 412)
            {
                // A projection replaced the board meanwhile; had it read the facts before they were erased, its next run drops the user.
            }
        }
    }

    /// <summary>The projection's own rows in the community table (decision 1112): not figures, its memory between runs.</summary>
    public const string StatePartition = "projection";

    private const string ActiveRow = "active";
    private const string BackfillRow = "activity-backfill";

    /// <summary>One user's score row, or null (rows of the layout before decision 1291 once a run has moved them).</summary>
    public async Task<UserScore?> GetScoreAsync(string userId, CancellationToken ct)
    {
        var row = await storage.Scores.GetEntityIfExistsAsync<TableEntity>(ScoreKeys.Partition(userId), ScoreKeys.Row(userId), cancellationToken: ct);
        return row.HasValue && row.Value is { } e ? UserOf(e) : null;
    }

    /// <summary>
    /// The users whose score row the last run left at a level other than silent, as that run wrote them; null before
    /// any run has written the set (the projection then reads every score row once).
    /// </summary>
    public async Task<HashSet<string>?> ReadActiveAsync(CancellationToken ct)
    {
        var head = await storage.Community.GetEntityIfExistsAsync<TableEntity>(StatePartition, ActiveRow, cancellationToken: ct);
        if (!head.HasValue || head.Value is not { } h)
        {
            return null;
        }

        var chunks = h.GetInt32("Chunks") ?? 0;
        var users = new HashSet<string>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {StatePartition} and RowKey gt {ActiveRow + "-"} and RowKey lt {ActiveRow + "."}");
        await foreach (var e in storage.Community.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            if (int.TryParse(e.RowKey.AsSpan(ActiveRow.Length + 1), System.Globalization.CultureInfo.InvariantCulture, out var n) && n < chunks)
            {
                users.UnionWith(JsonSerializer.Deserialize<List<string>>(e.GetString("Json"), EngageJson.Options) ?? []);
            }
        }

        return users;
    }

    /// <summary>
    /// Replaces the set read by <see cref="ReadActiveAsync"/>: chunk rows first, then the head row that says how many
    /// count, then chunks beyond the new count go. A run cut short leaves a head that still names whole chunks.
    /// </summary>
    public async Task WriteActiveAsync(IEnumerable<string> users, CancellationToken ct)
    {
        var chunks = new List<List<string>>();
        var current = new List<string>();
        var chars = 0;
        foreach (var user in users.Order(StringComparer.Ordinal))
        {
            if (chars + user.Length + 8 > ChunkChars && current.Count > 0)
            {
                chunks.Add(current);
                current = [];
                chars = 0;
            }

            current.Add(user);
            chars += user.Length + 8;
        }

        if (current.Count > 0)
        {
            chunks.Add(current);
        }

        var previous = await storage.Community.GetEntityIfExistsAsync<TableEntity>(StatePartition, ActiveRow, cancellationToken: ct);
        var before = previous.HasValue && previous.Value is { } p ? p.GetInt32("Chunks") ?? 0 : 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, chunks.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (n, token) => await storage.Community.UpsertEntityAsync(new TableEntity(StatePartition, ChunkRow(n))
            {
                ["Json"] = JsonSerializer.Serialize(chunks[n], EngageJson.Options),
            }, TableUpdateMode.Replace, token));
        await storage.Community.UpsertEntityAsync(new TableEntity(StatePartition, ActiveRow) { ["Chunks"] = chunks.Count }, TableUpdateMode.Replace, ct);
        for (var n = chunks.Count; n < before; n++)
        {
            await storage.Community.DeleteEntityAsync(StatePartition, ChunkRow(n), ETag.All, ct);
        }
    }

    private static string ChunkRow(int n) => $"{ActiveRow}-{n.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>True once the activity layout has been filled from the facts of a store that predates it (decision 1111).</summary>
    public async Task<bool> IsActivityBackfilledAsync(CancellationToken ct) =>
        (await storage.Community.GetEntityIfExistsAsync<TableEntity>(StatePartition, BackfillRow, cancellationToken: ct)).HasValue;

    public Task MarkActivityBackfilledAsync(int rows, DateTimeOffset at, CancellationToken ct) =>
        storage.Community.UpsertEntityAsync(new TableEntity(StatePartition, BackfillRow) { ["Rows"] = rows, ["At"] = at }, TableUpdateMode.Replace, ct);

    public async Task<Leaderboard?> GetLeaderboardAsync(string by, CancellationToken ct)
    {
        var row = await storage.Community.GetEntityIfExistsAsync<TableEntity>(CommunityPartition, "leaderboard-" + by, cancellationToken: ct);
        return row.HasValue && row.Value is { } e ? ReadBoard(e) : null;
    }

    private static Leaderboard? ReadBoard(TableEntity e)
    {
        if (e.GetInt32("GzChunks") is not null)
        {
            using var zipped = new MemoryStream();
            BinaryColumns.AppendTo(zipped, e, "Gz");
            zipped.Position = 0;
            using var json = new System.IO.Compression.GZipStream(zipped, System.IO.Compression.CompressionMode.Decompress);
            return JsonSerializer.Deserialize<Leaderboard>(json, EngageJson.Options);
        }

        // A board written before decision 1298: JSON in string columns.
        var text = new StringBuilder();
        for (var c = 0; c < (e.GetInt32("Chunks") ?? 0); c++)
        {
            text.Append(e.GetString($"Json{c}"));
        }

        return JsonSerializer.Deserialize<Leaderboard>(text.ToString(), EngageJson.Options);
    }
}
