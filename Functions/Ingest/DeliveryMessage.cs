using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Engage.Functions.Ingest;

/// <summary>
/// A whole delivery as one message on <c>interactions</c> (<see cref="IngestMessage.DeliveryType"/>): the raw body
/// with its source, delivery id, archive blob name, time of receipt and archived headers. Ingestion archives it
/// (blob + index) before it ingests its interactions, so intake makes one durable write before its 202
/// (docs/decisions/1131-one-write-before-the-202.md). The body, already parsed as strict JSON by intake, is
/// embedded as is (property <c>body</c>), so its bytes come back unchanged and cost no escaping; a body with
/// bytes around its JSON value (a byte-order mark, whitespace) goes as base64 (<c>bodyBase64</c>) instead.
/// </summary>
public static class DeliveryMessage
{
    /// <summary>Deep enough for any body intake accepts (its parser allows a depth of 128) inside the envelope.</summary>
    private const int MaxDepth = 256;

    /// <summary>The message, or null when it would not fit a queue message (<see cref="IngestMessage.MaxJsonBytes"/>: 64 KiB after base64, with a margin).</summary>
    public static string? Create(string source, string deliveryId, string archive, DateTimeOffset receivedAt, ReadOnlyMemory<byte> body, string headers)
    {
        // Cheap refusal first: the body alone (or its base64) over the budget never fits.
        var raw = Embeddable(body.Span);
        if ((raw ? body.Length : (body.Length + 2) / 3 * 4) + headers.Length > IngestMessage.MaxJsonBytes)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(body.Length + headers.Length + 512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", IngestMessage.DeliveryType);
            writer.WriteString("source", source);
            writer.WriteString("deliveryId", deliveryId);
            writer.WriteString("archive", archive);
            writer.WriteString("receivedAt", receivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
            writer.WriteString("headers", headers);
            if (raw)
            {
                writer.WritePropertyName("body");
                writer.WriteRawValue(body.Span, skipInputValidation: true);
            }
            else
            {
                writer.WriteBase64String("bodyBase64", body.Span);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenCount > IngestMessage.MaxJsonBytes ? null : System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The envelope (type, source, delivery id, archive, receivedAt, headers) and the raw body of a delivery message.</summary>
    public static (IngestMessage Envelope, byte[] Body) Read(BinaryData message)
    {
        using var document = JsonDocument.Parse(message.ToMemory(), new JsonDocumentOptions { MaxDepth = MaxDepth });
        var root = document.RootElement;
        var envelope = new IngestMessage
        {
            Type = IngestMessage.DeliveryType,
            Source = Text(root, "source"),
            DeliveryId = Text(root, "deliveryId"),
            Archive = Text(root, "archive") ?? throw new JsonException("A delivery message without its archive name."),
            ReceivedAt = root.TryGetProperty("receivedAt", out var at) && at.ValueKind == JsonValueKind.String ? at.GetDateTimeOffset().ToUniversalTime() : null,
            Headers = Text(root, "headers"),
        };
        var body = root.TryGetProperty("body", out var value) ? JsonMarshal.GetRawUtf8Value(value).ToArray()
            : root.TryGetProperty("bodyBase64", out var base64) ? base64.GetBytesFromBase64()
            : throw new JsonException("A delivery message without its body.");
        return (envelope, body);
    }

    /// <summary>True for the message types this reader is for.</summary>
    public static bool Is(BinaryData message)
    {
        // The type is the first property written; a message of another type never starts like this.
        var prefix = "{\"type\":\"delivery\""u8;
        return message.ToMemory().Span.StartsWith(prefix);
    }

    /// <summary>True when the body is exactly one JSON value: no byte-order mark or whitespace around it.</summary>
    private static bool Embeddable(ReadOnlySpan<byte> body) =>
        body.Length > 0 && body[0] is (byte)'{' or (byte)'[' or (byte)'"' && body[^1] is (byte)'}' or (byte)']' or (byte)'"';

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
