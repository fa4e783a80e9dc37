using System.Text.Json;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;
using Engage.Functions.Ingest;
using Engage.Functions.Storage;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.Webhooks;

/// <summary>What became of one delivery: answered by a handshake, refused with a problem, or accepted and enqueued.</summary>
public abstract record DeliveryOutcome
{
    private DeliveryOutcome()
    {
    }

    /// <summary>The source's own answer, nothing stored (Slack url_verification, GitHub ping, an acknowledged event).</summary>
    public sealed record Handshake(WebhookAnswer Answer, string DeliveryId) : DeliveryOutcome;

    /// <summary>Refused before anything was enqueued; <paramref name="Status"/> is the HTTP status to answer.</summary>
    public sealed record Refused(int Status, string Title, string Detail) : DeliveryOutcome;

    /// <summary>The raw body durable on the queue (or archived, when too large for a message) and every interaction with it: what a 202 promises.</summary>
    public sealed record Accepted(string DeliveryId, int Interactions, string? Ignored) : DeliveryOutcome;
}

/// <summary>
/// The one path every delivery takes, whether it arrives over HTTP (<see cref="WebhookIntake"/>) or is
/// read back from the archive (<see cref="Ops.Replayer"/>): verify → normalize → check
/// <see cref="InteractionLimits"/> → pack → enqueue, all in memory but the last step, so a refusal is still
/// synchronous. One durable write before the 202 (docs/decisions/1131-one-write-before-the-202.md): a body that
/// fits a queue message goes whole, and ingestion archives it before its interactions; a larger body is archived
/// first and its interactions queued as before. Intake enters at <see cref="ReceiveAsync"/>; replay
/// enters at <see cref="ReplayAsync"/>, after the two steps its archived body has already passed (its
/// signature was verified before it was archived, and a timestamped signature could not be checked again).
/// Storage errors (<see cref="EngageStorage.IsUnavailable"/>) are not caught: the caller answers 503 or
/// stops the replay.
/// </summary>
public sealed class DeliveryPipeline(EngageStorage storage, WebhookArchive archive, TimeProvider clock, ILogger<DeliveryPipeline> logger)
{
    /// <summary>Steps 1–6 for a delivery that has just arrived (its body already read within the size cap).</summary>
    public async Task<DeliveryOutcome> ReceiveAsync(WebhookSource source, IReadOnlyList<string> secrets, WebhookRequest delivery,
        IEnumerable<KeyValuePair<string, string>> headers, CancellationToken ct)
    {
        if (source.Verify(delivery, secrets, clock.GetUtcNow()) is { } rejection)
        {
            logger.LogWarning("Rejected a {Source} delivery: {Reason}", source.Name, rejection.Detail);
            return new DeliveryOutcome.Refused(rejection.Status, rejection.Title, rejection.Detail);
        }

        if (!System.Text.Unicode.Utf8.IsValid(delivery.Body.Span))
        {
            // JSON is UTF-8 (RFC 8259); System.Text.Json checks string contents only when they are read, deep in a normalizer.
            return BadRequest("The body is not valid UTF-8.");
        }

        if (Parse(delivery.Body, out var notJson) is not { } document)
        {
            return BadRequest($"The body is not JSON: {notJson}");
        }

        using (document)
        {
            var payload = document.RootElement;
            if (source.Handshake(delivery, payload) is { } handshake)
            {
                return new DeliveryOutcome.Handshake(handshake, source.DeliveryId(delivery, payload));
            }

            var deliveryId = source.DeliveryId(delivery, payload);
            if (string.IsNullOrWhiteSpace(deliveryId))
            {
                return BadRequest($"The {source.Name} delivery has no delivery id (a required header is missing).");
            }

            var now = clock.GetUtcNow();
            var normalized = Normalize(source, delivery, payload, out var problem);
            var refusal = normalized is null ? problem! : Refusal(normalized, now, out _);
            if (refusal is not null)
            {
                // Refused bodies are archived as before (a normalizer fixed later recovers them by replay); no 202, no hurry.
                await archive.StoreAsync(source.Name, deliveryId, now, delivery.Body.ToArray(), headers, ct);
                return BadRequest(refusal);
            }

            var name = WebhookIntake.ArchivePath(source.Name, now, deliveryId);
            var headerList = headers as IReadOnlyCollection<KeyValuePair<string, string>> ?? headers.ToList();
            if (DeliveryMessage.Create(source.Name, deliveryId, name, now, delivery.Body, ArchivedHeaders.Encode(headerList)) is { } whole)
            {
                await storage.EnsureReadyAsync(ct);
                await storage.Interactions.SendMessageAsync(whole, ct);
                return new DeliveryOutcome.Accepted(deliveryId, normalized!.Interactions.Count, normalized.Ignored);
            }

            var archived = await archive.StoreAsync(source.Name, deliveryId, now, delivery.Body.ToArray(), headerList, ct);
            return await EnqueueAsync(source.Name, normalized!, deliveryId, archived, now, ct);
        }
    }

