using System.Net;
using System.Text.RegularExpressions;

namespace Engage.Tests.Dashboard;

/// <summary>The page and the pairs route over real HTTP (DevHost), against the sample conversation.</summary>
[Collection(DashboardCollection.Name)]
public sealed partial class DashboardRouteTests(DashboardFixture fixture)
{
    private static double D(double days) => Math.Pow(2, -days / 30);

    [GeneratedRegex("""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    [Fact]
    public async Task Dashboard_Get_ServesOneSelfContainedPageLockedToItsOrigin()
    {
        using var response = await fixture.Client.GetAsync("/api/dashboard");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.Contains("<script>", html, StringComparison.Ordinal);
        Assert.Contains("<style>", html, StringComparison.Ordinal);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
        Assert.Matches("script-src 'sha256-[A-Za-z0-9+/=]+'", csp);
    }

    [Fact]
    public async Task Dashboard_Post_IsNotAllowed()
    {
        using var response = await fixture.Client.PostAsync("/api/dashboard", new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Pairs_SampleConversation_StrongestFirstMutualMarked()
    {
        var body = await fixture.GetJsonAsync("/api/community/pairs?asOf=2026-11-20T12:00:00Z&window=P30D");
        var pairs = body.GetProperty("pairs").EnumerateArray().ToList();

        Assert.Equal("P30D", body.GetProperty("window").GetString());
        Assert.Equal(6, pairs.Count);
        var first = pairs[0];
        Assert.Equal(("demo:ada", "demo:ben"), (first.GetProperty("a").GetString(), first.GetProperty("b").GetString()));
        Assert.Equal("ada", first.GetProperty("aHandle").GetString());
        Assert.True(first.GetProperty("mutual").GetBoolean());
        Assert.Equal(4 * D(1), first.GetProperty("aToB").GetProperty("points").GetDouble(), 9); // ada's thanks
        Assert.Equal(7 * D(2), first.GetProperty("bToA").GetProperty("points").GetDouble(), 9); // ben's answer with evidence
        Assert.Equal(4 * D(1) + 7 * D(2), first.GetProperty("strength").GetDouble(), 9);
        Assert.Single(pairs, p => p.GetProperty("mutual").GetBoolean());
        var gusHal = Assert.Single(pairs, p => p.GetProperty("a").GetString() == "demo:gus");
        Assert.Equal(2, gusHal.GetProperty("aToB").GetProperty("count").GetInt32());
        Assert.Equal(0, gusHal.GetProperty("bToA").GetProperty("count").GetInt32());
        Assert.All(pairs.Zip(pairs.Skip(1)), p => Assert.True(p.First.GetProperty("strength").GetDouble() >= p.Second.GetProperty("strength").GetDouble()));
    }

    [Fact]
    public async Task Pairs_BeforeTheConversation_AreEmpty_AndTopLimits()
    {
        var before = await fixture.GetJsonAsync("/api/community/pairs?asOf=2026-11-01T00:00:00Z&window=P7D");
        var top = await fixture.GetJsonAsync("/api/community/pairs?asOf=2026-11-20T12:00:00Z&top=2");

        Assert.Empty(before.GetProperty("pairs").EnumerateArray());
        Assert.Equal(2, top.GetProperty("pairs").GetArrayLength());
    }

    [Fact]
    public async Task Weekly_SampleConversation_FoldsEachWeekLikeTheCommunityRead()
    {
        var weekly = await fixture.GetJsonAsync("/api/community/weekly?asOf=2026-11-20T12:00:00Z&window=P30D");
        var weeks = weekly.GetProperty("weeks").EnumerateArray().ToList();

        // Five started weeks in 30 days; hal and gus spoke 11-10..12, everyone else 11-15..19.
        Assert.Equal(["2026-10-23T12:00:00Z", "2026-10-30T12:00:00Z", "2026-11-06T12:00:00Z", "2026-11-13T12:00:00Z", "2026-11-20T12:00:00Z"],
            weeks.Select(w => w.GetProperty("asOf").GetString()));
        Assert.Equal([0, 0, 0, 4, 9], weeks.Select(w => w.GetProperty("interactions").GetInt32()));
        Assert.Equal(6, weeks[4].GetProperty("users").GetInt32());
        Assert.Equal(4.0 / 9, weeks[4].GetProperty("broadcastShare").GetDouble(), 12); // dee's two links and repost, eve's "+1"
        foreach (var week in weeks)
        {
            var one = await fixture.GetJsonAsync($"/api/community?window=P7D&asOf={week.GetProperty("asOf").GetString()}");
            Assert.Equal(one.GetProperty("users").GetInt32(), week.GetProperty("users").GetInt32());
            Assert.Equal(one.GetProperty("interactions").GetInt32(), week.GetProperty("interactions").GetInt32());
        }
    }

    [Fact]
    public async Task Weekly_LongWindow_IsCappedAt26Weeks()
    {
        var weekly = await fixture.GetJsonAsync("/api/community/weekly?asOf=2026-11-20T12:00:00Z&window=P365D");

        Assert.Equal(26, weekly.GetProperty("weeks").GetArrayLength());
        Assert.Equal("P365D", weekly.GetProperty("window").GetString());
    }

    [Theory]
    [InlineData("/api/community/weekly?window=PT0H")]
    [InlineData("/api/community/weekly?asOf=1999-12-31")]
    [InlineData("/api/community/pairs?top=0")]
    [InlineData("/api/community/pairs?top=1001")]
    [InlineData("/api/community/pairs?window=P1Y")]
    [InlineData("/api/community/pairs?asOf=yesterday")]
    public async Task PairsAndWeekly_MalformedParameters_Are400Problems(string path)
    {
        using var response = await fixture.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
