using System.Text.Json.Serialization;

namespace Engage.Functions.Webhooks;

/// <summary>
/// <c>202</c> from <c>POST /api/webhooks/{source}</c>: the delivery is archived and its interactions queued.
/// <see cref="Ignored"/> says why a delivery carries none (left out otherwise).
/// </summary>
public sealed record WebhookAccepted(string Source, string DeliveryId, int Interactions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Ignored = null);
