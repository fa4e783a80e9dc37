using System.Text.Json;
using Engage.Domain.Interactions;

namespace Engage.Domain.Sources;

/// <summary>
/// Mastodon server webhooks (Preferences → Administration → Webhooks): <c>{"event","created_at","object"}</c>.
/// Only <c>status.created</c> carries interactions. Mastodon fires it for local statuses only, so the
/// status's own account names the server that sent the delivery, and every id in the payload (accounts,
/// statuses, mentions) is that server's database id: all of them are qualified with that server's host
/// (docs/decisions/0201).
/// </summary>
public sealed class Mastodon : WebhookSource
{
    public const string SignatureHeader = "X-Hub-Signature";

    public override string Name => "mastodon";
    public override string SecretSetting => "Sources:Mastodon:Secret";

    public override WebhookRejection? Verify(WebhookRequest request, IReadOnlyList<string> secrets, DateTimeOffset now) =>
        Signatures.PrefixedHexMatches(request.Header(SignatureHeader), "sha256=", secrets, request.Body.Span)
            ? null
            : WebhookRejection.Unauthorized($"{SignatureHeader}: sha256=<hex> is missing or matches no configured secret.");

    /// <summary>Mastodon sends no delivery id: the body's SHA-256 names the archive (a redelivery overwrites its own copy).</summary>
    public override string DeliveryId(WebhookRequest request, JsonElement payload) => Signatures.Sha256Hex(request.Body.Span);

    /// <summary>
    /// Set by history import only: the server whose API returned the status. Its timelines hold remote statuses
    /// too, under that server's ids, so they are qualified with it rather than with the author's home server.
    /// A webhook never needs it: Mastodon sends webhooks for local statuses only.
    /// </summary>
    public const string ServerHeader = "X-Engage-Mastodon-Server";

    public override Normalized Normalize(WebhookRequest request, JsonElement payload) =>
        Read(payload, PlatformText.IdPart(request.Header(ServerHeader)?.ToLowerInvariant()));

    private static Normalized Read(JsonElement payload, string? server)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            throw new PayloadException("The body must be a JSON object: {\"event\",\"created_at\",\"object\"}.");
        }

        return payload.Str("event") switch
        {
            "status.created" => Status(payload.At("object"), server),
            // An edit changes no structure that was counted; the status was counted when it was created.
            "status.updated" => Normalized.Ignore("status.updated (edits add no interaction)"),
            null => throw new PayloadException("The body needs an \"event\" name."),
            var other => Normalized.Ignore($"event '{(other.Length > 40 ? other[..40] + "…" : other)}'"),
        };
    }

    /// <summary>The host of the server a local account lives on: its <c>url</c>, else its <c>uri</c>, else the domain of <c>acct</c>.</summary>
    public static string? InstanceOf(JsonElement account) =>
        PlatformText.Host(account.Str("url"))
        ?? PlatformText.Host(account.Str("uri"))
        ?? (account.Str("acct") is { } acct && acct.LastIndexOf('@') is var at and > 0 ? PlatformText.IdPart(acct[(at + 1)..].ToLowerInvariant()) : null);

    private static Normalized Status(JsonElement? maybeStatus, string? server)
    {
        if (maybeStatus is not { ValueKind: JsonValueKind.Object } status || status.At("account") is not { ValueKind: JsonValueKind.Object } account)
        {
            throw new PayloadException("status.created needs an object with an account.");
        }

        var instance = server ?? InstanceOf(account) ?? throw new PayloadException("The status's account has no url, uri or acct domain to name its server.");
        var statusId = PlatformText.IdPart(status.Str("id"));
        var accountId = PlatformText.IdPart(account.Str("id"));
        if (statusId is null || accountId is null || status.Time("created_at") is not { } at)
        {
            throw new PayloadException("The status needs id, created_at and account.id.");
        }

        string User(string id) => $"mastodon:{instance}.{id}";
        string Item(string id) => $"mastodon:{instance}.{id}";
        string? UserOf(JsonElement e, params ReadOnlySpan<string> path) => PlatformText.IdPart(e.Str(path)) is { } id ? User(id) : null;

        var actor = User(accountId);
        var interaction = new Interaction
        {
            Id = Item(statusId),
            Kind = InteractionKind.Post,
            Actor = actor,
            ActorHandle = account.Str("acct") ?? account.Str("username"),
            // account.bot: the account says it is automated; kept and made a bot person (decision 1141).
            ActorIsBot = account.Bool("bot") == true,
            ActorName = PlatformText.DisplayName(account.Str("display_name")),
            OccurredAt = at,
        };

        if (status.At("reblog") is { ValueKind: JsonValueKind.Object } reblog)
        {
            // A boost has no text of its own and so no mentions.
            return PlatformText.IdPart(reblog.Str("id")) is { } reblogged
                ? new Normalized([interaction with { Kind = InteractionKind.Repost, Subject = new ItemRef(Item(reblogged), UserOf(reblog, "account", "id")) }])
                : throw new PayloadException("The reblog needs an id.");
        }

        var mentions = new List<string>();
        var handles = new Dictionary<string, string>();
        foreach (var mention in status.Array("mentions"))
        {
            if (mention.ValueKind == JsonValueKind.Object)
            {
                PlatformText.AddMention(mentions, handles, actor, UserOf(mention, "id"), mention.Str("acct"));
            }
        }

        var content = status.Str("content") is { } html ? PlatformText.HtmlToText(html) : "";
        var warning = status.Str("spoiler_text");
        interaction = interaction with
        {
            Mentions = mentions,
            MentionHandles = handles.Count > 0 ? handles : null,
            Text = string.IsNullOrWhiteSpace(warning) ? content : $"{warning.Trim()}\n{content}",
        };

        // Quote posts (Mastodon 4.4+): an accepted quote is a quote; pending, rejected or revoked ones are not.
        if (status.At("quote") is { ValueKind: JsonValueKind.Object } quote && quote.Str("state") == "accepted")
        {
            var quoted = quote.At("quoted_status") ?? quote.At("status");
            var quotedId = PlatformText.IdPart(quoted?.Str("id")) ?? PlatformText.IdPart(quote.Str("quoted_status_id"));
            if (quotedId is not null)
            {
                return new Normalized([interaction with
                {
                    Kind = InteractionKind.Quote,
                    Subject = new ItemRef(Item(quotedId), quoted is { } q ? UserOf(q, "account", "id") : null),
                }]);
            }
        }

        if (PlatformText.IdPart(status.Str("in_reply_to_id")) is { } parentId)
        {
            return new Normalized([interaction with
            {
                Kind = InteractionKind.Reply,
                InReplyTo = new ItemRef(Item(parentId), UserOf(status, "in_reply_to_account_id")),
            }]);
        }

        return new Normalized([interaction]);
    }
}
