using Engage.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Users;

/// <summary><c>DELETE /api/users/{userId}</c>: erases the user (204), 404 when unknown, 400 when malformed.</summary>
public sealed class EraseUserFunction(UserEraser eraser)
{
    /// <remarks>Nothing is lost on a 503: the user's own partition goes last, so repeating the DELETE finishes the erasure.</remarks>
    [Function("EraseUser")]
    public async Task<Results<NoContent, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "users/{userId}")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken) =>
        await eraser.EraseAsync(ReadParameters.RequireUserId(userId), cancellationToken) is null
            ? Problems.NotFound($"No interactions or subscription are known for user '{userId}'.")
            : TypedResults.NoContent();
}
