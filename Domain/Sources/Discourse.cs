using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Engage.Domain.Interactions;

namespace Engage.Domain.Sources;

/// <summary>
/// Discourse webhooks (Admin → API → Webhooks). <c>X-Discourse-Event-Id</c> names the archive, but it
/// changes when Discourse retries, so interactions are keyed by what they are about: a post by its
/// topic and post number, a like by the post and who liked it.
/// </summary>
public sealed partial class Discourse : WebhookSource
{
    public const string SignatureHeader = "X-Discourse-Event-Signature";
    public const string EventHeader = "X-Discourse-Event";
    public const string EventTypeHeader = "X-Discourse-Event-Type";
    public const string InstanceHeader = "X-Discourse-Instance";
    public const string EventIdHeader = "X-Discourse-Event-Id";

    public override string Name => "discourse";
    public override string SecretSetting => "Sources:Discourse:Secret";

    public override WebhookRejection? Verify(WebhookRequest request, IReadOnlyList<string> secrets, DateTimeOffset now) =>
        Signatures.PrefixedHexMatches(request.Header(SignatureHeader), "sha256=", secrets, request.Body.Span)
            ? null
            : WebhookRejection.Unauthorized($"{SignatureHeader}: sha256=<hex> is missing or matches no configured secret.");

    public override string DeliveryId(WebhookRequest request, JsonElement payload) => request.Header(EventIdHeader) ?? "";

    public override Normalized Normalize(WebhookRequest request, JsonElement payload) => Read(request, payload);

    private static Normalized Read(WebhookRequest request, JsonElement payload)
    {
        var eventName = request.Header(EventHeader);
        if (request.Header(EventTypeHeader) == "ping" || eventName == "ping")
        {
            return Normalized.Ignore("ping");
        }

        var instance = request.Header(InstanceHeader);
        var host = PlatformText.Host(instance) ?? PlatformText.IdPart(instance?.ToLowerInvariant())
            ?? throw new PayloadException($"The {InstanceHeader} header (the forum's base URL) is required.");
        if (payload.ValueKind != JsonValueKind.Object)
        {
            throw new PayloadException("The body must be a JSON object.");
        }

        return eventName switch
        {
            "post_created" => Post(host, payload.At("post")),
            "post_liked" => Like(host, payload.At("like")),
            null => throw new PayloadException($"The {EventHeader} header is required."),
            _ => Normalized.Ignore($"event '{(eventName.Length > 40 ? eventName[..40] + "…" : eventName)}'"),
        };
    }

    /// <summary><c>discourse:{host}.{lower-cased username}</c>: Discourse names mentioned users by handle only, so the handle is the id.</summary>
    public static string UserId(string host, string username) => UserIds.Of("discourse", $"{host}.{EncodeHandle(username)}");

    /// <summary><c>discourse:{host}.post:{topic id}:{post number}</c>; post 1 is the topic's first post.</summary>
    public static string PostId(string host, string topicId, string postNumber) => $"discourse:{host}.post:{topicId}:{postNumber}";

