namespace Engage.Domain.Signals;

/// <summary>
/// A lexicon list compiled for matching on <see cref="Word"/> sequences: phrases are split on spaces and
/// normalised like prose words (lower case, surrounding punctuation removed), grouped by first word,
/// longest first. Matching is a dictionary look-up per word, so a whole text is matched in linear time.
/// </summary>
internal sealed class PhraseSet
{
    private readonly Dictionary<string, List<string[]>> byFirstWord = new(StringComparer.Ordinal);
    private readonly HashSet<string> whole = new(StringComparer.Ordinal);

    public PhraseSet(IEnumerable<string> phrases)
    {
        foreach (var phrase in phrases)
        {
            var parts = phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(Normalize)
                .Where(part => part.Length > 0)
                .ToArray();
            if (parts.Length == 0)
            {
                continue;
            }

            whole.Add(string.Join(' ', parts));
            if (!byFirstWord.TryGetValue(parts[0], out var list))
            {
                list = [];
                byFirstWord[parts[0]] = list;
            }

            list.Add(parts);
        }

        foreach (var list in byFirstWord.Values)
        {
            list.Sort((a, b) => b.Length.CompareTo(a.Length));
        }
    }

    /// <summary>Normalises a phrase word the way <see cref="SignalText"/> normalises prose words.</summary>
    public static string Normalize(string word)
    {
        var w = word.Replace('’', '\'').ToLowerInvariant();
        var start = 0;
        var end = w.Length;
        while (start < end && ".,;:!?\"()[]'_~`".Contains(w[start], StringComparison.Ordinal))
        {
            start++;
        }

        while (end > start && ".,;:!?\"()[]'_~`".Contains(w[end - 1], StringComparison.Ordinal))
        {
            end--;
        }

        return w[start..end];
    }

    /// <summary>True when the words, joined by single spaces, are exactly one of the phrases.</summary>
    public bool IsWhole(string joined) => whole.Contains(joined);

    /// <summary>Number of words of the longest phrase that starts at <paramref name="index"/> and ends before <paramref name="limit"/>; 0 when none.</summary>
    public int MatchAt(IReadOnlyList<Word> words, int index, int limit)
    {
        if (index >= limit || words[index].Kind != WordKind.Word || !byFirstWord.TryGetValue(words[index].Norm, out var candidates))
        {
            return 0;
        }

        foreach (var parts in candidates)
        {
            if (index + parts.Length > limit)
            {
                continue;
            }

            var all = true;
            for (var k = 1; k < parts.Length; k++)
            {
                if (!string.Equals(words[index + k].Norm, parts[k], StringComparison.Ordinal))
                {
                    all = false;
                    break;
                }
            }

            if (all)
            {
                return parts.Length;
            }
        }

        return 0;
    }

    /// <summary>True when a phrase starts at some word in [<paramref name="from"/>, <paramref name="to"/>) and covers word <paramref name="target"/>.</summary>
    public bool Covers(IReadOnlyList<Word> words, int from, int to, int target, int limit)
    {
        for (var i = Math.Max(from, 0); i < to && i <= target; i++)
        {
            var length = MatchAt(words, i, limit);
            if (length > 0 && i + length > target)
            {
                return true;
            }
        }

        return false;
    }
}
