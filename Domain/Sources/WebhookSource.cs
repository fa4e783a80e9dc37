using System.Text.Json;
using Engage.Domain.Interactions;

namespace Engage.Domain.Sources;

/// <summary>What a webhook delivery looks like to a source: headers, query and the raw bytes, as received.</summary>
public sealed class WebhookRequest(
    string method,
    IReadOnlyDictionary<string, string> headers,
    IReadOnlyDictionary<string, string> query,
    ReadOnlyMemory<byte> body)
{
    private readonly Dictionary<string, string> _headers = new(headers, StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _query = new(query, StringComparer.Ordinal);

    public string Method { get; } = method;
    public ReadOnlyMemory<byte> Body { get; } = body;

    public string? Header(string name) => _headers.TryGetValue(name, out var value) ? value : null;
    public string? Query(string name) => _query.TryGetValue(name, out var value) ? value : null;
}

/// <summary>What a source answers before or instead of ingestion: a handshake reply, an acknowledgement, or a rejection.</summary>
public abstract record WebhookAnswer;

/// <summary>A handshake answered as is (Slack's challenge, X's CRC).</summary>
public sealed record WebhookReply(int Status, string ContentType, string Body) : WebhookAnswer
{
    public static WebhookReply Json<T>(int status, T value) => new(status, "application/json", JsonSerializer.Serialize(value));
}

/// <summary>A verified delivery that carries nothing to store (GitHub's ping): answered 202 with 0 interactions and the reason.</summary>
public sealed record WebhookAcknowledged(string Reason) : WebhookAnswer;

/// <summary>A rejected delivery: answered with problem+json and the given status, nothing stored.</summary>
public sealed record WebhookRejection(int Status, string Title, string Detail) : WebhookAnswer
{
    public static WebhookRejection Unauthorized(string detail) => new(401, "Signature rejected", detail);
    public static WebhookRejection BadRequest(string detail) => new(400, "Malformed delivery", detail);
}

/// <summary>The interactions a delivery carries, or the reason it carries none.</summary>
public sealed record Normalized(IReadOnlyList<Interaction> Interactions, string? Ignored = null)
{
    public static Normalized Ignore(string reason) => new([], reason);
}

/// <summary>Thrown by a normalizer for a payload it cannot read; becomes a 400.</summary>
public sealed class PayloadException(string message) : Exception(message);

/// <summary>
/// A platform whose webhooks Engage reads. Adding one is a class here and a registration line in
/// <c>AddEngage()</c>. Everything a source does is pure: secrets and the clock are passed in.
/// </summary>
public abstract class WebhookSource
{
    /// <summary>Route segment: <c>/api/webhooks/{Name}</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Configuration key holding the comma-separated secrets, e.g. <c>Sources:GitHub:Secret</c>.</summary>
    public abstract string SecretSetting { get; }

    /// <summary>Answers a GET (X's CRC). Null: GET is not part of this source's protocol (405).</summary>
    public virtual WebhookAnswer? Get(WebhookRequest request, IReadOnlyList<string> secrets) => null;

    /// <summary>Checks the signature on the raw bytes. Null means verified.</summary>
    public abstract WebhookRejection? Verify(WebhookRequest request, IReadOnlyList<string> secrets, DateTimeOffset now);

    /// <summary>Handshakes answered after verification and before anything is stored (Slack url_verification).</summary>
    public virtual WebhookAnswer? Handshake(WebhookRequest request, JsonElement payload) => null;

    /// <summary>The delivery's id, used as the archive name. Must be stable across redeliveries where the platform allows.</summary>
    public abstract string DeliveryId(WebhookRequest request, JsonElement payload);

    /// <summary>Turns a verified delivery into canonical interactions. Throws <see cref="PayloadException"/> for payloads it cannot read.</summary>
    public abstract Normalized Normalize(WebhookRequest request, JsonElement payload);
}
