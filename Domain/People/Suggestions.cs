using System.Globalization;
using System.Text;

namespace Engage.Domain.People;

/// <summary>Identities that are likely one person, why, and how sure (0–1). Never applied automatically.</summary>
public sealed record Suggestion(IReadOnlyList<string> Identities, string Reason, double Confidence);

/// <summary>What a platform says about an identity beyond its handle: its display name and the X handles its profile names (<c>x:{handle}</c>).</summary>
public sealed record IdentityProfile(string UserId, string? Name, IReadOnlyList<string> Links);

public static class Suggestions
{
    /// <summary>A GitHub profile (<c>twitter_username</c>, or a <c>blog</c> that is an X profile) names the X account's handle: the person said so.</summary>
    public const double ProfileLink = 0.9;
    public const double SameHandle = 0.8;

    /// <summary>The same display name of at least <see cref="MinNameTokens"/> words, shared by at most <see cref="MaxNameGroup"/> identities.</summary>
    public const double SameName = 0.6;
    public const double SimilarHandle = 0.5;

    /// <summary>A one-word name ("Ana", "admin") says too little to suggest anything.</summary>
    public const int MinNameTokens = 2;

    /// <summary>A name shared by more identities than this is a common name, not one person.</summary>
    public const int MaxNameGroup = 4;

    /// <summary>
    /// Identities on different platforms that look like one person: a profile naming the other's X handle
    /// (0.9), the same handle ignoring case (0.8), the same display name of two words or more that few
    /// identities share (0.6), the same handle once punctuation is removed (<c>ana_lima</c> / <c>ana.lima</c>, 0.5).
    /// Identities already linked to one person are not suggested again; a group whose identities a more
    /// confident suggestion already covers is left out. Most confident first, then by identities.
    /// </summary>
    public static IReadOnlyList<Suggestion> From(IEnumerable<(string UserId, string Handle)> handles, Func<string, string?> personOf, int top,
        IEnumerable<IdentityProfile>? profiles = null)
    {
        var known = handles.Where(h => h.Handle.Length > 0).DistinctBy(h => h.UserId).ToList();
        var profileList = (profiles ?? []).DistinctBy(p => p.UserId).ToList();
        var candidates = new List<(List<string> Ids, string Reason, double Confidence)>();

        // Profile links: github:ana says x:@ana_codes, and x:123's handle is ana_codes.
        var xByHandle = known.Where(h => Source(h.UserId) == "x").ToLookup(h => h.Handle.TrimStart('@').ToLowerInvariant(), h => h.UserId);
        foreach (var profile in profileList)
        {
            foreach (var link in profile.Links.Where(l => l.StartsWith("x:", StringComparison.Ordinal)))
            {
                var handle = link[2..];
                foreach (var x in xByHandle[handle].Where(x => x != profile.UserId))
                {
                    candidates.Add((new[] { profile.UserId, x }.Order(StringComparer.Ordinal).ToList(),
                        $"the {Source(profile.UserId)} profile of {profile.UserId} names the x handle @{handle}", ProfileLink));
                }
            }
        }

        candidates.AddRange(Groups(known, h => h.ToLowerInvariant(), "same handle", SameHandle));
        var named = profileList.Where(p => p.Name is not null).Select(p => (p.UserId, Handle: p.Name!)).ToList();
        candidates.AddRange(Groups(named, NameKey, "same display name", SameName, MaxNameGroup));
        candidates.AddRange(Groups(known, Normalize, "similar handles", SimilarHandle));

        var found = new List<Suggestion>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (ids, reason, confidence) in candidates.OrderByDescending(c => c.Confidence))
        {
            var persons = ids.Select(id => personOf(id) ?? id).Distinct(StringComparer.Ordinal).Count();
            if (persons < 2 || ids.All(taken.Contains))
            {
                continue;
            }

            taken.UnionWith(ids);
            found.Add(new Suggestion(ids, reason, confidence));
        }

        return found.OrderByDescending(s => s.Confidence).ThenBy(s => s.Identities[0], StringComparer.Ordinal).Take(top).ToList();
    }

    /// <summary>Groups of identities on at least two platforms sharing a key (at most <paramref name="maxMembers"/> of them).</summary>
    private static IEnumerable<(List<string> Ids, string Reason, double Confidence)> Groups(
        IEnumerable<(string UserId, string Handle)> values, Func<string, string> key, string what, double confidence, int maxMembers = int.MaxValue)
    {
        foreach (var group in values.GroupBy(h => key(h.Handle), StringComparer.Ordinal).Where(g => g.Key.Length > 0))
        {
            var members = group.OrderBy(h => h.UserId, StringComparer.Ordinal).ToList();
            var sources = members.Select(m => Source(m.UserId)).Distinct(StringComparer.Ordinal).ToList();
            if (sources.Count >= 2 && members.Count <= maxMembers)
            {
                yield return (members.Select(m => m.UserId).ToList(), $"{what} on {string.Join(" and ", sources)}", confidence);
            }
        }
    }

    private static string Source(string userId) => userId[..Math.Max(0, userId.IndexOf(':', StringComparison.Ordinal))];

    private static string Normalize(string handle) => new(handle.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    /// <summary>
    /// A display name as a comparable key: lower-cased, accents removed, words of letters and digits joined by
    /// one space; empty (never grouped) for names of fewer than <see cref="MinNameTokens"/> words.
    /// </summary>
    public static string NameKey(string name)
    {
        var plain = new StringBuilder(name.Length);
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                plain.Append(char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : ' ');
            }
        }

        var tokens = plain.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return tokens.Length >= MinNameTokens ? string.Join(' ', tokens) : "";
    }
}
