using System.Net.Mail;
using System.Text.Json;
using Engage.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Digests;

/// <summary><c>PUT/GET/DELETE /api/users/{userId}/subscription</c> (api.md "Subscriptions and digests").</summary>
public sealed class SubscriptionFunctions(SubscriptionStore subscriptions, TimeProvider clock)
{
    private sealed record Body(string? Email, string? Cadence, string? TimeZone);

    [Function("Subscription")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", "put", "delete", Route = "users/{userId}/subscription")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        return await Problems.WhenStorageAnswersAsync(request, () => HandleAsync(request, userId, cancellationToken));
    }

    private async Task<IActionResult> HandleAsync(HttpRequest request, string userId, CancellationToken cancellationToken)
    {
        if (ReadParameters.ValidateUserId(userId) is { } bad)
        {
            return Problems.BadRequest(bad);
        }

        if (HttpMethods.IsGet(request.Method))
        {
            return await subscriptions.GetAsync(userId, cancellationToken) is { } found
                ? Problems.Json(View(found))
                : Problems.NotFound($"User '{userId}' has no subscription.");
        }

        if (HttpMethods.IsDelete(request.Method))
        {
            return await subscriptions.DeleteAsync(userId, cancellationToken)
                ? new NoContentResult()
                : Problems.NotFound($"User '{userId}' has no subscription.");
        }

        var (subscription, error) = await ParseAsync(request, userId, cancellationToken);
        if (subscription is null)
        {
            return Problems.BadRequest(error!);
        }

        await subscriptions.PutAsync(subscription, cancellationToken);
        return Problems.Json(View(subscription));
    }

    private static object View(Subscription s) => new { userId = s.UserId, email = s.Email, cadence = s.Cadence, timeZone = s.TimeZone, updatedAt = s.UpdatedAt };

    private async Task<(Subscription?, string?)> ParseAsync(HttpRequest request, string userId, CancellationToken ct)
    {
        Body? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<Body>(request.Body, EngageJson.Options, ct);
        }
        catch (JsonException e)
        {
            return (null, $"The body is not a subscription object: {e.Message}");
        }

        var email = body?.Email?.Trim();
        if (email is null || email.Length > 254 || !MailAddress.TryCreate(email, out var address) || address.Address != email
            || !address.Host.Contains('.', StringComparison.Ordinal) || address.Host.EndsWith('.') || address.Host.StartsWith('.'))
        {
            return (null, "email must be an address with a dotted domain, e.g. ada@example.org.");
        }

        var cadence = body!.Cadence ?? Subscription.Weekly;
        if (cadence is not (Subscription.Weekly or Subscription.Off))
        {
            return (null, "cadence must be \"weekly\" or \"off\".");
        }

        var zone = body.TimeZone ?? "UTC";
        if (DigestService.FindZone(zone) is null)
        {
            return (null, $"timeZone '{zone}' is not an IANA time zone such as Europe/London.");
        }

        return (new Subscription(userId, email, cadence, zone, clock.GetUtcNow()), null);
    }
}
