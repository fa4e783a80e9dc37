using System.Text.Json.Serialization;

namespace Engage.Domain.Interactions;

/// <summary>An item another interaction refers to: its id and, where the payload names it, its author.</summary>
public sealed record ItemRef(string? Id, string? Author);

/// <summary>
/// A canonical interaction (docs/scoring.md): one structural kind, an actor, what it refers to,
/// who it mentions, when it happened (platform time) and the actor's own text.
/// </summary>
public sealed record Interaction
{
    public required string Id { get; init; }
    public required InteractionKind Kind { get; init; }
    public required string Actor { get; init; }
    public string? ActorHandle { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>
    /// True when the platform itself flags the actor as an automated account (GitHub <c>type: Bot</c>, Slack
    /// <c>bot_id</c>, Mastodon <c>account.bot</c>). The interaction is kept; ingestion makes the identity a
    /// <c>bot</c> person (docs/decisions/1141), so the figures leave it out by default.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ActorIsBot { get; init; }

    /// <summary>The actor's display name, where the payload carries one (for merge suggestions; decision 1144).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ActorName { get; init; }

    /// <summary>Profile links the actor gives on the platform (a GitHub user's <c>blog</c>, <c>twitter_username</c> as <c>x:{handle}</c>), where the payload carries them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ActorLinks { get; init; }

    /// <summary>For replies: the item replied to. <see cref="ItemRef.Author"/> may be null when only the items index knows it.</summary>
    public ItemRef? InReplyTo { get; init; }

    /// <summary>For repost, quote, reaction: the item acted on; for follow: <c>{author}</c> only.</summary>
    public ItemRef? Subject { get; init; }

    /// <summary>Distinct userIds mentioned in the actor's own text, excluding the actor.</summary>
    public IReadOnlyList<string> Mentions { get; init; } = [];

    /// <summary>Handles of mentioned users, by userId, for display (optional).</summary>
    public IReadOnlyDictionary<string, string>? MentionHandles { get; init; }

    public string? Text { get; init; }

    /// <summary>True when the platform marks this reply as the accepted answer.</summary>
    public bool Accepted { get; init; }

    /// <summary>
    /// Author of the thread's root item, when the payload names it: the fallback target of a reply
    /// whose parent never shows up in the items index.
    /// </summary>
    public string? ThreadRootAuthor { get; init; }

    /// <summary>Users who receive a give from this interaction (<see cref="Gives"/>), parent authors the payload does not name excluded.</summary>
    public IReadOnlyList<string> KnownGiveTargets() => Gives.Targets(Kind, Actor, InReplyTo?.Author, Subject?.Author, Mentions);

    /// <summary>True when a reply's parent author must be resolved through the items index.</summary>
    public bool NeedsParentAuthor => Kind == InteractionKind.Reply && InReplyTo?.Id is not null && InReplyTo.Author is null;
}
