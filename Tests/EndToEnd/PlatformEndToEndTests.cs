using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Engage.Domain.Scoring;
using Engage.Domain.Sources;
using Engage.Functions.Scores;
using Engage.Functions.Webhooks;
using Engage.Tests.Support;
using Microsoft.AspNetCore.Mvc;

namespace Engage.Tests.EndToEnd;

/// <summary>
/// Signed deliveries of X, Slack, Discourse and Mastodon through DevHost over real HTTP, read back from
/// <c>GET /api/users/{userId}/engagement</c>. Every test makes its own platform ids from a Guid-derived number.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed class PlatformEndToEndTests(DevHostFixture host)
{
    private readonly HttpClient _client = host.Client;

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The status and the body as text; read it with <see cref="Accepted"/> or <see cref="Problem"/>.</summary>
    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string source, string body, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var response = await _client.SendAsync(PlatformSigners.Http(source, body, headers ?? PlatformSigners.Headers(source, body)));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static WebhookAccepted Accepted(string body) => JsonSerializer.Deserialize<WebhookAccepted>(body, Api.Strict)!;

    private static ProblemDetails Problem(string body) => JsonSerializer.Deserialize<ProblemDetails>(body, Api.Strict)!;

    private async Task<WebhookAccepted> AcceptedAsync(string source, string body, IReadOnlyDictionary<string, string>? headers = null, int interactions = 1)
    {
        var (status, text) = await PostAsync(source, body, headers);
        Assert.True(status == HttpStatusCode.Accepted, $"{status}: {text}");
        var accepted = Accepted(text);
        Assert.Equal(source, accepted.Source);
        Assert.Equal(interactions, accepted.Interactions);
        return accepted;
    }

    private async Task<Counts> CountsWhenAsync(string user, Func<Counts, bool> done) =>
        (await _client.GetWhenAsync<EngagementResponse>($"/api/users/{user}/engagement", e => done(e.Counts)))?.Counts
        ?? throw new Xunit.Sdk.XunitException($"No engagement answer for {user}.");

    /// <summary>
    /// Lets the queue drain what the test posted (a reply ingested before its parent takes the parent's question flag
    /// when the parent comes: its answer count may change until then), waits for the counts to show, lets the queue
    /// drain the duplicates, and checks they did not change.
    /// </summary>
    private async Task<Counts> SettledCountsAsync(string user, Func<Counts, bool> done)
    {
        await host.DrainAsync();
        var first = await CountsWhenAsync(user, done);
        Assert.True(done(first), $"{user}: counts never reached the expected values: {first}");
        await host.DrainAsync();
        var settled = await CountsWhenAsync(user, _ => true);
        Assert.Equal(first, settled);
        return settled;
    }

    // ---- X ----

    private static string Tweet(long id, long author, DateTimeOffset at, string text, long? replyTo = null, long? replyToUser = null, long[]? mentions = null)
    {
        var mentionJson = string.Join(",", (mentions ?? []).Select(m => $$"""{"id_str":"{{m}}","screen_name":"u{{m}}","indices":[0,1]}"""));
        var reply = replyTo is null ? "" : $$""","in_reply_to_status_id_str":"{{replyTo}}","in_reply_to_user_id_str":"{{replyToUser}}" """;
        return $$"""
            {"created_at":"{{at.UtcDateTime.ToString("ddd MMM dd HH:mm:ss '+0000' yyyy", CultureInfo.InvariantCulture)}}","id_str":"{{id}}","text":"{{text}}",
             "user":{"id_str":"{{author}}","screen_name":"u{{author}}"},"is_quote_status":false,"timestamp_ms":"{{at.ToUnixTimeMilliseconds()}}",
             "entities":{"hashtags":[],"urls":[],"user_mentions":[{{mentionJson}}],"symbols":[]}{{reply}}}
            """;
    }

    [Fact]
    public async Task X_CrcCheck_AnswersResponseTokenFromConsumerSecret()
    {
        using var response = await _client.GetAsync("/api/webhooks/x?crc_token=" + Uri.EscapeDataString("test token"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = "sha256=" + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(PlatformSigners.Secret("x")), Encoding.UTF8.GetBytes("test token")));
        Assert.Equal(new CrcResponse(expected), await response.ReadAsync<CrcResponse>());
    }

    [Theory]
    [InlineData("/api/webhooks/x")]
    [InlineData("/api/webhooks/x?crc_token=")]
    public async Task X_CrcCheckWithoutToken_Is400Problem(string path)
    {
        using var response = await _client.GetAsync(path);

        await Api.AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task X_SameTweetDeliveredToTwoSubscribers_CountsOnce()
    {
        var n = PlatformSigners.UniqueNumber();
        long alice = n, bob = n + 1, question = n + 2, answer = n + 3;
        var now = DateTimeOffset.UtcNow;
        var tweet = Tweet(answer, alice, now.AddMinutes(-1), $"@u{bob} Use the restore cache, it took builds from 9 to 2 minutes", question, bob, [bob]);
        string forAlice = $$"""{"for_user_id":"{{alice}}","tweet_create_events":[{{tweet}}]}""";
        string forBob = $$"""{"for_user_id":"{{bob}}","user_has_blocked":false,"tweet_create_events":[{{tweet}}]}""";
        var parent = $$"""{"for_user_id":"{{bob}}","tweet_create_events":[{{Tweet(question, bob, now.AddMinutes(-5), "How do I cache builds?")}}]}""";

        var first = await AcceptedAsync("x", forAlice);
        var second = await AcceptedAsync("x", forBob);
        await AcceptedAsync("x", forBob); // X retries: the same body again
        await AcceptedAsync("x", parent);

        Assert.NotEqual(first.DeliveryId, second.DeliveryId);

        // The parent (a question) first: once it is in, alice's reply also reads as an answer.
        var bobCounts = await SettledCountsAsync($"x:{bob}", c => c.Post == 1);
        Assert.Equal(1, bobCounts.Post);
        Assert.Equal(0, bobCounts.Reply);
        var counts = await SettledCountsAsync($"x:{alice}", c => c.Reply == 1);
        Assert.Equal(1, counts.Reply);
        Assert.Equal(0, counts.Post);
        Assert.Equal(1, counts.MentionsMade);
    }

    [Fact]
    public async Task X_FavoriteFollowRetweetAndQuote_AreCounted()
    {
        var n = PlatformSigners.UniqueNumber();
        long alice = n, bob = n + 1, original = n + 2, retweet = n + 3, quote = n + 4;
        var now = DateTimeOffset.UtcNow;
        var originalTweet = Tweet(original, bob, now.AddMinutes(-10), "Our guide to webhooks is out");
        var body = $$$"""
            {"for_user_id":"{{{bob}}}",
             "favorite_events":[{"id":"f{{{n}}}","created_at":"x","timestamp_ms":{{{now.AddMinutes(-3).ToUnixTimeMilliseconds()}}},"favorited_status":{{{originalTweet}}},"user":{"id_str":"{{{alice}}}","screen_name":"alice"}}],
             "follow_events":[{"type":"follow","created_timestamp":"{{{now.AddMinutes(-2).ToUnixTimeMilliseconds()}}}","source":{"id":"{{{alice}}}","screen_name":"alice"},"target":{"id":"{{{bob}}}","screen_name":"bob"}}]}
            """;
        var retweets = $$$"""
            {"for_user_id":"{{{alice}}}","tweet_create_events":[
              {"created_at":"x","id_str":"{{{retweet}}}","text":"RT @bob: Our guide","user":{"id_str":"{{{alice}}}"},"timestamp_ms":"{{{now.AddMinutes(-4).ToUnixTimeMilliseconds()}}}","retweeted_status":{{{originalTweet}}},
               "entities":{"user_mentions":[{"id_str":"{{{bob}}}"}]}},
              {"created_at":"x","id_str":"{{{quote}}}","text":"The clearest guide I have read on retries","user":{"id_str":"{{{alice}}}"},"timestamp_ms":"{{{now.AddMinutes(-1).ToUnixTimeMilliseconds()}}}",
               "is_quote_status":true,"quoted_status_id_str":"{{{original}}}","quoted_status":{{{originalTweet}}},"entities":{"user_mentions":[]}}]}
            """;

        await AcceptedAsync("x", body, interactions: 2);
        await AcceptedAsync("x", retweets, interactions: 2);

        var counts = await SettledCountsAsync($"x:{alice}", c => c.Reaction == 1 && c.Follow == 1 && c.Repost == 1 && c.Quote == 1);
        Assert.Equal(0, counts.MentionsMade);
    }

    // ---- Slack ----

    private static string SlackEnvelope(string team, string eventId, string innerEvent) => $$"""
        {"token":"XXYYZZ","team_id":"{{team}}","api_app_id":"A0ENGAGE","event":{{innerEvent}},"type":"event_callback",
         "authorizations":[{"team_id":"{{team}}","user_id":"UBOT{{team}}","is_bot":true,"is_enterprise_install":false}],
         "event_id":"{{eventId}}","event_time":{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}}}
        """;

    private static string SlackTs(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + ".000100";

    [Fact]
    public async Task Slack_RetriedEventAndItsAppMention_CountOnce()
    {
        var n = PlatformSigners.UniqueNumber();
        string team = $"T{n}", alice = $"U{n}A", bob = $"U{n}B", channel = $"C{n}";
        var now = DateTimeOffset.UtcNow;
        string rootTs = SlackTs(now.AddMinutes(-3)), replyTs = SlackTs(now.AddMinutes(-1));
        var root = SlackEnvelope(team, $"Ev{n}1", $$"""{"type":"message","channel":"{{channel}}","user":"{{bob}}","text":"How do I cache builds?","ts":"{{rootTs}}","event_ts":"{{rootTs}}","channel_type":"channel"}""");
        var replyEvent = $$"""{"type":"message","channel":"{{channel}}","user":"{{alice}}","text":"<@UBOT{{team}}> use the restore cache, thanks <@{{bob}}>","ts":"{{replyTs}}","thread_ts":"{{rootTs}}","parent_user_id":"{{bob}}","event_ts":"{{replyTs}}","channel_type":"channel"}""";
        var reply = SlackEnvelope(team, $"Ev{n}2", replyEvent);
        var mention = SlackEnvelope(team, $"Ev{n}3", replyEvent.Replace("\"type\":\"message\"", "\"type\":\"app_mention\"", StringComparison.Ordinal).Replace($",\"parent_user_id\":\"{bob}\"", "", StringComparison.Ordinal));

        await AcceptedAsync("slack", root);
        var first = await AcceptedAsync("slack", reply);
        var retryHeaders = PlatformSigners.Headers("slack", reply);
        retryHeaders["X-Slack-Retry-Num"] = "1";
        retryHeaders["X-Slack-Retry-Reason"] = "http_timeout";
        var retry = await AcceptedAsync("slack", reply, retryHeaders);
        await AcceptedAsync("slack", mention);

        Assert.Equal($"Ev{n}2", first.DeliveryId);
        Assert.Equal($"Ev{n}2", retry.DeliveryId);
        var counts = await SettledCountsAsync($"slack:{team}.{alice}", c => c.Reply == 1);
        Assert.Equal(1, counts.Reply);
        Assert.Equal(0, counts.Post);
        Assert.Equal(1, counts.MentionsMade);
        var bobCounts = await SettledCountsAsync($"slack:{team}.{bob}", c => c.Post == 1);
        Assert.Equal(1, bobCounts.Post);
    }

    [Fact]
    public async Task Slack_ReactionAndIgnoredSubtype_CountOnlyTheReaction()
    {
        var n = PlatformSigners.UniqueNumber();
        string team = $"T{n}", alice = $"U{n}A", bob = $"U{n}B", channel = $"C{n}";
        var now = DateTimeOffset.UtcNow;
        var reaction = SlackEnvelope(team, $"Ev{n}4", $$"""{"type":"reaction_added","user":"{{alice}}","reaction":"+1","item_user":"{{bob}}","item":{"type":"message","channel":"{{channel}}","ts":"{{SlackTs(now.AddMinutes(-9))}}"},"event_ts":"{{SlackTs(now.AddMinutes(-1))}}"}""");
        var join = SlackEnvelope(team, $"Ev{n}5", $$"""{"type":"message","subtype":"channel_join","channel":"{{channel}}","user":"{{alice}}","text":"<@{{alice}}> has joined the channel","ts":"{{SlackTs(now)}}"}""");

        await AcceptedAsync("slack", reaction);
        var ignored = await AcceptedAsync("slack", join, interactions: 0);

        Assert.Contains("channel_join", ignored.Ignored, StringComparison.Ordinal);
        var counts = await SettledCountsAsync($"slack:{team}.{alice}", c => c.Reaction == 1);
        Assert.Equal(0, counts.Post);
    }

    [Fact]
    public async Task Slack_UrlVerification_AnswersTheChallengeAfterTheSignature()
    {
        var body = PlatformSigners.Fixture("slack", "url_verification.json");

        using var response = await _client.SendAsync(PlatformSigners.Http("slack", body, PlatformSigners.Headers("slack", body)));
        using var unsigned = await _client.SendAsync(PlatformSigners.Http("slack", body, PlatformSigners.Headers("slack", body, secret: "wrong")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
    }

    [Fact]
    public async Task Slack_StaleTimestamp_Is401Problem()
    {
        var body = PlatformSigners.Fixture("slack", "message_mentions.json");
        var (status, json) = await PostAsync("slack", body, PlatformSigners.Headers("slack", body, at: DateTimeOffset.UtcNow.AddMinutes(-6)));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(401, Problem(json).Status);
    }

    // ---- Discourse ----

    private static string DiscoursePost(long id, int topic, int number, string username, DateTimeOffset at, string raw, int? replyTo = null, string? replyToUser = null)
    {
        var reply = replyTo is null
            ? "\"reply_to_post_number\":null"
            : "\"reply_to_post_number\":" + replyTo.Value.ToString(CultureInfo.InvariantCulture)
              + ",\"reply_to_user\":{\"id\":1,\"username\":\"" + replyToUser + "\",\"name\":null,\"avatar_template\":\"/a/{size}.png\"}";
        return $$"""
            {"id":{{id}},"name":null,"username":"{{username}}","avatar_template":"/a/{size}.png","created_at":"{{Iso(at)}}","cooked":"<p>{{raw}}</p>",
             "post_number":{{number}},"post_type":1,"updated_at":"{{Iso(at)}}","reply_count":0,{{reply}},"quote_count":0,"topic_id":{{topic}},
             "topic_slug":"t","topic_title":"T","category_id":1,"raw":"{{raw}}","user_id":{{id % 100000}},"trust_level":1,"topic_posts_count":{{number}},"topic_archetype":"regular"}
            """;
    }

    [Fact]
    public async Task Discourse_TopicReplyAndLike_AreCounted_AndARetryWithANewEventIdCountsOnce()
    {
        var n = PlatformSigners.UniqueNumber();
        var instance = $"https://f{n}.example.org";
        var topic = (int)(n % 1_000_000_000);
        var now = DateTimeOffset.UtcNow;
        var first = $$$"""{"post":{{{DiscoursePost(n, topic, 1, "Bob", now.AddMinutes(-10), "Why is my build slow?")}}}}""";
        var reply = $$$"""{"post":{{{DiscoursePost(n + 1, topic, 2, "alice", now.AddMinutes(-5), "Clear the cache, @carol measured it: 9 to 2 minutes")}}}}""";
        var like = "{\"like\":{\"post\":" + DiscoursePost(n + 1, topic, 2, "alice", now.AddMinutes(-5), "Clear the cache")
            + ",\"user\":{\"id\":1,\"username\":\"Bob\",\"name\":null,\"avatar_template\":\"/a/{size}.png\"}}}";

        await AcceptedAsync("discourse", first, PlatformSigners.Headers("discourse", first, discourseInstance: instance));
        await AcceptedAsync("discourse", reply, PlatformSigners.Headers("discourse", reply, discourseInstance: instance, eventId: "1"));
        await AcceptedAsync("discourse", reply, PlatformSigners.Headers("discourse", reply, discourseInstance: instance, eventId: "2"));
        await AcceptedAsync("discourse", like, PlatformSigners.Headers("discourse", like, discourseEvent: "post_liked", discourseInstance: instance));

        var host = $"f{n}.example.org";
        // Her reply answers Bob's question once the question's columns reach her rows (decision 1121: whichever of the two is ingested first).
        var alice = await SettledCountsAsync($"discourse:{host}.alice", c => c.Reply == 1 && c.Answer == 1);
        Assert.Equal(1, alice.Reply);
        Assert.Equal(1, alice.MentionsMade);
        var bob = await SettledCountsAsync($"discourse:{host}.bob", c => c.Post == 1 && c.Reaction == 1);
        Assert.Equal(1, bob.Post);
    }

    [Fact]
    public async Task Discourse_Ping_Is202WithNothingIngested()
    {
        const string body = """{"ping":"OK"}""";
        var accepted = await AcceptedAsync("discourse", body, PlatformSigners.Headers("discourse", body, discourseEvent: "ping"), interactions: 0);
        Assert.Equal("ping", accepted.Ignored);
    }

    [Fact]
    public async Task Discourse_MissingEventId_Is400Problem()
    {
        var body = PlatformSigners.Fixture("discourse", "post_created_topic.json");
        var headers = PlatformSigners.Headers("discourse", body);
        headers.Remove("X-Discourse-Event-Id");

        var (status, json) = await PostAsync("discourse", body, headers);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(400, Problem(json).Status);
    }

    // ---- Mastodon ----

    private static string MastodonStatus(string instance, long id, long account, string username, DateTimeOffset at, string content,
        long? replyTo = null, long? replyToAccount = null, string? reblog = null)
    {
        var inReplyTo = replyTo is null ? "null" : $"\"{replyTo}\"";
        var inReplyToAccount = replyToAccount is null ? "null" : $"\"{replyToAccount}\"";
        var mentions = replyToAccount is null ? "" : $"{{\"id\":\"{replyToAccount}\",\"username\":\"bob\",\"acct\":\"bob\",\"url\":\"https://{instance}/@bob\"}}";
        return $$"""
            {"id":"{{id}}","created_at":"{{Iso(at)}}","in_reply_to_id":{{inReplyTo}},"in_reply_to_account_id":{{inReplyToAccount}},
             "sensitive":false,"spoiler_text":"","visibility":"public",
             "uri":"https://{{instance}}/users/{{username}}/statuses/{{id}}","url":"https://{{instance}}/@{{username}}/{{id}}","content":"{{content}}",
             "reblog":{{reblog ?? "null"}},"account":{"id":"{{account}}","username":"{{username}}","acct":"{{username}}","url":"https://{{instance}}/@{{username}}"},
             "mentions":[{{mentions}}],"tags":[],"emojis":[],"media_attachments":[],"card":null,"poll":null}
            """;
    }

    [Fact]
    public async Task Mastodon_PostReplyAndBoost_AreCounted_AndEditsAreIgnored()
    {
        var n = PlatformSigners.UniqueNumber();
        var instance = $"m{n}.example";
        long alice = n, bob = n + 1;
        var now = DateTimeOffset.UtcNow;
        var bobStatus = MastodonStatus(instance, n + 10, bob, "bob", now.AddMinutes(-10), "<p>How do I cache builds?</p>");
        string Event(string name, string status) => $$"""{"event":"{{name}}","created_at":"{{Iso(now)}}","object":{{status}}}""";
        var reply = Event("status.created", MastodonStatus(instance, n + 11, alice, "alice", now.AddMinutes(-5),
            "<p><span class=\\\"h-card\\\"><a href=\\\"https://x/@bob\\\" class=\\\"u-url mention\\\">@<span>bob</span></a></span> restore the cache &amp; it takes 2 minutes</p>", n + 10, bob));
        var boost = Event("status.created", MastodonStatus(instance, n + 12, alice, "alice", now.AddMinutes(-4), "", reblog: bobStatus));

        await AcceptedAsync("mastodon", Event("status.created", bobStatus));
        await AcceptedAsync("mastodon", reply);
        await AcceptedAsync("mastodon", reply); // redelivered: same body, same delivery id
        await AcceptedAsync("mastodon", boost);
        var edit = await AcceptedAsync("mastodon", reply.Replace("\"status.created\"", "\"status.updated\"", StringComparison.Ordinal), interactions: 0);

        Assert.Contains("status.updated", edit.Ignored, StringComparison.Ordinal);
        // Her reply answers bob's question, whichever of the two was ingested first (the late-parent merge).
        var counts = await SettledCountsAsync($"mastodon:{instance}.{alice}", c => c.Reply == 1 && c.Repost == 1 && c.Answer == 1);
        Assert.Equal(1, counts.MentionsMade);
        var bobCounts = await SettledCountsAsync($"mastodon:{instance}.{bob}", c => c.Post == 1);
        Assert.Equal(0, bobCounts.Reply);
    }

    // ---- Malformed deliveries, every source: a 400 problem or an archived 202 "ignored", never a 500 ----

    public static TheoryData<string, string> Malformed()
    {
        var huge = new string('z', 600_000);
        var data = new TheoryData<string, string>();
        foreach (var source in new[] { "x", "slack", "discourse", "mastodon" })
        {
            data.Add(source, "[1,2,3]");
            data.Add(source, "null");
            data.Add(source, "{}");
            data.Add(source, "\"just a string\"");
            data.Add(source, $$"""{"padding":"{{huge}}"}""");
        }

        data.Add("x", """{"tweet_create_events":[{"id_str":null,"user":42,"timestamp_ms":"soon"}],"favorite_events":"nope","follow_events":[null]}""");
        data.Add("x", $$"""{"tweet_create_events":[{"id_str":"{{huge}}","user":{"id_str":"1"},"timestamp_ms":"1"}]}""");
        data.Add("slack", """{"type":"event_callback","team_id":["T1"],"event":{"type":"message"}}""");
        data.Add("slack", """{"type":"event_callback","team_id":"T1","event":{"type":"message","user":null,"channel":42,"ts":{}}}""");
        data.Add("slack", $$$"""{"type":"event_callback","team_id":"T1","event_id":"{{{new string('e', 5_000)}}}","event":{"type":"message","user":"U1","channel":"C1","ts":"1.1","text":"{{{huge}}}"}}""");
        data.Add("discourse", """{"post":{"topic_id":"one","post_number":null,"username":42}}""");
        data.Add("discourse", $$$"""{"post":{"topic_id":1,"post_number":2,"username":"{{{huge}}}","created_at":"2026-11-20T10:00:00Z"}}""");
        data.Add("mastodon", """{"event":"status.created","object":{"id":{},"account":[],"created_at":7}}""");
        data.Add("mastodon", $$"""{"event":"{{huge}}","object":null}""");
        return data;
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task MalformedSignedDelivery_Is400OrIgnored202_Never500(string source, string body)
    {
        var (status, json) = await PostAsync(source, body);

        Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.Accepted, $"{source}: {status} {json}");
        if (status == HttpStatusCode.Accepted)
        {
            // Accepted means archived; with nothing to count it says why.
            if (Accepted(json).Interactions == 0)
            {
                Assert.False(string.IsNullOrEmpty(Accepted(json).Ignored));
            }
        }
        else
        {
            Assert.Equal(400, Problem(json).Status);
            Assert.DoesNotContain("   at ", Problem(json).Detail, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("x")]
    [InlineData("slack")]
    [InlineData("discourse")]
    [InlineData("mastodon")]
    public async Task UnsignedDelivery_Is401Problem(string source)
    {
        var body = """{"event":"status.created"}""";
        var headers = PlatformSigners.Headers(source, body, secret: "not-the-configured-secret");

        var (status, json) = await PostAsync(source, body, headers);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(401, Problem(json).Status);
    }
}
