using System.Text;
using System.Text.Json;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Functions.Http;

namespace Engage.Functions.Ingest;

/// <summary>
/// A message on queue <c>interactions</c>: a batch of normalized interactions, one reply whose parent's author
/// is not known yet (the parent's arrival itself writes that give through table <c>replies</c>, decision 1121;
/// the message only decides, on its last dequeue, the thread-root fallback), or a whole delivery
/// (<see cref="DeliveryType"/>, written by <see cref="DeliveryMessage"/>: the raw body, archived and normalized
/// by ingestion).
/// </summary>
public sealed record IngestMessage
{
    public const string InteractionsType = "interactions";
    public const string PendingParentType = "pending-parent";

    /// <summary>A delivery's raw body with what its archive keeps (docs/decisions/1131-one-write-before-the-202.md).</summary>
    public const string DeliveryType = "delivery";

    /// <summary>Payload budget per message: 64 KiB after base64 is 48 KiB of JSON; keep a margin.</summary>
    public const int MaxJsonBytes = 45 * 1024;

    /// <summary>The actor's own text is kept only as far as signals need it.</summary>
    public const int MaxTextChars = 4000;

    /// <summary>Mentions kept per interaction (a message must fit the queue; nobody addresses more people at once).</summary>
    public const int MaxMentions = 100;

    public string Type { get; init; } = InteractionsType;
    public string? Source { get; init; }
    public string? DeliveryId { get; init; }
    public IReadOnlyList<Interaction> Interactions { get; init; } = [];

    /// <summary>The archived body these interactions came from: ingestion indexes who it names (decision 0901).</summary>
    public string? Archive { get; init; }

    /// <summary>
    /// When the delivery was received (intake's clock; for a replay, the end of the archive's day): an erasure
    /// recorded at or after it reaches these interactions even though they were still queued (decision 1132).
    /// </summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>For <see cref="DeliveryType"/>: the archived headers (<see cref="Webhooks.ArchivedHeaders.Encode"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Headers { get; init; }

    /// <summary>For <see cref="PendingParentType"/>: the actor's fact whose parent author is unknown (every copy follows from it).</summary>
    public Fact? Pending { get; init; }

    /// <summary>For <see cref="PendingParentType"/>: who gets the give if the parent never shows up.</summary>
    public string? ThreadRootAuthor { get; init; }

    /// <summary>Why an interaction was parked (on <c>interactions-poison</c>); ingestion ignores it when the message is replayed.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    /// <summary>Error text kept on a parked message (the message must fit the queue).</summary>
    public const int MaxErrorChars = 500;

    public string ToJson() => JsonSerializer.Serialize(this, EngageJson.Options);

    public static IngestMessage Parse(string json) =>
        JsonSerializer.Deserialize<IngestMessage>(json, EngageJson.Options) ?? throw new JsonException("Empty ingest message.");

    private static int Size(Interaction item) => Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(item, EngageJson.Options));

    /// <summary>
    /// An interaction as it is queued and ingested: text cut to <see cref="MaxTextChars"/>, mentions to
    /// <see cref="MaxMentions"/>, and the text shortened further until the item fits a message; throws
    /// <see cref="Engage.Domain.Sources.PayloadException"/> for one that cannot fit.
    /// </summary>
    public static (Interaction Item, int Size) Fit(Interaction interaction)
    {
        var item = interaction.Text is { Length: > MaxTextChars } ? interaction with { Text = interaction.Text[..MaxTextChars] } : interaction;
        if (item.Mentions.Count > MaxMentions)
        {
            item = item with { Mentions = item.Mentions.Take(MaxMentions).ToList() };
        }

        var itemSize = Size(item);
        while (itemSize + 512 > MaxJsonBytes && item.Text is { Length: > 0 } text)
        {
            // Escaped non-ASCII text can take six bytes a character: shorten it until the item fits.
            item = item with { Text = text[..(text.Length / 2)] };
            itemSize = Size(item);
        }

        if (itemSize + 512 > MaxJsonBytes)
        {
            throw new Engage.Domain.Sources.PayloadException($"Interaction {interaction.Id[..Math.Min(64, interaction.Id.Length)]} is too large to queue ({itemSize} bytes).");
        }

        return (item, itemSize);
    }

    /// <summary>Packs interactions into as few messages as fit the queue's size limit; throws <see cref="Engage.Domain.Sources.PayloadException"/> for one that cannot fit.</summary>
    public static IReadOnlyList<string> Pack(string source, string deliveryId, IReadOnlyList<Interaction> interactions, string? archive = null, DateTimeOffset? receivedAt = null)
    {
        var messages = new List<string>();
        var batch = new List<Interaction>();
        var size = 0;
        foreach (var interaction in interactions)
        {
            var (item, itemSize) = Fit(interaction);
            if (batch.Count > 0 && size + itemSize + 512 > MaxJsonBytes)
            {
                messages.Add(new IngestMessage { Source = source, DeliveryId = deliveryId, Interactions = batch, Archive = archive, ReceivedAt = receivedAt }.ToJson());
                batch = [];
                size = 0;
            }

            batch.Add(item);
            size += itemSize;
        }

        if (batch.Count > 0)
        {
            messages.Add(new IngestMessage { Source = source, DeliveryId = deliveryId, Interactions = batch, Archive = archive, ReceivedAt = receivedAt }.ToJson());
        }

        return messages;
    }
}