    /// <summary>
    /// Steps 4–6 for a body read back from the archive: its interactions (normalized again by its source, or as an
    /// erasure rewrote them; <see cref="WebhookArchive.ReadAsync"/>), checked against the limits as of <paramref name="receivedAt"/>.
    /// </summary>
    public Task<DeliveryOutcome> ReplayAsync(string source, IReadOnlyList<Interaction> interactions, string deliveryId, string archived,
        DateTimeOffset receivedAt, CancellationToken ct) =>
        EnqueueAsync(source, new Normalized(interactions), deliveryId, archived, receivedAt, ct);

    private static JsonDocument? Parse(ReadOnlyMemory<byte> body, out string? problem)
    {
        problem = null;
        try
        {
            return JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (JsonException e)
        {
            problem = e.Message;
            return null;
        }
    }

    private static DeliveryOutcome.Refused BadRequest(string detail) => new(400, "Bad request", detail);

    /// <summary>Why these interactions cannot be queued (a limit, or one too large for a message); null when they can, with their messages.</summary>
    private static string? Refusal(Normalized normalized, DateTimeOffset now, out IReadOnlyList<string> messages, string? source = null,
        string? deliveryId = null, string? archived = null)
    {
        messages = [];

        // Everything that could make a stored interaction fail later is refused now, before the 202.
        if (normalized.Interactions.Select(i => InteractionLimits.Problem(i, now)).FirstOrDefault(p => p is not null) is { } limit)
        {
            return limit;
        }

        try
        {
            messages = IngestMessage.Pack(source ?? "", deliveryId ?? "", normalized.Interactions, archived, now);
            return null;
        }
        catch (PayloadException e)
        {
            return e.Message;
        }
    }

    private async Task<DeliveryOutcome> EnqueueAsync(string source, Normalized normalized, string deliveryId, string archived, DateTimeOffset now, CancellationToken ct)
    {
        if (Refusal(normalized, now, out var messages, source, deliveryId, archived) is { } refusal)
        {
            return BadRequest(refusal);
        }

        await storage.EnsureReadyAsync(ct);
        foreach (var message in messages)
        {
            await storage.Interactions.SendMessageAsync(message, ct);
        }

        return new DeliveryOutcome.Accepted(deliveryId, normalized.Interactions.Count, normalized.Ignored);
    }

    private Normalized? Normalize(WebhookSource source, WebhookRequest delivery, JsonElement payload, out string? problem)
    {
        problem = null;
        try
        {
            return source.Normalize(delivery, payload);
        }
        catch (PayloadException e)
        {
            problem = e.Message;
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            // Every source's text patterns run with a timeout: a hostile text is a bad payload, not a fault.
            problem = "The text could not be read in time.";
        }
        catch (Exception e) when (!EngageStorage.IsUnavailable(e) && e is not OperationCanceledException)
        {
            // Whatever else a normalizer throws is a bug. The body is archived: once the normalizer is fixed,
            // POST /api/ops/replay recovers it.
            logger.LogError(e, "The {Source} normalizer failed on a delivery", source.Name);
            problem = "The payload could not be read.";
        }

        return null;
    }
}
