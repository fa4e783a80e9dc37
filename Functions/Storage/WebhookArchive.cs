using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;
using Engage.Functions.Http;
using Engage.Functions.Webhooks;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.Storage;

/// <summary>What the erasure did to the archive: bodies deleted, bodies rewritten without the user.</summary>
public sealed record ArchiveErasure(int Deleted, int Redacted);

/// <summary>
/// The raw archive (container <c>webhooks</c>) in one place: the write of a delivery's body, the index
/// of who each body names (table <c>archiveindex</c>: one row per (user, body) in a partition per day and user-hash
/// shard; written by the ingestion of the delivery's messages, which carry the blob name; decision 1254, and the
/// per-user table <c>archiveusers</c> of before decision 1252, still read), reading a body back
/// as interactions (for replay), and erasing a user from every body that names them
/// (docs/decisions/0901-erasure-reaches-the-archive.md).
/// </summary>
public sealed class WebhookArchive(EngageStorage storage, SourceRegistry sources, TimeProvider clock, ILogger<WebhookArchive> logger)
{
    /// <summary>Blob metadata key of a body the erasure rewrote: its content is interactions, not a platform payload.</summary>
    public const string FormatKey = "format";
    public const string InteractionsFormat = "engage-interactions-v1";

    private const int Degree = 8;

    /// <summary>Index rows are upserts (idempotent): a transaction of them fails only for a row storage refuses.</summary>
    private readonly PartitionWriter _indexRows = new(TableTransactionActionType.UpsertReplace);

    /// <summary>A body rewritten by an erasure: the interactions that remain, already normalized and scrubbed.</summary>
    public sealed record Redacted(string Source, IReadOnlyList<Interaction> Interactions);

