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
/// Every actor's fact is also written to the activity layout (<see cref="Activity"/>), which whole-community
/// reads of a window use instead of scanning this table.
/// </summary>
public sealed class FactStore(EngageStorage storage, TimeProvider clock)
{
    /// <summary>The window-bounded layout of the same interactions (decision 1111).</summary>
    public ActivityStore Activity { get; } = new(storage);

    /// <summary>Who each unit of work touched, for the incremental projection (decision 1201).</summary>
    public ArrivalStore Arrivals { get; } = new(storage, clock);

    /// <summary>The one-off copy of items rows of before decision 1271 into their shards, and whether it is done.</summary>
    public ItemShardMigration ItemShards => LazyInitializer.EnsureInitialized(ref _itemShards, () => new ItemShardMigration(storage, this));

    private ItemShardMigration? _itemShards;

    private const int ParallelReads = 32;

    /// <summary>Entity group transactions take at most 100 operations, all in one partition (Azure; Azurite is laxer).</summary>
    public const int MaxBatch = 100;

    private static readonly AsyncLocal<FactBatch?> Collecting = new();

    /// <summary>Fact rows are inserts: a row already there fails its transaction, and its rows go one by one.</summary>
    private readonly PartitionWriter _factRows = new(TableTransactionActionType.Add);

    /// <summary>
    /// Inserts the facts: grouped by partition, each group of two or more in transactions of at most
    /// <see cref="MaxBatch"/> rows (one round trip), a group of one as a single insert; 8 in flight. Inside
    /// <see cref="Collect"/> the rows are only gathered, and written when the batch is flushed.
    /// </summary>
    public async Task InsertAsync(IEnumerable<Fact> facts, CancellationToken ct)
    {
        // Every row's user is touched (decision 1201): the unit of the flow, or this insert's own unit, written after the rows.
        var rows = facts as IReadOnlyCollection<Fact> ?? facts.ToList();
        await using var touched = Arrivals.Collect();
        touched.Add(rows.Select(f => f.UserId));
        touched.AddRows(rows.Where(f => f.IsActor)); // and where their activity rows are, for the projection's point reads (decision 1241)
        if (Collecting.Value is { Open: true } batch)
        {
            batch.Add(rows);
            return;
        }

        var failed = await InsertBatchedAsync(rows.ToList(), ct);
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
        private readonly List<(Fact Fact, TableEntity Row)> _registrations = [];

        public bool Open { get; private set; } = true;

        internal void Add(IEnumerable<Fact> facts)
        {
            lock (_facts)
            {
                _facts.AddRange(facts);
            }
        }

        /// <summary>A registration in <c>replies</c> of a reply that knew its parent (decision 1272), written before the facts.</summary>
        internal void Register(Fact actorFact, TableEntity row)
        {
            lock (_facts)
            {
                _registrations.Add((actorFact, row));
            }
        }

        /// <summary>
        /// Writes what was gathered, the registrations first, then the facts; returns the rows storage refused (a
        /// transient error is thrown, as by a single insert).
        /// </summary>
        public async Task<IReadOnlyList<(Fact Fact, Exception Error)>> FlushAsync(CancellationToken ct)
        {
            Open = false;
            List<Fact> facts;
            List<(Fact Fact, TableEntity Row)> registrations;
            lock (_facts)
            {
                facts = [.. _facts];
                registrations = [.. _registrations];
            }

            var refused = registrations.Count == 0 ? [] : await store.RegisterAsync(registrations, ct);
            return facts.Count == 0 ? refused : [.. refused, .. await store.InsertBatchedAsync(facts, ct)];
        }
    }

