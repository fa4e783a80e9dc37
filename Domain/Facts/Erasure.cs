namespace Engage.Domain.Facts;

/// <summary>
/// What erasing a user means for the fact rows of the interactions they took part in
/// (docs/decisions/0301-erasure.md). The erased user's partition names every such interaction; each
/// row there says which other partitions hold a row of the same interaction.
/// </summary>
public static class Erasure
{
    /// <summary>
    /// Users other than <paramref name="erased"/> whose partitions may hold a row of this fact's
    /// interaction: its actor and every user it names (parent author, subject author, mentions).
    /// <paramref name="parentAuthor"/> is the parent's author from the items index, for a reply whose
    /// row does not name it (a give resolved after ingest was written to that author's partition).
    /// </summary>
    public static IReadOnlyList<string> OtherUsers(Fact fact, string erased, string? parentAuthor = null)
    {
        var users = new List<string>(3 + fact.Mentions.Count);
        void Add(string? user)
        {
            if (!string.IsNullOrEmpty(user) && user != erased && !users.Contains(user))
            {
                users.Add(user);
            }
        }

        Add(fact.Actor);
        Add(fact.InReplyToAuthor ?? parentAuthor);
        Add(fact.SubjectAuthor);
        foreach (var mention in fact.Mentions)
        {
            Add(mention);
        }

        return users;
    }

    /// <summary>True when the erased user acted: the interaction is theirs and goes with them, from every partition.</summary>
    public static bool IsTheirs(Fact fact, string erased) => fact.Actor == erased;

    /// <summary>
    /// Someone else's interaction with the erased user no longer naming them: parent and subject author
    /// cleared, mention and handle dropped. The actor's own activity stays counted; it gives to nobody
    /// in the erased user's place. Null when the row does not name them (nothing to rewrite).
    /// </summary>
    public static Fact? Scrub(Fact fact, string erased)
    {
        if (IsTheirs(fact, erased))
        {
            throw new ArgumentException("The erased user's own interactions are deleted, not scrubbed.", nameof(fact));
        }

        var names = fact.InReplyToAuthor == erased || fact.SubjectAuthor == erased
            || fact.Mentions.Contains(erased) || fact.Handles?.ContainsKey(erased) == true;
        if (!names)
        {
            return null;
        }

        return fact with
        {
            InReplyToAuthor = fact.InReplyToAuthor == erased ? null : fact.InReplyToAuthor,
            SubjectAuthor = fact.SubjectAuthor == erased ? null : fact.SubjectAuthor,
            Mentions = fact.Mentions.Where(m => m != erased).ToList(),
            Handles = fact.Handles?.Where(h => h.Key != erased).ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal),
        };
    }
}
