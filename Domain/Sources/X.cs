using System.Globalization;
using System.Text;
using System.Text.Json;
using Engage.Domain.Interactions;

namespace Engage.Domain.Sources;

/// <summary>
/// X (Twitter) Account Activity API webhooks. One delivery per subscribed user (<c>for_user_id</c>):
/// a tweet seen by two subscribers arrives twice with different bodies, and becomes one interaction
/// because ids and times come from the tweet, never from the delivery.
/// </summary>
public sealed class X : WebhookSource
{
    public const string SignatureHeader = "X-Twitter-Webhooks-Signature";

    private static readonly string[] CreatedAtFormats = ["ddd MMM dd HH:mm:ss '+0000' yyyy", "ddd MMM dd HH:mm:ss zzz yyyy"];

    public override string Name => "x";
    public override string SecretSetting => "Sources:X:ConsumerSecret";

    /// <summary>The CRC check: <c>GET ?crc_token=T</c> → <c>{"response_token":"sha256=" + base64(HMAC-SHA256(consumerSecret, T))}</c>.</summary>
    public override WebhookAnswer? Get(WebhookRequest request, IReadOnlyList<string> secrets)
    {
        var token = request.Query("crc_token");
        if (string.IsNullOrEmpty(token))
        {
            return new WebhookRejection(400, "Malformed CRC check", "The crc_token query parameter is required.");
        }

        if (secrets.Count == 0)
        {
            return new WebhookRejection(404, "Not found", "No consumer secret is configured for source 'x'.");
        }

        // The first secret answers: during a rotation it is the one registered with X.
        return WebhookReply.Json(200, new CrcResponse(CrcResponseToken(secrets[0], token)));
    }

    public static string CrcResponseToken(string consumerSecret, string crcToken) =>
        "sha256=" + Convert.ToBase64String(Signatures.HmacSha256(consumerSecret, Encoding.UTF8.GetBytes(crcToken)));

    public override WebhookRejection? Verify(WebhookRequest request, IReadOnlyList<string> secrets, DateTimeOffset now)
    {
        var header = request.Header(SignatureHeader);
        if (header is null || !header.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase))
        {
            return WebhookRejection.Unauthorized($"{SignatureHeader}: sha256=<base64> is required.");
        }

        var signature = header["sha256=".Length..].Trim();
        var matched = false;
        foreach (var secret in secrets)
        {
            // No early exit: every secret is tried, so timing does not tell which one matched.
            matched |= Signatures.Base64Equals(signature, Signatures.HmacSha256(secret, request.Body.Span));
        }

