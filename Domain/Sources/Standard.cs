using System.Globalization;
using System.Text.Json;
using Engage.Domain.Interactions;

namespace Engage.Domain.Sources;

/// <summary>
/// Canonical interactions signed with Standard Webhooks (standardwebhooks.com): for platforms
/// without a built-in source. Ids and userIds are taken verbatim (docs/api.md).
/// </summary>
public sealed class Standard : WebhookSource
{
    public const int MaxEvents = 500;
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public override string Name => "standard";
    public override string SecretSetting => "Sources:Standard:Secret";

    public override WebhookRejection? Verify(WebhookRequest request, IReadOnlyList<string> secrets, DateTimeOffset now)
    {
        var id = request.Header("webhook-id");
        var timestamp = request.Header("webhook-timestamp");
        var signatures = request.Header("webhook-signature");
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures))
        {
            return WebhookRejection.Unauthorized("webhook-id, webhook-timestamp and webhook-signature headers are required.");
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return WebhookRejection.Unauthorized("webhook-timestamp is not a Unix time in seconds.");
        }

        var sentAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (sentAt < now - Tolerance || sentAt > now + Tolerance)
        {
            return WebhookRejection.Unauthorized("webhook-timestamp is more than 5 minutes away from now.");
        }

        var prefix = $"{id}.{timestamp}.";
        var matched = false;
        foreach (var secret in secrets)
        {
            if (DecodeSecret(secret) is not { } key)
            {
                continue;
            }

            var expected = Signatures.HmacSha256(key, prefix, request.Body.Span);
            foreach (var candidate in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                // "v1,<base64>"; other versions (v1a asymmetric) are not supported and never match.
                if (candidate.StartsWith("v1,", StringComparison.Ordinal))
                {
                    matched |= Signatures.Base64Equals(candidate[3..], expected);
                }
            }
        }

        return matched ? null : WebhookRejection.Unauthorized("No webhook-signature matches a configured secret.");
    }

    /// <summary>Secrets are <c>whsec_</c> + base64; a secret that is not base64 is used as its UTF-8 bytes.</summary>
    private static byte[]? DecodeSecret(string secret)
    {
        var raw = secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret["whsec_".Length..] : secret;
        if (raw.Length == 0)
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(raw);
        }
        catch (FormatException)
        {
            return System.Text.Encoding.UTF8.GetBytes(raw);
        }
    }

    public override string DeliveryId(WebhookRequest request, JsonElement payload) => request.Header("webhook-id") ?? "";

    public override Normalized Normalize(WebhookRequest request, JsonElement payload)
    {
        if (payload.At("events") is not { ValueKind: JsonValueKind.Array } events)
        {
            throw new PayloadException("The body must be an object with an \"events\" array.");
        }

        var count = events.GetArrayLength();
        if (count > MaxEvents)
        {
            throw new PayloadException($"At most {MaxEvents} events per delivery; got {count}.");
        }

        var interactions = new List<Interaction>(count);
        var index = 0;
        foreach (var e in events.EnumerateArray())
        {
            interactions.Add(Read(e, index++));
        }

        return new Normalized(interactions, count == 0 ? "no events" : null);
    }

    private static Interaction Read(JsonElement e, int index)
    {
        T Fail<T>(string detail) => throw new PayloadException($"events[{index}]: {detail}");

        if (e.ValueKind != JsonValueKind.Object)
        {
            return Fail<Interaction>("must be an object.");
        }

        var id = e.Str("id") is { Length: > 0 and <= 512 } i ? i : Fail<string>("\"id\" is required (1-512 characters).");
        var kind = e.Str("kind") is { } k && Enum.TryParse<InteractionKind>(k, ignoreCase: true, out var parsed) && !int.TryParse(k, out _)
            ? parsed
            : Fail<InteractionKind>("\"kind\" must be one of post, reply, repost, quote, reaction, follow.");
        var actor = User(e.Str("actor")) ?? Fail<string>("\"actor\" must be a userId ([A-Za-z0-9._:-], at most 256).");
        var occurredAt = e.Time("occurredAt") ?? Fail<DateTimeOffset>("\"occurredAt\" must be an ISO-8601 time.");

        ItemRef? inReplyTo = null, subject = null;
        if (kind == InteractionKind.Reply)
        {
            var parentId = e.Str("inReplyTo", "id") ?? Fail<string>("a reply needs \"inReplyTo\": {\"id\", \"author\"}.");
            var parentAuthor = e.Str("inReplyTo", "author");
            if (parentAuthor is not null && User(parentAuthor) is null)
            {
                return Fail<Interaction>("\"inReplyTo.author\" is not a valid userId.");
            }

            inReplyTo = new ItemRef(parentId, parentAuthor);
        }
        else if (kind == InteractionKind.Follow)
        {
            subject = new ItemRef(null, User(e.Str("subject", "author")) ?? Fail<string>("a follow needs \"subject\": {\"author\"}."));
        }
        else if (kind is InteractionKind.Repost or InteractionKind.Quote or InteractionKind.Reaction)
        {
            subject = new ItemRef(
                e.Str("subject", "id") ?? Fail<string>($"a {kind.ToString().ToLowerInvariant()} needs \"subject\": {{\"id\", \"author\"}}."),
                User(e.Str("subject", "author")) ?? Fail<string>("\"subject.author\" must be a userId."));
        }

        var mentions = new List<string>();
        foreach (var m in e.Array("mentions"))
        {
            var user = m.ValueKind == JsonValueKind.String ? User(m.GetString()) : null;
            if (user is null)
            {
                return Fail<Interaction>("\"mentions\" must be an array of userIds.");
            }
            else if (user != actor && !mentions.Contains(user) && kind != InteractionKind.Repost)
            {
                mentions.Add(user);
            }
        }

        return new Interaction
        {
            Id = id,
            Kind = kind,
            Actor = actor,
            ActorHandle = e.Str("actorHandle"),
            OccurredAt = occurredAt,
            InReplyTo = inReplyTo,
            Subject = subject,
            Mentions = mentions,
            Text = kind == InteractionKind.Repost ? null : e.Str("text"),
            Accepted = e.Bool("accepted") ?? false,
            ThreadRootAuthor = User(e.Str("threadRootAuthor")),
        };
    }

    private static string? User(string? id) => UserIds.IsValid(id) ? id : null;
}
