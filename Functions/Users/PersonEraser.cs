using Engage.Functions.People;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.Users;

/// <summary>What erasing a person did: the identities erased (those with anything to erase) and the person itself.</summary>
public sealed record PersonErasureResult(string PersonId, IReadOnlyList<string> Identities, int IdentitiesWithData);

/// <summary>
/// Erases a person (<c>DELETE /api/people/{personId}/data</c>, docs/decisions/1143): every identity as
/// <c>DELETE /api/users/{userId}</c> erases one (<see cref="UserEraser"/>, whatever that covers), then the
/// person's own subscription and digest state (the same eraser, keyed by personId), then the person and its
/// links. The person goes last, so an erasure cut short is found again and finished by repeating the DELETE.
/// </summary>
public sealed class PersonEraser(PeopleStore people, UserEraser users, ILogger<PersonEraser> logger)
{
    /// <summary>Null when the person is unknown.</summary>
    public async Task<PersonErasureResult?> EraseAsync(string personId, CancellationToken ct)
    {
        if (await people.GetAsync(personId, ct) is not { } person)
        {
            return null;
        }

        var withData = 0;
        foreach (var userId in person.Identities)
        {
            if (await users.EraseAsync(userId, ct) is not null)
            {
                withData++;
            }
        }

        await users.EraseAsync(personId, ct);
        await people.DeleteAsync(personId, ct);
        logger.LogInformation("Erased person {PersonId}: {Identities} identities, {WithData} of them with data", personId, person.Identities.Count, withData);
        return new PersonErasureResult(personId, person.Identities, withData);
    }
}