    private async Task<IReadOnlyList<(Fact Fact, Exception Error)>> InsertBatchedAsync(IReadOnlyList<Fact> facts, CancellationToken ct)
    {
        // One row per key in a transaction. A second fact of the same key (a reply whose parent turned up while its
        // message ran: the same rows again, with the parent's columns) goes after the transactions, through the
        // idempotent insert, whose 409 merges what it knows better (decision 1121).
        var keyed = facts.Select((f, index) => (Fact: f, Entity: ToEntity(f), Index: index)).ToList();
        var first = keyed.DistinctBy(r => (r.Entity.PartitionKey, r.Entity.RowKey)).ToList();
        var again = keyed.Except(first).ToList();
        var failed = new System.Collections.Concurrent.ConcurrentBag<(Fact, Exception)>();
        var written = new System.Collections.Concurrent.ConcurrentBag<int>();
        // Rows of one partition go in transactions together, with the rows other messages of this process write to
        // that partition at the same time (decision 1213); a failed transaction sends its rows one by one.
        var errors = await _factRows.WriteAsync(first.Select(r =>
            (storage.Facts, r.Entity, (Func<CancellationToken, Task>)(token => InsertFactAsync(storage.Facts, r.Entity, r.Fact.ClassifierVersion, token)))), ct);
        for (var k = 0; k < first.Count; k++)
        {
            if (errors[k] is { } error)
            {
                failed.Add((first[k].Fact, error));
            }
            else
            {
                written.Add(first[k].Index);
            }
        }

        foreach (var row in again)
        {
            await InsertOneAsync(row, failed, written, ct);
        }

        // Then the activity rows of the actors' facts that are stored (decision 1111), batched by their own
        // partitions (decision 1212): after the fact rows, so a failure here fails the message (or parks the
        // interaction), whose retry finds the fact (409) and writes the activity row.
        var actors = written.Order().Select(index => facts[index]).Where(f => f.IsActor).ToList();
        if (actors.Count > 0)
        {
            foreach (var refused in await Activity.InsertAsync(actors, ct))
            {
                failed.Add(refused);
            }
        }

        return [.. failed];
    }

    /// <summary>One fact row by the idempotent insert; a row storage refuses is reported, not thrown.</summary>
    private async Task InsertOneAsync((Fact Fact, TableEntity Entity, int Index) row, System.Collections.Concurrent.ConcurrentBag<(Fact, Exception)> failed,
        System.Collections.Concurrent.ConcurrentBag<int> written, CancellationToken ct)
    {
        try
        {
            await InsertFactAsync(storage.Facts, row.Entity, row.Fact.ClassifierVersion, ct);
            written.Add(row.Index);
        }
        catch (Exception e) when (!EngageStorage.IsUnavailable(e) && e is not OperationCanceledException)
        {
            failed.Add((row.Fact, e));
        }
    }

    /// <summary>
    /// Inserts the item (a 409 is the same item again) and answers the row as stored now: after a redelivery
    /// with a newer classifier, its merged question flag; after one with an older classifier, the stored row.
    /// </summary>
    public async Task<ItemInfo> InsertItemAsync(ItemInfo item, CancellationToken ct) => (await AddItemAsync(item, ct)).Item;

    /// <summary>An items row as stored after its insert, and whether a row was there before it (a 409).</summary>
    public sealed record StoredItem(ItemInfo Item, bool WasThere);

    /// <summary>
    /// Inserts the item as <see cref="InsertItemAsync"/> does, and says whether a row was there before: a new item
    /// whose insert succeeded has no reply waiting for it (a reply that came first marks the row, decision 1251), so
    /// its ingest skips the look-up of <c>replies</c>. A row that is only that mark takes all the item's columns.
    /// </summary>
    public async Task<StoredItem> AddItemAsync(ItemInfo item, CancellationToken ct)
    {
        var entity = ToEntity(item);
        var stored = await InsertIdempotentAsync(storage.Items, entity, existing => IsItem(existing)
            ? ClassifierPatch(entity, existing, item.ClassifierVersion, QuestionProperties)
            : entity.Where(c => c.Key is not ("PartitionKey" or "RowKey" or "odata.etag" or "Timestamp")).ToDictionary(c => c.Key, c => (object?)c.Value, StringComparer.Ordinal), ct);
        return new StoredItem(stored is null ? item : ToItem(stored), stored is not null);
    }

