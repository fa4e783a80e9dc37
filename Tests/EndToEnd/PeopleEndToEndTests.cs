using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Engage.Tests.EndToEnd;

/// <summary>
/// One person, ana, on three sources (Slack, Mastodon and a forum through the standard source), delivered over
/// real HTTP with signed webhooks into a store of its own: merging links her identities at read time, the merged
/// figures are the fold of the union, and unmerging gives back the per-identity figures exactly.
/// </summary>
public sealed class PeopleEndToEndTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private readonly IsolatedDevHost _host = new(Now);
    private readonly WireMockServer _sendGrid = WireMockServer.Start();

    private const string SlackAna = "slack:T1.U1ANA";
    private const string SlackBob = "slack:T1.U2BOB";
    private const string MastodonAna = "mastodon:m.example.1001";
    private const string MastodonCarl = "mastodon:m.example.1002";
    private const string ForumAna = "forum:ana";
    private const string ForumDan = "forum:dan";
    private static readonly string[] AnaIdentities = [SlackAna, MastodonAna, ForumAna];

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    private static string SlackTs(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + ".000100";

    private static string Slack(string eventId, string inner) => $$"""
        {"token":"XXYYZZ","team_id":"T1","api_app_id":"A0ENGAGE","event":{{inner}},"type":"event_callback",
         "authorizations":[{"team_id":"T1","user_id":"UBOT","is_bot":true,"is_enterprise_install":false}],
         "event_id":"{{eventId}}","event_time":{{Now.ToUnixTimeSeconds()}}}
        """;

    private static string Mastodon(long id, long account, string username, DateTimeOffset at, string content, long? replyTo = null, long? replyToAccount = null, string? replyToName = null)
    {
        var mentions = replyToAccount is null ? "" : $$"""{"id":"{{replyToAccount}}","username":"{{replyToName}}","acct":"{{replyToName}}","url":"https://m.example/@{{replyToName}}"}""";
        var status = $$"""
            {"id":"{{id}}","created_at":"{{Iso(at)}}","in_reply_to_id":{{(replyTo is null ? "null" : $"\"{replyTo}\"")}},"in_reply_to_account_id":{{(replyToAccount is null ? "null" : $"\"{replyToAccount}\"")}},
             "sensitive":false,"spoiler_text":"","visibility":"public","uri":"https://m.example/users/{{username}}/statuses/{{id}}","url":"https://m.example/@{{username}}/{{id}}",
             "content":"{{content}}","reblog":null,"account":{"id":"{{account}}","username":"{{username}}","acct":"{{username}}","url":"https://m.example/@{{username}}"},
             "mentions":[{{mentions}}],"tags":[],"emojis":[],"media_attachments":[],"card":null,"poll":null}
            """;
        return $$"""{"event":"status.created","created_at":"{{Iso(at)}}","object":{{status}}}""";
    }

    public async Task InitializeAsync()
    {
        _sendGrid.Given(Request.Create().WithPath("/v3/mail/send").UsingPost()).RespondWith(Response.Create().WithStatusCode(202));
        _host.Host.Overrides["Email:Provider"] = "sendgrid";
        _host.Host.Overrides["Email:ApiKey"] = "SG.test-key";
        _host.Host.Overrides["Email:From"] = "Engage <digest@example.org>";
        _host.Host.Overrides["Email:SendGridBaseUrl"] = _sendGrid.Url;
        await _host.StartAsync();

        // Slack: bob asks, ana answers in the thread with numbers.
        string rootTs = SlackTs(Now.AddDays(-3)), replyTs = SlackTs(Now.AddDays(-2));
        await DeliverAsync("slack", Slack("EvP1", $$"""{"type":"message","channel":"C1","user":"U2BOB","text":"How do I make our CI cache NuGet packages between runs?","ts":"{{rootTs}}","event_ts":"{{rootTs}}","channel_type":"channel"}"""));
        await DeliverAsync("slack", Slack("EvP2", $$"""{"type":"message","channel":"C1","user":"U1ANA","text":"Key actions/cache on the hash of packages.lock.json; restore went from 90 s to 12 s for us.","ts":"{{replyTs}}","thread_ts":"{{rootTs}}","parent_user_id":"U2BOB","event_ts":"{{replyTs}}","channel_type":"channel"}"""));

        // Mastodon: ana posts, carl replies to her with substance.
        await DeliverAsync("mastodon", Mastodon(5001, 1001, "ana", Now.AddDays(-4), "<p>We moved our builds to a self-hosted runner pool this week.</p>"));
        await DeliverAsync("mastodon", Mastodon(5002, 1002, "carl", Now.AddDays(-1),
            "<p><span class=\\\"h-card\\\"><a href=\\\"https://m.example/@ana\\\" class=\\\"u-url mention\\\">@<span>ana</span></a></span> we did the same last spring and pinned the runner image so builds stay reproducible</p>",
            5001, 1001, "ana"));

        // The forum (standard source): dan asks, ana answers, and ana's forum account reacts to her own Slack answer.
        var standard = $$"""
            {"events":[
             {"id":"forum:q1","kind":"post","actor":"{{ForumDan}}","actorHandle":"dan","occurredAt":"{{Iso(Now.AddDays(-5))}}","text":"What is the best way to structure Bicep modules?"},
             {"id":"forum:a1","kind":"reply","actor":"{{ForumAna}}","actorHandle":"ana","occurredAt":"{{Iso(Now.AddDays(-4))}}","inReplyTo":{"id":"forum:q1","author":"{{ForumDan}}"},
              "text":"Split them per resource type under infra/app and keep main.bicep small; we test them offline with bicep build."},
             {"id":"forum:b1","kind":"reply","actor":"forum:helperbot","actorHandle":"helperbot","occurredAt":"{{Iso(Now.AddDays(-4))}}","inReplyTo":{"id":"forum:q1","author":"{{ForumDan}}"},
              "text":"Automated answer: modules per resource type are described in the Bicep documentation, with examples for app, storage and monitoring."},
             {"id":"forum:r1","kind":"reaction","actor":"{{ForumAna}}","actorHandle":"ana","occurredAt":"{{Iso(Now.AddDays(-1))}}","subject":{"id":"slack:T1.C1.{{replyTs}}","author":"{{SlackAna}}"} }
            ]}
            """;
        using (var response = await _host.Client.SendAsync(StandardSigner.Request(standard, at: Now)))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await Eventually.Until(() => GetAsync("/api/community"), c => c.ValueKind == JsonValueKind.Object && c.GetProperty("interactions").GetInt32() == 8);
        await Eventually.Until(() => GetAsync($"/api/users/{MastodonAna}/reciprocity"), r => r.ValueKind == JsonValueKind.Object && r.GetProperty("received").GetProperty("count").GetInt32() == 1);
        await Eventually.Until(() => GetAsync($"/api/users/{SlackAna}/reciprocity"), r => r.ValueKind == JsonValueKind.Object && r.GetProperty("received").GetProperty("count").GetInt32() == 1);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _sendGrid.Stop();
    }

    private async Task DeliverAsync(string source, string body)
    {
        using var response = await _host.Client.SendAsync(PlatformSigners.Http(source, body, PlatformSigners.Headers(source, body, at: Now)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        using var response = await _host.Client.GetAsync(path);
        return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone() : default;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, string? ContentType)> PutAsync(string path, object body)
    {
        using var response = await _host.Client.PutAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default, response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<Dictionary<string, string>> PerIdentityAsync()
    {
        var figures = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var user in AnaIdentities)
        {
            figures[user + " engagement"] = (await GetAsync($"/api/users/{user}/engagement")).GetRawText();
            figures[user + " reciprocity"] = (await GetAsync($"/api/users/{user}/reciprocity")).GetRawText();
        }

        return figures;
    }

    [Fact]
    public async Task Merge_FoldsTheUnion_AndUnmergeRestoresEachIdentityExactly()
    {
        var before = await PerIdentityAsync();
        var perIdentity = AnaIdentities.Select(u => JsonDocument.Parse(before[u + " engagement"]).RootElement).ToList();
        var perIdentityReciprocity = AnaIdentities.Select(u => JsonDocument.Parse(before[u + " reciprocity"]).RootElement).ToList();

        var (status, person, _) = await PutAsync("/api/people/ana", new { name = "Ana Lima", identities = AnaIdentities });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("member", person.GetProperty("role").GetString());
        Assert.Equal(AnaIdentities.Order(StringComparer.Ordinal), person.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("userId").GetString()));
        // Slack message events name users by id only: no handle is known there.
        Assert.Equal(["ana", "ana", null], person.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("handle").GetString()));
        Assert.Equal(person.GetRawText(), (await GetAsync("/api/people/ana")).GetRawText());

        // Engagement: every identity's authored interactions, once; none of them changes row when merged.
        var e = await GetAsync("/api/people/ana/engagement");
        Assert.Equal("ana", e.GetProperty("personId").GetString());
        Assert.Equal(perIdentity.Sum(p => p.GetProperty("score").GetDouble()), e.GetProperty("score").GetDouble(), 9);
        foreach (var count in new[] { "post", "reply", "reaction", "answer" })
        {
            Assert.Equal(perIdentity.Sum(p => p.GetProperty("counts").GetProperty(count).GetInt32()), e.GetProperty("counts").GetProperty(count).GetInt32());
        }

        // Reciprocity: the forum account's reaction to her own Slack answer is a give between her identities: it counts for nothing.
        var r = await GetAsync("/api/people/ana/reciprocity");
        var reaction = 0.5 * Math.Pow(2, -1.0 / 30);
        Assert.Equal(perIdentityReciprocity.Sum(p => p.GetProperty("given").GetProperty("points").GetDouble()) - reaction, r.GetProperty("given").GetProperty("points").GetDouble(), 9);
        Assert.Equal(perIdentityReciprocity.Sum(p => p.GetProperty("received").GetProperty("points").GetDouble()) - reaction, r.GetProperty("received").GetProperty("points").GetDouble(), 9);
        Assert.Equal(2, r.GetProperty("given").GetProperty("count").GetInt32());
        Assert.Equal(1, r.GetProperty("received").GetProperty("count").GetInt32());
        var counterparts = r.GetProperty("counterparts").EnumerateArray().Select(c => c.GetProperty("userId").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([ForumDan, MastodonCarl, SlackBob], counterparts);

        // Unmerge: the per-identity figures are exactly those from before the merge.
        using (var delete = await _host.Client.DeleteAsync("/api/people/ana"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        Assert.Equal(before, await PerIdentityAsync());
        using var gone = await _host.Client.GetAsync("/api/people/ana/engagement");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Counterparts_NamePeopleWhereLinked()
    {
        Assert.Equal(HttpStatusCode.OK, (await PutAsync("/api/people/ana", new { name = "Ana Lima", identities = AnaIdentities })).Status);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync("/api/people/dan", new { name = "Dan", identities = new[] { ForumDan } })).Status);

        var r = await GetAsync("/api/people/ana/reciprocity");

        var dan = Assert.Single(r.GetProperty("counterparts").EnumerateArray(), c => c.TryGetProperty("personId", out _));
        Assert.Equal("dan", dan.GetProperty("personId").GetString());
        Assert.Equal("Dan", dan.GetProperty("name").GetString());
        Assert.False(dan.TryGetProperty("userId", out _));
    }

    [Fact]
    public async Task Put_IdentityOfAnotherPerson_Is409NamingIt_UnlessMoved()
    {
        Assert.Equal(HttpStatusCode.OK, (await PutAsync("/api/people/ana", new { identities = AnaIdentities })).Status);

        var (status, problem, type) = await PutAsync("/api/people/ana-forum", new { identities = new[] { ForumAna } });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("application/problem+json", type);
        Assert.Contains("'ana'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var (moved, person, _) = await PutAsync("/api/people/ana-forum?move=true", new { role = "team", identities = new[] { ForumAna } });
        Assert.Equal(HttpStatusCode.OK, moved);
        Assert.Equal("team", person.GetProperty("role").GetString());
        var ana = await GetAsync("/api/people/ana");
        Assert.Equal([MastodonAna, SlackAna], ana.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("userId").GetString()));
    }

    private async Task RunProjectionAsync()
    {
        using var run = await _host.Client.PostAsync("/admin/functions/ScoresProjection", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
    }

    private static List<string> Ids(JsonElement board) => board.GetProperty("entries").EnumerateArray()
        .Select(e => e.TryGetProperty("personId", out var person) ? "person " + person.GetString() : e.GetProperty("userId").GetString()!).ToList();

    [Fact]
    public async Task Roles_BotLeavesLeaderboardAndCommunity_PersonIsOneEntry()
    {
        await RunProjectionAsync();
        var before = Ids(await GetAsync("/api/leaderboard?top=1000"));
        var communityBefore = await GetAsync("/api/community");
        Assert.Contains("forum:helperbot", before);

        Assert.Equal(HttpStatusCode.OK, (await PutAsync("/api/people/helperbot", new { role = "bot", identities = new[] { "forum:helperbot" } })).Status);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync("/api/people/ana", new { name = "Ana Lima", identities = AnaIdentities })).Status);
        await RunProjectionAsync();

        var board = await GetAsync("/api/leaderboard?top=1000");
        var ids = Ids(board);
        Assert.DoesNotContain("forum:helperbot", ids);
        Assert.DoesNotContain("person helperbot", ids);
        Assert.Contains("person ana", ids);
        Assert.DoesNotContain(ids, id => AnaIdentities.Contains(id));
        var ana = board.GetProperty("entries").EnumerateArray().Single(e => e.TryGetProperty("personId", out var p) && p.GetString() == "ana");
        Assert.Equal(AnaIdentities.Order(StringComparer.Ordinal), ana.GetProperty("identities").EnumerateArray().Select(i => i.GetString()));
        Assert.False(ana.TryGetProperty("userId", out _));

        var withBots = await GetAsync("/api/leaderboard?top=1000&include=team,bot");
        var bot = withBots.GetProperty("entries").EnumerateArray().Single(e => e.TryGetProperty("personId", out var p) && p.GetString() == "helperbot");
        Assert.Equal("bot", bot.GetProperty("role").GetString());

        // Community: the bot's reply (a pair helperbot→dan, a user) is left out unless asked for; ana's three identities are one user.
        var community = await GetAsync("/api/community");
        var communityWithBots = await GetAsync("/api/community?include=bot");
        Assert.Equal(communityBefore.GetProperty("users").GetInt32() - 2, communityWithBots.GetProperty("users").GetInt32());
        Assert.Equal(communityWithBots.GetProperty("users").GetInt32() - 1, community.GetProperty("users").GetInt32());
        Assert.Equal(communityWithBots.GetProperty("interactions").GetInt32() - 1, community.GetProperty("interactions").GetInt32());

        using var bad = await _host.Client.GetAsync("/api/leaderboard?include=admins");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task PlatformFlaggedBots_BecomeBotPeople_AndTheirRepliesLeaveTheLeaderboard_UnlessAHumanLinkedThem()
    {
        // A human decision wins: the Mastodon account flags itself a bot, but someone linked it as a member first.
        Assert.Equal(HttpStatusCode.OK, (await PutAsync("/api/people/helper", new { name = "Helper (a person)", identities = new[] { "mastodon:m.example.1009" } })).Status);
        await RunProjectionAsync();
        var before = Ids(await GetAsync("/api/leaderboard?top=1000"));

        // Slack: a bot (bot_message, no user) answers bob's thread; Mastodon: the self-declared bot answers ana.
        string rootTs = SlackTs(Now.AddDays(-3)), botTs = SlackTs(Now.AddDays(-2).AddMinutes(5));
        await DeliverAsync("slack", Slack("EvBot1", $$"""{"type":"message","subtype":"bot_message","channel":"C1","bot_id":"B0HELPER","username":"ci-helper","text":"Cache key docs: the restore step takes the lock file hash, see the CI handbook for NuGet and npm examples.","ts":"{{botTs}}","thread_ts":"{{rootTs}}","parent_user_id":"U2BOB","event_ts":"{{botTs}}","channel_type":"channel"}"""));
        await DeliverAsync("mastodon", Mastodon(5009, 1009, "helper", Now.AddDays(-1).AddMinutes(5),
            "<p>Automated: runner images are listed with their pinned versions in the infrastructure repository, with upgrade notes for each</p>", 5001, 1001, "ana")
            .Replace("\"username\":\"helper\",", "\"username\":\"helper\",\"bot\":true,", StringComparison.Ordinal));
        await Eventually.Until(() => GetAsync("/api/community?include=team,bot"), c => c.ValueKind == JsonValueKind.Object && c.GetProperty("interactions").GetInt32() == 10);
        await RunProjectionAsync();

        // The Slack bot is a bot person of its own, made at ingest; nobody said so.
        var auto = await GetAsync("/api/people/bot-slack.T1.B0HELPER");
        Assert.Equal("bot", auto.GetProperty("role").GetString());
        Assert.Equal("ci-helper", auto.GetProperty("name").GetString());
        Assert.Equal(["slack:T1.B0HELPER"], auto.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("userId").GetString()));
        var linked = await GetAsync("/api/people/helper");
        Assert.Equal("member", linked.GetProperty("role").GetString());
        using (var none = await _host.Client.GetAsync("/api/people/bot-mastodon.m.example.1009"))
        {
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        }

        // Its reply is gone from the leaderboard, and comes back with ?include=bot; the member-linked account is listed.
        var board = Ids(await GetAsync("/api/leaderboard?top=1000"));
        Assert.DoesNotContain("person bot-slack.T1.B0HELPER", board);
        Assert.DoesNotContain("slack:T1.B0HELPER", board);
        Assert.Contains("person helper", board);
        Assert.DoesNotContain("person helper", before);
        Assert.Contains("person bot-slack.T1.B0HELPER", Ids(await GetAsync("/api/leaderboard?top=1000&include=bot")));

        // Community: the bot's reply is one interaction fewer unless asked for.
        var community = await GetAsync("/api/community");
        var withBots = await GetAsync("/api/community?include=bot");
        Assert.Equal(withBots.GetProperty("interactions").GetInt32() - 1, community.GetProperty("interactions").GetInt32());
    }

    [Theory]
    [InlineData("/api/people/ana:1", """{"identities":[]}""")]
    [InlineData("/api/people/ana", """{"identities":["nocolon"]}""")]
    [InlineData("/api/people/ana", """{"identities":["bad id:1"]}""")]
    [InlineData("/api/people/ana", """{"role":"admin","identities":[]}""")]
    [InlineData("/api/people/ana", "not json")]
    public async Task Put_Malformed_Is400Problem(string path, string body)
    {
        using var response = await _host.Client.PutAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Suggestions_SameHandleOnTwoPlatforms_UntilLinked()
    {
        var suggestions = (await GetAsync("/api/people/suggestions")).GetProperty("suggestions").EnumerateArray().ToList();

        // Slack message events carry no handle, so ana's Slack identity cannot be suggested from them.
        var ana = Assert.Single(suggestions);
        Assert.Equal([ForumAna, MastodonAna], ana.GetProperty("identities").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("same handle on forum and mastodon", ana.GetProperty("reason").GetString());
        Assert.Equal(0.8, ana.GetProperty("confidence").GetDouble());
        using (var notAPerson = await _host.Client.GetAsync("/api/people/ana"))
        {
            Assert.Equal(HttpStatusCode.NotFound, notAPerson.StatusCode); // never merged automatically
        }

        Assert.Equal(HttpStatusCode.OK, (await PutAsync("/api/people/ana", new { identities = AnaIdentities })).Status);
        Assert.Empty((await GetAsync("/api/people/suggestions")).GetProperty("suggestions").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await PutAsync("/api/people/suggestions", new { identities = Array.Empty<string>() })).Status);
    }

    [Fact]
    public async Task UserRoutes_NameThePerson_OnlyWhileLinked()
    {
        var unlinked = await GetAsync($"/api/users/{SlackAna}/engagement");
        Assert.False(unlinked.TryGetProperty("personId", out _));

        Assert.Equal(HttpStatusCode.OK, (await PutAsync("/api/people/ana", new { identities = AnaIdentities })).Status);

        Assert.Equal("ana", (await GetAsync($"/api/users/{SlackAna}/engagement")).GetProperty("personId").GetString());
        Assert.Equal("ana", (await GetAsync($"/api/users/{ForumAna}/reciprocity")).GetProperty("personId").GetString());
        Assert.False((await GetAsync($"/api/users/{ForumDan}/reciprocity")).TryGetProperty("personId", out _));
    }

    [Fact]
    public async Task PersonSubscription_OneDigestOverEveryIdentity_OncePerWeek_NoSecondMailToTheSameAddress()
    {
        Assert.Equal(HttpStatusCode.OK, (await PutAsync("/api/people/ana", new { name = "Ana Lima", identities = AnaIdentities })).Status);
        var (status, subscription, _) = await PutAsync("/api/people/ana/subscription", new { email = "ana@example.org", timeZone = "Europe/Lisbon" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ana", subscription.GetProperty("personId").GetString());
        Assert.Equal("weekly", (await GetAsync("/api/people/ana/subscription")).GetProperty("cadence").GetString());

        // Ana's Slack identity has its own subscription to the same address (another case): the person's digest covers it.
        // Dan's forum identity is a subscriber of its own, and gets its own digest.
        Assert.Equal(HttpStatusCode.OK, (await PutAsync($"/api/users/{SlackAna}/subscription", new { email = "Ana@Example.org" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync($"/api/users/{ForumDan}/subscription", new { email = "dan@example.org" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PutAsync("/api/people/nobody/subscription", new { email = "x@example.org" })).Status);

        await RunDigestSchedulerAsync();
        await Eventually.Until(() => Task.FromResult(Mails().Count), n => n >= 2, TimeSpan.FromSeconds(60));
        await DrainDigestsAsync();
        var mails = Mails();
        Assert.Equal(2, mails.Count);
        var ana = Assert.Single(mails, m => m.Contains("ana@example.org", StringComparison.OrdinalIgnoreCase));
        Assert.Single(mails, m => m.Contains("dan@example.org", StringComparison.Ordinal));

        // One digest folded over the identities: carl's Mastodon reply to her, unreturned, is in it.
        Assert.Contains("carl", ana, StringComparison.Ordinal);

        // Idempotent per person and ISO week: a second run sends nothing.
        await RunDigestSchedulerAsync();
        await DrainDigestsAsync();
        Assert.Equal(2, Mails().Count);

        using (var delete = await _host.Client.DeleteAsync("/api/people/ana/subscription"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var gone = await _host.Client.GetAsync("/api/people/ana/subscription");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    private List<string> Mails() => _sendGrid.LogEntries.Where(e => e.RequestMessage.Path == "/v3/mail/send").Select(e => e.RequestMessage.Body ?? "").ToList();

    private async Task RunDigestSchedulerAsync()
    {
        using var run = await _host.Client.PostAsync("/admin/functions/DigestScheduler", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
    }

    private async Task DrainDigestsAsync()
    {
        var queue = _host.Host.Services.GetRequiredService<QueueServiceClient>().GetQueueClient("digests");
        await Eventually.Until(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task EraseOneIdentity_LeavesItsPerson_TheOthersStay()
    {
        Assert.Equal(HttpStatusCode.OK, (await PutAsync("/api/people/ana", new { name = "Ana Lima", identities = AnaIdentities })).Status);

        using (var erase = await _host.Client.DeleteAsync($"/api/users/{ForumAna}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        }

        var ana = await GetAsync("/api/people/ana");
        Assert.Equal([MastodonAna, SlackAna], ana.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("userId").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await PutAsync("/api/people/forum-ana", new { identities = new[] { ForumAna } })).Status); // no longer anyone's
    }

    [Fact]
    public async Task ErasePersonData_ErasesEveryIdentity_AndThePerson()
    {
        Assert.Equal(HttpStatusCode.OK, (await PutAsync("/api/people/ana", new { name = "Ana Lima", identities = AnaIdentities })).Status);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync("/api/people/ana/subscription", new { email = "ana@example.org" })).Status);
        Assert.Contains(SlackAna, (await GetAsync($"/api/users/{SlackBob}/reciprocity")).GetRawText(), StringComparison.Ordinal);

        using (var erase = await _host.Client.DeleteAsync("/api/people/ana/data"))
        {
            Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        }

        foreach (var user in AnaIdentities)
        {
            using var engagement = await _host.Client.GetAsync($"/api/users/{user}/engagement");
            Assert.Equal(HttpStatusCode.NotFound, engagement.StatusCode);
        }

        // Gone from the people she talked with too, and nothing of the person is left.
        Assert.DoesNotContain(SlackAna, (await GetAsync($"/api/users/{SlackBob}/reciprocity")).GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(MastodonAna, (await GetAsync($"/api/users/{MastodonCarl}/reciprocity")).GetRawText(), StringComparison.Ordinal);
        foreach (var path in new[] { "/api/people/ana", "/api/people/ana/subscription" })
        {
            using var gone = await _host.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using var again = await _host.Client.DeleteAsync("/api/people/ana/data");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Suggestions_SameDisplayNameOnTwoPlatforms_WithItsReasonAndConfidence()
    {
        // Discourse names its posters ("Bob Builder", handle Bob); a Mastodon account with another handle gives the same display name.
        var topic = PlatformSigners.Fixture("discourse", "post_created_topic.json");
        using (var response = await _host.Client.SendAsync(PlatformSigners.Http("discourse", topic, PlatformSigners.Headers("discourse", topic, at: Now))))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await DeliverAsync("mastodon", Mastodon(5010, 1010, "builderb", Now.AddHours(-1), "<p>Our runners are back up after the storage outage this morning.</p>")
            .Replace("\"username\":\"builderb\",", "\"username\":\"builderb\",\"display_name\":\"Bob  Builder\",", StringComparison.Ordinal));

        var bob = await Eventually.Until(
            async () => (await GetAsync("/api/people/suggestions")).GetProperty("suggestions").EnumerateArray().FirstOrDefault(s => s.GetProperty("reason").GetString()!.StartsWith("same display name", StringComparison.Ordinal)),
            s => s.ValueKind == JsonValueKind.Object);

        Assert.Equal(["discourse:forum.example.org.bob", "mastodon:m.example.1010"], bob.GetProperty("identities").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("same display name on discourse and mastodon", bob.GetProperty("reason").GetString());
        Assert.Equal(0.6, bob.GetProperty("confidence").GetDouble());
    }

    [Fact]
    public async Task Get_UnknownPerson_Is404()
    {
        using var get = await _host.Client.GetAsync("/api/people/nobody");
        using var delete = await _host.Client.DeleteAsync("/api/people/nobody");

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
    }
}
