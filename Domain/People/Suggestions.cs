namespace Engage.Domain.People;

/// <summary>Identities that are likely one person, why, and how sure (0–1). Never applied automatically.</summary>
public sealed record Suggestion(IReadOnlyList<string> Identities, string Reason, double Confidence);

public static class Suggestions
{
    public const double SameHandle = 0.8;
    public const double SimilarHandle = 0.5;

    /// <summary>
    /// Identities on different platforms whose handles are the same (ignoring case), or the same once
    /// punctuation is removed (<c>ana_lima</c> and <c>ana.lima</c>). Identities already linked to one person
    /// are not suggested again; a group keeps one identity per platform it spans, and only groups that
    /// add something to a link are listed. Most confident first, then by identities.
    /// </summary>
    public static IReadOnlyList<Suggestion> From(IEnumerable<(string UserId, string Handle)> handles, Func<string, string?> personOf, int top)
    {
        var known = handles.Where(h => h.Handle.Length > 0).DistinctBy(h => h.UserId).ToList();
        var found = new List<Suggestion>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, confidence) in new (Func<string, string> Key, double Confidence)[] { (h => h.ToLowerInvariant(), SameHandle), (Normalize, SimilarHandle) })
        {
            foreach (var group in known.GroupBy(h => key(h.Handle), StringComparer.Ordinal).Where(g => g.Key.Length > 0))
            {
                var members = group.OrderBy(h => h.UserId, StringComparer.Ordinal).ToList();
                var sources = members.Select(m => Source(m.UserId)).Distinct(StringComparer.Ordinal).ToList();
                var persons = members.Select(m => personOf(m.UserId) ?? m.UserId).Distinct(StringComparer.Ordinal).Count();
                var ids = members.Select(m => m.UserId).ToList();
                if (sources.Count < 2 || persons < 2 || ids.All(taken.Contains))
                {
                    continue;
                }

                taken.UnionWith(ids);
                var what = confidence == SameHandle ? "same handle" : "similar handles";
                found.Add(new Suggestion(ids, $"{what} on {string.Join(" and ", sources)}", confidence));
            }
        }

        return found.OrderByDescending(s => s.Confidence).ThenBy(s => s.Identities[0], StringComparer.Ordinal).Take(top).ToList();
    }

    private static string Source(string userId) => userId[..Math.Max(0, userId.IndexOf(':', StringComparison.Ordinal))];

    private static string Normalize(string handle) => new(handle.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
