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
        if (sorted.Length == 0)
        {
            return None;
        }

        var champions = (int)Math.Ceiling(sorted.Length * 0.10);
        var engaged = (int)Math.Ceiling(sorted.Length * 0.35);
        return new Levels(sorted[champions - 1], sorted[Math.Min(engaged, sorted.Length) - 1], sorted.Length);
    }

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
