using System.Text.Json;

namespace Engage.Tests.Dashboard;

/// <summary>
/// The dashboard in Debian's Chromium (playwright-core, no browser download) against the sample
/// conversation: what a community manager would click, and what the page must never do.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardBrowserTests(DashboardFixture fixture)
{
    private static string Text(JsonElement e, params string[] path) => path.Aggregate(e, (x, p) => x.GetProperty(p)).GetString()!;

    [Fact]
    public async Task Leaderboard_AfterSampleReplay_ShowsGusAsTopChampion()
    {
        var seen = await fixture.Browser;

        Assert.Equal("demo:gus", Text(seen, "topEngagement", "user"));
        Assert.Equal("champion", Text(seen, "topEngagement", "level"));
        Assert.Equal("demo:ada", Text(seen, "topReciprocity"));
    }

    [Fact]
    public async Task Community_AtTheSamplesTime_ShowsFiguresAndTheirMove()
    {
        var community = (await fixture.Browser).GetProperty("community");

        Assert.Equal("8", Text(community, "users"));
        Assert.Equal("13", Text(community, "interactions"));
        Assert.Equal("0.29", Text(community, "reciprocity")); // 2 of 7 directed pairs are reciprocated
        Assert.Equal("31 %", Text(community, "broadcastShare")); // 4 of 13
        Assert.Equal("1", Text(community, "openQuestions"));
        Assert.Contains("up 13", Text(community, "interactionsMove"), StringComparison.Ordinal); // nothing the 30 days before
    }

    [Fact]
    public async Task Member_ClickedOnLeaderboard_OpensTheirViewWithTheRightCounts()
    {
        var member = (await fixture.Browser).GetProperty("member");

        Assert.Contains("member=demo%3Aada", Text(member, "hash"), StringComparison.Ordinal);
        Assert.Equal("Member @ada", Text(member, "heading"));
        Assert.Equal("member-h", Text(member, "focused"));
        var counts = member.GetProperty("counts");
        Assert.Equal(1, counts.GetProperty("post").GetInt32());
        Assert.Equal(1, counts.GetProperty("reply").GetInt32());
        Assert.Equal(1, counts.GetProperty("question").GetInt32());
        Assert.Equal(1, counts.GetProperty("thanks").GetInt32());
        Assert.Equal(0, counts.GetProperty("answer").GetInt32());
        Assert.StartsWith("1 ·", Text(member, "given"), StringComparison.Ordinal);
        Assert.StartsWith("3 ·", Text(member, "received"), StringComparison.Ordinal);
        Assert.Equal("100 %", Text(member, "replyRate"));
        Assert.Equal("1 day", Text(member, "latency"));
        Assert.StartsWith("100 % conversation", Text(member, "mix"), StringComparison.Ordinal);
        Assert.Equal(["demo:ben", "demo:eve", "demo:dee"], member.GetProperty("counterparts").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(5, member.GetProperty("trendBars").GetInt32());
    }

    [Fact]
    public async Task Network_MutualAndOneWayPairs_AreDrawnApartAndTheMembersHighlighted()
    {
        var seen = await fixture.Browser;

        // ada↔ben is the only mutual pair; dee→ada, eve→ada, cy→ben, fay→ben, gus→hal are one way.
        Assert.Equal(1, seen.GetProperty("network").GetProperty("mutual").GetInt32());
        Assert.Equal(5, seen.GetProperty("network").GetProperty("oneWay").GetInt32());
        Assert.Equal(8, seen.GetProperty("network").GetProperty("nodes").GetInt32());
        Assert.Equal(3, seen.GetProperty("member").GetProperty("highlightedEdges").GetInt32()); // ada's: ben, dee, eve
    }

    [Fact]
    public async Task MemberLink_FollowedByKeyboard_OpensTheCounterpartsView()
    {
        var keyboard = (await fixture.Browser).GetProperty("keyboard");

        Assert.Equal("Member @ben", Text(keyboard, "heading"));
        Assert.Equal("member-h", Text(keyboard, "focused"));
        Assert.Equal(["demo:9"], keyboard.GetProperty("openQuestions").EnumerateArray().Select(q => q.GetString()));
    }

    [Fact]
    public async Task Search_ByHandle_OpensThatMember()
    {
        var search = (await fixture.Browser).GetProperty("search");

        Assert.Equal("Member @hal", Text(search, "heading"));
        Assert.Equal(["demo:gus"], search.GetProperty("owed").EnumerateArray().Select(o => o.GetString()));
    }

    [Fact]
    public async Task AsOf_AWeekEarlier_ChangesTheFiguresAndTheUrl()
    {
        var earlier = (await fixture.Browser).GetProperty("earlier");

        Assert.Contains("asOf=2026-11-13T12%3A00%3A00Z", Text(earlier, "hash"), StringComparison.Ordinal);
        Assert.Equal("4", Text(earlier, "community", "interactions")); // only hal's two questions and gus's two answers
        Assert.Equal("2", Text(earlier, "community", "users"));
        Assert.True(earlier.GetProperty("memberHidden").GetBoolean());
    }

    [Fact]
    public async Task UnknownMember_ShowsTheApisProblem_AndNoMemberView()
    {
        var unknown = (await fixture.Browser).GetProperty("unknown");

        Assert.Equal("No interactions are known for demo:nobody.", Text(unknown, "error"));
        Assert.True(unknown.GetProperty("memberHidden").GetBoolean());
        Assert.Empty(unknown.GetProperty("otherConsoleErrors").EnumerateArray());
    }

    [Fact]
    public async Task Page_MakesNoRequestOutsideTheApp_AndPassesTheKeyOnEveryCall()
    {
        var seen = await fixture.Browser;

        Assert.Empty(seen.GetProperty("outside").EnumerateArray());
        Assert.Empty(seen.GetProperty("apiWithoutKey").EnumerateArray());
        Assert.True(seen.GetProperty("apiRequests").GetInt32() > 20);
    }

    [Fact]
    public async Task Page_LogsNoConsoleErrors()
    {
        var seen = await fixture.Browser;

        Assert.Empty(seen.GetProperty("consoleErrors").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Page_CommunityMemberAndPhoneViews_HaveNoAxeViolations()
    {
        var violations = (await fixture.Browser).GetProperty("accessibility").EnumerateArray().Select(v => v.ToString()).ToList();

        // axe-core's WCAG 2.1 A/AA and best-practice rules: labels, names, contrast, landmarks, ARIA.
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public async Task SharedLink_At375Pixels_OpensTheViewWithoutSidewaysScrolling()
    {
        var mobile = (await fixture.Browser).GetProperty("mobile");

        Assert.Equal("Member @ben", Text(mobile, "heading"));
        Assert.Equal("ben", Text(mobile, "searchValue"));
        Assert.True(mobile.GetProperty("scrollWidth").GetInt32() <= 375, "the page is wider than 375 px: " + mobile.GetProperty("scrollWidth"));
    }

    [Fact]
    public async Task Screenshots_ArePngs()
    {
        await fixture.Browser;

        foreach (var path in new[] { fixture.DesktopPng, fixture.MobilePng })
        {
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.True(bytes.Length > 20_000, path + " is too small to show the page");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        }
    }
}
