namespace Engage.Domain.Scoring;

/// <summary>
/// Levels are percentiles among active users (docs/scoring.md): top 10 % <c>champion</c>, next 25 %
/// <c>engaged</c>, next 65 % <c>participant</c>; no facts in the window: <c>silent</c>. The projection
/// computes the score cut-offs; reads place a score against the last projection's cut-offs.
/// </summary>
public sealed record Levels(double Champion, double Engaged, int ActiveUsers)
{
    public const string Silent = "silent";
    public const string Participant = "participant";
    public const string EngagedLevel = "engaged";
    public const string ChampionLevel = "champion";

    /// <summary>Before any projection: everybody active is a participant.</summary>
    public static readonly Levels None = new(double.PositiveInfinity, double.PositiveInfinity, 0);

    /// <summary>Cut-offs from the active users' scores: the top ⌈10 %⌉ are champions, the next ⌈25 %⌉ engaged.</summary>
    public static Levels From(IEnumerable<double> activeScores)
    {
        var sorted = activeScores.OrderByDescending(s => s).ToArray();
        return FromDescending(sorted.Length, k => sorted[k]);
    }

    /// <summary>The same cut-offs from scores already in descending order: <paramref name="scoreAt"/>(k) is the k-th highest (from 0).</summary>
    public static Levels FromDescending(int count, Func<int, double> scoreAt)
    {
        if (count == 0)
        {
            return None;
        }

        var (champion, engaged) = CutoffRanks(count);
        return new Levels(scoreAt(champion), scoreAt(engaged), count);
    }

    /// <summary>Where the cut-offs fall among <paramref name="count"/> active scores in descending order (positions from 0).</summary>
    public static (int Champion, int Engaged) CutoffRanks(int count) =>
        ((int)Math.Ceiling(count * 0.10) - 1, Math.Min((int)Math.Ceiling(count * 0.35), count) - 1);

    /// <summary>
    /// A score of 0 (an active user who only broadcast) is a participant whatever the cut-offs: when most of a
    /// community only broadcasts, the cut-offs can be 0 themselves, and broadcasting must not make a champion.
    /// </summary>
    public string Of(double score, bool active) =>
        !active ? Silent
        : score <= 0 ? Participant
        : score >= Champion ? ChampionLevel
        : score >= Engaged ? EngagedLevel
        : Participant;
}
