using System.Globalization;
using System.Text.Json;
using Engage.Domain.Interactions;

namespace Engage.Domain.Sources;

/// <summary>
/// GitHub repository and organization webhooks (docs/sources.md has the mapping table).
/// Signature <c>X-Hub-Signature-256: sha256=hex(HMAC-SHA256(secret, body))</c>, delivery id
/// <c>X-GitHub-Delivery</c>, event name <c>X-GitHub-Event</c>. userIds are <c>github:{lower-cased login}</c>
/// (mentions name users only by login); item ids carry the object type, <c>github:issue:{id}</c>.
/// </summary>
public sealed class GitHub : WebhookSource
{
    public const string SignatureHeader = "X-Hub-Signature-256";
    public const string DeliveryHeader = "X-GitHub-Delivery";
    public const string EventHeader = "X-GitHub-Event";
    private const string Prefix = "github";

    public override string Name => "github";
    public override string SecretSetting => "Sources:GitHub:Secret";

    public override WebhookRejection? Verify(WebhookRequest request, IReadOnlyList<string> secrets, DateTimeOffset now)
    {
        if (!Signatures.PrefixedHexMatches(request.Header(SignatureHeader), "sha256=", secrets, request.Body.Span))
        {
            return WebhookRejection.Unauthorized($"{SignatureHeader} is missing or matches no configured secret.");
        }

        // Checked here, after the signature and before anything is stored: without it the body cannot be read.
        return string.IsNullOrWhiteSpace(request.Header(EventHeader))
            ? WebhookRejection.BadRequest($"The {EventHeader} header is required.")
            : null;
    }

    /// <summary><c>ping</c> (sent when a webhook is created) is answered 202 without being stored: it carries nothing.</summary>
    public override WebhookAnswer? Handshake(WebhookRequest request, JsonElement payload) =>
        Event(request) == "ping"
            ? new WebhookAcknowledged("ping: the webhook is set up and its signature verified")
            : null;

    public override string DeliveryId(WebhookRequest request, JsonElement payload) => request.Header(DeliveryHeader)?.Trim() ?? "";

    public override Normalized Normalize(WebhookRequest request, JsonElement payload)
    {
        var name = Event(request) ?? throw new PayloadException($"The {EventHeader} header is required.");
        var action = payload.Str("action");
        return (name, action) switch
        {
            ("issues", "opened") => Opened(payload, "issue", "issue"),
            ("pull_request", "opened") => Opened(payload, "pull_request", "pull_request"),
            ("discussion", "created") => Opened(payload, "discussion", "discussion"),
            ("issue_comment", "created") => IssueComment(payload),
            ("pull_request_review_comment", "created") => ReviewComment(payload),
            ("pull_request_review", "submitted") => Review(payload),
            ("discussion_comment", "created") => DiscussionComment(payload),
            ("discussion", "answered") => Answered(payload),
            ("star", "created") or ("watch", "started") => Star(payload, name),
            ("fork", _) => Fork(payload),
            _ => Normalized.Ignore($"{(action is null ? name : $"{name}.{action}")} is not an interaction"),
        };
    }

    private static string? Event(WebhookRequest request) =>
        request.Header(EventHeader)?.Trim().ToLowerInvariant() is { Length: > 0 } e ? e : null;

    // ---- mapping -------------------------------------------------------------------------------

    /// <summary>An issue, pull request or discussion: a post by its author, text = title + body.</summary>
    private static Normalized Opened(JsonElement payload, string field, string type)
    {
        var item = Required(payload, field);
        var author = Account(item, "user", field);
        return One(WithText(new Interaction
        {
            Id = ItemId(type, Id(item, field)),
            Kind = InteractionKind.Post,
            Actor = author.UserId,
            ActorHandle = author.Login,
            OccurredAt = Time(item, "created_at", field),
        }, Join(item.Str("title"), GitHubMarkdown.OwnText(item.Str("body")))), author);
    }

    /// <summary>
    /// A comment on an issue or a pull request (a pull request's conversation comments arrive as
    /// <c>issue_comment</c>, with <c>issue.pull_request</c> set). The parent is <c>github:issue:{issue.id}</c>
    /// in both cases, since the payload carries no pull request id; its author comes from the payload.
    /// </summary>
    private static Normalized IssueComment(JsonElement payload)
    {
        var issue = Required(payload, "issue");
        var comment = Required(payload, "comment");
        var actor = Account(comment, "user", "comment");
        var parentAuthor = Account(issue, "user", "issue").UserId;
        return One(Comment(comment, "comment", "issue_comment", actor,
            new ItemRef(ItemId("issue", Id(issue, "issue")), parentAuthor), parentAuthor), actor);
    }

