using Engage.Domain.People;
using Engage.Functions.Http;
using Engage.Functions.People;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Digests;

/// <summary>
/// <c>PUT/GET/DELETE /api/people/{personId}/subscription</c>: as the user subscription, for a person: one weekly
/// digest folded over every identity, sent at most once per person and ISO week (docs/decisions/1142).
/// </summary>
public sealed class PersonSubscriptionFunctions(SubscriptionStore subscriptions, PeopleStore people, TimeProvider clock)
{
    [Function("PersonSubscription")]
    [Consumes(typeof(SubscriptionRequest), "application/json")]
    public async Task<Results<Ok<PersonSubscriptionResponse>, NoContent, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", "put", "delete", Route = "people/{personId}/subscription")] HttpRequest request,
        string personId,
        CancellationToken cancellationToken)
    {
        if (!PersonIds.IsValid(personId))
        {
            throw Problems.BadRequest("personId must be 1 to 64 characters of [A-Za-z0-9._-].");
        }

        if (HttpMethods.IsGet(request.Method))
        {
            return await subscriptions.GetAsync(personId, cancellationToken) is { } found
                ? TypedResults.Ok(PersonSubscriptionResponse.Of(found))
                : NoSubscription(personId);
        }

        if (HttpMethods.IsDelete(request.Method))
        {
            return await subscriptions.DeleteAsync(personId, cancellationToken)
                ? TypedResults.NoContent()
                : NoSubscription(personId);
        }

        var subscription = SubscriptionFunctions.Validate(personId, await SubscriptionFunctions.ReadAsync(request, cancellationToken), clock.GetUtcNow());
        if (await people.GetAsync(personId, cancellationToken) is null)
        {
            return Problems.NotFound($"No person '{personId}' is known: PUT /api/people/{personId} first.");
        }

        await subscriptions.PutAsync(subscription, cancellationToken);
        return TypedResults.Ok(PersonSubscriptionResponse.Of(subscription));
    }

    private static ProblemHttpResult NoSubscription(string personId) => Problems.NotFound($"Person '{personId}' has no subscription.");
}
