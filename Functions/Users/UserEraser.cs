using Azure;
using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Functions.Digests;
using Engage.Functions.Scores;
using Engage.Functions.Storage;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.Users;

/// <summary>What one erasure removed or rewrote.</summary>
public sealed record ErasureResult(int OwnRows, int RowsDeleted, int RowsScrubbed, int Items, int BodiesDeleted = 0, int BodiesRedacted = 0);

/// <summary>
/// Erases a user (docs/api.md <c>DELETE /api/users/{userId}</c>, docs/decisions/0301-erasure.md): their
/// interactions from every partition and the items index, the rows of others' interactions that name
/// them (in the facts and in the activity layout), their score row and leaderboard entries, digest
/// state and subscription. Their own partition goes last, so an erasure cut short is found again and
/// finished by the next DELETE.
/// </summary>
public sealed class UserEraser(
    EngageStorage storage,
    FactStore facts,
    ScoreStore scores,
    SubscriptionStore subscriptions,
    People.PeopleStore people,
    WebhookArchive archive,
    ILogger<UserEraser> logger)
{
    /// <summary>Entity group transactions take at most 100 operations (Azure; Azurite accepts more).</summary>
    public const int MaxBatch = 100;

    private const int Degree = 8;

    /// <summary>Null when the user is unknown: no facts and no subscription.</summary>
    public async Task<ErasureResult?> EraseAsync(string userId, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);

        // First, even for a user not known yet: a delivery naming them may still be queued (decision 1132).
        await archive.RecordErasureAsync(userId, ct);
        var partition = FactKeys.Escape(userId);
        await using var touched = facts.Arrivals.Collect(); // they and everyone their rows name, once their rows are gone (decision 1201)
        touched.Erased(userId);
        var rows = await ReadPartitionAsync(storage.Facts, partition, ct);
        if (rows.Count == 0 && await subscriptions.GetAsync(userId, ct) is null && (await archive.BodiesOfAsync(userId, ct)).Count == 0)
        {
            return null;
        }

        // Replies whose rows do not name the parent author: the items index does (until the erased user's items go, below).
        var own = rows.Select(e => (Entity: e, Fact: FactStore.ToFact(e))).ToList();
        var parents = await facts.GetItemsAsync(
            own.Where(r => r.Fact.InReplyToId is not null && r.Fact.InReplyToAuthor is null).Select(r => r.Fact.InReplyToId!).ToHashSet(StringComparer.Ordinal), ct);

        var deletes = new List<(string Partition, string Row)>();
        var scrubs = new List<(string Partition, string Row)>();
        var activity = new List<(bool Theirs, string Month, string Partition, string Row)>();
        var items = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (entity, fact) in own)
        {
            var parentAuthor = fact.InReplyToId is { } parentId && parents.TryGetValue(parentId, out var parent) ? parent.Author : null;
            var theirs = Erasure.IsTheirs(fact, userId);
            foreach (var other in Erasure.OtherUsers(fact, userId, parentAuthor))
            {
                touched.Add(other);
                (theirs ? deletes : scrubs).Add((FactKeys.Escape(other), entity.RowKey));
            }

            // The interaction's activity row (decision 1111) has the same row key: it goes with their own acts and
            // is rewritten like the others' rows when it names them.
            activity.Add((theirs, FactKeys.ActivityMonth(fact.OccurredAt), FactKeys.ActivityPartition(fact.InteractionId, fact.OccurredAt), entity.RowKey));
            if (theirs && fact.Kind is not (InteractionKind.Reaction or InteractionKind.Follow))
            {
                items.Add(fact.InteractionId);
            }
        }

        var deleted = await DeleteAsync(storage.Facts, deletes, ct);
        // Their replies and the replies naming them leave the replies index too, so that no late parent writes their
        // rows again (decision 1121).
        // A reply is registered under its parent's partition or, when it knew its parent, in the parent's shard (decision 1272).
        await DeleteAsync(storage.Replies, own.Where(r => r.Fact.InReplyToId is not null)
            .Select(r => (Parent: r.Fact.InReplyToId!, Row: FactKeys.FactRowKey(r.Fact with { RootFallback = false })))
            .SelectMany(r => new[] { (FactKeys.Escape(r.Parent), r.Row), (ReplyKeys.Partition(r.Parent), ReplyKeys.Row(r.Parent, r.Row)) }).Distinct(), ct);
        var scrubbed = 0;
        await Parallel.ForEachAsync(scrubs.Distinct(), new ParallelOptions { MaxDegreeOfParallelism = Degree, CancellationToken = ct },
            async (key, token) =>
            {
                if (await ScrubAsync(storage.Facts, key.Partition, key.Row, userId, token))
                {
                    Interlocked.Increment(ref scrubbed);
                }
            });
        // Months with no activity table (a store that predates it, not yet copied) hold nothing to delete or rewrite.
        var months = await facts.Activity.MonthsAsync(ct);
        activity.RemoveAll(a => !months.Contains(a.Month));
        foreach (var month in activity.Where(a => a.Theirs).GroupBy(a => a.Month, StringComparer.Ordinal))
        {
            await DeleteAsync(facts.Activity.Table(month.Key), month.Select(a => (a.Partition, a.Row)), ct);
        }

        await Parallel.ForEachAsync(activity.Where(a => !a.Theirs).Distinct(), new ParallelOptions { MaxDegreeOfParallelism = Degree, CancellationToken = ct },
            async (a, token) => await ScrubAsync(facts.Activity.Table(a.Month), a.Partition, a.Row, userId, token));
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Degree, CancellationToken = ct },
            async (item, token) =>
            {
                // The old key first, then the shard (decision 1271): the copy of old rows undoes a copy whose old row is gone.
                var (partition, row) = ItemKeys.Legacy(item);
                await storage.Items.DeleteEntityAsync(partition, row, ETag.All, token);
                await storage.Items.DeleteEntityAsync(ItemKeys.Partition(item), ItemKeys.Row(item), ETag.All, token);
            });

        // The raw archive too, so that a replay never brings them back (decision 0901); before their own partition goes.
        var handles = own.SelectMany(r => r.Fact.Handles?.Where(h => h.Key == userId).Select(h => h.Value) ?? [])
            .Concat(own.Where(r => r.Fact.Actor == userId && r.Fact.ActorHandle is not null).Select(r => r.Fact.ActorHandle!))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var bodies = await archive.EraseAsync(userId, handles, ct);

        await scores.ForgetAsync(userId, ct);
        var weeks = await ReadPartitionAsync(storage.Digests, partition, ct, select: ["RowKey"]);
        await DeleteAsync(storage.Digests, weeks.Select(w => (partition, w.RowKey)), ct);
        await subscriptions.DeleteAsync(userId, ct);
        await storage.Profiles.DeleteEntityAsync(partition, People.IdentityRecorder.ProfileRow, ETag.All, ct); // display name and links (decision 1144)
        await DeleteAsync(storage.Facts, rows.Select(r => (partition, r.RowKey)), ct);
        await people.UnlinkAsync(userId, ct); // the userId leaves its person too (decision 1143)
        await facts.Arrivals.ForgetAsync(userId, ct); // and the arrival rows that named them (decision 1201)

        var result = new ErasureResult(rows.Count, deleted, scrubbed, items.Count, bodies.Deleted, bodies.Redacted);
        logger.LogInformation(
            "Erased user {UserId}: {OwnRows} rows of their own, {RowsDeleted} rows of their interactions elsewhere, {RowsScrubbed} rows rewritten not to name them, {Items} items, {BodiesDeleted} archived bodies deleted, {BodiesRedacted} rewritten without them",
            userId, result.OwnRows, result.RowsDeleted, result.RowsScrubbed, result.Items, result.BodiesDeleted, result.BodiesRedacted);
        return result;
    }

    private static async Task<List<TableEntity>> ReadPartitionAsync(TableClient table, string partition, CancellationToken ct, IEnumerable<string>? select = null)
    {
        var rows = new List<TableEntity>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: select, cancellationToken: ct))
        {
            rows.Add(e);
        }

        return rows;
    }

    /// <summary>
    /// Deletes rows in transactions of at most <see cref="MaxBatch"/> per partition. A row already gone
    /// fails its whole transaction (404): that chunk is then deleted row by row, where 404 is success.
    /// Returns the number of rows asked for (gone either way).
    /// </summary>
    private static async Task<int> DeleteAsync(TableClient table, IEnumerable<(string Partition, string Row)> keys, CancellationToken ct)
    {
        var chunks = keys.Distinct()
            .GroupBy(k => k.Partition, StringComparer.Ordinal)
            .SelectMany(g => g.Chunk(MaxBatch))
            .ToList();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Degree, CancellationToken = ct },
            async (chunk, token) =>
            {
                try
                {
                    await table.SubmitTransactionAsync(
                        chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(k.Partition, k.Row), ETag.All)), token);
                }
                catch (TableTransactionFailedException e) when (e.Status == 404)
                {
                    foreach (var (partition, row) in chunk)
                    {
                        await table.DeleteEntityAsync(partition, row, ETag.All, token);
                    }
                }
            });
        return chunks.Sum(c => c.Length);
    }

    /// <summary>
    /// Rewrites one row of someone else's interaction so it no longer names the erased user. The ETag
    /// guards against another erasure rewriting the same row at once (then it is read again); a row
    /// that is gone stays gone (Update, never Upsert). True when the row was rewritten.
    /// </summary>
    private async Task<bool> ScrubAsync(TableClient table, string partition, string row, string userId, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: ct);
            if (!found.HasValue || found.Value is not { } entity || Erasure.Scrub(FactStore.ToFact(entity), userId) is not { } scrubbed)
            {
                return false;
            }

            var replacement = FactStore.ToEntity(scrubbed);
            replacement.PartitionKey = entity.PartitionKey;
            replacement.RowKey = entity.RowKey;
            try
            {
                await table.UpdateEntityAsync(replacement, entity.ETag, TableUpdateMode.Replace, ct);
                return true;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return false;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                logger.LogDebug("Fact {Row} changed while it was rewritten; reading it again", row);
            }
        }
    }
}
