using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Engage.Domain.Interactions;

namespace Engage.Domain.Sources;

/// <summary>
/// Slack Events API. Slack retries a delivery it thinks failed (<c>X-Slack-Retry-Num</c>) with the same
/// <c>event_id</c>; messages are keyed by team, channel and <c>ts</c>, so retries, and the
/// <c>app_mention</c> sent beside the <c>message</c> for the same text, are one interaction.
/// </summary>
public sealed partial class Slack : WebhookSource
{
    public const string SignatureHeader = "X-Slack-Signature";
    public const string TimestampHeader = "X-Slack-Request-Timestamp";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>Message subtypes that are people talking; every other subtype (joins, edits, deletions…) is ignored, except <c>bot_message</c>, kept as a bot's.</summary>
    private static readonly HashSet<string> TalkingSubtypes = new(StringComparer.Ordinal) { "thread_broadcast", "file_share", "me_message" };

    /// <summary>The subtype of a message posted by a bot; kept when it carries a <c>bot_id</c>.</summary>
    private const string BotMessage = "bot_message";

    public override string Name => "slack";
    public override string SecretSetting => "Sources:Slack:SigningSecret";

    [GeneratedRegex("^[0-9]{1,12}\\.[0-9]{1,9}$")]
    private static partial Regex TsPattern();

    [GeneratedRegex("<@([UW][A-Z0-9]{1,40})(?:\\|[^>]{0,200})?>", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex MentionPattern();

    [GeneratedRegex("[^A-Za-z0-9_+-]")]
    private static partial Regex NotReactionChar();

    public override WebhookRejection? Verify(WebhookRequest request, IReadOnlyList<string> secrets, DateTimeOffset now)
    {
        var timestamp = request.Header(TimestampHeader);
        var signature = request.Header(SignatureHeader);
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return WebhookRejection.Unauthorized($"{SignatureHeader} and {TimestampHeader} headers are required.");
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return WebhookRejection.Unauthorized($"{TimestampHeader} is not a Unix time in seconds.");
        }

        var sentAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (sentAt < now - Tolerance || sentAt > now + Tolerance)
        {
            return WebhookRejection.Unauthorized($"{TimestampHeader} is more than 5 minutes away from now (a replayed request?).");
        }

        if (!signature.StartsWith("v0=", StringComparison.Ordinal))
        {
            return WebhookRejection.Unauthorized($"{SignatureHeader} must be v0=<hex>.");
        }

        var hex = signature[3..];
        var matched = false;
        foreach (var secret in secrets)
        {
            // No early exit: every secret is tried, so timing does not tell which one matched.
            matched |= Signatures.HexEquals(hex, Mac(secret, timestamp, request.Body.Span));
        }

        return matched ? null : WebhookRejection.Unauthorized($"{SignatureHeader} matches no configured signing secret.");
    }

    /// <summary><c>v0=hex(HMAC-SHA256(secret, "v0:{timestamp}:{body}"))</c>, as Slack signs requests.</summary>
    public static string Sign(string signingSecret, string timestamp, ReadOnlySpan<byte> body) =>
        "v0=" + Convert.ToHexStringLower(Mac(signingSecret, timestamp, body));

    private static byte[] Mac(string secret, string timestamp, ReadOnlySpan<byte> body) =>
        Signatures.HmacSha256(Encoding.UTF8.GetBytes(secret), $"v0:{timestamp}:", body);

    /// <summary>Slack's URL check is signed like any event; it is answered with the challenge, nothing stored.</summary>
    public override WebhookAnswer? Handshake(WebhookRequest request, JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object || payload.Str("type") != "url_verification")
        {
            return null;
        }

        return payload.At("challenge") is { ValueKind: JsonValueKind.String } c && c.GetString() is { Length: > 0 and <= 1024 } challenge
            ? new WebhookReply(200, "text/plain; charset=utf-8", challenge)
            : WebhookRejection.BadRequest("url_verification without a challenge.");
    }

    /// <summary>The envelope's <c>event_id</c>, the same on every retry; envelopes without one (app_rate_limited) are named by their body.</summary>
    public override string DeliveryId(WebhookRequest request, JsonElement payload) =>
        PlatformText.IdPart(payload.Str("event_id")) ?? Signatures.Sha256Hex(request.Body.Span);

    public override Normalized Normalize(WebhookRequest request, JsonElement payload) => Read(payload);

    private static Normalized Read(JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            throw new PayloadException("The body must be a JSON object (an Events API envelope).");
        }

        if (payload.Str("type") is var type && type != "event_callback")
        {
            return Normalized.Ignore($"envelope type '{Short(type)}'");
        }

        var team = PlatformText.IdPart(payload.Str("team_id")) ?? throw new PayloadException("An event_callback needs a team_id.");
        if (payload.At("event") is not { ValueKind: JsonValueKind.Object } e)
        {
            throw new PayloadException("An event_callback needs an event object.");
        }

