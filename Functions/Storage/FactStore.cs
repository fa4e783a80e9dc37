using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Engage.Functions.Http;
using SignalSet = Engage.Domain.Signals.SignalSet;

namespace Engage.Functions.Storage;

/// <summary>
/// Facts and items in Table Storage. Writes are inserts only: a row that is already there (409)
/// is the same fact delivered again, which is success. Reads touch only the window's key range.
/// </summary>
public sealed class FactStore(EngageStorage storage)
{
    private const int ParallelWrites = 8;
    private const int ParallelReads = 32;

    /// <summary>Entity group transactions take at most 100 operations, all in one partition (Azure; Azurite is laxer).</summary>
    public const int MaxBatch = 100;

    private static readonly AsyncLocal<FactBatch?> Collecting = new();

    /// <summary>
    /// Inserts the facts: grouped by partition, each group of two or more in transactions of at most
    /// <see cref="MaxBatch"/> rows (one round trip), a group of one as a single insert; 8 in flight. Inside
    /// <see cref="Collect"/> the rows are only gathered, and written when the batch is flushed.
    /// </summary>
    public async Task InsertAsync(IEnumerable<Fact> facts, CancellationToken ct)
    {
        if (Collecting.Value is { Open: true } batch)
        {
            batch.Add(facts);
            return;
        }

        var failed = await InsertBatchedAsync(facts.ToList(), ct);
        if (failed.Count > 0)
        {
            throw failed[0].Error;
        }
    }

    /// <summary>
    /// Gathers the facts this flow inserts until <see cref="FactBatch.FlushAsync"/>, so that the rows of a whole
    /// queue message share transactions by partition (what makes ingestion keep up; bench/Engage.Bench.Ingest).
    /// Items, and everything read, are not deferred: an interaction of the message still finds its parent's item.
    /// </summary>
    public FactBatch Collect()
    {
        var batch = new FactBatch(this);
        Collecting.Value = batch;
        return batch;
    }

    /// <summary>Facts gathered by <see cref="Collect"/>, written at once by <see cref="FlushAsync"/>.</summary>
    public sealed class FactBatch(FactStore store)
    {
        private readonly List<Fact> _facts = [];

        public bool Open { get; private set; } = true;

        internal void Add(IEnumerable<Fact> facts)
        {
            lock (_facts)
            {
                _facts.AddRange(facts);
            }
        }

        /// <summary>Writes what was gathered; returns the rows storage refused (a transient error is thrown, as by a single insert).</summary>
        public async Task<IReadOnlyList<(Fact Fact, Exception Error)>> FlushAsync(CancellationToken ct)
        {
            Open = false;
            List<Fact> facts;
            lock (_facts)
            {
                facts = [.. _facts];
            }

            return facts.Count == 0 ? [] : await store.InsertBatchedAsync(facts, ct);
        }
    }

