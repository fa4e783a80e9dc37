using System.ComponentModel.DataAnnotations;

namespace Engage.Domain.Scoring;

/// <summary>The points table and decay of docs/scoring.md (configuration section <c>Scoring</c>); the defaults are the documented ones.</summary>
public sealed class ScoringOptions
{
    public const string Section = "Scoring";

    [Range(0.01, 36500)]
    public double HalfLifeDays { get; set; } = 30;

    public double AcceptedAnswer { get; set; } = 10;
    public double Answer { get; set; } = 6;
    public double Reply { get; set; } = 4;
    public double Question { get; set; } = 4;
    public double Thanks { get; set; } = 3;
    public double Recommendation { get; set; } = 3;
    public double Evidence { get; set; } = 1;
    public double Quote { get; set; } = 3;
    public double MentionPost { get; set; } = 2;
    public double Post { get; set; } = 1;
    public double Reaction { get; set; } = 0.5;
    public double LinkOnlyQuote { get; set; } = 0.5;
    public double Repost { get; set; } = 0.25;
    public double LinkOnlyPost { get; set; } = 0.25;
    public double LowContentReply { get; set; } = 0.25;
    public double Follow { get; set; } = 0.25;

    /// <summary>
    /// Multiplies the broadcast rows (plain post, link-only post or quote, repost, low-content reply) in the
    /// engagement score. 0 by default: broadcasting is not engaging. Reciprocity keeps their table points.
    /// </summary>
    [Range(0, 1000)]
    public double BroadcastWeight { get; set; }

    public TimeSpan HalfLife => TimeSpan.FromDays(HalfLifeDays);

    /// <summary>2^(−age/halfLife): 1 at <paramref name="asOf"/>, ½ one half-life earlier.</summary>
    public double Decay(DateTimeOffset occurredAt, DateTimeOffset asOf) =>
        Math.Pow(2, -(asOf - occurredAt).TotalDays / HalfLifeDays);
}