        var context = new Context(team, BotUsers(payload));
        return e.Str("type") switch
        {
            "message" or "app_mention" => Message(e, context),
            "reaction_added" => Reaction(e, context),
            var other => Normalized.Ignore($"event '{Short(other)}'"),
        };
    }

    private sealed record Context(string Team, HashSet<string> Bots)
    {
        public string User(string user) => $"slack:{Team}.{user}";
        public string Item(string channel, string ts) => $"slack:{Team}.{channel}.{ts}";
    }

    /// <summary>The app's own bot users (<c>authorizations[].is_bot</c>): mentioning them addresses the app, not a person.</summary>
    private static HashSet<string> BotUsers(JsonElement payload)
    {
        var bots = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in payload.Array("authorizations"))
        {
            if (a.ValueKind == JsonValueKind.Object && a.Bool("is_bot") == true && PlatformText.IdPart(a.Str("user_id")) is { } bot)
            {
                bots.Add(bot);
            }
        }

        return bots;
    }

    private static Normalized Message(JsonElement e, Context context)
    {
        // A bot's message (bot_id, usually subtype bot_message) is kept and flagged: the identity becomes a bot person (decision 1141).
        var botId = PlatformText.IdPart(e.Str("bot_id"));
        if (e.Str("subtype") is { } subtype && !TalkingSubtypes.Contains(subtype) && !(subtype == BotMessage && botId is not null))
        {
            return Normalized.Ignore($"message subtype '{Short(subtype)}'");
        }

        // A bot without a user of its own (incoming webhooks, legacy integrations) acts as its bot id: B…, never a user's U…/W….
        var user = PlatformText.IdPart(e.Str("user")) ?? botId;
        var channel = PlatformText.IdPart(e.Str("channel"));
        var ts = Ts(e.Str("ts"));
        if (user is null || channel is null || ts is null || PlatformText.FromUnixSecondsText(ts) is not { } at)
        {
            return Normalized.Ignore("message without a readable user, channel or ts");
        }

        if (context.Bots.Contains(user))
        {
            return Normalized.Ignore("message from the app's own bot user");
        }

        var actor = context.User(user);
        var text = e.Str("text");
        var mentions = new List<string>();
        var handles = new Dictionary<string, string>();
        if (text is not null)
        {
            foreach (Match m in MentionPattern().Matches(text))
            {
                if (!context.Bots.Contains(m.Groups[1].Value))
                {
                    PlatformText.AddMention(mentions, handles, actor, context.User(m.Groups[1].Value), null);
                }
            }
        }

        var interaction = new Interaction
        {
            // Keyed by team, channel and ts (not by event_id): the app_mention for the same message, and every retry, is this interaction.
            Id = context.Item(channel, ts),
            Kind = InteractionKind.Post,
            Actor = actor,
            ActorHandle = botId is not null && e.Str("user") is null ? PlatformText.DisplayName(e.Str("username")) : null,
            ActorIsBot = botId is not null,
            ActorName = PlatformText.DisplayName(e.Str("user_profile", "real_name")),
            OccurredAt = at,
            Mentions = mentions,
            Text = text is null ? null : Unescape(text),
        };

        if (Ts(e.Str("thread_ts")) is { } threadTs && threadTs != ts)
        {
            // Slack threads are flat: every reply answers the thread's root, whose author is parent_user_id.
            // Without it the items index resolves the root's author.
            var parentAuthor = PlatformText.IdPart(e.Str("parent_user_id")) is { } p ? context.User(p) : null;
            interaction = interaction with
            {
                Kind = InteractionKind.Reply,
                InReplyTo = new ItemRef(context.Item(channel, threadTs), parentAuthor),
                ThreadRootAuthor = parentAuthor,
            };
        }

        return new Normalized([interaction]);
    }

    private static Normalized Reaction(JsonElement e, Context context)
    {
        if (e.At("item") is not { ValueKind: JsonValueKind.Object } item || item.Str("type") != "message")
        {
            return Normalized.Ignore("reaction to something other than a message");
        }

        var user = PlatformText.IdPart(e.Str("user"));
        var channel = PlatformText.IdPart(item.Str("channel"));
        var ts = Ts(item.Str("ts"));
        var reaction = e.Str("reaction") is { Length: > 0 } r ? NotReactionChar().Replace(r.Length > 64 ? r[..64] : r, "_") : null;
        if (user is null || channel is null || ts is null || reaction is null || PlatformText.FromUnixSecondsText(e.Str("event_ts")) is not { } at)
        {
            return Normalized.Ignore("reaction without a readable user, item, reaction or event_ts");
        }

        if (context.Bots.Contains(user))
        {
            return Normalized.Ignore("reaction by the app's own bot user");
        }

        // item_user is absent for messages no person wrote (incoming webhooks): then the reaction gives to no one.
        var itemUser = PlatformText.IdPart(e.Str("item_user")) is { } author ? context.User(author) : null;
        return new Normalized([new Interaction
        {
            Id = $"{context.Item(channel, ts)}.reaction.{user}.{reaction}",
            Kind = InteractionKind.Reaction,
            Actor = context.User(user),
            OccurredAt = at,
            Subject = new ItemRef(context.Item(channel, ts), itemUser),
        }]);
    }

    private static string? Ts(string? ts) => ts is not null && TsPattern().IsMatch(ts) ? ts : null;

    /// <summary>Slack escapes only these three characters in message text.</summary>
    private static string Unescape(string text) =>
        text.Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal).Replace("&amp;", "&", StringComparison.Ordinal);

    private static string Short(string? value) => value is null ? "(none)" : value.Length > 40 ? value[..40] + "…" : value;
}
