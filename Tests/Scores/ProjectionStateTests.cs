using Engage.Domain.Scoring;
using Engage.Functions.Scores;

namespace Engage.Tests.Scores;

/// <summary>The projection's state (decision 1201): its bytes round-trip, and epoch-relative figures convert to any asOf.</summary>
public sealed class ProjectionStateTests
{
    private static readonly ScoringOptions Options = new();

    [Fact]
    public void ToBytes_ThenFromBytes_KeepsEveryFigureIncludingZeroScoresAndNulls()
    {
        var at = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var state = new ProjectionState { Mark = at, FullAt = at.AddHours(-3), CommunityAt = at.AddMinutes(-30), OptionsHash = "o", PeopleHash = "p", CommunityJson = "{\"users\":2}" };
        state.Identities["x:ada"] = new Figures("ada", 101.5, true, 0.25, 0.5, 99.0, 100.0) { Level = Levels.ChampionLevel };
        state.Identities["x:eve"] = new Figures(null, double.NegativeInfinity, true, null, null, double.NegativeInfinity, 98.0) { Level = Levels.Participant };
        state.Entrants["ada-p"] = new Figures(null, 102.0, true, 0.1, null, 99.5, 99.5);

        var back = ProjectionState.FromBytes(state.ToBytes())!;

        Assert.Equal(state.Mark, back.Mark);
        Assert.Equal(state.FullAt, back.FullAt);
        Assert.Equal(state.CommunityAt, back.CommunityAt);
        Assert.Equal(state.CommunityJson, back.CommunityJson);
        Assert.Equal(state.Identities["x:ada"], back.Identities["x:ada"]);
        Assert.Equal(state.Identities["x:eve"], back.Identities["x:eve"]);
        Assert.Equal(state.Entrants["ada-p"], back.Entrants["ada-p"]);
        Assert.Equal(0, back.Identities["x:eve"].Score(100));
    }

    [Fact]
    public void Figures_FromAFoldAtOneAsOf_ConvertToTheDecayedFiguresAtAnother()
    {
        var asOf = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var later = asOf.AddDays(7.5);
        var window = new Window(asOf, Window.Default);
        var engagement = new Engagement("x:ada", "ada", window, 12.5, 0.2, 0.8, new Counts(), []) { Authored = 3 };
        var reciprocity = new Reciprocity("x:ada", "ada", window, new Flow(2, 6), new Flow(3, 4), 4, 4.0 / 6, null, null, [], [], []);

        var f = Figures.From(engagement, reciprocity, ProjectionState.EpochAt(asOf, Options));
        var decay = Options.Decay(asOf, later);

        Assert.Equal(12.5 * decay, f.Score(ProjectionState.EpochAt(later, Options)), 1e-12);
        Assert.Equal(6 * decay, f.Given(ProjectionState.EpochAt(later, Options)), 1e-12);
        Assert.Equal(4 * decay, f.Tie(ProjectionState.EpochAt(later, Options)), 1e-12);
        Assert.Equal(4.0 / 6, f.Index);
        Assert.True(f.Active);
    }
}
