using Engage.Domain.Sources;
using Engage.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Webhooks;

/// <summary>
/// The HTTP side of the delivery path: source lookup, GET handshakes, size cap; then the shared
/// <see cref="DeliveryPipeline"/> (signature, handshakes, normalize, limits, then one durable write). A 202 is
/// returned only after the raw body is durable: whole on the queue (archived by ingestion), or, when too large
/// for a message, archived with its interactions on the queue (docs/decisions/1131-one-write-before-the-202.md).
/// </summary>
public sealed class WebhookIntake(
    SourceRegistry sources,
    WebhookRateLimiter limiter,
    DeliveryPipeline pipeline,
    IOptions<WebhooksOptions> options,
    ILogger<WebhookIntake> logger)
{
    public async Task<IResult> HandleAsync(HttpRequest http, string sourceName, CancellationToken ct)
    {
        // Before anything is read or stored: over its source's rate, a delivery is answered 429 with Retry-After (decision 0902).
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

        // The single entry point of the delivery path: a limiter or any other gate belongs here, before anything is stored.
        // Storage not answering inside the pipeline becomes 503 + Retry-After (Problems.Translate): nothing was promised yet.
        var delivery = ToRequest(http, body);
        var outcome = await pipeline.ReceiveAsync(source, secrets, delivery, http.Headers.Select(h => KeyValuePair.Create(h.Key, h.Value.ToString())), ct);
        switch (outcome)
        {
            case DeliveryOutcome.Handshake h:
                return Answer(h.Answer, source.Name, h.DeliveryId);
            case DeliveryOutcome.Refused r:
                return Problems.Problem(r.Status, r.Title, r.Detail);
            case DeliveryOutcome.Accepted a:
                logger.LogInformation("Accepted {Source} delivery {DeliveryId} with {Count} interactions", source.Name, a.DeliveryId, a.Interactions);
                return TypedResults.Accepted((string?)null, new WebhookAccepted(source.Name, a.DeliveryId, a.Interactions, a.Ignored));
            default:
                throw new InvalidOperationException($"Unknown outcome {outcome}.");
        }
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

    /// <summary>
    /// Reads at most <paramref name="cap"/> bytes; null when the body is larger. With a Content-Length (what every
    /// platform sends) the body is read straight into an array of that size: no buffer or copy per request on the hot
    /// path. Without one (chunked), it is read through a pooled buffer.
    /// </summary>
    private static async Task<byte[]?> ReadCappedAsync(HttpRequest http, int cap, CancellationToken ct)
    {
        if (http.ContentLength > cap)
        {
            return null;
        }

        if (http.ContentLength is { } length)
        {
            // Kestrel holds the body to its Content-Length: a shorter one fails the read, a longer one is not read.
            var exact = new byte[length];
            var filled = 0;
            int n;
            while (filled < exact.Length && (n = await http.Body.ReadAsync(exact.AsMemory(filled), ct)) > 0)
            {
                filled += n;
            }

            return filled == exact.Length ? exact : exact[..filled];
        }

        using var buffer = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await http.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > cap)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
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
