using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;

namespace Engage.Tests.Scoring;

public sealed class WeeklyFoldTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);

    private static Resolved Reply(string id, string actor, string parentAuthor, double daysAgo) => new()
    {
        Id = id, Kind = InteractionKind.Reply, Actor = actor, OccurredAt = AsOf.AddDays(-daysAgo), ParentId = "p-" + id, ParentAuthor = parentAuthor,
    };

    [Theory]
    [InlineData(0.05, 1)]
    [InlineData(7, 1)]
    [InlineData(8, 2)]
    [InlineData(30, 5)]
    [InlineData(182, 26)]
    [InlineData(365, 26)]
    public void Weeks_OnePerStartedWeek_AtMost26(double days, int weeks)
    {
        var window = new Window(AsOf, TimeSpan.FromDays(days));

        Assert.Equal(weeks, WeeklyFold.Weeks(window));
        Assert.Equal(TimeSpan.FromDays(7 * weeks), WeeklyFold.Span(window).Length);
    }

    [Fact]
    public void Community_EachWeek_IsTheCommunityFoldOfThatWeek()
    {
        Resolved[] interactions = [Reply("1", "u:a", "u:b", 1), Reply("2", "u:b", "u:a", 2), Reply("3", "u:c", "u:a", 10), Reply("4", "u:d", "u:a", 40)];
        var window = new Window(AsOf, TimeSpan.FromDays(21));

        var weeks = WeeklyFold.Community(interactions, window, new ScoringOptions());

        Assert.Equal([AsOf.AddDays(-14), AsOf.AddDays(-7), AsOf], weeks.Select(w => w.AsOf));
        Assert.Equal([0, 1, 2], weeks.Select(w => w.Interactions));
        Assert.Equal([0, 2, 2], weeks.Select(w => w.Users));
        foreach (var week in weeks)
        {
            var one = CommunityFold.Fold(interactions, new Window(week.AsOf, TimeSpan.FromDays(7)), new ScoringOptions());
            Assert.Equal((one.Users, one.Interactions, one.BroadcastShare), (week.Users, week.Interactions, week.BroadcastShare));
        }
    }
}