    /// <summary>
    /// Lower-cases a username; characters outside <c>[a-z0-9._-]</c> (Unicode usernames) become
    /// <c>_{hex code point}_</c>, so that distinct non-Latin names stay distinct userIds.
    /// </summary>
    private static string EncodeHandle(string username)
    {
        var sb = new StringBuilder(username.Length);
        foreach (var rune in username.ToLowerInvariant().EnumerateRunes())
        {
            if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || rune.Value is '.' or '-' or '_'))
            {
                sb.Append((char)rune.Value);
            }
            else
            {
                sb.Append('_').Append(rune.Value.ToString("x", CultureInfo.InvariantCulture)).Append('_');
            }
        }

        return sb.ToString();
    }

    private static Normalized Post(string host, JsonElement? maybePost)
    {
        if (maybePost is not { ValueKind: JsonValueKind.Object } post)
        {
            throw new PayloadException("A post_created delivery needs a post object.");
        }

        var (topicId, postNumber, username, at) = PostKey(post);
        if (topicId is null || postNumber is null || username is null || at is null)
        {
            throw new PayloadException("The post needs topic_id, post_number, username and created_at.");
        }

        // post_type 2 and 3 are moderator actions and "closed this topic"-style small actions; negative user ids are system users and bots.
        if (post.Long("post_type") is 2 or 3)
        {
            return Normalized.Ignore("moderator or small-action post");
        }

        if (post.Long("user_id") is < 0)
        {
            return Normalized.Ignore("post by a system user");
        }

        var actor = UserId(host, username);
        var own = OwnText(post.Str("raw"));
        var mentions = new List<string>();
        var handles = new Dictionary<string, string>();
        foreach (Match m in MentionPattern().Matches(own))
        {
            PlatformText.AddMention(mentions, handles, actor, UserId(host, m.Groups[1].Value), m.Groups[1].Value);
        }

        var interaction = new Interaction
        {
            Id = PostId(host, topicId, postNumber),
            Kind = InteractionKind.Post,
            Actor = actor,
            ActorHandle = username,
            ActorName = PlatformText.DisplayName(post.Str("name")),
            OccurredAt = at.Value,
            Mentions = mentions,
            MentionHandles = handles.Count > 0 ? handles : null,
            Text = own,
        };

        if (postNumber == "1")
        {
            return new Normalized([interaction]);
        }

        // A reply names the post it answers (reply_to_post_number, with its author in reply_to_user);
        // a reply to the topic as a whole answers post 1, whose author the items index knows.
        var parentNumber = PlatformText.Digits(post.Str("reply_to_post_number"));
        var parentAuthor = parentNumber is not null && Username(post.Str("reply_to_user", "username")) is { } replyTo ? UserId(host, replyTo) : null;
        return new Normalized([interaction with
        {
            Kind = InteractionKind.Reply,
            InReplyTo = new ItemRef(PostId(host, topicId, parentNumber ?? "1"), parentAuthor),
        }]);
    }

    private static Normalized Like(string host, JsonElement? maybeLike)
    {
        if (maybeLike is not { ValueKind: JsonValueKind.Object } like || like.At("post") is not { ValueKind: JsonValueKind.Object } post)
        {
            throw new PayloadException("A post_liked delivery needs like.post and like.user.");
        }

        var (topicId, postNumber, author, postedAt) = PostKey(post);
        var liker = Username(like.Str("user", "username"));
        if (topicId is null || postNumber is null || author is null || postedAt is null || liker is null)
        {
            throw new PayloadException("The like needs like.user.username and the post's topic_id, post_number, username and created_at.");
        }

        // The like payload carries no time of its own; the liked post's created_at is the one stable time in it,
        // so a redelivery (with a new event id) lands on the same fact (docs/decisions/0202).
        return new Normalized([new Interaction
        {
            Id = $"discourse:{host}.like:{topicId}:{postNumber}:{EncodeHandle(liker)}",
            Kind = InteractionKind.Reaction,
            Actor = UserId(host, liker),
            ActorHandle = liker,
            ActorName = PlatformText.DisplayName(like.Str("user", "name")),
            OccurredAt = postedAt.Value,
            Subject = new ItemRef(PostId(host, topicId, postNumber), UserId(host, author)),
        }]);
    }

    private static (string? TopicId, string? PostNumber, string? Username, DateTimeOffset? At) PostKey(JsonElement post) => (
        PlatformText.Digits(post.Str("topic_id")),
        PlatformText.Digits(post.Str("post_number")),
        Username(post.Str("username")),
        post.Time("created_at"));

    /// <summary>Discourse usernames are at most 60 characters; anything longer or blank is not one.</summary>
    private static string? Username(string? value) => value is { Length: > 0 and <= 60 } && !value.Any(char.IsWhiteSpace) ? value : null;

    // Quoted posts, code and block quotes are other people's words: neither signals nor mentions come from them.
    [GeneratedRegex("```[\\s\\S]*?(?:```|\\z)|`[^`\\n]*`|^>.*$", RegexOptions.Multiline, matchTimeoutMilliseconds: 1000)]
    private static partial Regex CodeAndBlockQuotes();

    // A username: 1-60 of [\w.-], starting and ending with a word character; a longer run is no username.
    [GeneratedRegex("(?<![\\w@/.`])@(\\w(?:[\\w.-]{0,58}\\w)?)(?![\\w-]|\\.\\w)", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex MentionPattern();

    /// <summary>The post's <c>raw</c> markdown without quotes and code: the author's own words.</summary>
    public static string OwnText(string? raw)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return "";
        }

        var text = StripQuotes(raw);
        return CodeAndBlockQuotes().Replace(text, "").Trim();
    }

    /// <summary>Removes <c>[quote…]…[/quote]</c> blocks, nested ones included, in one linear pass.</summary>
    private static string StripQuotes(string raw)
    {
        const string Open = "[quote", Close = "[/quote]";
        var sb = new StringBuilder(raw.Length);
        var depth = 0;
        var i = 0;
        int open = -2, close = -2; // -2: not searched yet; -1: none left
        while (i < raw.Length)
        {
            if (open != -1 && open < i)
            {
                open = raw.IndexOf(Open, i, StringComparison.OrdinalIgnoreCase);
            }

            if (close != -1 && close < i)
            {
                close = raw.IndexOf(Close, i, StringComparison.OrdinalIgnoreCase);
            }

            if (open < 0 && close < 0)
            {
                if (depth == 0)
                {
                    sb.Append(raw, i, raw.Length - i);
                }

                break;
            }

            if (open >= 0 && (close < 0 || open < close))
            {
                if (depth == 0)
                {
                    sb.Append(raw, i, open - i);
                }

                depth++;
                var end = raw.IndexOf(']', open);
                i = end < 0 ? raw.Length : end + 1;
            }
            else
            {
                if (depth == 0)
                {
                    // A stray [/quote] is kept as written.
                    sb.Append(raw, i, close + Close.Length - i);
                }
                else
                {
                    depth--;
                }

                i = close + Close.Length;
            }
        }

        return sb.ToString();
    }
}
