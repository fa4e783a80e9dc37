using Engage.Domain.Facts;

namespace Engage.Domain.Interactions;

/// <summary>
/// What Table Storage can hold: checked before a delivery is answered 202, so an interaction that
/// storage would reject later can never sink the queue message that carries it (data loss).
/// </summary>
public static class InteractionLimits
{
    /// <summary>Table keys hold 1 KiB; a fact's row key is a time, the escaped id and a suffix.</summary>
    public const int MaxEscapedIdLength = 400;
    public const int MaxHandleLength = 256;
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromDays(1);

    /// <summary>Null when the interaction can be stored; otherwise why not.</summary>
    public static string? Problem(Interaction i, DateTimeOffset now)
    {
        if (i.OccurredAt < Earliest || i.OccurredAt > now + MaxFutureSkew)
        {
            return $"{i.Id}: occurredAt {i.OccurredAt:O} is before 2000 or more than a day in the future.";
        }

        foreach (var (what, id) in new[] { ("id", i.Id), ("inReplyTo.id", i.InReplyTo?.Id), ("subject.id", i.Subject?.Id) })
        {
            if (id is not null && (id.Length == 0 || FactKeys.Escape(id).Length > MaxEscapedIdLength))
            {
                return $"{what} must be 1 to {MaxEscapedIdLength} characters (after escaping / \\ # ? %).";
            }
        }

        foreach (var user in new[] { i.Actor, i.InReplyTo?.Author, i.Subject?.Author, i.ThreadRootAuthor }.Concat(i.Mentions))
        {
            if (user is not null && !UserIds.IsValid(user))
            {
                return $"{i.Id}: '{user}' is not a userId ([A-Za-z0-9._:-], at most 256).";
            }
        }

        return i.ActorHandle is { Length: > MaxHandleLength } || (i.MentionHandles?.Values.Any(h => h.Length > MaxHandleLength) ?? false)
            ? $"{i.Id}: handles are at most {MaxHandleLength} characters."
            : null;
    }
}