    /// <summary>Archives the raw body with the headers replay needs (<see cref="ArchivedHeaders"/>); returns its blob name.</summary>
    public async Task<string> StoreAsync(string source, string deliveryId, DateTimeOffset receivedAt, byte[] body,
        IEnumerable<KeyValuePair<string, string>> headers, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        var name = WebhookIntake.ArchivePath(source, receivedAt, deliveryId);
        await storage.Webhooks.GetBlobClient(name).UploadAsync(new BinaryData(body), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            Metadata = new Dictionary<string, string> { [ArchivedHeaders.MetadataKey] = ArchivedHeaders.Encode(headers) },
        }, ct);
        return name;
    }

    /// <summary>
    /// Archives the body of a delivery that came whole on the queue (<see cref="Ingest.DeliveryMessage"/>) and returns
    /// its interactions. The blob is created, never overwritten: a redelivered message finds the body it archived
    /// before, possibly rewritten by an erasure since, and reads its interactions from there. Throws what the
    /// source's normalizer throws (the body is archived first, so a fix and a replay recover it).
    /// </summary>
    public async Task<IReadOnlyList<Interaction>> ArchiveDeliveryAsync(string sourceName, string name, byte[] body, string? headers, CancellationToken ct)
    {
        var source = sources.All.FirstOrDefault(s => s.Name == sourceName)
            ?? throw new InvalidOperationException($"No source '{sourceName}' reads this delivery.");
        var blob = storage.Webhooks.GetBlobClient(name);
        var upload = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            Metadata = new Dictionary<string, string> { [ArchivedHeaders.MetadataKey] = headers ?? ArchivedHeaders.Encode([]) },
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        try
        {
            await blob.UploadAsync(new BinaryData(body), upload, ct);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Already there: this message archived it before (a redelivery), an erasure rewrote it since, or another
            // body came with the same delivery id (a refused one, or a platform's changed redelivery).
            var stored = (await blob.DownloadContentAsync(ct)).Value;
            if (stored.Details.Metadata.TryGetValue(FormatKey, out var format) && format == InteractionsFormat)
            {
                // An erasure rewrote it: that is the truth now, never overwritten by the body it scrubbed.
                return (await ReadAsync(source, name, ct))?.Interactions ?? [];
            }

            if (!stored.Content.ToMemory().Span.SequenceEqual(body))
            {
                // Another body under the same name: the last one accepted wins, as when intake archived it.
                upload.Conditions = new BlobRequestConditions { IfMatch = stored.Details.ETag };
                await blob.UploadAsync(new BinaryData(body), upload, ct);
            }
        }

        return Normalize(source, name, body, ArchivedHeaders.Decode(headers));
    }

    /// <summary>Every user the interactions name: actors, parent, subject and thread-root authors, mentions.</summary>
    public static IReadOnlyCollection<string> Named(IEnumerable<Interaction> interactions)
    {
        var users = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in interactions)
        {
            foreach (var user in new[] { i.Actor, i.InReplyTo?.Author, i.Subject?.Author, i.ThreadRootAuthor }
                .Concat(i.Mentions).Concat(i.MentionHandles?.Keys ?? []))
            {
                if (!string.IsNullOrEmpty(user))
                {
                    users.Add(user);
                }
            }
        }

        return users;
    }

    /// <summary>
    /// User-hash shards per day of the index: a delivery's rows go to at most this many partitions (one transaction
    /// each at low concurrency), and a day's rows are spread over this many partitions, each far below a partition's
    /// ~2,000 entities a second at any intake one account can take (decision 1254). Fixed for good: a row's partition
    /// is computed from it at write and at erase time.
    /// </summary>
    public const int IndexShards = 4;

    /// <summary>Partition and row of the once-written row saying the first day the index holds rows for; sorts after every day-shard.</summary>
    private const string FirstDayPartition = "first";

    private const string DayProperty = "Day";

    /// <summary>Index range reads of one erasure in flight at once: one per day of history.</summary>
    private const int ReadDegree = 16;

    /// <summary>Set once this process has made sure the first-day row exists (and is not later than its first write).</summary>
    private volatile bool _firstDayRecorded;

    /// <summary>
    /// Stable shard of a user id (FNV-1a over its UTF-16 code units, as the activity layout does, mod
    /// <see cref="IndexShards"/>): <see cref="string.GetHashCode()"/> is randomized per process, so it cannot place rows.
    /// </summary>
    public static int IndexShard(string userId) => (int)(FactKeys.StableHash(userId) % IndexShards);

    /// <summary>The partition of a user's index rows written on <paramref name="day"/> (<c>yyyyMMdd</c>): <c>{day}-{shard}</c>.</summary>
    public static string IndexPartition(string day, string userId) =>
        day + "-" + IndexShard(userId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The user's part of a row key: escaped as fact keys are, and '|' escaped too (<c>%7C</c>; a literal '%' is
    /// already <c>%25</c>, so the escape stays one-to-one). It never holds '|', so the first '|' of a row key ends it
    /// and the range [<c>{user}|</c>, <c>{user}}</c>) holds exactly that user's rows ('}' follows '|').
    /// </summary>
    /// <remarks>
    /// A row key holds at most 1 KiB on Azure (Azurite does not check), and the user's part shares it with the blob
    /// name: an escaped id longer than <see cref="MaxUserKey"/> is replaced by <c>%h</c> and its SHA-256 (hex), which
    /// no escaped id can equal ('%' is always followed by two hex digits there). Writes and erasures both go
    /// through here, so they agree.
    /// </remarks>
    private static string UserKey(string userId)
    {
        var key = FactKeys.Escape(userId).Replace("|", "%7C", StringComparison.Ordinal);
        return key.Length <= MaxUserKey
            ? key
            : "%h" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(userId)));
    }

    /// <summary>The longest escaped user id kept as it is in an index row key (half of Azure's 1 KiB).</summary>
    internal const int MaxUserKey = 512;

    /// <summary>Row key of the index row saying body <paramref name="blobName"/> names the user.</summary>
    public static string IndexRowKey(string userId, string blobName) => UserKey(userId) + "|" + FactKeys.Escape(blobName);

    private static string BlobOf(string rowKey) => Uri.UnescapeDataString(rowKey[(rowKey.IndexOf('|', StringComparison.Ordinal) + 1)..]);

    private const string DayFormat = "yyyyMMdd";

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString(DayFormat, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Records who body <paramref name="blobName"/> names: one row per (user, body) in table <c>archiveindex</c>, in
    /// the partition of today and the user's shard (<see cref="IndexPartition"/>), written through the process-wide
    /// group commit so that the rows of every delivery this process indexes at the same time share transactions by
    /// day-shard (decision 1213): at most <see cref="IndexShards"/> calls for a delivery alone, and an erasure reads
    /// one key range per day instead of scanning every body ever archived (decision 1254). Idempotent upserts.
    /// Answers the day written, which <see cref="EraseQueuedAsync"/> deletes rows of when a named user was erased meanwhile.
    /// </summary>
    public async Task<string> IndexAsync(string blobName, IEnumerable<Interaction> interactions, CancellationToken ct)
    {
        var day = Day(clock.GetUtcNow());
        if (!_firstDayRecorded)
        {
            await RecordFirstDayAsync(day, ct);
            _firstDayRecorded = true;
        }

        var table = storage.ArchiveIndex;
        var rows = Named(interactions).Order(StringComparer.Ordinal).Select(user => new TableEntity(IndexPartition(day, user), IndexRowKey(user, blobName))).ToList();
        var errors = await _indexRows.WriteAsync(rows.Select(entity =>
            (table, entity, (Func<CancellationToken, Task>)(token => table.UpsertEntityAsync(entity, TableUpdateMode.Replace, token)))), ct);
        if (errors.FirstOrDefault(e => e is not null) is { } error)
        {
            throw error;
        }

        return day;
    }

    /// <summary>
    /// Makes sure the first-day row exists and is not later than <paramref name="day"/>, before this process writes
    /// its first index row: an erasure reads the days from there on. Once per process (an insert; on a conflict a
    /// read, and a conditional rewrite only when another instance's clock put it later).
    /// </summary>
    private async Task RecordFirstDayAsync(string day, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        var table = storage.ArchiveIndex;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await table.AddEntityAsync(new TableEntity(FirstDayPartition, "") { [DayProperty] = day }, ct);
                return;
            }
            catch (RequestFailedException e) when (e.Status == 409 && attempt < 5)
            {
                var stored = await table.GetEntityIfExistsAsync<TableEntity>(FirstDayPartition, "", cancellationToken: ct);
                if (!stored.HasValue || stored.Value is not { } row)
                {
                    continue;
                }

                if (string.CompareOrdinal(row.GetString(DayProperty), day) <= 0)
                {
                    return;
                }

                try
                {
                    await table.UpdateEntityAsync(new TableEntity(FirstDayPartition, "") { [DayProperty] = day }, row.ETag, TableUpdateMode.Replace, ct);
                    return;
                }
                catch (RequestFailedException f) when (f.Status is 404 or 412 && attempt < 5)
                {
                    // Another writer in between: read again.
                }
            }
        }
    }

    /// <summary>The blob names the index holds for a user: their partition of the per-user index of before decision 1252, and their day-shard ranges.</summary>
    public async Task<IReadOnlyList<string>> BodiesOfAsync(string userId, CancellationToken ct) =>
        [.. (await IndexEntriesOfAsync(userId, ct)).Select(e => e.Blob).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// Where the user is indexed: legacy rows (one per body, in their partition of <c>archiveusers</c>) and their
    /// rows of <c>archiveindex</c>: for every day from the first the index holds (a day either side for clocks
    /// that disagree) to tomorrow, ONE key-range read of the user's rows in the user's shard of the day,
    /// <see cref="ReadDegree"/> in flight. O(days of history) indexed reads, whatever the number of bodies (decision 1254).
    /// </summary>
    private async Task<List<(string Blob, TableEntity Row, bool Legacy)>> IndexEntriesOfAsync(string userId, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        var found = new List<(string, TableEntity, bool)>();
        await foreach (var e in storage.ArchiveUsers.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {FactKeys.Escape(userId)}"), select: ["RowKey"], cancellationToken: ct))
        {
            found.Add((Uri.UnescapeDataString(e.RowKey), e, true));
        }

        var first = await storage.ArchiveIndex.GetEntityIfExistsAsync<TableEntity>(FirstDayPartition, "", select: [DayProperty], cancellationToken: ct);
        if (!first.HasValue || first.Value?.GetString(DayProperty) is not { } firstDay
            || !DateTime.TryParseExact(firstDay, DayFormat, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var from))
        {
            return found; // nothing was ever written in the per-(user, body) layout
        }

        var to = clock.GetUtcNow().UtcDateTime.Date.AddDays(1);
        var days = new List<string>();
        for (var d = from.Date.AddDays(-1); d <= to; d = d.AddDays(1))
        {
            days.Add(Day(d));
        }

        var low = UserKey(userId) + "|";
        var high = UserKey(userId) + "}";
        var rows = new System.Collections.Concurrent.ConcurrentBag<TableEntity>();
        await Parallel.ForEachAsync(days, new ParallelOptions { MaxDegreeOfParallelism = ReadDegree, CancellationToken = ct }, async (day, token) =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {IndexPartition(day, userId)} and RowKey ge {low} and RowKey lt {high}");
            await foreach (var e in storage.ArchiveIndex.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: token))
            {
                rows.Add(e);
            }
        });
        found.AddRange(rows.OrderBy(r => r.PartitionKey, StringComparer.Ordinal).ThenBy(r => r.RowKey, StringComparer.Ordinal).Select(r => (BlobOf(r.RowKey), r, false)));
        return found;
    }

    /// <summary>
    /// The interactions of an archived body: read back as written by an erasure, or normalized again by its
    /// source with the archived headers. Throws what the normalizer throws; null when the blob is gone.
    /// </summary>
    public async Task<(IReadOnlyList<Interaction> Interactions, ETag ETag)?> ReadAsync(WebhookSource source, string name, CancellationToken ct)
    {
        Response<BlobDownloadResult> download;
        try
        {
            download = await storage.Webhooks.GetBlobClient(name).DownloadContentAsync(ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }

        var metadata = new Dictionary<string, string>(download.Value.Details.Metadata, StringComparer.OrdinalIgnoreCase);
        var body = download.Value.Content.ToMemory();
        if (metadata.GetValueOrDefault(FormatKey) == InteractionsFormat)
        {
            var redacted = JsonSerializer.Deserialize<Redacted>(body.Span, EngageJson.Options) ?? throw new JsonException("Empty redacted body.");
            return (redacted.Interactions, download.Value.Details.ETag);
        }

        return (Normalize(source, name, body, ArchivedHeaders.Decode(metadata.GetValueOrDefault(ArchivedHeaders.MetadataKey))), download.Value.Details.ETag);
    }

    /// <summary>A raw archived body normalized again by its source, with the headers archived beside it.</summary>
    private IReadOnlyList<Interaction> Normalize(WebhookSource source, string name, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string>? headers)
    {
        if (headers is null)
        {
            logger.LogWarning("Archived body {Blob} has no readable headers: it is read without any", name);
        }

        var delivery = new WebhookRequest("POST", headers ?? new Dictionary<string, string>(), new Dictionary<string, string>(), body);
        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 128 });
        return source.Normalize(delivery, document.RootElement).Interactions;
    }

    /// <summary>
    /// Records that the user is erased now (table <c>erasures</c>, keyed by a hash of the id so it keeps no
    /// identifier): a delivery received before this moment and still queued is scrubbed of the user when it is
    /// ingested (<see cref="ErasedSinceAsync"/>; docs/decisions/1132-erasure-reaches-queued-deliveries.md).
    /// Written before the erasure reads anything, so a delivery either is indexed before the erasure reads
    /// the index, or finds this row when it is ingested.
    /// </summary>
    public async Task RecordErasureAsync(string userId, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        await storage.Erasures.UpsertEntityAsync(new TableEntity(ErasureKey(userId), "")
        {
            ["ErasedAt"] = clock.GetUtcNow(),
        }, TableUpdateMode.Replace, ct);
    }

    /// <summary>
    /// Of these users, those erased at or after <paramref name="receivedAt"/> (ties go to privacy). With a time of
    /// receipt, one query of the erasures recorded since the earliest time of receipt among the checks waiting,
    /// shared by every message that asks while another query is in flight (<see cref="RecentErasuresAsync"/>);
    /// without one (a message queued before decision 1132), one query per 16 users for any erasure.
    /// </summary>
    public async Task<IReadOnlySet<string>> ErasedSinceAsync(IReadOnlyCollection<string> users, DateTimeOffset? receivedAt, CancellationToken ct)
    {
        var erased = new HashSet<string>(StringComparer.Ordinal);
        var byKey = users.ToDictionary(ErasureKey, u => u, StringComparer.Ordinal);
        if (receivedAt is { } since)
        {
            foreach (var (key, at) in await RecentErasuresAsync(since, ct))
            {
                if (at >= since && byKey.TryGetValue(key, out var user))
                {
                    erased.Add(user);
                }
            }

            return erased;
        }

        foreach (var chunk in byKey.Keys.Chunk(16))
        {
            var filter = string.Join(" or ", chunk.Select(k => TableClient.CreateQueryFilter($"PartitionKey eq {k}")));
            await foreach (var row in storage.Erasures.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "ErasedAt"], cancellationToken: ct))
            {
                if (receivedAt is null || row.GetDateTimeOffset("ErasedAt") >= receivedAt)
                {
                    erased.Add(byKey[row.PartitionKey]);
                }
            }
        }

        return erased;
    }

    /// <summary>A check of recent erasures waiting for the query in flight to end; later callers join it.</summary>
    private sealed class ErasureCheck(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; set; } = since;

        public TaskCompletionSource<IReadOnlyList<(string Key, DateTimeOffset At)>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Lock _checkGate = new();
    private ErasureCheck? _nextCheck;
    private bool _checking;

    /// <summary>
    /// The erasures recorded at or after <paramref name="since"/> (hash and time), by group read: a caller with no
    /// query in flight starts one at once; callers arriving while one is in flight share the next, which starts
    /// when it ends and reads from the earliest of their times. Every query a caller gets starts after its call,
    /// so it sees every erasure recorded before the call (what decision 1132's order needs), and a burst of
    /// messages costs one query per round trip instead of one each (decision 1253). The erasures table is small
    /// (one row per erased user), so the filter on <c>ErasedAt</c> reads it whole on the server and returns little.
    /// </summary>
    private async Task<IReadOnlyList<(string Key, DateTimeOffset At)>> RecentErasuresAsync(DateTimeOffset since, CancellationToken ct)
    {
        ErasureCheck mine;
        var start = false;
        lock (_checkGate)
        {
            if (!_checking)
            {
                _checking = start = true;
                mine = new ErasureCheck(since);
            }
            else if (_nextCheck is { } next)
            {
                next.Since = since < next.Since ? since : next.Since;
                mine = next;
            }
            else
            {
                mine = _nextCheck = new ErasureCheck(since);
            }
        }

        if (start)
        {
            _ = RunChecksAsync(mine);
        }

        return await mine.Done.Task.WaitAsync(ct);
    }

    /// <summary>Runs the check, then each one that gathered callers meanwhile, until none waits. Not cancelled with any one caller.</summary>
    private async Task RunChecksAsync(ErasureCheck? check)
    {
        while (check is not null)
        {
            try
            {
                DateTimeOffset since;
                lock (_checkGate)
                {
                    since = check.Since;
                }

                var rows = new List<(string, DateTimeOffset)>();
                await foreach (var row in storage.Erasures.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"ErasedAt ge {since}"), select: ["PartitionKey", "ErasedAt"]))
                {
                    if (row.GetDateTimeOffset("ErasedAt") is { } at)
                    {
                        rows.Add((row.PartitionKey, at));
                    }
                }

                check.Done.SetResult(rows);
            }
            catch (Exception e)
            {
                check.Done.SetException(e); // each caller's message fails and is retried, as when its own query failed
            }

            lock (_checkGate)
            {
                check = _nextCheck;
                _nextCheck = null;
                _checking = check is not null;
            }
        }
    }

    /// <summary>
    /// A queued delivery that names users erased since it was received: its archived body rewritten (or deleted)
    /// without them and their index rows removed, as the erasure would have done had the body been archived
    /// then; returns the interactions that remain, scrubbed, for ingestion.
    /// </summary>
    /// <param name="day">The day <see cref="IndexAsync"/> wrote this body's rows to.</param>
    /// <param name="receivedAt">When the delivery was received: an earlier attempt at this message (a retry, a replay
    /// from the poison queue) may have indexed the body on any day since, and those rows name the erased users too.</param>
    public async Task<IReadOnlyList<Interaction>> EraseQueuedAsync(string name, string day, DateTimeOffset? receivedAt, IReadOnlyList<Interaction> interactions, IReadOnlySet<string> erased, CancellationToken ct)
    {
        // Every day an attempt may have written this body's rows on: from the day before receipt (clock skew between
        // instances) to the day of this attempt; a row that is not there is no error.
        var days = new List<string> { day };
        if (receivedAt is { } received)
        {
            for (var d = received.UtcDateTime.Date.AddDays(-1); string.CompareOrdinal(Day(d), day) < 0; d = d.AddDays(1))
            {
                days.Add(Day(d));
            }
        }

        var kept = interactions;
        foreach (var userId in erased)
        {
            kept = Without(kept, userId, []);
            await EraseFromBodyAsync(name, userId, [], ct);
            await storage.ArchiveUsers.DeleteEntityAsync(FactKeys.Escape(userId), FactKeys.Escape(name), ETag.All, ct); // a legacy row, if any

            // Their row of this body (decision 1254), known by its keys: the other users' rows stay.
            foreach (var written in days)
            {
                await storage.ArchiveIndex.DeleteEntityAsync(IndexPartition(written, userId), IndexRowKey(userId, name), ETag.All, ct);
            }
        }

        logger.LogInformation("A queued delivery ({Blob}) named {Count} users erased since it was received: scrubbed before ingestion", name, erased.Count);
        return kept;
    }

    /// <summary>The interactions without the user: theirs dropped, the others' scrubbed (<see cref="Scrub"/>).</summary>
    public static IReadOnlyList<Interaction> Without(IReadOnlyList<Interaction> interactions, string userId, IReadOnlyCollection<string> handles)
    {
        var allHandles = handles
            .Concat(interactions.Where(i => i.Actor == userId && i.ActorHandle is not null).Select(i => i.ActorHandle!))
            .Concat(interactions.SelectMany(i => i.MentionHandles?.Where(h => h.Key == userId).Select(h => h.Value) ?? []))
            .Where(h => h.Length > 0)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var theirTexts = interactions.Where(i => i.Actor == userId && i.Text is { Length: >= 12 }).Select(i => i.Text!).ToList();
        return interactions.Where(i => i.Actor != userId).Select(i => Scrub(i, userId, allHandles, theirTexts)).OfType<Interaction>().ToList();
    }

    private static string ErasureKey(string userId) => Signatures.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(userId));

    /// <summary>
    /// Removes a user from every archived body the index names for them: a body left with nothing of anyone
    /// else is deleted; otherwise it is replaced by the other users' interactions, scrubbed of the user
    /// (<see cref="Scrub"/>). A body that cannot be read any more is deleted: privacy wins over replay.
    /// The user's index rows go last, so an erasure cut short is finished by the next one.
    /// </summary>
    public async Task<ArchiveErasure> EraseAsync(string userId, IReadOnlyCollection<string> handles, CancellationToken ct)
    {
        var entries = await IndexEntriesOfAsync(userId, ct);
        var names = entries.Select(e => e.Blob).Distinct(StringComparer.Ordinal).ToList();
        int deleted = 0, redacted = 0;
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = Degree, CancellationToken = ct }, async (name, token) =>
        {
            switch (await EraseFromBodyAsync(name, userId, handles, token))
            {
                case true:
                    Interlocked.Increment(ref redacted);
                    break;
                case false:
                    Interlocked.Increment(ref deleted);
                    break;
            }
        });

        await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = Degree, CancellationToken = ct }, async (entry, token) =>
        {
            if (entry.Legacy)
            {
                await storage.ArchiveUsers.DeleteEntityAsync(FactKeys.Escape(userId), entry.Row.RowKey, ETag.All, token);
            }
            else
            {
                await storage.ArchiveIndex.DeleteEntityAsync(entry.Row.PartitionKey, entry.Row.RowKey, ETag.All, token);
            }
        });
        return new ArchiveErasure(deleted, redacted);
    }

    /// <summary>True when the body was rewritten, false when deleted, null when it was already gone.</summary>
    private async Task<bool?> EraseFromBodyAsync(string name, string userId, IReadOnlyCollection<string> handles, CancellationToken ct)
    {
        var blob = storage.Webhooks.GetBlobClient(name);
        var sourceName = name.Split('/')[0];
        for (var attempt = 1; ; attempt++)
        {
            IReadOnlyList<Interaction>? interactions;
            ETag etag;
            try
            {
                var source = sources.All.FirstOrDefault(s => s.Name == sourceName)
                    ?? throw new InvalidOperationException($"No source '{sourceName}' reads this body.");
                if (await ReadAsync(source, name, ct) is not { } read)
                {
                    return null;
                }

                (interactions, etag) = read;
            }
            catch (Exception e) when (!EngageStorage.IsUnavailable(e) && e is not OperationCanceledException)
            {
                logger.LogWarning("Archived body {Blob} could not be read while erasing a user ({Error}): it is deleted", name, e.GetType().Name);
                await blob.DeleteIfExistsAsync(cancellationToken: ct);
                return false;
            }

            var kept = Without(interactions, userId, handles);
            try
            {
                if (kept.Count == 0)
                {
                    await blob.DeleteAsync(conditions: new Azure.Storage.Blobs.Models.BlobRequestConditions { IfMatch = etag }, cancellationToken: ct);
                    return false;
                }

                await blob.UploadAsync(new BinaryData(JsonSerializer.SerializeToUtf8Bytes(new Redacted(sourceName, kept), EngageJson.Options)), new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                    Metadata = new Dictionary<string, string> { [FormatKey] = InteractionsFormat },
                    Conditions = new BlobRequestConditions { IfMatch = etag },
                }, ct);
                return true;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return null;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                logger.LogDebug("Archived body {Blob} changed while it was rewritten; reading it again", name);
            }
        }
    }

    /// <summary>
    /// Someone else's interaction without the erased user, as 0301 scrubs its fact rows: parent, subject and
    /// thread-root author cleared where they were the user, the mention dropped, and in the text the user's
    /// <c>@handle</c>s, id and quoted words replaced by <c>[erased]</c>. A follow or reaction whose only
    /// target was the user means nothing any more and is dropped (null).
    /// </summary>
    public static Interaction? Scrub(Interaction i, string userId, IReadOnlyCollection<string> handles, IReadOnlyCollection<string> theirTexts)
    {
        if (i.Kind is InteractionKind.Follow or InteractionKind.Reaction && i.Subject?.Author == userId)
        {
            return null;
        }

        var text = i.Text;
        if (text is not null)
        {
            foreach (var quoted in theirTexts)
            {
                text = text.Replace(quoted, "[erased]", StringComparison.Ordinal);
            }

            text = text.Replace(userId, "[erased]", StringComparison.OrdinalIgnoreCase);
            foreach (var handle in handles)
            {
                text = Regex.Replace(text, "@" + Regex.Escape(handle.TrimStart('@')) + @"\b", "@[erased]", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
            }
        }

        return i with
        {
            InReplyTo = i.InReplyTo is { } parent && parent.Author == userId ? parent with { Author = null } : i.InReplyTo,
            Subject = i.Subject is { } subject && subject.Author == userId ? subject with { Author = null } : i.Subject,
            ThreadRootAuthor = i.ThreadRootAuthor == userId ? null : i.ThreadRootAuthor,
            Mentions = i.Mentions.Where(m => m != userId).ToList(),
            MentionHandles = i.MentionHandles?.Where(h => h.Key != userId).ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal),
            Text = text,
        };
    }
}
