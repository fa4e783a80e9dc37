using System.Text.RegularExpressions;
using Engage.Domain.Facts;

namespace Engage.Domain.People;

/// <summary>What a person is to the community: <c>team</c> and <c>bot</c> people are kept out of community figures by default.</summary>
public static class PersonRoles
{
    public const string Member = "member";
    public const string Team = "team";
    public const string Bot = "bot";

    public static bool IsValid(string? role) => role is Member or Team or Bot;
}

/// <summary>A person: a set of platform identities (userIds) that are one human (or one bot).</summary>
public sealed record Person(string PersonId, string? Name, string Role, IReadOnlyList<string> Identities);

/// <summary>personIds are <c>[A-Za-z0-9._-]</c>, 1–64 characters: no <c>:</c>, so a personId is never a platform userId.</summary>
public static partial class PersonIds
{
    public const int MaxIdentities = 50;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Valid();

    public static bool IsValid(string? personId) => personId is not null && Valid().IsMatch(personId);

    /// <summary>True for an id the person mapping produced (a personId) rather than a platform userId.</summary>
    public static bool IsPerson(string id) => !id.Contains(':', StringComparison.Ordinal);

    /// <summary>The prefix of the people ingestion creates for platform-flagged bots (docs/decisions/1141).</summary>
    public const string BotPrefix = "bot-";

    /// <summary>
    /// The personId of the automatic bot person of <paramref name="userId"/>: <c>bot-{source}.{id}</c> when that is
    /// a valid personId and cannot be read two ways (the source has no <c>.</c>, the id no <c>:</c>), else a
    /// readable prefix and a hash of the whole userId, so two identities never share a bot person.
    /// </summary>
    public static string ForBot(string userId)
    {
        var colon = userId.IndexOf(':', StringComparison.Ordinal);
        var plain = BotPrefix + userId.Replace(':', '.');
        if (colon > 0 && userId.IndexOf('.', 0, colon) < 0 && userId.IndexOf(':', colon + 1) < 0 && IsValid(plain))
        {
            return plain;
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(userId)))[..12];
        var readable = new string(plain.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-').Take(64 - 13).ToArray());
        return $"{readable}-{hash}";
    }
}

/// <summary>
/// Merging is a read-time mapping, never a rewrite of facts: the interactions of a person's identities are
/// folded with every linked identity replaced by its personId. The folds then see one user, so gives between
/// one person's identities give nothing (a give never goes to its own actor) and a reply to one's own other
/// identity is a thread continuation. With no link, every id maps to itself and the figures are the per-identity ones.
/// </summary>
public static class PersonMapping
{
    /// <param name="personOf">The personId an identity is linked to, or null.</param>
    public static IReadOnlyList<Resolved> Map(IReadOnlyList<Resolved> interactions, Func<string, string?> personOf)
    {
        string Of(string id) => personOf(id) ?? id;
        string? OfNullable(string? id) => id is null ? null : Of(id);
        var mapped = new List<Resolved>(interactions.Count);
        foreach (var i in interactions)
        {
            var actor = Of(i.Actor);
            mapped.Add(i with
            {
                Actor = actor,
                ParentAuthor = OfNullable(i.ParentAuthor),
                SubjectAuthor = OfNullable(i.SubjectAuthor),
                Mentions = i.Mentions.Select(Of).Where(m => m != actor).Distinct(StringComparer.Ordinal).ToList(),
            });
        }

        return mapped;
    }
}

/// <summary>Which roles a read counts: members always; <c>team</c> and <c>bot</c> only when asked for (<c>?include=team,bot</c>).</summary>
public sealed record RoleFilter(bool Team, bool Bot)
{
    public static readonly RoleFilter MembersOnly = new(false, false);

    /// <summary>Parses <c>include</c>: empty, or a comma-separated list of <c>team</c> and <c>bot</c>.</summary>
    public static (RoleFilter? Filter, string? Error) Parse(string? include)
    {
        if (string.IsNullOrWhiteSpace(include))
        {
            return (MembersOnly, null);
        }

        bool team = false, bot = false;
        foreach (var part in include.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            switch (part)
            {
                case PersonRoles.Team: team = true; break;
                case PersonRoles.Bot: bot = true; break;
                default: return (null, "include must be a comma-separated list of \"team\" and \"bot\".");
            }
        }

        return (new RoleFilter(team, bot), null);
    }

    public bool Counts(string role) => role switch
    {
        PersonRoles.Team => Team,
        PersonRoles.Bot => Bot,
        _ => true,
    };
}

public static class PersonFilter
{
    /// <summary>
    /// Leaves out people the filter does not count: their interactions go, and gives to them are dropped from
    /// the rest (a reply to a bot stays a reply of its author, with no one to give to).
    /// </summary>
    public static IReadOnlyList<Resolved> Exclude(IReadOnlyList<Resolved> mapped, Func<string, bool> excluded)
    {
        var kept = new List<Resolved>(mapped.Count);
        foreach (var i in mapped)
        {
            if (excluded(i.Actor))
            {
                continue;
            }

            var parent = i.ParentAuthor is { } p && excluded(p) ? null : i.ParentAuthor;
            var subject = i.SubjectAuthor is { } s && excluded(s) ? null : i.SubjectAuthor;
            var mentions = i.Mentions.Any(excluded) ? i.Mentions.Where(m => !excluded(m)).ToList() : i.Mentions;
            kept.Add(parent == i.ParentAuthor && subject == i.SubjectAuthor && ReferenceEquals(mentions, i.Mentions)
                ? i
                : i with { ParentAuthor = parent, SubjectAuthor = subject, Mentions = mentions });
        }

        return kept;
    }
}
