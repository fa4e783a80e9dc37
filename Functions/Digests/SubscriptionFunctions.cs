using System.Net.Mail;
using System.Text.Json;
using Engage.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Digests;

/// <summary><c>PUT/GET/DELETE /api/users/{userId}/subscription</c> (docs/api.md "Subscriptions and digests").</summary>
public sealed class SubscriptionFunctions(SubscriptionStore subscriptions, TimeProvider clock)
{
    [Function("Subscription")]
    [Consumes(typeof(SubscriptionRequest), "application/json")]
    public async Task<Results<Ok<SubscriptionResponse>, NoContent, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", "put", "delete", Route = "users/{userId}/subscription")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        ReadParameters.RequireUserId(userId);
        if (HttpMethods.IsGet(request.Method))
        {
            return await subscriptions.GetAsync(userId, cancellationToken) is { } found
                ? TypedResults.Ok(SubscriptionResponse.Of(found))
                : NoSubscription(userId);
        }

        if (HttpMethods.IsDelete(request.Method))
        {
            return await subscriptions.DeleteAsync(userId, cancellationToken)
                ? TypedResults.NoContent()
                : NoSubscription(userId);
        }

        var subscription = Validate(userId, await ReadAsync(request, cancellationToken), clock.GetUtcNow());
        await subscriptions.PutAsync(subscription, cancellationToken);
        return TypedResults.Ok(SubscriptionResponse.Of(subscription));
    }

    private static ProblemHttpResult NoSubscription(string userId) => Problems.NotFound($"User '{userId}' has no subscription.");

    internal static async Task<SubscriptionRequest?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, EngageJsonContext.Default.SubscriptionRequest, ct);
        }
        catch (JsonException e)
        {
            throw Problems.BadRequest($"The body is not a subscription object: {e.Message}");
        }
    }

    /// <summary>The subscription the body asks for, for a user or a person; a malformed field throws (400).</summary>
    internal static Subscription Validate(string userId, SubscriptionRequest? body, DateTimeOffset now)
    {
        var email = body?.Email?.Trim();
        if (email is null || email.Length > 254 || !MailAddress.TryCreate(email, out var address) || address.Address != email
            || !address.Host.Contains('.', StringComparison.Ordinal) || address.Host.EndsWith('.') || address.Host.StartsWith('.'))
        {
            throw Problems.BadRequest("email must be an address with a dotted domain, e.g. ada@example.org.");
        }

        var cadence = body!.Cadence ?? Subscription.Weekly;
        if (cadence is not (Subscription.Weekly or Subscription.Off))
        {
            throw Problems.BadRequest("cadence must be \"weekly\" or \"off\".");
        }

        var zone = body.TimeZone ?? "UTC";
        if (DigestService.FindZone(zone) is null)
        {
            throw Problems.BadRequest($"timeZone '{zone}' is not an IANA time zone such as Europe/London.");
        }

        return new Subscription(userId, email, cadence, zone, now);
    }
}
