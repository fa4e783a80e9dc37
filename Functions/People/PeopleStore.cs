using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Domain.People;
using Engage.Functions.Storage;

namespace Engage.Functions.People;

/// <summary>The outcome of linking identities: the person, or the identity that is already someone else's.</summary>
public sealed record LinkResult(Person? Person, string? ConflictUserId = null, string? ConflictPersonId = null);

/// <summary>
/// Tables <c>people</c> (PK = personId; RK <c>person</c> holds name and role, RK <c>id:{userId}</c> one per
/// identity, for listing) and <c>identities</c> (PK = userId, RK <c>person</c>: which person the identity
/// belongs to; the authority for the read-time mapping). Facts are never touched.
/// </summary>
public sealed class PeopleStore(EngageStorage storage)
{
    public const string PersonRow = "person";
    public const string IdPrefix = "id:";
    private const int ParallelReads = 32;

    public async Task<Person?> GetAsync(string personId, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        TableEntity? head = null;
        var identities = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {personId}");
        await foreach (var e in storage.People.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            if (e.RowKey == PersonRow)
            {
                head = e;
            }
            else if (e.RowKey.StartsWith(IdPrefix, StringComparison.Ordinal))
            {
                identities.Add(e.GetString("UserId"));
            }
        }

        return head is null ? null : new Person(personId, head.GetString("Name"), head.GetString("Role") ?? PersonRoles.Member,
            identities.Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// Makes <paramref name="person"/>'s identities exactly the given ones. An identity of another person is a
    /// conflict unless <paramref name="move"/>, which unlinks it there first. Repeating a PUT gives the same
    /// state, so a PUT interrupted half-way is finished by repeating it.
    /// </summary>
    public async Task<LinkResult> PutAsync(Person person, bool move, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        var owners = await PersonOfAsync(person.Identities, ct);
        foreach (var userId in person.Identities)
        {
            if (owners.TryGetValue(userId, out var other) && other != person.PersonId && !move)
            {
                return new LinkResult(null, userId, other);
            }
        }

        var before = await GetAsync(person.PersonId, ct);

        // Claim the identities first (the mapping reads them), then list them under the person.
        foreach (var userId in person.Identities)
        {
            if (owners.TryGetValue(userId, out var other) && other != person.PersonId)
            {
                await storage.People.DeleteEntityAsync(other, IdPrefix + FactKeys.Escape(userId), cancellationToken: ct);
            }

            await storage.Identities.UpsertEntityAsync(new TableEntity(FactKeys.Escape(userId), PersonRow) { ["PersonId"] = person.PersonId, ["UserId"] = userId },
                TableUpdateMode.Replace, ct);
        }

        var removed = (before?.Identities ?? []).Except(person.Identities, StringComparer.Ordinal).ToList();
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.UpsertReplace, new TableEntity(person.PersonId, PersonRow) { ["Name"] = person.Name, ["Role"] = person.Role }),
        };
        actions.AddRange(person.Identities.Select(u => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
            new TableEntity(person.PersonId, IdPrefix + FactKeys.Escape(u)) { ["UserId"] = u })));
        actions.AddRange(removed.Select(u => new TableTransactionAction(TableTransactionActionType.Delete,
            new TableEntity(person.PersonId, IdPrefix + FactKeys.Escape(u)), ETag.All)));
        foreach (var chunk in actions.Chunk(100))
        {
            await storage.People.SubmitTransactionAsync(chunk, ct);
        }