    /// <summary>
    /// Column of an items row set by a reply that came before its parent (decision 1251): the row may be only that
    /// mark (no item columns), which the parent's insert then finds (409) and fills in.
    /// </summary>
    public const string RepliesWaitingProperty = "RepliesWaiting";

    /// <summary>True for a real items row; false for a row that is only a waiting reply's mark.</summary>
    private static bool IsItem(TableEntity e) => e.ContainsKey("ItemId");

    /// <summary>
    /// Marks the parent's items row (creating it as a mark alone when the parent is unknown): a reply waits for it,
    /// so the parent's insert meets a row (409) and merges into its replies (decision 1251). A merge-upsert:
    /// idempotent, and never touches the item's own columns.
    /// </summary>
    public async Task MarkReplyWaitingAsync(string parentId, CancellationToken ct) =>
        await storage.Items.UpsertEntityAsync(new TableEntity(ItemKeys.Partition(parentId), ItemKeys.Row(parentId)) { [RepliesWaitingProperty] = true },
            TableUpdateMode.Merge, ct);

    /// <summary>Items rows are inserts: a row already there (a mark, a redelivery) fails its transaction, and its rows go one by one.</summary>
    private readonly PartitionWriter _itemRows = new(TableTransactionActionType.Add);

    /// <summary>
    /// Inserts many items as <see cref="AddItemAsync"/> does, those of one shard in one transaction (with whatever else
    /// this process writes to that shard at the moment, decision 1213): a transaction that succeeds means no row was
    /// there for any of its items. One that fails (a row there: a waiting reply's mark, a redelivery) sends its rows
    /// through <see cref="AddItemAsync"/> one by one. Answers, item by item, the row as stored and whether one was
    /// there, or the error storage gave for that item alone; transient errors are thrown.
    /// </summary>
    public async Task<(StoredItem? Item, Exception? Error)[]> AddItemsAsync(IReadOnlyList<ItemInfo> items, CancellationToken ct)
    {
        var stored = new StoredItem?[items.Count];
        var errors = await _itemRows.WriteAsync(items.Select((item, k) =>
            (storage.Items, ToEntity(item), (Func<CancellationToken, Task>)(async token => stored[k] = await AddItemAsync(item, token)))), ct);
        return [.. items.Select((item, k) => errors[k] is { } error ? ((StoredItem?)null, error) : (stored[k] ?? new StoredItem(item, false), (Exception?)null))];
    }

    /// <summary>The columns a newer classifier may rewrite in a fact row: everything else is fixed at first insert.</summary>
    private static readonly string[] SignalProperties = ["Signals", ClassifierVersionProperty];

    /// <summary>The columns a newer classifier may rewrite in an items row.</summary>
    private static readonly string[] QuestionProperties = ["Question", ClassifierVersionProperty];

    private const string ClassifierVersionProperty = "ClassifierVersion";
    private const string ParentQuestionProperty = "ParentIsQuestion";
    private const string ParentVersionProperty = "ParentClassifierVersion";
    private const string ParentTrackedProperty = "ParentTracked";
    private const string ParentAuthorProperty = "InReplyToAuthor";

    /// <summary>
    /// Inserts a fact row; on a 409 merges what the incoming row knows better: the classifier's columns when its
    /// classifier is newer (decision 0603) and the parent's columns when it knows the parent and the stored row
    /// does not, or knows a newer classification of it (decision 1121).
    /// </summary>
    internal static Task InsertFactAsync(TableClient table, TableEntity entity, string? version, CancellationToken ct) =>
        InsertIdempotentAsync(table, entity, existing =>
        {
            var patch = ClassifierPatch(entity, existing, version, SignalProperties);
            foreach (var column in ParentPatch(entity, existing, overwriteAuthor: false))
            {
                patch[column.Key] = column.Value;
            }

            return patch;
        }, ct);

