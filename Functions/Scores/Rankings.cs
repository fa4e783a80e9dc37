using System.Collections.Immutable;
using Engage.Domain.People;
using Engage.Domain.Scoring;

namespace Engage.Functions.Scores;

/// <summary>A place in a <see cref="Ranked"/> order: <c>A</c> descending, then <c>B</c> descending, then the id (ordinal).</summary>
internal readonly record struct RankKey(double A, double B, string Id)
{
    public static readonly IComparer<RankKey> Order = Comparer<RankKey>.Create(static (x, y) =>
    {
        var c = y.A.CompareTo(x.A);
        if (c == 0)
        {
            c = y.B.CompareTo(x.B);
        }

        return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
    });
}

/// <summary>
/// Ids kept in <see cref="RankKey.Order"/> (decision 1298) in an <see cref="ImmutableSortedSet{T}"/>, the BCL's AVL tree
/// that also answers by position: a change, the k-th entry and the place of a key each cost O(log n), the top K and
/// the entries whose <c>A</c> lies in a range their own count more. Epoch-relative figures rank the same at any asOf
/// (<see cref="Figures.At"/> is monotone), so between runs only the ids refolded move.
/// </summary>
internal sealed class Ranked
{
    private ImmutableSortedSet<RankKey> _sorted;
    private readonly Dictionary<string, RankKey> _keys;

    public Ranked(IEnumerable<RankKey> keys)
    {
        _sorted = keys.ToImmutableSortedSet(RankKey.Order);
        _keys = new Dictionary<string, RankKey>(_sorted.Count, StringComparer.Ordinal);
        foreach (var key in _sorted)
        {
            _keys.Add(key.Id, key);
        }
    }

    public int Count => _sorted.Count;

    public RankKey this[int index] => _sorted[index];

    /// <summary>Puts <paramref name="id"/> at its key's place, or takes it out when <paramref name="key"/> is null.</summary>
    public void Set(string id, RankKey? key)
    {
        if (_keys.Remove(id, out var old))
        {
            _sorted = _sorted.Remove(old);
        }

        if (key is { } k)
        {
            _sorted = _sorted.Add(k);
            _keys[id] = k;
        }
    }

    public IEnumerable<RankKey> Top(int count) => _sorted.Take(count);

    /// <summary>The entries whose <c>A</c> is in [<paramref name="low"/>, <paramref name="high"/>] (either may be infinite).</summary>
    public IEnumerable<RankKey> Between(double low, double high)
    {
        // Descending by A: from the place of (high, +∞, "") — before every entry with A = high, ids being never empty —
        // up to the first entry with A below low.
        var from = PlaceOf(new RankKey(high, double.PositiveInfinity, ""));
        var to = double.IsNegativeInfinity(low) ? _sorted.Count : PlaceOf(new RankKey(Math.BitDecrement(low), double.PositiveInfinity, ""));
        for (var k = from; k < to; k++)
        {
            yield return _sorted[k];
        }
    }

    private int PlaceOf(RankKey probe)
    {
        var at = _sorted.IndexOf(probe);
        return at < 0 ? ~at : at;
    }
}

/// <summary>
/// The orders an incremental run needs from every entrant and identity (decision 1298), kept in memory with the state
/// and in step with its maps: the engagement board (active entrants by score), the reciprocity board (by index, then
/// the smaller of given and received), the active members whose scores set the level cut-offs, and the active
/// identities, among whom the users a moved cut-off changes the level of are found by range. Built once from the maps
/// (a state read from storage, a full run's, a change of roles), then changed only where figures were refolded, so a
/// run's levels and leaderboards cost the users it touched and the boards' size, not every user of the window.
/// </summary>
internal sealed class Rankings
{
    private readonly Dictionary<string, Figures> _board;
    private readonly Dictionary<string, Figures> _identities;
    private readonly Dictionary<string, string> _roles;

    public Ranked Engagement { get; }
    public Ranked Reciprocity { get; }
    public Ranked Members { get; }
    public Ranked Identities { get; }

