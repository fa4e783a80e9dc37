using Engage.Domain.Facts;
using Engage.Domain.People;
using Engage.Domain.Scoring;
using Engage.Functions.Storage;

namespace Engage.Functions.People;

/// <summary>A person's facts in a window, mapped to people: what the person reads and the person's digest fold.</summary>
/// <param name="Rows">The union of the identities' fact rows (for handles).</param>
/// <param name="Interactions">The resolved interactions, every linked identity replaced by its personId.</param>
/// <param name="NameOf">The person's own name, another person's name, or an identity's handle.</param>
public sealed record PersonFacts(IReadOnlyList<Fact> Rows, IReadOnlyList<Resolved> Interactions, Func<string, string?> NameOf);

/// <summary>
/// Reads every identity's partition for the window, merges rows of the same interaction (an interaction between
/// two of the person's identities sits in both partitions), then maps every linked userId — the person's and
/// anyone else's — to its personId (<see cref="PersonMapping"/>, docs/decisions/0503).
/// </summary>
public sealed class PersonReader(PeopleStore people, FactStore facts)
{
    public async Task<PersonFacts> ReadAsync(Person person, Window window, CancellationToken ct)
    {
        var rows = (await Task.WhenAll(person.Identities.Select(u => facts.ReadAsync(u, window, ct)))).SelectMany(f => f).ToList();
        var interactions = await facts.ResolveAsync(rows, ct);
        var others = interactions.SelectMany(Ids).Where(id => !person.Identities.Contains(id, StringComparer.Ordinal));
        var links = new Dictionary<string, string>(await people.PersonOfAsync(others, ct), StringComparer.Ordinal);
        foreach (var own in person.Identities)
        {
            links[own] = person.PersonId;
        }

        var mapped = PersonMapping.Map(interactions, id => links.GetValueOrDefault(id));
        var heads = await people.HeadsAsync(links.Values.Where(v => v != person.PersonId), ct);
        var handles = new HandleBook(rows);
        string? NameOf(string id) => id == person.PersonId ? person.Name
            : PersonIds.IsPerson(id) ? heads.TryGetValue(id, out var h) ? h.Name : null
            : handles.Of(id);
        return new PersonFacts(rows, mapped, NameOf);
    }

    private static IEnumerable<string> Ids(Resolved i)
    {
        yield return i.Actor;
        if (i.ParentAuthor is { } parent)
        {
            yield return parent;
        }

        if (i.SubjectAuthor is { } subject)
        {
            yield return subject;
        }

        foreach (var m in i.Mentions)
        {
            yield return m;
        }
    }
}
