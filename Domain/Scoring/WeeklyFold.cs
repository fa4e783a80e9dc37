using Engage.Domain.Facts;

namespace Engage.Domain.Scoring;

/// <summary>The community figures of one week, the 7 days up to <see cref="AsOf"/>.</summary>
public sealed record WeekPoint(DateTimeOffset AsOf, int Users, int Interactions, double? BroadcastShare);

/// <summary>
/// The community over time: one <see cref="CommunityFold"/> per week, the weeks ending at asOf,
/// asOf − 7 d, … — one per started week of the window, at most <see cref="MaxWeeks"/>.
/// </summary>
public static class WeeklyFold
{
    public const int MaxWeeks = 26;
    public static readonly TimeSpan Week = TimeSpan.FromDays(7);

    public static int Weeks(Window window) => Math.Clamp((int)Math.Ceiling(window.Length / Week), 1, MaxWeeks);

    /// <summary>What must be read to fold every week: from the start of the first week to asOf.</summary>
    public static Window Span(Window window) => new(window.AsOf, Week * Weeks(window));

    /// <param name="interactions">Every interaction of <see cref="Span"/>, resolved.</param>
    public static IReadOnlyList<WeekPoint> Community(IReadOnlyList<Resolved> interactions, Window window, ScoringOptions options)
    {
        var weeks = Weeks(window);
        var points = new List<WeekPoint>(weeks);
        for (var k = weeks - 1; k >= 0; k--)
        {
            var end = window.AsOf - Week * k;
            var c = CommunityFold.Fold(interactions, new Window(end, Week), options);
            points.Add(new WeekPoint(end, c.Users, c.Interactions, c.BroadcastShare));
        }

        return points;
    }
}
