using System.Net;
using Engage.Functions.Scores;
using Engage.Tests.Support;

namespace Engage.Tests.EndToEnd;

[Collection(DevHostCollection.Name)]
public sealed class ReadApiTests(DevHostFixture host)
{
    private readonly HttpClient _client = host.Client;

    [Theory]
    [InlineData("/api/users/x:1/engagement?asOf=yesterday")]
    [InlineData("/api/users/x:1/engagement?asOf=11/20/2026")]
    [InlineData("/api/users/x:1/engagement?asOf=20%20Nov%202026")]
    [InlineData("/api/users/x:1/engagement?asOf=1999-12-31T23:59:59Z")]
    [InlineData("/api/users/x:1/engagement?asOf=2100-01-01T00:00:01Z")]
    [InlineData("/api/users/x:1/engagement?window=30")]
    [InlineData("/api/users/x:1/engagement?window=PT59M")]
    [InlineData("/api/users/x:1/engagement?window=P36501D")]
    [InlineData("/api/users/x:1/engagement?window=P1M")]
    [InlineData("/api/users/x:1/engagement?window=-P1D")]
    [InlineData("/api/users/bad%20user/engagement")]
    [InlineData("/api/users/a%2Fb/engagement")]
    public async Task Engagement_MalformedParameters_Is400Problem(string path)
    {
        using var response = await _client.GetAsync(path);

        await Api.AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Engagement_LongUserId_Is400()
    {
        using var response = await _client.GetAsync($"/api/users/x:{new string('1', 256)}/engagement");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Engagement_UnknownUser_Is404Problem()
    {
        using var response = await _client.GetAsync($"/api/users/e2e:nobody-{Guid.NewGuid():N}/engagement");

        await Api.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Engagement_WindowAndAsOf_AreEchoed()
    {
        var user = $"e2e:w-{Guid.NewGuid():N}";
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var body = $$"""{"events":[{"id":"{{user}}-1","kind":"post","actor":"{{user}}","occurredAt":"{{at:O}}","text":"hello"}]}""";
        using (var r = await _client.SendAsync(StandardSigner.Request(body)))
        {
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        }

        var json = await _client.GetWhenAsync<EngagementResponse>(
            $"/api/users/{user}/engagement?asOf=2026-03-02T00:00:00Z&window=PT13H", e => e.Counts.Post == 1);

        // (A read racing the insert can answer 200 with no facts yet: the user became known in between.)
        Assert.NotNull(json);
        Assert.Equal("PT13H", json.Window);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), json.AsOf);
        Assert.Equal(1, json.Counts.Post);

        using var outside = await _client.GetAsync($"/api/users/{user}/engagement?asOf=2026-03-02T00:00:00Z&window=PT11H");
        Assert.Contains("\"asOf\":\"2026-03-02T00:00:00Z\"", await outside.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await outside.ReadAsync<EngagementResponse>()).Counts.Post);
    }

    [Fact]
    public async Task Health_WithStorage_Is200()
    {
        var health = await _client.GetOkAsync<HealthResponse>("/api/health");
        Assert.Equal(new HealthResponse("healthy", "ok"), health);
    }
}
