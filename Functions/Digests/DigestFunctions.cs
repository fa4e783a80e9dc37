using System.Text.Json;
using Azure.Storage.Queues.Models;
using Engage.Domain.Digests;
using Engage.Functions.Http;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Digests;

/// <summary>
/// One digest to send: a message on queue <c>digests</c>. <see cref="RequestId"/> is fixed by the
/// scheduler and survives redelivery and a poison replay, so the send claim follows the request.
/// </summary>
public sealed record DigestRequest(string UserId, string Week, DateTimeOffset AsOf, string RequestId);

public sealed class DigestFunctions(
    DigestService digests,
    DigestState state,
    SubscriptionStore subscriptions,
    People.PeopleStore people,
    EngageStorage storage,
    IEmailSender email,
    IOptions<UnsubscribeOptions> unsubscribe,
    TimeProvider clock,
    ILogger<DigestFunctions> logger)
{
    /// <summary>Enqueues one message per weekly subscriber; the sender makes re-runs harmless.</summary>
    [Function("DigestScheduler")]
    public async Task Schedule([TimerTrigger("%Digest:Schedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var queue = storage.Queue(StorageNames.DigestsQueue);
        var count = 0;
        await foreach (var s in subscriptions.WeeklyAsync(cancellationToken))
        {
            await queue.SendMessageAsync(JsonSerializer.Serialize(new DigestRequest(s.UserId, DigestService.IsoWeek(now), now, Guid.NewGuid().ToString("N")), EngageJson.Options), cancellationToken);
            count++;
        }

        logger.LogInformation("Scheduled {Count} digests for week {Week}", count, DigestService.IsoWeek(now));
    }

    [Function("DigestSender")]
    public async Task Send(
        [QueueTrigger(StorageNames.DigestsQueue, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken)
    {
        var request = JsonSerializer.Deserialize<DigestRequest>(message.Body.ToString(), EngageJson.Options)
            ?? throw new JsonException("Empty digest request.");
        if (await subscriptions.GetAsync(request.UserId, cancellationToken) is not { Cadence: Subscription.Weekly } subscription
            || DigestService.FindZone(subscription.TimeZone) is not { } zone)
        {
            logger.LogInformation("No weekly subscription for {UserId} any more: digest {Week} not sent", request.UserId, request.Week);
            return;
        }

        if (await CoveringPersonAsync(request.UserId, subscription.Email, cancellationToken) is { } personId)
        {
            logger.LogInformation("Digest {Week} for {UserId} not sent: person {PersonId}'s digest goes to the same address", request.Week, request.UserId, personId);
            return;
        }

        var claim = await state.ClaimAsync(request.UserId, request.Week, request.RequestId, cancellationToken);
        if (claim != DigestState.Claim.Granted)
        {
            logger.LogInformation("Digest {Week} for {UserId} not sent again: {Claim}", request.Week, request.UserId, claim);
            return;
        }

        var digest = await digests.ComposeAsync(request.UserId, request.AsOf, zone, cancellationToken);
        var id = await email.SendAsync(digests.Email(digest, subscription, clock.GetUtcNow()), cancellationToken);
        await state.MarkSentAsync(request.UserId, request.Week, request.RequestId, id, cancellationToken);
        logger.LogInformation("Sent digest {Week} to {UserId} as {ProviderMessageId}", request.Week, request.UserId, id);
    }

    /// <summary>
    /// The person whose weekly digest already covers this identity at the same address (ignoring case), if any:
    /// one person, one mail a week per address (docs/decisions/1142). A different address still gets its own.
    /// </summary>
    private async Task<string?> CoveringPersonAsync(string userId, string email, CancellationToken ct)
    {
        if (Engage.Domain.People.PersonIds.IsPerson(userId)
            || (await people.PersonOfAsync([userId], ct)).GetValueOrDefault(userId) is not { } personId)
        {
            return null;
        }

        return await subscriptions.GetAsync(personId, ct) is { Cadence: Subscription.Weekly } covering
            && string.Equals(covering.Email, email, StringComparison.OrdinalIgnoreCase)
            ? personId
            : null;
    }

    [Function("DigestPreview")]
    [QueryParameter("asOf", ReadQuery.AsOf, Format = "date-time")]
    [QueryParameter("format", "text for plain text; HTML otherwise.")]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/html", "text/plain")]
    public async Task<ContentHttpResult> Preview(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "users/{userId}/digest")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        ReadParameters.RequireUserId(userId);
        var p = ReadParameters.Parse(request.Query, clock.GetUtcNow());
        var zone = DigestService.FindZone((await subscriptions.GetAsync(userId, cancellationToken))?.TimeZone) ?? TimeZoneInfo.Utc;
        var digest = await digests.ComposeAsync(userId, p.Window.AsOf, zone, cancellationToken);
        var url = digests.UnsubscribeUrl(userId, clock.GetUtcNow());
        return request.Query["format"] == "text"
            ? TypedResults.Text(DigestRenderer.Text(digest, url), "text/plain; charset=utf-8")
            : TypedResults.Text(DigestRenderer.Html(digest, url), "text/html; charset=utf-8");
    }

    /// <summary>Anonymous: the signed token is the credential. GET shows a confirmation page; POST (RFC 8058 one-click) unsubscribes.</summary>
    [Function("Unsubscribe")]
    [QueryParameter("token", "The signed, expiring token from the digest mail.", Required = true)]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/html")]
    public async Task<ContentHttpResult> Unsubscribe(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "unsubscribe")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var token = request.Query["token"].ToString();
        if (UnsubscribeToken.Validate(token, clock.GetUtcNow(), unsubscribe.Value.SigningKey) is not { } userId)
        {
            throw Problems.BadRequest("The unsubscribe link is missing, invalid or expired.");
        }

        if (HttpMethods.IsGet(request.Method))
        {
            return Page("Unsubscribe from Engage digests?",
                $"<form method=\"post\" action=\"?token={System.Net.WebUtility.HtmlEncode(Uri.EscapeDataString(token))}\">"
                + "<p>You will no longer receive the weekly Engage digest.</p><button type=\"submit\">Unsubscribe</button></form>");
        }

        if (await subscriptions.GetAsync(userId, cancellationToken) is { } s)
        {
            await subscriptions.PutAsync(s with { Cadence = Subscription.Off, UpdatedAt = clock.GetUtcNow() }, cancellationToken);
        }

        logger.LogInformation("Unsubscribed {UserId} through a digest link", userId);
        return Page("You are unsubscribed", "<p>You will not receive Engage digests any more.</p>");
    }

    private static ContentHttpResult Page(string title, string body) => TypedResults.Text(
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>"
            + $"<body style=\"font-family:Arial,Helvetica,sans-serif;max-width:480px;margin:40px auto;\"><h1>{title}</h1>{body}</body></html>",
        "text/html; charset=utf-8");
}