    /// <summary>A line comment on a pull request: a reply to the comment it answers, else to the pull request.</summary>
    private static Normalized ReviewComment(JsonElement payload)
    {
        var pr = Required(payload, "pull_request");
        var comment = Required(payload, "comment");
        var actor = Account(comment, "user", "comment");
        var prAuthor = Account(pr, "user", "pull_request").UserId;
        var parent = comment.Long("in_reply_to_id") is { } parentId
            ? new ItemRef(ItemId("pull_request_review_comment", Number(parentId)), null)
            : new ItemRef(ItemId("pull_request", Id(pr, "pull_request")), prAuthor);
        return One(Comment(comment, "comment", "pull_request_review_comment", actor, parent, prAuthor), actor);
    }

    /// <summary>
    /// A submitted review: with a body, a reply to the pull request; an approval without a body, a
    /// reaction to it; anything else carries nothing of its own (its line comments arrive as
    /// <c>pull_request_review_comment</c>).
    /// </summary>
    private static Normalized Review(JsonElement payload)
    {
        var pr = Required(payload, "pull_request");
        var review = Required(payload, "review");
        var actor = Account(review, "user", "review");
        var target = new ItemRef(ItemId("pull_request", Id(pr, "pull_request")), Account(pr, "user", "pull_request").UserId);
        var text = GitHubMarkdown.OwnText(review.Str("body"));
        var approved = string.Equals(review.Str("state"), "approved", StringComparison.OrdinalIgnoreCase);
        if (text is null && !approved)
        {
            return Normalized.Ignore("pull_request_review.submitted without a body is not an interaction (its line comments arrive as pull_request_review_comment)");
        }

        var interaction = new Interaction
        {
            Id = ItemId("review", Id(review, "review")),
            Kind = text is null ? InteractionKind.Reaction : InteractionKind.Reply,
            Actor = actor.UserId,
            ActorHandle = actor.Login,
            OccurredAt = Time(review, "submitted_at", "review"),
            InReplyTo = text is null ? null : target,
            Subject = text is null ? target : null,
            ThreadRootAuthor = text is null ? null : target.Author,
        };
        return One(text is null ? interaction : WithText(interaction, text), actor);
    }

    /// <summary>A discussion comment: a reply to the comment in <c>parent_id</c>, else to the discussion.</summary>
    private static Normalized DiscussionComment(JsonElement payload)
    {
        var discussion = Required(payload, "discussion");
        var comment = Required(payload, "comment");
        var actor = Account(comment, "user", "comment");
        var (parent, root) = DiscussionParent(discussion, comment);
        return One(Comment(comment, "comment", "discussion_comment", actor, parent, root), actor);
    }

    /// <summary>
    /// An answer marked as accepted: the acceptance fact of the answer comment, with the same id as its
    /// reply (<c>discussion_comment.created</c>), its time and parent, and <c>accepted</c> set.
    /// </summary>
    private static Normalized Answered(JsonElement payload)
    {
        var discussion = Required(payload, "discussion");
        var answer = Required(payload, "answer");
        var actor = Account(answer, "user", "answer");
        var (parent, root) = DiscussionParent(discussion, answer);
        return One(Comment(answer, "answer", "discussion_comment", actor, parent, root) with { Accepted = true }, actor);
    }

    private static (ItemRef Parent, string Root) DiscussionParent(JsonElement discussion, JsonElement comment)
    {
        var root = Account(discussion, "user", "discussion").UserId;
        var parent = comment.Long("parent_id") is { } parentId
            ? new ItemRef(ItemId("discussion_comment", Number(parentId)), null)
            : new ItemRef(ItemId("discussion", Id(discussion, "discussion")), root);
        return (parent, root);
    }

    /// <summary>
    /// A star, a reaction to the repository's owner. <c>watch.started</c> is GitHub's older name for the
    /// same act and is sent alongside <c>star.created</c>: both map to one id, so a star counts once.
    /// </summary>
    private static Normalized Star(JsonElement payload, string name)
    {
        var repository = Required(payload, "repository");
        var sender = Account(payload, "sender", "");
        // watch carries no time of its own; the repository's updated_at moves with its star count.
        var at = (name == "star" ? payload.Time("starred_at") : null) ?? Time(repository, "updated_at", "repository");
        var repositoryId = Id(repository, "repository");
        return One(new Interaction
        {
            Id = $"{Prefix}:star:{repositoryId}:{sender.Login.ToLowerInvariant()}",
            Kind = InteractionKind.Reaction,
            Actor = sender.UserId,
            ActorHandle = sender.Login,
            OccurredAt = at,
            Subject = new ItemRef(ItemId("repository", repositoryId), Account(repository, "owner", "repository").UserId),
        }, sender);
    }

