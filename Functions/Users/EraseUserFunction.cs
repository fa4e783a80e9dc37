using Engage.Functions.Http;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Users;

/// <summary><c>DELETE /api/users/{userId}</c>: erases the user (204), 404 when unknown, 400 when malformed.</summary>
public sealed class EraseUserFunction(UserEraser eraser)
{
    [Function("EraseUser")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "users/{userId}")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        if (ReadParameters.ValidateUserId(userId) is { } bad)
        {
            return Problems.BadRequest(bad);
        }

        // Nothing is lost on a 503: the user's own partition goes last, so repeating the DELETE finishes the erasure.
        return await Problems.WhenStorageAnswersAsync(request, async () =>
            await eraser.EraseAsync(userId, cancellationToken) is null
                ? Problems.NotFound($"No interactions or subscription are known for user '{userId}'.")
                : new NoContentResult(),
            "Storage did not answer; repeat the DELETE to finish the erasure.");
    }
}
