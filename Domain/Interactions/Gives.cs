namespace Engage.Domain.Interactions;

/// <summary>
/// The gives rule (docs/scoring.md "Gives"), in one place: an interaction by the actor gives, once per
/// distinct user other than the actor, to the parent's author (reply), to the subject's author
/// (repost, quote, reaction, follow), and to every user a post, reply or quote mentions.
/// Ingestion (<see cref="Interaction.KnownGiveTargets"/>) and the folds (<c>Resolved.GiveTargets</c>) both ask it.
/// </summary>
public static class Gives
{
    /// <param name="parentAuthor">The replied-to item's author, when known (null: not known, no give to it).</param>
    /// <param name="subjectAuthor">The author of the item acted on, or the user followed.</param>
    public static IReadOnlyList<string> Targets(InteractionKind kind, string actor, string? parentAuthor, string? subjectAuthor, IReadOnlyCollection<string> mentions)
    {
        var targets = new List<string>(1 + mentions.Count);
        void Add(string? user)
        {
            if (!string.IsNullOrEmpty(user) && user != actor && !targets.Contains(user))
            {
                targets.Add(user);
            }
        }

        if (kind == InteractionKind.Reply)
        {
            Add(parentAuthor);
        }
        else if (kind is InteractionKind.Repost or InteractionKind.Quote or InteractionKind.Reaction or InteractionKind.Follow)
        {
            Add(subjectAuthor);
        }

        if (kind is InteractionKind.Post or InteractionKind.Reply or InteractionKind.Quote)
        {
            foreach (var mention in mentions)
            {
                Add(mention);
            }
        }

        return targets;
    }
}