    /// <summary>A fork: a repost of the repository, by whoever forked it.</summary>
    private static Normalized Fork(JsonElement payload)
    {
        var repository = Required(payload, "repository");
        var forkee = Required(payload, "forkee");
        var sender = Account(payload, "sender", "");
        return One(new Interaction
        {
            Id = ItemId("fork", Id(forkee, "forkee")),
            Kind = InteractionKind.Repost,
            Actor = sender.UserId,
            ActorHandle = sender.Login,
            OccurredAt = Time(forkee, "created_at", "forkee"),
            Subject = new ItemRef(ItemId("repository", Id(repository, "repository")), Account(repository, "owner", "repository").UserId),
        }, sender);
    }

    /// <summary>A reply by <paramref name="actor"/> built from a comment object (id, created_at, body).</summary>
    private static Interaction Comment(JsonElement comment, string field, string type, GitHubAccount actor, ItemRef parent, string threadRootAuthor) =>
        WithText(new Interaction
        {
            Id = ItemId(type, Id(comment, field)),
            Kind = InteractionKind.Reply,
            Actor = actor.UserId,
            ActorHandle = actor.Login,
            OccurredAt = Time(comment, "created_at", field),
            InReplyTo = parent,
            ThreadRootAuthor = threadRootAuthor,
        }, GitHubMarkdown.OwnText(comment.Str("body")));

    /// <summary>Sets the actor's own text and the users it mentions (distinct, lower-cased, the actor excluded).</summary>
    private static Interaction WithText(Interaction interaction, string? text)
    {
        var mentions = new List<string>();
        var handles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var login in GitHubMarkdown.Mentions(text))
        {
            var user = UserId(login);
            if (user != interaction.Actor && handles.TryAdd(user, login))
            {
                mentions.Add(user);
            }
        }

        return interaction with
        {
            Text = text,
            Mentions = mentions,
            MentionHandles = handles.Count == 0 ? null : handles,
        };
    }

    /// <summary>
    /// One interaction by <paramref name="actor"/>, with what the account object says about it: a bot flag
    /// (<c>type: Bot</c>; the interaction is kept and the identity becomes a <c>bot</c> person, decision 1141), and
    /// the display name and profile links when the object carries them (imported user objects do; decision 1144).
    /// </summary>
    private static Normalized One(Interaction interaction, GitHubAccount actor) => new([interaction with
    {
        ActorIsBot = actor.Bot,
        ActorName = actor.Name,
        ActorLinks = actor.Links,
    }]);

    // ---- reading -------------------------------------------------------------------------------

    /// <summary>A GitHub account as the mapping needs it.</summary>
    private sealed record GitHubAccount(string UserId, string Login, bool Bot, string? Name = null, IReadOnlyList<string>? Links = null);

    public static string UserId(string login) => UserIds.Of(Prefix, login.ToLowerInvariant());

    private static string ItemId(string type, string id) => $"{Prefix}:{type}:{id}";

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Dotted(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    private static JsonElement Required(JsonElement payload, string field) =>
        payload.At(field) is { ValueKind: JsonValueKind.Object } o
            ? o
            : throw new PayloadException($"\"{field}\" must be an object.");

    private static GitHubAccount Account(JsonElement parent, string field, string where)
    {
        var login = parent.Str(field, "login");
        if (string.IsNullOrWhiteSpace(login))
        {
            throw new PayloadException($"\"{Dotted(where, field)}.login\" is required.");
        }

        return new GitHubAccount(UserId(login), login, string.Equals(parent.Str(field, "type"), "Bot", StringComparison.Ordinal),
            PlatformText.DisplayName(parent.Str(field, "name")), PlatformText.ProfileLinks(parent.Str(field, "twitter_username"), parent.Str(field, "blog")));
    }

    private static string Id(JsonElement item, string where) =>
        item.Long("id") is { } id
            ? Number(id)
            : throw new PayloadException($"\"{Dotted(where, "id")}\" must be a number.");

    private static DateTimeOffset Time(JsonElement item, string field, string where) =>
        item.Time(field) ?? throw new PayloadException($"\"{Dotted(where, field)}\" must be an ISO-8601 time.");

    private static string? Join(string? title, string? body) =>
        string.IsNullOrWhiteSpace(title) ? body
        : body is null ? title.Trim()
        : $"{title.Trim()}\n\n{body}";
}
