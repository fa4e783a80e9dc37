using System.Diagnostics.CodeAnalysis;
using Engage.Domain.Facts;

namespace Engage.Functions.Scores;

/// <summary>
/// The window's activity rows kept in the projection's state (decision 1241), grouped by UTC day of occurredAt
/// (decision 1242): the state is stored one chunk set per day, and a run rewrites only the days whose rows it
/// changed. Every change goes through this type, so which days changed is known without comparing bytes, and (decision
/// 1294) whether a day only gained rows under new keys, which a write may store as a segment of those rows alone.
/// </summary>
/// <remarks>A row key (<see cref="FactKeys.FactRowKey"/>) starts with the row's sortable UTC time, so its first 8
/// characters (yyyyMMdd) are its day.</remarks>
public sealed class WindowRows
{
    private readonly SortedDictionary<string, Dictionary<string, Fact>> _days = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);

    // Decision 1294: the keys each changed day gained since it was stored, and the days that changed otherwise too (a row
    // replaced or removed), which only a whole rewrite stores.
    private readonly Dictionary<string, List<string>> _added = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rewritten = new(StringComparer.Ordinal);

    // Decision 1282: who each row names, which rows each interaction has and which rows only the items index can resolve,
    // kept with the rows, so a run finds its touched users' interactions without passing over the whole window. The sets
    // hold the keys and names the rows already hold (references, no copies).
    // Each name's rows map to their interaction ids, so that finding a user's interactions reads no row (a row look-up is a
    // day's look-up and then the row's, in dictionaries that grow with the window).
    private readonly Dictionary<string, Dictionary<string, string>> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _byInteraction = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unresolved = new(StringComparer.Ordinal);

    /// <summary>The day (yyyyMMdd, UTC) of a row key.</summary>
    public static string DayOf(string key) => key[..8];

    /// <summary>Rows in all days.</summary>
    public int Count { get; private set; }

    /// <summary>The days holding rows, oldest first.</summary>
    public IReadOnlyCollection<string> Days => _days.Keys;

    /// <summary>Days whose rows changed since the state was last stored or read (added, replaced or removed rows; a day emptied is among them).</summary>
    public IReadOnlyCollection<string> Changed => _changed;

    public IEnumerable<string> Keys => _days.Values.SelectMany(d => d.Keys);

    public IEnumerable<Fact> Values => _days.Values.SelectMany(d => d.Values);

    /// <summary>
    /// The keys <paramref name="day"/> gained since it was stored when that is its only change (decision 1294): a write may
    /// store them as a segment beside the day's stored rows. Null when the day did not change, or lost or replaced a row.
    /// </summary>
    public IReadOnlyList<string>? AddedOnly(string day) =>
        _changed.Contains(day) && !_rewritten.Contains(day) && _added.TryGetValue(day, out var keys) ? keys : null;

    /// <summary>The rows of one day (empty when it has none).</summary>
    public IReadOnlyDictionary<string, Fact> Day(string day) => _days.TryGetValue(day, out var rows) ? rows : new Dictionary<string, Fact>();

    public Fact this[string key]
    {
        get => _days.TryGetValue(DayOf(key), out var rows) ? rows[key] : throw new KeyNotFoundException(key);
        set
        {
            var day = DayOf(key);
            var rows = DayRows(day, change: true);
            if (rows.TryGetValue(key, out var old))
            {
                Unindex(key, old);
                _rewritten.Add(day);
            }
            else
            {
                Count++;
                if (!_added.TryGetValue(day, out var added))
                {
                    _added[day] = added = [];
                }

                added.Add(key);
            }

            rows[key] = value;
            Index(key, value);
        }
    }

    /// <summary>
    /// Every row of every interaction that has a row naming one of <paramref name="users"/> (<see cref="IncrementalRun.Names"/>),
    /// and of every interaction with a row whose parent only the items index knows, in key order: what refolding those
    /// users needs (decision 1241), found through the index (decision 1282) in time that follows their rows, not the window's.
    /// </summary>
    public List<Fact> InteractionsNaming(IEnumerable<string> users)
    {
        var interactions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            if (_byName.TryGetValue(user, out var named))
            {
                interactions.UnionWith(named.Values);
            }
        }

        foreach (var key in _unresolved)
        {
            interactions.Add(this[key].InteractionId);
        }

        // An interaction's keys are distinct (Index), and two interactions share no key: no Distinct is needed.
        return interactions.SelectMany(id => _byInteraction[id]).Order(StringComparer.Ordinal).Select(k => this[k]).ToList();
    }

    /// <summary>Keys of the rows naming <paramref name="user"/> (<see cref="IncrementalRun.Names"/>).</summary>
    public IReadOnlyCollection<string> KeysNaming(string user) => _byName.TryGetValue(user, out var keys) ? keys.Keys : [];

    private void Index(string key, Fact fact)
    {
        foreach (var name in IncrementalRun.Names(fact))
        {
            if (!_byName.TryGetValue(name, out var keys))
            {
                _byName[name] = keys = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            keys[key] = fact.InteractionId;
        }

        _byInteraction[fact.InteractionId] = _byInteraction.TryGetValue(fact.InteractionId, out var rows)
            ? (rows.Contains(key, StringComparer.Ordinal) ? rows : [.. rows, key])
            : [key];
        if (IncrementalRun.Unresolved(fact))
        {
            _unresolved.Add(key);
        }
    }

    private void Unindex(string key, Fact fact)
    {
        foreach (var name in IncrementalRun.Names(fact))
        {
            if (_byName.TryGetValue(name, out var keys) && keys.Remove(key) && keys.Count == 0)
            {
                _byName.Remove(name);
            }
        }

        if (_byInteraction.TryGetValue(fact.InteractionId, out var rows))
        {
            var left = rows.Where(k => !string.Equals(k, key, StringComparison.Ordinal)).ToArray();
            if (left.Length == 0)
            {
                _byInteraction.Remove(fact.InteractionId);
            }
            else
            {
                _byInteraction[fact.InteractionId] = left;
            }
        }

        _unresolved.Remove(key);
    }

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Fact fact)
    {
        fact = null;
        return _days.TryGetValue(DayOf(key), out var rows) && rows.TryGetValue(key, out fact);
    }

    /// <summary>Whether two versions of a row hold the same values (a record compares its lists by reference: these by content).</summary>
    public static bool SameRow(Fact a, Fact b) =>
        a with { Mentions = NoMentions, Handles = null } == b with { Mentions = NoMentions, Handles = null }
        && a.Mentions.SequenceEqual(b.Mentions, StringComparer.Ordinal)
        && (a.Handles, b.Handles) switch
        {
            (null, null) => true,
            ({ } x, { } y) => x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out var h) && string.Equals(h, p.Value, StringComparison.Ordinal)),
            _ => false,
        };

    private static readonly string[] NoMentions = [];

    public bool ContainsKey(string key) => _days.TryGetValue(DayOf(key), out var rows) && rows.ContainsKey(key);

    /// <summary>Adds a row unless its key is there already.</summary>
    public bool TryAdd(string key, Fact fact)
    {
        if (ContainsKey(key))
        {
            return false;
        }

        this[key] = fact;
        return true;
    }

    public bool Remove(string key, [MaybeNullWhen(false)] out Fact fact)
    {
        var day = DayOf(key);
        if (!_days.TryGetValue(day, out var rows) || !rows.Remove(key, out fact))
        {
            fact = null;
            return false;
        }

        Count--;
        Unindex(key, fact);
        _changed.Add(day);
        _rewritten.Add(day);
        if (rows.Count == 0)
        {
            _days.Remove(day);
        }

        return true;
    }

    /// <summary>
    /// Drops every row whose key is below <paramref name="lower"/> (their time left the window) and answers them. Whole
    /// days before its day go at once; only the boundary day is searched row by row.
    /// </summary>
    public List<Fact> DropBefore(string lower)
    {
        var gone = new List<Fact>();
        var boundary = DayOf(lower);
        foreach (var day in _days.Keys.Where(d => string.CompareOrdinal(d, boundary) <= 0).ToList())
        {
            foreach (var key in _days[day].Keys.Where(k => string.CompareOrdinal(k, lower) < 0).ToList())
            {
                Remove(key, out var fact);
                gone.Add(fact!);
            }
        }

        return gone;
    }

    /// <summary>Loads one stored day: not a change.</summary>
    internal void Load(string key, Fact fact)
    {
        if (DayRows(DayOf(key), change: false).TryAdd(key, fact))
        {
            Count++;
            Index(key, fact);
        }
    }

    /// <summary>Called once the days changed are stored (or were just read): nothing is pending.</summary>
    internal void Saved()
    {
        _changed.Clear();
        _added.Clear();
        _rewritten.Clear();
    }

    private Dictionary<string, Fact> DayRows(string day, bool change)
    {
        if (change)
        {
            _changed.Add(day);
        }

        if (!_days.TryGetValue(day, out var rows))
        {
            _days[day] = rows = new Dictionary<string, Fact>(StringComparer.Ordinal);
        }

        return rows;
    }
}