    /// <summary>
    /// The cut-offs, as epoch-relative log2 scores, against which every identity's <see cref="Figures.Level"/> was last
    /// set; null until a run has set them all (then a run checks every identity, as before decision 1298).
    /// </summary>
    public (double Champion, double Engaged)? Cutoffs { get; set; }

    public Rankings(Dictionary<string, Figures> board, Dictionary<string, Figures> identities, Dictionary<string, string> roles)
    {
        (_board, _identities, _roles) = (board, identities, new Dictionary<string, string>(roles, StringComparer.Ordinal));
        Engagement = new Ranked(board.Select(e => EngagementKey(e.Key, e.Value)).OfType<RankKey>());
        Reciprocity = new Ranked(board.Select(e => ReciprocityKey(e.Key, e.Value)).OfType<RankKey>());
        Members = new Ranked(board.Select(e => MemberKey(e.Key, e.Value)).OfType<RankKey>());
        Identities = new Ranked(identities.Select(e => EngagementKey(e.Key, e.Value)).OfType<RankKey>());
    }

    /// <summary>Whether these orders were built over these maps with these roles (else they are built again).</summary>
    public bool Fits(Dictionary<string, Figures> board, Dictionary<string, Figures> identities, Dictionary<string, string> roles) =>
        ReferenceEquals(board, _board) && ReferenceEquals(identities, _identities)
        && roles.Count == _roles.Count && roles.All(r => _roles.TryGetValue(r.Key, out var role) && role == r.Value);

    /// <summary>After the maps changed for these ids: their places follow.</summary>
    public void Update(IEnumerable<string> boardIds, IEnumerable<string> identityIds)
    {
        foreach (var id in boardIds)
        {
            var f = _board.GetValueOrDefault(id);
            Engagement.Set(id, f is null ? null : EngagementKey(id, f));
            Reciprocity.Set(id, f is null ? null : ReciprocityKey(id, f));
            Members.Set(id, f is null ? null : MemberKey(id, f));
        }

        foreach (var id in identityIds)
        {
            var f = _identities.GetValueOrDefault(id);
            Identities.Set(id, f is null ? null : EngagementKey(id, f));
        }
    }

    /// <summary>
    /// The identities whose level may differ between cut-offs <paramref name="last"/> and <paramref name="now"/> (log2,
    /// epoch-relative): those whose score lies between the two, for either cut-off, with a margin of 1e-9 either side even
    /// when a cut-off did not move (a score equal to a cut-off at asOf may differ from it in the last bits of its log).
    /// </summary>
    public IEnumerable<string> PassedBy((double Champion, double Engaged) last, (double Champion, double Engaged) now) =>
        Between(last.Champion, now.Champion).Concat(Between(last.Engaged, now.Engaged)).Select(k => k.Id);

    private IEnumerable<RankKey> Between(double was, double now) =>
        Identities.Between(Math.Min(was, now) - CutoffMargin, Math.Max(was, now) + CutoffMargin);

    private const double CutoffMargin = 1e-9;

    /// <summary>The level cut-offs at <paramref name="epoch"/>, as <see cref="Levels.From"/> computes them from every active member's score.</summary>
    public Levels LevelsAt(double epoch) => Levels.FromDescending(Members.Count, k => Figures.At(Members[k].A, epoch));

    /// <summary>The cut-offs as epoch-relative log2 scores (infinite when no member is active).</summary>
    public (double Champion, double Engaged) LogCutoffs()
    {
        if (Members.Count == 0)
        {
            return (double.PositiveInfinity, double.PositiveInfinity);
        }

        var (champion, engaged) = Levels.CutoffRanks(Members.Count);
        return (Members[champion].A, Members[engaged].A);
    }

    private static RankKey? EngagementKey(string id, Figures f) => f.Active ? new RankKey(f.Log2Score, 0, id) : null;

    private static RankKey? ReciprocityKey(string id, Figures f) =>
        f.Index is { } index ? new RankKey(index, Math.Min(f.Log2Given, f.Log2Received), id) : null;

    private RankKey? MemberKey(string id, Figures f) =>
        f.Active && (!PersonIds.IsPerson(id) || _roles.GetValueOrDefault(id, PersonRoles.Member) == PersonRoles.Member) ? new RankKey(f.Log2Score, 0, id) : null;
}
