using System.Diagnostics.CodeAnalysis;

namespace Engage.Functions.Scores;

/// <summary>
/// A read-only map of a few entries in two arrays: the handles of one row of the projection's state (decision 1241).
/// A <see cref="Dictionary{TKey,TValue}"/> of one entry weighs ~200 bytes, a third of what a row held in memory; most
/// rows name one or two users, which a linear search finds as fast as a hash.
/// </summary>
internal sealed class SmallMap(string[] keys, string[] values) : IReadOnlyDictionary<string, string>
{
    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => keys;

    public IEnumerable<string> Values => values;

    public int Count => keys.Length;

    public bool ContainsKey(string key) => Array.IndexOf(keys, key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var at = Array.IndexOf(keys, key);
        value = at >= 0 ? values[at] : null;
        return at >= 0;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var n = 0; n < keys.Length; n++)
        {
            yield return new KeyValuePair<string, string>(keys[n], values[n]);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