        return matched ? null : WebhookRejection.Unauthorized($"{SignatureHeader} matches no configured consumer secret.");
    }

    /// <summary>X sends no delivery id: the body's SHA-256 names the archive (a redelivery overwrites its own copy).</summary>
    public override string DeliveryId(WebhookRequest request, JsonElement payload) => Signatures.Sha256Hex(request.Body.Span);

    public override Normalized Normalize(WebhookRequest request, JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            throw new PayloadException("The body must be a JSON object (an Account Activity event).");
        }

        var interactions = new List<Interaction>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var seen = 0;
        foreach (var tweet in payload.Array("tweet_create_events"))
        {
            seen++;
            Add(interactions, ids, Tweet(tweet));
        }

        foreach (var favorite in payload.Array("favorite_events"))
        {
            seen++;
            Add(interactions, ids, Favorite(favorite));
        }

        foreach (var follow in payload.Array("follow_events"))
        {
            seen++;
            Add(interactions, ids, Follow(follow));
        }

        if (interactions.Count > 0)
        {
            return new Normalized(interactions);
        }

        if (seen > 0)
        {
            return Normalized.Ignore($"{seen} tweet, favorite or follow events, none readable");
        }

        var kinds = payload.EnumerateObject().Select(p => p.Name).Where(n => n.EndsWith("_events", StringComparison.Ordinal)).Take(5).ToList();
        return Normalized.Ignore(kinds.Count > 0
            ? $"no tweet, favorite or follow events ({string.Join(", ", kinds)})"
            : "no Account Activity events");
    }

    private static void Add(List<Interaction> interactions, HashSet<string> ids, Interaction? interaction)
    {
        // An event repeated within one delivery is one interaction.
        if (interaction is not null && ids.Add(interaction.Id))
        {
            interactions.Add(interaction);
        }
    }

    /// <summary>The object's id, <c>id_str</c> first: numeric ids above 2^53 lose precision in many JSON writers.</summary>
    private static string? IdOf(JsonElement e, params ReadOnlySpan<string> path)
    {
        var target = path.IsEmpty ? e : e.At(path) ?? default;
        return target.ValueKind == JsonValueKind.Object
            ? PlatformText.Digits(target.Str("id_str")) ?? PlatformText.Digits(target.Str("id"))
            : null;
    }

    private static string User(string id) => $"x:{id}";

    private static DateTimeOffset? Time(JsonElement e, string msField)
    {
        if (PlatformText.FromUnixMilliseconds(e.Long(msField)) is { } ms)
        {
            return ms;
        }

        return e.Str("created_at") is { } s
            && DateTimeOffset.TryParseExact(s, CreatedAtFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t.ToUniversalTime()
            : null;
    }

    private static Interaction? Tweet(JsonElement t)
    {
        if (t.ValueKind != JsonValueKind.Object || IdOf(t) is not { } id || IdOf(t, "user") is not { } userId || Time(t, "timestamp_ms") is not { } at)
        {
            return null;
        }

        var actor = User(userId);
        var interaction = new Interaction
        {
            Id = User(id),
            Kind = InteractionKind.Post,
            Actor = actor,
            ActorHandle = t.Str("user", "screen_name"),
            ActorName = PlatformText.DisplayName(t.Str("user", "name")),
            OccurredAt = at,
        };

        if (t.At("retweeted_status") is { ValueKind: JsonValueKind.Object } retweeted)
        {
            // A retweet has no text of its own and so no mentions (docs/scoring.md).
            return IdOf(retweeted) is { } subjectId
                ? interaction with { Kind = InteractionKind.Repost, Subject = new ItemRef(User(subjectId), IdOf(retweeted, "user") is { } a ? User(a) : null) }
                : null;
        }

        var (text, mentions, handles) = OwnText(t, actor);
        interaction = interaction with { Text = text, Mentions = mentions, MentionHandles = handles.Count > 0 ? handles : null };

        var quoted = t.At("quoted_status") is { ValueKind: JsonValueKind.Object } q ? q : (JsonElement?)null;
        var quotedId = quoted is { } qs ? IdOf(qs) : null;
        quotedId ??= PlatformText.Digits(t.Str("quoted_status_id_str"));
        if (t.Bool("is_quote_status") == true && quotedId is not null)
        {
            var quotedAuthor = quoted is { } qa ? IdOf(qa, "user") : null;
            return interaction with { Kind = InteractionKind.Quote, Subject = new ItemRef(User(quotedId), quotedAuthor is null ? null : User(quotedAuthor)) };
        }

        if (PlatformText.Digits(t.Str("in_reply_to_status_id_str")) is { } parentId)
        {
            var parentAuthor = PlatformText.Digits(t.Str("in_reply_to_user_id_str"));
            return interaction with { Kind = InteractionKind.Reply, InReplyTo = new ItemRef(User(parentId), parentAuthor is null ? null : User(parentAuthor)) };
        }

        return interaction;
    }

    /// <summary>
    /// The tweet's own text (<c>extended_tweet.full_text</c>, <c>full_text</c> or <c>text</c>, cut to
    /// <c>display_text_range</c> so the @handles X puts in front of a reply are not read as words) and the
    /// mentions of the matching <c>entities</c> — all of them, those leading @handles included (docs/scoring.md).
    /// </summary>
    private static (string? Text, List<string> Mentions, Dictionary<string, string> Handles) OwnText(JsonElement t, string actor)
    {
        var source = t.At("extended_tweet") is { ValueKind: JsonValueKind.Object } extended && extended.Str("full_text") is not null ? extended : t;
        var text = source.Str("full_text") ?? source.Str("text");
        if (text is not null && source.Array("display_text_range").Select(r => r.ValueKind == JsonValueKind.Number && r.TryGetInt32(out var n) ? n : -1).ToList() is [var from, var to])
        {
            text = CodePoints(text, from, to) ?? text;
        }

        var mentions = new List<string>();
        var handles = new Dictionary<string, string>();
        foreach (var mention in source.Array("entities", "user_mentions"))
        {
            if (mention.ValueKind == JsonValueKind.Object && IdOf(mention) is { } id)
            {
                PlatformText.AddMention(mentions, handles, actor, User(id), mention.Str("screen_name"));
            }
        }

        return (text, mentions, handles);
    }

    /// <summary>X counts ranges in code points, not UTF-16 units.</summary>
    private static string? CodePoints(string text, int from, int to)
    {
        if (from < 0 || to < from)
        {
            return null;
        }

        var sb = new StringBuilder();
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (index >= from && index < to)
            {
                sb.Append(rune.ToString());
            }

            index++;
        }

        return to > index ? null : sb.ToString().Trim();
    }

    private static Interaction? Favorite(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object
            || e.At("favorited_status") is not { ValueKind: JsonValueKind.Object } tweet
            || IdOf(tweet) is not { } tweetId
            || IdOf(e, "user") is not { } likerId
            || Time(e, "timestamp_ms") is not { } at)
        {
            return null;
        }

        // Keyed by who liked what, not by the event's own id: the same like reaches every subscriber involved.
        return new Interaction
        {
            Id = $"x:fav:{likerId}:{tweetId}",
            Kind = InteractionKind.Reaction,
            Actor = User(likerId),
            ActorHandle = e.Str("user", "screen_name"),
            ActorName = PlatformText.DisplayName(e.Str("user", "name")),
            OccurredAt = at,
            Subject = new ItemRef(User(tweetId), IdOf(tweet, "user") is { } author ? User(author) : null),
        };
    }

    private static Interaction? Follow(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object || e.Str("type") != "follow"
            || IdOf(e, "source") is not { } sourceId
            || IdOf(e, "target") is not { } targetId
            || PlatformText.FromUnixMilliseconds(e.Long("created_timestamp")) is not { } at)
        {
            return null;
        }

        return new Interaction
        {
            Id = $"x:follow:{sourceId}:{targetId}",
            Kind = InteractionKind.Follow,
            Actor = User(sourceId),
            ActorHandle = e.Str("source", "screen_name"),
            ActorName = PlatformText.DisplayName(e.Str("source", "name")),
            OccurredAt = at,
            Subject = new ItemRef(null, User(targetId)),
        };
    }
}

/// <summary>X's CRC answer: <c>{"response_token":"sha256=…"}</c>.</summary>
public sealed record CrcResponse([property: System.Text.Json.Serialization.JsonPropertyName("response_token")] string ResponseToken);