    private static Dictionary<string, object?> ClassifierPatch(TableEntity incoming, TableEntity stored, string? version, string[] reclassified)
    {
        var patch = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (version is not null && Ingest.ClassifierVersions.IsNewer(version, stored.GetString(ClassifierVersionProperty)))
        {
            foreach (var name in reclassified)
            {
                patch[name] = incoming.TryGetValue(name, out var value) ? value : null;
            }
        }

        return patch;
    }

    /// <summary>
    /// The parent's columns of <paramref name="incoming"/> that <paramref name="stored"/> should take: the author
    /// when the stored row has none (or, for a thread-root fallback row, <paramref name="overwriteAuthor"/>: the
    /// real parent takes the give back), the question flag when the stored row has none or the incoming flag comes
    /// from a newer classifier, and the tracked mark. Never anything else, and never a move back to an older
    /// classification or to an unknown parent, so redeliveries in any order end at the same row.
    /// </summary>
    internal static Dictionary<string, object?> ParentPatch(TableEntity incoming, TableEntity stored, bool overwriteAuthor)
    {
        var patch = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (incoming.GetString(ParentAuthorProperty) is { } author
            && (stored.GetString(ParentAuthorProperty) is null || (overwriteAuthor && stored.GetString(ParentAuthorProperty) != author)))
        {
            patch[ParentAuthorProperty] = author;
        }

        if (incoming.GetBoolean(ParentQuestionProperty) is { } question)
        {
            var storedQuestion = stored.GetBoolean(ParentQuestionProperty);
            var incomingVersion = incoming.GetString(ParentVersionProperty);
            var storedVersion = stored.GetString(ParentVersionProperty);
            if (storedQuestion is null || (Ingest.ClassifierVersions.IsNewer(incomingVersion, storedVersion) && (storedQuestion != question || incomingVersion != storedVersion)))
            {
                patch[ParentQuestionProperty] = question;
                patch[ParentVersionProperty] = incomingVersion;
            }
        }

        if (incoming.GetBoolean(ParentTrackedProperty) == true && stored.GetBoolean(ParentTrackedProperty) != true)
        {
            patch[ParentTrackedProperty] = true;
        }

        return patch;
    }

    /// <summary>
    /// Inserts the row; a row already there (409) is the same fact delivered again, which is success. Then the
    /// columns <paramref name="patchOf"/> says the stored row should take (none, usually) are merged with a
    /// conditional merge on the row's ETag: two writers racing end at the same row whatever their order (each
    /// patch only moves a row forward: a newer classifier, a parent it did not know). Answers the stored row
    /// after a 409 (null when the insert made it).
    /// </summary>
    private static async Task<TableEntity?> InsertIdempotentAsync(TableClient table, TableEntity entity, Func<TableEntity, Dictionary<string, object?>> patchOf, CancellationToken ct)
    {
        try
        {
            await table.AddEntityAsync(entity, ct);
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Already stored by an earlier delivery of the same interaction: done, unless it can learn something.
        }

        return await MergeIfBehindAsync(table, entity.PartitionKey, entity.RowKey, patchOf, ct);
    }

