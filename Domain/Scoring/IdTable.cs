using System.Runtime.InteropServices;

namespace Engage.Domain.Scoring;

/// <summary>
/// Interns user ids (ordinal strings) as dense ints 0, 1, 2… in order of first appearance, so that the folds
/// keep their per-user sums in arrays and their pairs as longs instead of string-keyed dictionaries and
/// tuple sets. First-appearance order is what the string dictionaries enumerated in, which keeps every
/// order-dependent sum of the folds identical (docs/decisions/1101-interned-folds.md).
/// </summary>
public sealed class IdTable
{
    private readonly Dictionary<string, int> _ids;
    private readonly List<string> _names;

    public IdTable(int capacity = 0)
    {
        _ids = new Dictionary<string, int>(capacity, StringComparer.Ordinal);
        _names = new List<string>(capacity);
    }

    /// <summary>How many distinct ids were interned.</summary>
    public int Count => _names.Count;

    /// <summary>The id of <paramref name="name"/>, the next free one when it is new (one hash lookup either way).</summary>
    public int Intern(string name)
    {
        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, name, out var exists);
        if (!exists)
        {
            id = _names.Count;
            _names.Add(name);
        }

        return id;
    }

    /// <summary>The id of <paramref name="name"/> if it was interned (never adds).</summary>
    public bool TryGet(string name, out int id) => _ids.TryGetValue(name, out id);

    /// <summary>The string an id stands for.</summary>
    public string NameOf(int id) => _names[id];
}
