using System.Net.Http.Json;
using System.Text.Json;
using Engage.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Engage.Tests.Import;

/// <summary>
/// Slack and Discourse imports against a real HTTP server answering in the shapes of the platforms' documented
/// examples (no recordings of these APIs are on this machine): cursors, Tier-3 429 + Retry-After, threads, and a
/// topic whose posts need a second request.
/// </summary>
public sealed class SlackDiscourseImportEndToEndTests : IDisposable
{
    private static readonly DateTimeOffset AsOf = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly WireMockServer _api = WireMockServer.Start();

    private static IResponseBuilder Json(string body) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body);

    private static async Task<JsonElement> CountsAsync(HttpClient client, string user) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/users/{user}/engagement?asOf={AsOf:yyyy-MM-ddTHH:mm:ssZ}&window=P36500D")).GetProperty("counts");

    [Fact]
    public async Task Import_SlackChannel_FollowsCursorsThreadsAndRetryAfter()
    {
        _api.Given(Request.Create().WithPath("/api/auth.test")).RespondWith(Json("""{"ok":true,"team_id":"T0TEAM0001","user_id":"U0BOT0001"}"""));
        _api.Given(Request.Create().WithPath("/api/conversations.history").WithParam(p => !p.ContainsKey("cursor"))).RespondWith(Json("""
            {"ok":true,"messages":[
              {"type":"message","user":"U0ANA0001","text":"How do I pin a version in deps.edn?","ts":"1700000000.000100","thread_ts":"1700000000.000100","reply_count":2},
              {"type":"message","subtype":"channel_join","user":"U0BO00001","text":"<@U0BO00001> has joined the channel","ts":"1700000100.000200"}],
             "has_more":true,"response_metadata":{"next_cursor":"bmV4dF90czoxNTEyMDg1ODYxMDAwNTQz"}}
            """));
        _api.Given(Request.Create().WithPath("/api/conversations.history").WithParam("cursor", "bmV4dF90czoxNTEyMDg1ODYxMDAwNTQz"))
            .AtPriority(1).InScenario("tier3").WillSetStateTo("waited")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "1"));
        _api.Given(Request.Create().WithPath("/api/conversations.history").WithParam("cursor", "bmV4dF90czoxNTEyMDg1ODYxMDAwNTQz"))
            .AtPriority(2).RespondWith(Json("""
            {"ok":true,"messages":[{"type":"message","user":"U0CY00001","text":"thanks <@U0ANA0001> for the release notes","ts":"1700000200.000300"}],
             "has_more":false,"response_metadata":{"next_cursor":""}}
            """));
        _api.Given(Request.Create().WithPath("/api/conversations.replies").WithParam("ts", "1700000000.000100")).RespondWith(Json("""
            {"ok":true,"messages":[
              {"type":"message","user":"U0ANA0001","text":"How do I pin a version in deps.edn?","ts":"1700000000.000100","thread_ts":"1700000000.000100","reply_count":2},
              {"type":"message","user":"U0BO00001","text":"Use :mvn/version \"1.2.3\" in the coordinate map","ts":"1700000050.000100","thread_ts":"1700000000.000100","parent_user_id":"U0ANA0001"},
              {"type":"message","user":"U0ANA0001","text":"<@U0BOT0001> thanks <@U0BO00001>, that worked","ts":"1700000060.000100","thread_ts":"1700000000.000100","parent_user_id":"U0ANA0001"}],
             "has_more":false}
            """));
        await using var host = new ImportHost("http://127.0.0.1:9");
        host.Overrides["Import:Slack:BaseUrl"] = _api.Url + "/api";
        host.Overrides["Import:Slack:BotToken"] = "xoxb-test-token";
        await host.StartAsync();

        var status = await host.WaitDoneAsync(await host.StartImportAsync("slack", "C0CHANNEL1"));

        // team, history ×2, replies ×1; the join is not an interaction.
        Assert.Equal(4, status.GetProperty("pages").GetInt32());
        Assert.Equal(4, status.GetProperty("interactions").GetInt32());
        var ana = await CountsAsync(host.Client, "slack:T0TEAM0001.U0ANA0001");
        Assert.Equal(1, ana.GetProperty("post").GetInt32());
        Assert.Equal(1, ana.GetProperty("reply").GetInt32());
        // The app's own bot user is not a person mentioned: only bo.
        Assert.Equal(1, ana.GetProperty("mentionsMade").GetInt32());
        Assert.Equal(1, (await CountsAsync(host.Client, "slack:T0TEAM0001.U0BO00001")).GetProperty("reply").GetInt32());
        Assert.Equal(1, (await CountsAsync(host.Client, "slack:T0TEAM0001.U0CY00001")).GetProperty("thanks").GetInt32());
        Assert.Equal(2, _api.LogEntries.Count(e => e.RequestMessage.Path == "/api/conversations.history" && e.RequestMessage.Query!.ContainsKey("cursor")));
        Assert.All(_api.LogEntries, e => Assert.Equal("Bearer xoxb-test-token", e.RequestMessage.Headers!["Authorization"].ToString()));
    }

    [Fact]
    public async Task Import_DiscourseForum_ReadsEveryTopicAndEveryPostOfItsStream()
    {
        static string Post(long id, int topic, int number, string user, string text, int? replyTo = null, string? replyToUser = null) =>
            $$"""{"id":{{id}},"username":"{{user}}","created_at":"2025-06-0{{number}}T10:00:00.000Z","post_number":{{number}},"topic_id":{{topic}},"post_type":1,"user_id":{{id}},"cooked":"<p>{{text}}</p>"{{(replyTo is null ? "" : $$""","reply_to_post_number":{{replyTo}},"reply_to_user":{"username":"{{replyToUser}}"}""")}}}""";
        _api.Given(Request.Create().WithPath("/latest.json").WithParam("page", "0")).RespondWith(Json("""
            {"topic_list":{"topics":[{"id":1,"created_at":"2025-06-01T10:00:00.000Z"},{"id":2,"created_at":"2025-06-01T09:00:00.000Z"}],"more_topics_url":"/latest?page=1"}}
            """));
        _api.Given(Request.Create().WithPath("/latest.json").WithParam("page", "1")).RespondWith(Json("""{"topic_list":{"topics":[]}}"""));
        static string Stream(string posts, string? stream) =>
            "{\"post_stream\":{\"posts\":[" + posts + "]" + (stream is null ? "" : ",\"stream\":[" + stream + "]") + "}}";
        _api.Given(Request.Create().WithPath("/t/1.json")).RespondWith(Json(
            Stream(Post(11, 1, 1, "ana", "How do I cache builds?") + "," + Post(12, 1, 2, "bo", "Use the cache action", 1, "ana"), "11,12,13")));
        _api.Given(Request.Create().WithPath("/t/1/posts.json")).RespondWith(Json(Stream(Post(13, 1, 3, "ana", "Thanks @bo, that worked", 2, "bo"), null)));
        _api.Given(Request.Create().WithPath("/t/2.json")).RespondWith(Json(Stream(Post(21, 2, 1, "cy", "Release notes for 2.0"), "21")));
        await using var host = new ImportHost("http://127.0.0.1:9");
        await host.StartAsync();

        var status = await host.WaitDoneAsync(await host.StartImportAsync("discourse", _api.Url!));

        // Two topic pages and two topics.
        Assert.Equal(4, status.GetProperty("pages").GetInt32());
        Assert.Equal(4, status.GetProperty("interactions").GetInt32());
        var host1 = new Uri(_api.Url!).Host;
        var ana = await CountsAsync(host.Client, $"discourse:{host1}.ana");
        Assert.Equal(1, ana.GetProperty("question").GetInt32());
        Assert.Equal(1, ana.GetProperty("thanks").GetInt32());
        Assert.Equal(1, (await CountsAsync(host.Client, $"discourse:{host1}.bo")).GetProperty("reply").GetInt32());
        Assert.Single(_api.LogEntries, e => e.RequestMessage.Path == "/t/1/posts.json" && e.RequestMessage.RawQuery!.Contains("post_ids", StringComparison.Ordinal));
    }

    public void Dispose() => _api.Stop();
}
