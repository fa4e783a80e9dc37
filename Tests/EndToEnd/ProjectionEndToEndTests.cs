using System.Net;
using System.Text;
using Engage.Functions.Scores;
using Engage.Tests.Support;

namespace Engage.Tests.EndToEnd;

/// <summary>The sample conversation in a store of its own, with the clock at the sample's asOf: projection, levels, leaderboards, community.</summary>
public sealed class ProjectionEndToEndTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private readonly IsolatedDevHost _host = new(Now);

    private static double D(double days) => Math.Pow(2, -days / 30);

    public async Task InitializeAsync()
    {
        await _host.StartAsync();
        var body = await File.ReadAllTextAsync(RepoPaths.Of("samples", "conversation.json"));
        using var response = await _host.Client.SendAsync(StandardSigner.Request(body, at: Now));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await _host.Client.GetWhenAsync<CommunityResponse>("/api/community", c => c.Interactions == 13);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<T> GetAsync<T>(string path) => _host.Client.GetOkAsync<T>(path);

    private async Task RunProjectionAsync()
    {
        using var run = await _host.Client.PostAsync("/admin/functions/ScoresProjection", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
    }

    [Fact]
    public async Task Community_FromTheWindowsFacts_MatchesHandWorkedFigures()
    {
        var c = await GetAsync<CommunityResponse>("/api/community");

        // Directed pairs: dee→ada, ben→ada, eve→ada, ada→ben, cy→ben, fay→ben, gus→hal; only ada↔ben is mutual.
        Assert.Equal(8, c.Users);
        Assert.Equal(13, c.Interactions);
        Assert.Equal(2.0 / 7, c.Reciprocity!.Value, 12);
        Assert.Equal((2.0 / 7 - 7.0 / 56) / (1 - 7.0 / 56), c.Rho!.Value, 12);
        Assert.Equal(4.0 / 13, c.BroadcastShare!.Value, 12);
        Assert.Equal(1, c.OpenQuestions);
        Assert.Equal("P30D", c.Window);
    }

    [Fact]
    public async Task Leaderboard_BeforeAnyProjection_IsEmpty()
    {
        var board = await GetAsync<LeaderboardResponse>("/api/leaderboard");
        Assert.Empty(board.Entries);
    }

    [Fact]
    public async Task Projection_RanksUsersAndSetsLevels()
    {
        await RunProjectionAsync();

        var board = await GetAsync<LeaderboardResponse>("/api/leaderboard?by=engagement&top=4");
        var entries = board.Entries;
        Assert.Equal(["demo:gus", "demo:ada", "demo:ben", "demo:hal"], entries.Select(e => e.UserId));
        Assert.Equal(["champion", "engaged", "engaged", "participant"], entries.Select(e => e.Level));
        Assert.Equal(6 * (D(9) + D(8)), entries[0].Score, 9);
        Assert.Equal("gus", entries[0].Handle);
        Assert.Equal(Now, board.AsOf);

        // The broadcasters (dee: links and a repost; eve: "+1 same here") earn nothing and rank last.
        var all = (await GetAsync<LeaderboardResponse>("/api/leaderboard?by=engagement&top=1000")).Entries;
        Assert.Equal(["demo:dee", "demo:eve"], all.TakeLast(2).Select(e => e.UserId));
        Assert.All(all.TakeLast(2), e => Assert.Equal(0, e.Score));
        Assert.All(all.SkipLast(2), e => Assert.True(e.Score > 0));

        var gus = await GetAsync<EngagementResponse>("/api/users/demo:gus/engagement");
        Assert.Equal("champion", gus.Level);
        var eve = await GetAsync<EngagementResponse>("/api/users/demo:eve/engagement");
        Assert.Equal("participant", eve.Level);
    }

    [Fact]
    public async Task Projection_ReciprocityBoard_OrdersByIndex()
    {
        await RunProjectionAsync();

        var board = await GetAsync<LeaderboardResponse>("/api/leaderboard?by=reciprocity&top=1000");
        var entries = board.Entries;

        // ben gave 7·D(2) to ada and received 4·D(1) from her among 11·D(1): index 4·D(1) / 7·D(2)... the larger side is his 11·D(1) received.
        Assert.Equal("demo:ada", entries[0].UserId);
        Assert.All(entries.Zip(entries.Skip(1)), p => Assert.True(p.First.Score >= p.Second.Score));
        Assert.Equal(8, entries.Count);
    }

    [Fact]
    public async Task Projection_LaterWithNoNewFacts_MarksUsersSilent()
    {
        await RunProjectionAsync();
        _host.Clock.Advance(TimeSpan.FromDays(45));

        await RunProjectionAsync();

        var board = await GetAsync<LeaderboardResponse>("/api/leaderboard");
        Assert.Empty(board.Entries);
        var ada = await GetAsync<EngagementResponse>("/api/users/demo:ada/engagement");
        Assert.Equal("silent", ada.Level);
        Assert.Equal(0, ada.Score);
    }

    [Theory]
    [InlineData("/api/leaderboard?by=popularity")]
    [InlineData("/api/leaderboard?top=0")]
    [InlineData("/api/leaderboard?top=1001")]
    [InlineData("/api/community?window=P0D")]
    [InlineData("/api/users/demo:ada/reciprocity?top=abc")]
    public async Task Reads_MalformedParameters_Are400(string path)
    {
        using var response = await _host.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
