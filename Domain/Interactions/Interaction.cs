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
