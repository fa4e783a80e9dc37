using System.Net;
using System.Text;
using System.Text.Json;
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
        await Eventually.Until(() => GetAsync("/api/community"), c => c.ValueKind == JsonValueKind.Object && c.GetProperty("interactions").GetInt32() == 13);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonElement> GetAsync(string path)
    {
        using var response = await _host.Client.GetAsync(path);
        return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone() : default;
    }

    private async Task RunProjectionAsync()
    {
        using var run = await _host.Client.PostAsync("/admin/functions/ScoresProjection", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
    }

    [Fact]
    public async Task Community_FromTheWindowsFacts_MatchesHandWorkedFigures()
    {
        var c = await GetAsync("/api/community");

        // Directed pairs: dee→ada, ben→ada, eve→ada, ada→ben, cy→ben, fay→ben, gus→hal; only ada↔ben is mutual.
        Assert.Equal(8, c.GetProperty("users").GetInt32());
        Assert.Equal(13, c.GetProperty("interactions").GetInt32());
        Assert.Equal(2.0 / 7, c.GetProperty("reciprocity").GetDouble(), 12);
        Assert.Equal((2.0 / 7 - 7.0 / 56) / (1 - 7.0 / 56), c.GetProperty("rho").GetDouble(), 12);
        Assert.Equal(4.0 / 13, c.GetProperty("broadcastShare").GetDouble(), 12);
        Assert.Equal(1, c.GetProperty("openQuestions").GetInt32());
        Assert.Equal("P30D", c.GetProperty("window").GetString());
    }

    [Fact]
    public async Task Leaderboard_BeforeAnyProjection_IsEmpty()
    {
        var board = await GetAsync("/api/leaderboard");
        Assert.Empty(board.GetProperty("entries").EnumerateArray());
    }

    [Fact]
    public async Task Projection_RanksUsersAndSetsLevels()
    {
        await RunProjectionAsync();

        var board = await GetAsync("/api/leaderboard?by=engagement&top=4");
        var entries = board.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["demo:gus", "demo:ada", "demo:ben", "demo:hal"], entries.Select(e => e.GetProperty("userId").GetString()));
        Assert.Equal(["champion", "engaged", "engaged", "participant"], entries.Select(e => e.GetProperty("level").GetString()));
        Assert.Equal(6 * (D(9) + D(8)), entries[0].GetProperty("score").GetDouble(), 9);
        Assert.Equal("gus", entries[0].GetProperty("handle").GetString());
        Assert.Equal(Now, board.GetProperty("asOf").GetDateTimeOffset());

        // The broadcasters (dee: links and a repost; eve: "+1 same here") earn nothing and rank last.
        var all = (await GetAsync("/api/leaderboard?by=engagement&top=1000")).GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["demo:dee", "demo:eve"], all.TakeLast(2).Select(e => e.GetProperty("userId").GetString()));
        Assert.All(all.TakeLast(2), e => Assert.Equal(0, e.GetProperty("score").GetDouble()));
        Assert.All(all.SkipLast(2), e => Assert.True(e.GetProperty("score").GetDouble() > 0));

        var gus = await GetAsync("/api/users/demo:gus/engagement");
        Assert.Equal("champion", gus.GetProperty("level").GetString());
        var eve = await GetAsync("/api/users/demo:eve/engagement");
        Assert.Equal("participant", eve.GetProperty("level").GetString());
    }

    [Fact]
    public async Task Projection_ReciprocityBoard_OrdersByIndex()
    {
        await RunProjectionAsync();

        var board = await GetAsync("/api/leaderboard?by=reciprocity&top=1000");
        var entries = board.GetProperty("entries").EnumerateArray().ToList();

        // ben gave 7·D(2) to ada and received 4·D(1) from her among 11·D(1): index 4·D(1) / 7·D(2)... the larger side is his 11·D(1) received.
        Assert.Equal("demo:ada", entries[0].GetProperty("userId").GetString());
        Assert.All(entries.Zip(entries.Skip(1)), p => Assert.True(p.First.GetProperty("score").GetDouble() >= p.Second.GetProperty("score").GetDouble()));
        Assert.Equal(8, entries.Count);
    }

    [Fact]
    public async Task Projection_LaterWithNoNewFacts_MarksUsersSilent()
    {
        await RunProjectionAsync();
        _host.Clock.Advance(TimeSpan.FromDays(45));

        await RunProjectionAsync();

        var board = await GetAsync("/api/leaderboard");
        Assert.Empty(board.GetProperty("entries").EnumerateArray());
        var ada = await GetAsync("/api/users/demo:ada/engagement");
        Assert.Equal("silent", ada.GetProperty("level").GetString());
        Assert.Equal(0, ada.GetProperty("score").GetDouble());
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