    /// <summary>
    /// Reads the row and merges <paramref name="patchOf"/>'s columns with If-Match on the ETag it read; a 412 (someone
    /// else wrote in between) reads and decides again. Answers the row as stored (null when there is none).
    /// </summary>
    private static async Task<TableEntity?> MergeIfBehindAsync(TableClient table, string partition, string row, Func<TableEntity, Dictionary<string, object?>> patchOf, CancellationToken ct)
    {
        while (true)
        {
            var stored = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: ct);
            if (!stored.HasValue || stored.Value is not { } current)
            {
                return null;
            }

            var columns = patchOf(current);
            if (columns.Count == 0)
            {
                return current;
            }

            var patch = new TableEntity(partition, row);
            foreach (var (name, value) in columns)
            {
                patch[name] = value;
                current[name] = value;
            }

            try
            {
                await table.UpdateEntityAsync(patch, current.ETag, TableUpdateMode.Merge, ct);
                return current;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Another writer changed the row since it was read: read it again and decide again.
            }
        }
    }

    /// <summary>Replies rows written in parallel when a parent arrives.</summary>
    private const int ParallelReplies = 8;

    /// <summary>
    /// Records a reply under its parent in table <c>replies</c> (before its facts are written, so that a parent
    /// arriving meanwhile finds it): the actor's fact, from which every copy of the reply's facts follows, and the
    /// thread root's author for a fallback give. <paramref name="parent"/> is the parent as the reply's ingest read
    /// it, if known: the row then says which classification its facts already carry, so the parent's redeliveries
    /// skip it until the parent is reclassified.
    /// </summary>
    public async Task RegisterReplyAsync(Fact actorFact, string? threadRootAuthor, ItemInfo? parent, CancellationToken ct)
    {
        if (actorFact.InReplyToId is not { } parentId)
        {
            return;
        }

        var rowKey = FactKeys.FactRowKey(actorFact with { RootFallback = false });
        var row = parent is null
            ? new TableEntity(FactKeys.Escape(parentId), rowKey)
            : new TableEntity(ReplyKeys.Partition(parentId), ReplyKeys.Row(parentId, rowKey));
        row[ReplyFactProperty] = JsonSerializer.Serialize(actorFact with { UserId = actorFact.Actor }, EngageJson.Options);
        Put(row, ReplyRootProperty, threadRootAuthor);
        if (parent is not null)
        {
            // Known parent: the row only serves a later reclassification of the parent (decision 1122), so it goes in
            // the parent's shard with the message's other writes, before its facts (decision 1272).
            row[ReplyAppliedProperty] = true;
            Put(row, ReplyAppliedVersionProperty, parent.ClassifierVersion);
            if (Collecting.Value is { Open: true } batch)
            {
                batch.Register(actorFact, row);
                return;
            }

            if ((await RegisterAsync([(actorFact, row)], ct)) is [var (_, error), ..])
            {
                throw error;
            }

            return;
        }

        try
        {
            await storage.Replies.AddEntityAsync(row, ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // A redelivery: the first delivery registered it; the parent's columns reach it through MergeParentAsync.
        }

        // After the registration, before the facts and the second read of the parent: either the parent's insert
        // meets this mark (and looks up its replies) or the second read finds the parent (decision 1251). Also on a
        // redelivery, so a crash between the registration and the mark is repaired by the retry.
        await MarkReplyWaitingAsync(parentId, ct);
    }

    /// <summary>Registrations are inserts: one already there (a redelivery) fails its transaction, and its rows go one by one.</summary>
    private readonly PartitionWriter _replyRows = new(TableTransactionActionType.Add);

    /// <summary>
    /// Writes registrations of replies that knew their parent, those of one shard in one transaction (decisions 1213,
    /// 1272); a row already there is success. Returns the rows storage refused; transient errors are thrown.
    /// </summary>
    private async Task<IReadOnlyList<(Fact Fact, Exception Error)>> RegisterAsync(IReadOnlyList<(Fact Fact, TableEntity Row)> registrations, CancellationToken ct)
    {
        var errors = await _replyRows.WriteAsync(registrations.Select(r => (storage.Replies, r.Row, (Func<CancellationToken, Task>)(async token =>
        {
            try
            {
                await storage.Replies.AddEntityAsync(r.Row, token);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // A redelivery: the first delivery registered it.
            }
        }))), ct);
        return [.. registrations.Zip(errors).Where(o => o.Second is not null).Select(o => (o.First.Fact, o.Second!))];
    }

    private const string ReplyFactProperty = "Fact";
    private const string ReplyRootProperty = "ThreadRootAuthor";
    private const string ReplyAppliedProperty = "Applied";
    private const string ReplyAppliedVersionProperty = "AppliedVersion";

    /// <summary>
    /// The parent <paramref name="item"/> is known (it arrived, or was reclassified): its columns go to every reply
    /// registered under it whose facts do not carry this classification yet. Runs on every ingest of the item,
    /// redeliveries included, so a crash between the item's insert and this step is repaired by the retry.
    /// </summary>
    public async Task MergeIntoRepliesAsync(ItemInfo item, CancellationToken ct)
    {
        // The replies that came before it, in its own partition, and those that knew it, in its shard (decision 1272).
        var (lower, upper) = ReplyKeys.Range(item.ItemId);
        var filters = new[]
        {
            TableClient.CreateQueryFilter($"PartitionKey eq {FactKeys.Escape(item.ItemId)}"),
            TableClient.CreateQueryFilter($"PartitionKey eq {ReplyKeys.Partition(item.ItemId)} and RowKey ge {lower} and RowKey lt {upper}"),
        };
        var found = await Task.WhenAll(filters.Select(async filter =>
        {
            var behind = new List<(Fact Fact, string? Root, (string, string) Key)>();
            await foreach (var row in storage.Replies.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            {
                if (row.GetBoolean(ReplyAppliedProperty) == true
                    && !Ingest.ClassifierVersions.IsNewer(item.ClassifierVersion, row.GetString(ReplyAppliedVersionProperty)))
                {
                    continue;
                }

                if (JsonSerializer.Deserialize<Fact>(row.GetString(ReplyFactProperty), EngageJson.Options) is { } fact)
                {
                    behind.Add((fact, row.GetString(ReplyRootProperty), (row.PartitionKey, row.RowKey)));
                }
            }

            return behind;
        }));

        await Parallel.ForEachAsync(found.SelectMany(f => f), new ParallelOptions { MaxDegreeOfParallelism = ParallelReplies, CancellationToken = ct },
            async (reply, token) => await MergeParentAsync(reply.Fact, item, reply.Root, reply.Key, token));
    }

    /// <summary>
    /// Gives every copy of one reply's facts its parent's columns: the actor's row and each give target's row
    /// (inserted when missing, so the parent author's give exists however late the parent came; merged when
    /// stored), and the thread-root fallback rows if a fallback was written (merged only). Every write is an
    /// insert or a conditional merge of parent columns only (<see cref="ParentPatch"/>), so any number of
    /// concurrent or repeated calls, in any order, leave the same rows. The one place that knows where the
    /// copies of a fact are: a new copy of a fact (another table) is added here.
    /// </summary>
    public Task MergeParentAsync(Fact actorFact, ItemInfo parent, string? threadRootAuthor, CancellationToken ct) =>
        MergeParentAsync(actorFact, parent, threadRootAuthor, null, ct);

    /// <param name="registration">Where the reply's row in <c>replies</c> is, when known (read from there); else its parent's own partition.</param>
    private async Task MergeParentAsync(Fact actorFact, ItemInfo parent, string? threadRootAuthor, (string Partition, string Row)? registration, CancellationToken ct)
    {
        await using var touched = Arrivals.Collect(); // the ingest message's unit, or one of its own (decision 1201)
        var author = actorFact.InReplyToAuthor ?? parent.Author;
        var resolved = actorFact with
        {
            UserId = actorFact.Actor,
            RootFallback = false,
            InReplyToAuthor = author,
            ParentIsQuestion = parent.Question,
            ParentClassifierVersion = parent.ClassifierVersion,
            ParentTracked = true,
        };
        var copies = new List<Fact> { resolved };
        copies.AddRange(Gives.Targets(resolved.Kind, resolved.Actor, author, resolved.SubjectAuthor, resolved.Mentions)
            .Select(target => resolved with { UserId = target }));
        await InsertAsync(copies, ct);

        if (threadRootAuthor is not null)
        {
            touched.Add(threadRootAuthor); // the fallback's give may move from the root's author to the parent's (decision 1201)
            foreach (var user in new[] { resolved.Actor, threadRootAuthor }.Distinct(StringComparer.Ordinal))
            {
                var fallback = ToEntity(resolved with { UserId = user, RootFallback = true });
                await MergeIfBehindAsync(storage.Facts, fallback.PartitionKey, fallback.RowKey, stored => ParentPatch(fallback, stored, overwriteAuthor: true), ct);
            }

            // The actor's fallback row has its copy in the activity layout too (decision 1111).
            var activityFallback = resolved with { RootFallback = true };
            touched.AddRows([activityFallback]);
            var incoming = ToEntity(activityFallback);
            var (month, partition, row) = FactKeys.ActivityKey(activityFallback);
            await MergeIfBehindAsync(Activity.Table(month), partition, row, stored => ParentPatch(incoming, stored, overwriteAuthor: true), ct);
        }

        // Marks the replies row done for this classification (a merge: a row that is not there is an older reply).
        var (markPartition, markRow) = registration ?? (FactKeys.Escape(resolved.InReplyToId ?? parent.ItemId), FactKeys.FactRowKey(resolved));
        var mark = new TableEntity(markPartition, markRow) { [ReplyAppliedProperty] = true };
        mark[ReplyAppliedVersionProperty] = parent.ClassifierVersion;
        try
        {
            await storage.Replies.UpdateEntityAsync(mark, ETag.All, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Registered before the replies index existed (a pending-parent message of then): nothing to mark.
        }
    }

    /// <summary>Time slices a long window is read in, concurrently (measured in bench/: about half the time of one range read).</summary>
    private const int ReadSlices = 4;

    /// <summary>The user's facts with occurredAt in the window: range reads of one partition, in time slices read concurrently.</summary>
    public Task<List<Fact>> ReadAsync(string userId, Window window, CancellationToken ct) => ReadAsync(userId, window, sliced: true, ct);

    /// <param name="sliced">False for one range read: a caller reading many users at once (the projection) gains nothing from slices but more queries.</param>
    public async Task<List<Fact>> ReadAsync(string userId, Window window, bool sliced, CancellationToken ct)
    {
        var pk = FactKeys.Escape(userId);
        var slices = sliced && window.Length >= TimeSpan.FromDays(1) ? ReadSlices : 1;
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

    /// <summary>
    /// Facts resolved into interactions. Rows carry their parent's columns (decision 1121); only rows written before
    /// that have their unresolved parents looked up in the items index.
    /// </summary>
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

    /// <summary>
    /// The item, read from its shard (decision 1271); until the copy of the old rows is known to be done, an item not
    /// in its shard is read from its old key too. A mark alone is no item (decision 1251).
    /// </summary>
    public async Task<ItemInfo?> GetItemAsync(string itemId, CancellationToken ct)
    {
        var response = await storage.Items.GetEntityIfExistsAsync<TableEntity>(ItemKeys.Partition(itemId), ItemKeys.Row(itemId), cancellationToken: ct);
        if (response.HasValue && response.Value is { } e && IsItem(e))
        {
            return ToItem(e);
        }

        if (ItemShards.Known)
        {
            return null;
        }

        var (partition, row) = ItemKeys.Legacy(itemId);
        var legacy = await storage.Items.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: ct);
        return legacy.HasValue && legacy.Value is { } old && IsItem(old) ? ToItem(old) : null;
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
            e[ParentQuestionProperty] = q;
        }

        Put(e, ParentVersionProperty, f.ParentClassifierVersion);
        if (f.ParentTracked)
        {
            e[ParentTrackedProperty] = true;
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
        ParentIsQuestion = e.GetBoolean(ParentQuestionProperty),
        ParentClassifierVersion = e.GetString(ParentVersionProperty),
        ParentTracked = e.GetBoolean(ParentTrackedProperty) ?? false,
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
        var e = new TableEntity(ItemKeys.Partition(item.ItemId), ItemKeys.Row(item.ItemId))
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
