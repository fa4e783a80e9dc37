using System.Text.Json;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;
using Engage.Functions.Http;
using Engage.Functions.Ingest;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Webhooks;

/// <summary>
/// The delivery path (docs/architecture.md "Data flow"): size cap, signature, handshakes, archive,
/// normalize, enqueue. A 202 is returned only after the raw body is archived and the interactions
/// are on the queue.
/// </summary>
public sealed class WebhookIntake(
    SourceRegistry sources,
    WebhookRateLimiter limiter,
    EngageStorage storage,
    WebhookArchive archive,
    IOptions<WebhooksOptions> options,
    TimeProvider clock,
    ILogger<WebhookIntake> logger)
{
    public async Task<IResult> HandleAsync(HttpRequest http, string sourceName, CancellationToken ct)
    {
        if (limiter.Admit(http, sourceName) is { } tooMany)
        {
            return tooMany;
        }

        if (sources.Find(sourceName) is not var (source, secrets))
        {
            return Problems.NotFound($"No webhook source '{sourceName}' is enabled here (unknown, or its secret is not configured).");
        }

        if (HttpMethods.IsGet(http.Method))
        {
            var request = ToRequest(http, ReadOnlyMemory<byte>.Empty);
            return source.Get(request, secrets) is { } reply
                ? Answer(reply, source.Name, "")
                : Problems.Problem(405, "Method not allowed", $"Source '{source.Name}' takes POST only.");
        }

        var body = await ReadCappedAsync(http, options.Value.MaxBodyBytes, ct);
        if (body is null)
        {
            return Problems.Problem(413, "Payload too large", $"The body is over {options.Value.MaxBodyBytes} bytes.");
        }

        var delivery = ToRequest(http, body);
        if (source.Verify(delivery, secrets, clock.GetUtcNow()) is { } rejection)
        {
            logger.LogWarning("Rejected a {Source} delivery: {Reason}", source.Name, rejection.Detail);
            return Answer(rejection, source.Name, "");
        }

        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            // JSON is UTF-8 (RFC 8259); System.Text.Json checks string contents only when they are read, deep in a normalizer.
            throw Problems.BadRequest("The body is not valid UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (JsonException e)
        {
            throw Problems.BadRequest($"The body is not JSON: {e.Message}");
        }

        using (document)
        {
            var payload = document.RootElement;
            if (source.Handshake(delivery, payload) is { } handshake)
            {
                return Answer(handshake, source.Name, source.DeliveryId(delivery, payload));
            }

            var deliveryId = source.DeliveryId(delivery, payload);
            if (string.IsNullOrWhiteSpace(deliveryId))
            {
                throw Problems.BadRequest($"The {source.Name} delivery has no delivery id (a required header is missing).");
            }

            // Storage not answering from here on becomes 503 + Retry-After (Problems.Translate): nothing was promised yet.
            var archived = await archive.StoreAsync(source.Name, deliveryId, clock.GetUtcNow(), body, http.Headers.Select(h => KeyValuePair.Create(h.Key, h.Value.ToString())), ct);
            var normalized = Normalize(source, delivery, payload, out var problem) ?? throw Problems.BadRequest(problem!);

            // Everything that could make a stored interaction fail later is refused now, before the 202.
            var now = clock.GetUtcNow();
            if (normalized.Interactions.Select(i => InteractionLimits.Problem(i, now)).FirstOrDefault(p => p is not null) is { } limit)
            {
                throw Problems.BadRequest(limit);
            }

            IReadOnlyList<string> messages;
            try
            {
                messages = IngestMessage.Pack(source.Name, deliveryId, normalized.Interactions, archived);
            }
            catch (PayloadException e)
            {
                throw Problems.BadRequest(e.Message);
            }

            foreach (var message in messages)
            {
                await storage.Interactions.SendMessageAsync(message, ct);
            }

            logger.LogInformation("Accepted {Source} delivery {DeliveryId} with {Count} interactions", source.Name, deliveryId, normalized.Interactions.Count);
            return TypedResults.Accepted((string?)null, new WebhookAccepted(source.Name, deliveryId, normalized.Interactions.Count, normalized.Ignored));
        }
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
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or ArgumentException or KeyNotFoundException or TimeoutException)
        {
            // The body is archived: once the normalizer is fixed, POST /api/ops/replay recovers it.
            logger.LogError(e, "The {Source} normalizer failed on a delivery", source.Name);
            problem = "The payload could not be read.";
        }

        return null;
    }

    /// <summary><c>{source}/{yyyy}/{MM}/{dd}/{deliveryId}.json</c>, dated by the day of receipt (UTC); replay selects bodies by that date.</summary>
    internal static string ArchivePath(string source, DateTimeOffset receivedAt, string deliveryId)
    {
        var day = receivedAt.UtcDateTime;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{source}/{day:yyyy}/{day:MM}/{day:dd}/{BlobSafe(deliveryId)}.json");
    }

    /// <summary>
    /// Delivery ids come from headers: blob names keep a safe alphabet and length. An id that had to be
    /// changed gets a hash of the original, so two different ids never share (and overwrite) a blob.
    /// </summary>
    internal static string BlobSafe(string id)
    {
        var safe = new string(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').Take(200).ToArray());
        return safe == id ? safe : $"{safe}-{Signatures.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(id))[..16]}";
    }

    private static WebhookRequest ToRequest(HttpRequest http, ReadOnlyMemory<byte> body) => new(
        http.Method,
        http.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
        http.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal),
        body);

    /// <summary>Reads at most <paramref name="cap"/> bytes; null when the body is larger.</summary>
    private static async Task<byte[]?> ReadCappedAsync(HttpRequest http, int cap, CancellationToken ct)
    {
        if (http.ContentLength > cap)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await http.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > cap)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>A source's own answer: a handshake as is, an acknowledgement as a 202 with nothing stored, a rejection as a problem.</summary>
    private static IResult Answer(WebhookAnswer answer, string source, string deliveryId) => answer switch
    {
        WebhookReply reply => TypedResults.Text(reply.Body, reply.ContentType, statusCode: reply.Status),
        WebhookAcknowledged ack => TypedResults.Accepted((string?)null, new WebhookAccepted(source, deliveryId, 0, ack.Reason)),
        WebhookRejection rejection => Problems.Problem(rejection.Status, rejection.Title, rejection.Detail),
        _ => throw new InvalidOperationException($"Unknown webhook answer {answer.GetType().Name}."),
    };
}