    private async Task<IReadOnlyList<(Fact Fact, Exception Error)>> InsertBatchedAsync(IReadOnlyList<Fact> facts, CancellationToken ct)
    {
        // One row per key: the first fact of a key wins, as the first insert would.
        var rows = facts.Select(f => (Fact: f, Entity: ToEntity(f)))
            .DistinctBy(r => (r.Entity.PartitionKey, r.Entity.RowKey))
            .GroupBy(r => r.Entity.PartitionKey, StringComparer.Ordinal)
            .SelectMany(g => g.Chunk(MaxBatch))
            .ToList();
        var failed = new System.Collections.Concurrent.ConcurrentBag<(Fact, Exception)>();
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = ParallelWrites, CancellationToken = ct }, async (chunk, token) =>
        {
            if (chunk.Length > 1)
            {
                try
                {
                    await storage.Facts.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r.Entity)), token);
                    return;
                }
                catch (TableTransactionFailedException e) when (!EngageStorage.IsUnavailable(e))
                {
                    // A row already there (409, a redelivery) or one storage refuses fails the whole transaction:
                    // the rows go one by one, where a duplicate is success and a refused row is reported alone.
                }
            }

            foreach (var (fact, entity) in chunk)
            {
                try
                {
                    await InsertIdempotentAsync(storage.Facts, entity, fact.ClassifierVersion, SignalProperties, token);
                }
                catch (Exception e) when (!EngageStorage.IsUnavailable(e) && e is not OperationCanceledException)
                {
                    failed.Add((fact, e));
                }
            }
        });
        return [.. failed];
    }

    public Task InsertItemAsync(ItemInfo item, CancellationToken ct) =>
        InsertIdempotentAsync(storage.Items, ToEntity(item), item.ClassifierVersion, QuestionProperties, ct);

    /// <summary>The columns a newer classifier may rewrite in a fact row: everything else is fixed at first insert.</summary>
    private static readonly string[] SignalProperties = ["Signals", ClassifierVersionProperty];

    /// <summary>The columns a newer classifier may rewrite in an items row.</summary>
    private static readonly string[] QuestionProperties = ["Question", ClassifierVersionProperty];

    private const string ClassifierVersionProperty = "ClassifierVersion";

    /// <summary>
    /// Inserts the row; a row already there (409) is the same fact delivered again, which is success. If the
    /// stored row was read by an older classifier than <paramref name="version"/>, only its classifier columns
    /// are rewritten, with a conditional merge on the row's ETag: two replays racing with different versions
    /// end at the newer one whatever their order, and a row never moves back to an older version.
    /// </summary>
    private static async Task InsertIdempotentAsync(TableClient table, TableEntity entity, string? version, string[] reclassified, CancellationToken ct)
    {
        try
        {
            await table.AddEntityAsync(entity, ct);
            return;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Already stored by an earlier delivery of the same interaction: done, unless it can be reclassified.
        }

        while (version is not null)
        {
            var stored = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: ct);
            if (!stored.HasValue || stored.Value is not { } current
                || !Ingest.ClassifierVersions.IsNewer(version, current.GetString(ClassifierVersionProperty)))
            {
                return;
            }

            var patch = new TableEntity(entity.PartitionKey, entity.RowKey);
            foreach (var name in reclassified)
            {
                patch[name] = entity.TryGetValue(name, out var value) ? value : null;
            }

            try
            {
                await table.UpdateEntityAsync(patch, current.ETag, TableUpdateMode.Merge, ct);
                return;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Another writer changed the row since it was read: read it again and decide again.
            }
        }
    }

    /// <summary>Time slices a long window is read in, concurrently (measured in bench/: about half the time of one range read).</summary>
    private const int ReadSlices = 4;

    /// <summary>The user's facts with occurredAt in the window: range reads of one partition, in time slices read concurrently.</summary>
    public async Task<List<Fact>> ReadAsync(string userId, Window window, CancellationToken ct)
    {
        var pk = FactKeys.Escape(userId);
        var slices = window.Length >= TimeSpan.FromDays(1) ? ReadSlices : 1;
        var bounds = Enumerable.Range(0, slices + 1)
            .Select(k => k == slices ? FactKeys.UpperBound(window.AsOf) + "~" : FactKeys.LowerBound(window.From + (k * window.Length / slices)))
            .ToArray();
        var parts = await Task.WhenAll(Enumerable.Range(0, slices).Select(async k =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey ge {bounds[k]} and RowKey lt {bounds[k + 1]}");
            var facts = new List<Fact>();
            await foreach (var entity in storage.Facts.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            {
                facts.Add(ToFact(entity));
            }

            return facts;
        }));
        return parts.SelectMany(p => p).ToList();
    }

    /// <summary>Every partition's facts with occurredAt in the window: a scan, for community figures and the projection.</summary>
    public async Task<List<Fact>> ScanAsync(Window window, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey ge {FactKeys.LowerBound(window.From)} and RowKey lt {FactKeys.UpperBound(window.AsOf) + "~"}");
        var facts = new List<Fact>();
        await foreach (var entity in storage.Facts.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            facts.Add(ToFact(entity));
        }

        return facts;
    }

    /// <summary>Facts resolved into interactions, with the parents the rows do not resolve looked up in the items index.</summary>
    public async Task<IReadOnlyList<Resolved>> ResolveAsync(IReadOnlyCollection<Fact> facts, CancellationToken ct) =>
        FactSet.Resolve(facts, await GetItemsAsync(FactSet.UnresolvedParents(facts), ct));

    /// <summary>True when the user has any fact at all (known user), whatever the window.</summary>
    public async Task<bool> ExistsAsync(string userId, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {FactKeys.Escape(userId)}");
        await foreach (var page in storage.Facts.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["RowKey"], cancellationToken: ct).AsPages())
        {
            if (page.Values.Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    public async Task<ItemInfo?> GetItemAsync(string itemId, CancellationToken ct)
    {
        var response = await storage.Items.GetEntityIfExistsAsync<TableEntity>(FactKeys.Escape(itemId), FactKeys.ItemRowKey, cancellationToken: ct);
        return response.HasValue && response.Value is { } e ? ToItem(e) : null;
    }

    /// <summary>Point reads in parallel (the items index has one partition per item).</summary>
    public async Task<IReadOnlyDictionary<string, ItemInfo>> GetItemsAsync(IEnumerable<string> itemIds, CancellationToken ct)
    {
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, ItemInfo>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(itemIds, new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = ct },
            async (id, token) =>
            {
                if (await GetItemAsync(id, token) is { } item)
                {
                    found[id] = item;
                }
            });
        return found;
    }

    /// <summary>Reads a user's window and resolves it into interactions.</summary>
    public async Task<(List<Fact> Facts, IReadOnlyList<Resolved> Interactions)> ReadResolvedAsync(string userId, Window window, CancellationToken ct)
    {
        var facts = await ReadAsync(userId, window, ct);
        return (facts, await ResolveAsync(facts, ct));
    }

    internal static TableEntity ToEntity(Fact f)
    {
        var e = new TableEntity(FactKeys.Escape(f.UserId), FactKeys.FactRowKey(f))
        {
            ["InteractionId"] = f.InteractionId,
            ["Kind"] = f.Kind.ToString(),
            ["Actor"] = f.Actor,
            ["OccurredAt"] = f.OccurredAt,
            ["Signals"] = (int)f.TextSignals,
            ["Accepted"] = f.Accepted,
        };
        Put(e, ClassifierVersionProperty, f.ClassifierVersion);
        if (f.RootFallback)
        {
            e["RootFallback"] = true;
        }

        Put(e, "ActorHandle", f.ActorHandle);
        Put(e, "InReplyToId", f.InReplyToId);
        Put(e, "InReplyToAuthor", f.InReplyToAuthor);
        if (f.ParentIsQuestion is { } q)
        {
            e["ParentIsQuestion"] = q;
        }

        Put(e, "SubjectId", f.SubjectId);
        Put(e, "SubjectAuthor", f.SubjectAuthor);
        if (f.Mentions.Count > 0)
        {
            e["Mentions"] = JsonSerializer.Serialize(f.Mentions, EngageJson.Options);
        }

        if (f.Handles is { Count: > 0 })
        {
            e["Handles"] = JsonSerializer.Serialize(f.Handles, EngageJson.Options);
        }

        return e;
    }

    internal static Fact ToFact(TableEntity e) => new()
    {
        UserId = e.GetString("Actor") is { } actor && FactKeys.Escape(actor) == e.PartitionKey ? actor : Unescape(e.PartitionKey),
        InteractionId = e.GetString("InteractionId"),
        Kind = Enum.Parse<InteractionKind>(e.GetString("Kind")),
        Actor = e.GetString("Actor"),
        ActorHandle = e.GetString("ActorHandle"),
        OccurredAt = e.GetDateTimeOffset("OccurredAt") ?? default,
        InReplyToId = e.GetString("InReplyToId"),
        InReplyToAuthor = e.GetString("InReplyToAuthor"),
        ParentIsQuestion = e.GetBoolean("ParentIsQuestion"),
        SubjectId = e.GetString("SubjectId"),
        SubjectAuthor = e.GetString("SubjectAuthor"),
        Mentions = e.GetString("Mentions") is { } m ? JsonSerializer.Deserialize<List<string>>(m, EngageJson.Options) ?? [] : [],
        TextSignals = (SignalSet)(e.GetInt32("Signals") ?? 0),
        Accepted = e.GetBoolean("Accepted") ?? false,
        ClassifierVersion = e.GetString(ClassifierVersionProperty),
        RootFallback = e.GetBoolean("RootFallback") ?? false,
        Handles = e.GetString("Handles") is { } h ? JsonSerializer.Deserialize<Dictionary<string, string>>(h, EngageJson.Options) : null,
    };

    internal static TableEntity ToEntity(ItemInfo item)
    {
        var e = new TableEntity(FactKeys.Escape(item.ItemId), FactKeys.ItemRowKey)
        {
            ["ItemId"] = item.ItemId,
            ["Author"] = item.Author,
            ["Kind"] = item.Kind.ToString(),
            ["Question"] = item.Question,
            ["OccurredAt"] = item.OccurredAt,
        };
        Put(e, "AuthorHandle", item.AuthorHandle);
        Put(e, ClassifierVersionProperty, item.ClassifierVersion);
        return e;
    }

    internal static ItemInfo ToItem(TableEntity e) => new(
        e.GetString("ItemId"),
        e.GetString("Author"),
        Enum.Parse<InteractionKind>(e.GetString("Kind")),
        e.GetBoolean("Question") ?? false,
        e.GetDateTimeOffset("OccurredAt") ?? default,
        e.GetString("AuthorHandle"))
    {
        ClassifierVersion = e.GetString(ClassifierVersionProperty),
    };

    private static void Put(TableEntity e, string key, string? value)
    {
        if (value is not null)
        {
            e[key] = value;
        }
    }

    /// <summary>Reverses <see cref="FactKeys.Escape"/> (only <c>%XX</c> sequences are escapes).</summary>
    internal static string Unescape(string key)
    {
        if (!key.Contains('%', StringComparison.Ordinal))
        {
            return key;
        }

        var sb = new System.Text.StringBuilder(key.Length);
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] == '%' && i + 2 < key.Length
                && int.TryParse(key.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            {
                sb.Append((char)code);
                i += 2;
            }
            else
            {
                sb.Append(key[i]);
            }
        }

        return sb.ToString();
    }
}
