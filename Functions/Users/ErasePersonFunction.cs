using Engage.Domain.People;
using Engage.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Users;

/// <summary>
/// <c>DELETE /api/people/{personId}/data</c>: erases the person and every identity (204), 404 when unknown, 400 when
/// malformed. <c>DELETE /api/people/{personId}</c> only unlinks; erasing is a route of its own so that no query
/// flag turns an unlink into an erasure (docs/decisions/1143).
/// </summary>
public sealed class ErasePersonFunction(PersonEraser eraser)
{
    /// <remarks>Nothing is lost on a 503: the person goes last, so repeating the DELETE finishes the erasure.</remarks>
    [Function("ErasePerson")]
    public async Task<Results<NoContent, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "people/{personId}/data")] HttpRequest request,
        string personId,
        CancellationToken cancellationToken)
    {
        if (!PersonIds.IsValid(personId))
        {
            throw Problems.BadRequest("personId must be 1 to 64 characters of [A-Za-z0-9._-].");
        }

        return await eraser.EraseAsync(personId, cancellationToken) is null
            ? Problems.NotFound($"No person '{personId}' is known.")
            : TypedResults.NoContent();
    }
}
