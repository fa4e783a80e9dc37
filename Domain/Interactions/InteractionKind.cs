namespace Engage.Domain.Interactions;

/// <summary>The structural kind of an interaction: exactly one per interaction (docs/scoring.md).</summary>
public enum InteractionKind
{
    Post,
    Reply,
    Repost,
    Quote,
    Reaction,
    Follow,
}
