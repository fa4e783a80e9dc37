using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engage.Domain.Sources;

namespace Engage.Domain.Import;

/// <summary>
/// One item of a platform's history, dressed as the webhook delivery that announced it would have been:
/// the same headers and the same payload shape. Normalizing it with the webhook source gives the same
/// interactions, with the same ids, as the webhook — so an item seen both ways counts once, and "what an
/// issue comment means" is written in one place (the source).
/// </summary>
public sealed record HistoryItem(IReadOnlyDictionary<string, string> Headers, JsonObject Payload)
{
    private static readonly IReadOnlyDictionary<string, string> NoQuery = new Dictionary<string, string>();

    /// <summary>Normalizes the item with <paramref name="source"/>; throws what the source throws for a payload it cannot read.</summary>
    public Normalized NormalizeWith(WebhookSource source)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(Payload);
        using var document = JsonDocument.Parse(body);
        return source.Normalize(new WebhookRequest("POST", Headers, NoQuery, body), document.RootElement);
    }

    internal static JsonNode? Copy(JsonElement element) => JsonNode.Parse(element.GetRawText());
}

/// <summary>An issue or pull request as a comment's parent: its id and its author's account.</summary>
public sealed record GitHubParent(long Id, string Login, string? Type)
{
    public static GitHubParent? Of(JsonElement item) =>
        item.Long("id") is { } id && item.Str("user", "login") is { Length: > 0 } login
            ? new GitHubParent(id, login, item.Str("user", "type"))
            : null;

    internal JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["user"] = new JsonObject { ["login"] = Login, ["type"] = Type },
    };
}

/// <summary>GitHub REST objects (issues, pull requests, comments) as the webhook events that create them.</summary>
public static class GitHubHistory
{
    /// <summary>An issue from <c>GET /repos/{owner}/{repo}/issues</c> (not a pull request: those carry <c>pull_request</c>).</summary>
    public static HistoryItem Issue(JsonElement issue) =>
        Event("issues", new JsonObject { ["action"] = "opened", ["issue"] = HistoryItem.Copy(issue) });

    /// <summary>A pull request from <c>GET /repos/{owner}/{repo}/pulls</c> (its own id, which <c>pull_request.opened</c> uses).</summary>
    public static HistoryItem PullRequest(JsonElement pull) =>
        Event("pull_request", new JsonObject { ["action"] = "opened", ["pull_request"] = HistoryItem.Copy(pull) });

    /// <summary>A conversation comment from <c>GET /repos/{owner}/{repo}/issues/comments</c>, with the issue (or pull request's issue) it belongs to.</summary>
    public static HistoryItem IssueComment(JsonElement comment, GitHubParent issue) =>
        Event("issue_comment", new JsonObject { ["action"] = "created", ["issue"] = issue.ToJson(), ["comment"] = HistoryItem.Copy(comment) });

    /// <summary>A review comment from <c>GET /repos/{owner}/{repo}/pulls/comments</c>, with its pull request.</summary>
    public static HistoryItem ReviewComment(JsonElement comment, GitHubParent pull) =>
        Event("pull_request_review_comment", new JsonObject { ["action"] = "created", ["pull_request"] = pull.ToJson(), ["comment"] = HistoryItem.Copy(comment) });

    /// <summary>A discussion (GraphQL node mapped to the webhook's REST shape by the importer).</summary>
    public static HistoryItem Discussion(JsonObject discussion) =>
        Event("discussion", new JsonObject { ["action"] = "created", ["discussion"] = discussion });

    /// <summary>A discussion comment (GraphQL node mapped to the webhook's REST shape by the importer).</summary>
    public static HistoryItem DiscussionComment(JsonObject discussion, JsonObject comment) =>
        Event("discussion_comment", new JsonObject { ["action"] = "created", ["discussion"] = discussion, ["comment"] = comment });

    /// <summary>The acceptance of a discussion's answer (its own fact, as the webhook makes it).</summary>
    public static HistoryItem DiscussionAnswered(JsonObject discussion, JsonObject answer) =>
        Event("discussion", new JsonObject { ["action"] = "answered", ["discussion"] = discussion, ["answer"] = answer });

    /// <summary>The number at the end of an <c>issue_url</c> or <c>pull_request_url</c>.</summary>
    public static int? NumberFromUrl(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return null;
        }

        var slash = url.TrimEnd('/').LastIndexOf('/');
        return int.TryParse(url.AsSpan(slash + 1).TrimEnd('/'), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    private static HistoryItem Event(string name, JsonObject payload) =>
        new(new Dictionary<string, string> { [GitHub.EventHeader] = name }, payload);
}

/// <summary>Mastodon statuses (REST) as the <c>status.created</c> webhook that carries them.</summary>
public static class MastodonHistory
{
    /// <summary>A status as <paramref name="server"/>'s API returned it (its ids are that server's; null: the author's home server).</summary>
    public static HistoryItem Status(JsonElement status, string? server = null) => new(
        server is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [Mastodon.ServerHeader] = server },
        new JsonObject { ["event"] = "status.created", ["created_at"] = status.Str("created_at"), ["object"] = HistoryItem.Copy(status) });
}

/// <summary>Discourse posts (REST, <c>/t/{id}.json</c>) as the <c>post_created</c> webhook.</summary>
public static class DiscourseHistory
{
    /// <summary>
    /// The REST API gives a post's HTML (<c>cooked</c>) and its markdown (<c>raw</c>) only on request; the webhook
    /// carries <c>raw</c>. Where <c>raw</c> is absent the text of <c>cooked</c> stands in for it (mentions stay
    /// <c>@name</c> in both).
    /// </summary>
    public static HistoryItem Post(string forumBaseUrl, JsonElement post)
    {
        var copy = HistoryItem.Copy(post)!.AsObject();
        if (post.Str("raw") is null && post.Str("cooked") is { } cooked)
        {
            copy["raw"] = PlatformText.HtmlToText(cooked);
        }

        return new HistoryItem(
            new Dictionary<string, string>
            {
                [Discourse.EventHeader] = "post_created",
                [Discourse.EventTypeHeader] = "post",
                [Discourse.InstanceHeader] = forumBaseUrl,
            },
            new JsonObject { ["post"] = copy });
    }
}

/// <summary>Slack messages (<c>conversations.history</c> / <c>.replies</c>) as the Events API <c>message</c> event.</summary>
public static class SlackHistory
{
    /// <summary>
    /// <paramref name="appBotUserId"/> is the importing app's own bot user (<c>auth.test</c>'s <c>user_id</c>): the
    /// Events API names it in <c>authorizations</c>, and mentions of it address the app, not a person.
    /// </summary>
    public static HistoryItem Message(string teamId, string channel, JsonElement message, string? appBotUserId = null)
    {
        var e = HistoryItem.Copy(message)!.AsObject();
        e["type"] = "message";
        e["channel"] = channel;
        var payload = new JsonObject { ["type"] = "event_callback", ["team_id"] = teamId, ["event"] = e };
        if (appBotUserId is not null)
        {
            payload["authorizations"] = new JsonArray(new JsonObject { ["is_bot"] = true, ["user_id"] = appBotUserId });
        }

        return new HistoryItem(new Dictionary<string, string>(), payload);
    }
}