        await ReleaseAsync(person.PersonId, removed, ct);
        return new LinkResult(await GetAsync(person.PersonId, ct));
    }

    /// <summary>Unlinks every identity and forgets the person; facts are untouched. False when unknown.</summary>
    public async Task<bool> DeleteAsync(string personId, CancellationToken ct)
    {
        if (await GetAsync(personId, ct) is not { } person)
        {
            return false;
        }

        await ReleaseAsync(personId, person.Identities, ct);
        var rows = person.Identities.Select(u => IdPrefix + FactKeys.Escape(u)).Append(PersonRow);
        foreach (var chunk in rows.Chunk(100))
        {
            await storage.People.SubmitTransactionAsync(chunk.Select(rk => new TableTransactionAction(TableTransactionActionType.Delete,
                new TableEntity(personId, rk), ETag.All)), ct);
        }

        return true;
    }

    /// <summary>Drops the identity rows that still point at <paramref name="personId"/> (a move may have taken them meanwhile).</summary>
    private async Task ReleaseAsync(string personId, IEnumerable<string> userIds, CancellationToken ct)
    {
        foreach (var userId in userIds)
        {
            var row = await storage.Identities.GetEntityIfExistsAsync<TableEntity>(FactKeys.Escape(userId), PersonRow, cancellationToken: ct);
            if (row.HasValue && row.Value is { } e && e.GetString("PersonId") == personId)
            {
                try
                {
                    await storage.Identities.DeleteEntityAsync(e.PartitionKey, PersonRow, e.ETag, ct);
                }
                catch (RequestFailedException changed) when (changed.Status is 404 or 412)
                {
                    // Moved or released meanwhile: nothing of ours to drop.
                }
            }
        }
    }

    /// <summary>The personId of each linked identity among <paramref name="userIds"/> (point reads in parallel).</summary>
    public async Task<IReadOnlyDictionary<string, string>> PersonOfAsync(IEnumerable<string> userIds, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        var found = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(userIds.Distinct(StringComparer.Ordinal), new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = ct },
            async (userId, token) =>
            {
                var row = await storage.Identities.GetEntityIfExistsAsync<TableEntity>(FactKeys.Escape(userId), PersonRow, cancellationToken: token);
                if (row.HasValue && row.Value?.GetString("PersonId") is { } personId)
                {
                    found[userId] = personId;
                }
            });
        return found;
    }

    /// <summary>Name and role of each person among <paramref name="personIds"/>.</summary>
    public async Task<IReadOnlyDictionary<string, (string? Name, string Role)>> HeadsAsync(IEnumerable<string> personIds, CancellationToken ct)
    {
        var found = new ConcurrentDictionary<string, (string?, string)>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(personIds.Distinct(StringComparer.Ordinal), new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = ct },
            async (personId, token) =>
            {
                var row = await storage.People.GetEntityIfExistsAsync<TableEntity>(personId, PersonRow, cancellationToken: token);
                if (row.HasValue && row.Value is { } e)
                {
                    found[personId] = (e.GetString("Name"), e.GetString("Role") ?? PersonRoles.Member);
                }
            });
        return found;
    }

    /// <summary>Every link (userId → personId) and every person's role: for the projection and community figures.</summary>
    public async Task<(Dictionary<string, string> PersonOf, Dictionary<string, string> RoleOf)> ReadAllAsync(CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        var personOf = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var e in storage.Identities.QueryAsync<TableEntity>(select: ["UserId", "PersonId"], cancellationToken: ct))
        {
            personOf[e.GetString("UserId")] = e.GetString("PersonId");
        }

        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var e in storage.People.QueryAsync<TableEntity>(e => e.RowKey == PersonRow, select: ["PartitionKey", "Role"], cancellationToken: ct))
        {
            roles[e.PartitionKey] = e.GetString("Role") ?? PersonRoles.Member;
        }

        return (personOf, roles);
    }

    /// <summary>Every identity's display name and profile links (table <c>profiles</c>, written by ingestion): for suggestions.</summary>
    public async Task<IReadOnlyList<IdentityProfile>> ReadProfilesAsync(CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        var profiles = new List<IdentityProfile>();
        await foreach (var e in storage.Profiles.QueryAsync<TableEntity>(select: ["UserId", "Name", "Links"], cancellationToken: ct))
        {
            if (e.GetString("UserId") is { } userId)
            {
                profiles.Add(new IdentityProfile(userId, e.GetString("Name"),
                    e.GetString("Links")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? []));
            }
        }

        return profiles;
    }

    /// <summary>
    /// Takes an erased identity out of its person (the person stays, with the rest of its identities): the
    /// listing row first, then the link. Nothing when the identity is not linked.
    /// </summary>
    public async Task UnlinkAsync(string userId, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        if ((await PersonOfAsync([userId], ct)).GetValueOrDefault(userId) is not { } personId)
        {
            return;
        }

        await storage.People.DeleteEntityAsync(personId, IdPrefix + FactKeys.Escape(userId), ETag.All, ct);
        await ReleaseAsync(personId, [userId], ct);
    }
}
