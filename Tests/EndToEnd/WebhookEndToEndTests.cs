using System.Net;
using System.Text;
using System.Text.Json;
using Engage.Domain.Scoring;
using Engage.Functions.Scores;
using Engage.Functions.Webhooks;
using Engage.Tests.Support;

namespace Engage.Tests.EndToEnd;

[Collection(DevHostCollection.Name)]
public sealed class WebhookEndToEndTests(DevHostFixture host)
{
    private readonly HttpClient _client = host.Client;

    private static string Unique(string name) => $"e2e:{name}-{Guid.NewGuid():N}";

    private static string Delivery(string alice, string bob, string carol, DateTimeOffset at) => $$$"""
        {"events":[
          {"id":"{{{alice}}}-post","kind":"post","actor":"{{{bob}}}","actorHandle":"bob","occurredAt":"{{{at.AddHours(-2):O}}}","text":"How do I cache builds?"},
          {"id":"{{{alice}}}-reply","kind":"reply","actor":"{{{alice}}}","actorHandle":"alice","occurredAt":"{{{at.AddHours(-1):O}}}",
           "inReplyTo":{"id":"{{{alice}}}-post","author":"{{{bob}}}"},"mentions":["{{{carol}}}"],"text":"Use the restore cache, @carol measured it"},
          {"id":"{{{alice}}}-like","kind":"reaction","actor":"{{{alice}}}","occurredAt":"{{{at:O}}}","subject":{"id":"{{{alice}}}-post","author":"{{{bob}}}"}}
        ]}
        """;

    private Task<EngagementResponse> EngagementAsync(string user, string query = "") =>
        _client.GetOkAsync<EngagementResponse>($"/api/users/{user}/engagement{query}");

    private async Task<Counts> CountsWhenAsync(string user, Func<Counts, bool> done) =>
        (await _client.GetWhenAsync<EngagementResponse>($"/api/users/{user}/engagement", e => done(e.Counts)))?.Counts
        ?? throw new Xunit.Sdk.XunitException($"No engagement answer for {user}.");

    private static Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status) => Api.AssertProblemAsync(response, status);

    [Fact]
    public async Task SignedDelivery_IsAcceptedIngestedAndCounted()
    {
        string alice = Unique("alice"), bob = Unique("bob"), carol = Unique("carol");
        var now = DateTimeOffset.UtcNow;

        using var response = await _client.SendAsync(StandardSigner.Request(Delivery(alice, bob, carol, now)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.ReadAsync<WebhookAccepted>();
        Assert.Equal("standard", accepted.Source);
        Assert.Equal(3, accepted.Interactions);
        Assert.Null(accepted.Ignored);

        var counts = await CountsWhenAsync(alice, c => c.Reaction == 1 && c.Reply == 1);
        Assert.Equal(1, counts.Reply);
        Assert.Equal(1, counts.Reaction);
        Assert.Equal(0, counts.Post);
        Assert.Equal(1, counts.MentionsMade);

        var engagement = await EngagementAsync(alice);
        Assert.Equal(alice, engagement.UserId);
        Assert.Equal("alice", engagement.Handle);
        Assert.Equal("P30D", engagement.Window);

        var bobCounts = await CountsWhenAsync(bob, c => c.Post == 1);
        Assert.Equal(1, bobCounts.Post);
        Assert.Equal(0, bobCounts.Reply);

        // Carol was mentioned: she is a known user with no authored interactions.
        var carolCounts = await CountsWhenAsync(carol, _ => true);
        Assert.Equal(0, carolCounts.Reply);
    }

    [Fact]
    public async Task SameDeliveryTwice_ChangesNoCount()
    {
        string alice = Unique("alice"), bob = Unique("bob"), carol = Unique("carol");
        var body = Delivery(alice, bob, carol, DateTimeOffset.UtcNow);
        var id = "msg_" + Guid.NewGuid().ToString("N");

        using (var first = await _client.SendAsync(StandardSigner.Request(body, id)))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        var once = await CountsWhenAsync(alice, c => c.Reaction == 1 && c.Reply == 1);
        using (var second = await _client.SendAsync(StandardSigner.Request(body, id)))
        {
            Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        }

        using (var third = await _client.SendAsync(StandardSigner.Request(body)))
        {
            Assert.Equal(HttpStatusCode.Accepted, third.StatusCode);
        }

        // Let the queue drain the redeliveries, then the counts must be what they were.
        await host.DrainAsync();
        var after = await CountsWhenAsync(alice, _ => true);
        Assert.Equal(once, after);
        Assert.Equal(1, after.Reply);
    }

    [Fact]
    public async Task WrongSignature_Is401Problem_AndNothingIsIngested()
    {
        string alice = Unique("alice"), bob = Unique("bob"), carol = Unique("carol");
        var request = StandardSigner.Request(Delivery(alice, bob, carol, DateTimeOffset.UtcNow),
            secret: "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("not-the-configured-secret")));

        using var response = await _client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        await host.DrainAsync();
        using var engagement = await _client.GetAsync($"/api/users/{alice}/engagement");
        Assert.Equal(HttpStatusCode.NotFound, engagement.StatusCode);
    }

    [Fact]
    public async Task StaleTimestamp_Is401Problem()
    {
        var request = StandardSigner.Request("""{"events":[]}""", at: DateTimeOffset.UtcNow.AddMinutes(-6));
        using var response = await _client.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task OversizedBody_Is413Problem()
    {
        var padding = new string('x', 1024 * 1024);
        using var response = await _client.SendAsync(StandardSigner.Request($$"""{"events":[],"padding":"{{padding}}"}"""));
        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    /// <summary>Without a Content-Length (chunked), intake reads the body through a pooled buffer, still within the cap.</summary>
    [Fact]
    public async Task ChunkedDelivery_IsAccepted_AndAnOversizedOneIs413()
    {
        string alice = Unique("alice"), bob = Unique("bob"), carol = Unique("carol");
        using var request = StandardSigner.Request(Delivery(alice, bob, carol, DateTimeOffset.UtcNow));
        request.Headers.TransferEncodingChunked = true;
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(3, (await response.ReadAsync<WebhookAccepted>()).Interactions);

        var padding = new string('x', 1024 * 1024);
        using var oversized = StandardSigner.Request($$"""{"events":[],"padding":"{{padding}}"}""");
        oversized.Headers.TransferEncodingChunked = true;
        using var refused = await _client.SendAsync(oversized);
        await AssertProblemAsync(refused, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task NonJsonBody_Is400Problem()
    {
        using var response = await _client.SendAsync(StandardSigner.Request("this is not json"));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task MalformedEvents_Is400Problem_AndEarlierDeliveriesStayCounted()
    {
        string alice = Unique("alice"), bob = Unique("bob"), carol = Unique("carol");
        using (var good = await _client.SendAsync(StandardSigner.Request(Delivery(alice, bob, carol, DateTimeOffset.UtcNow))))
        {
            Assert.Equal(HttpStatusCode.Accepted, good.StatusCode);
        }

        var before = await CountsWhenAsync(alice, c => c.Reaction == 1 && c.Reply == 1);
        using var bad = await _client.SendAsync(StandardSigner.Request($$"""{"events":[{"id":"x","kind":"shout","actor":"{{alice}}","occurredAt":"now"}]}"""));

        await AssertProblemAsync(bad, HttpStatusCode.BadRequest);
        Assert.Equal(before, (await CountsWhenAsync(alice, _ => true)));
    }

    [Theory]
    [InlineData("1000-01-01T00:00:00Z", "ok")]
    [InlineData("2999-01-01T00:00:00Z", "ok")]
    [InlineData("2026-11-20T10:00:00Z", "long-id")]
    [InlineData("2026-11-20T10:00:00Z", "long-handle")]
    public async Task InteractionStorageCouldNotHold_Is400BeforeAnything(string occurredAt, string variant)
    {
        var user = Unique("limits");
        var id = variant == "long-id" ? "forum:" + new string('/', 200) : user + "-1";
        var handle = variant == "long-handle" ? new string('h', 300) : "h";
        var body = $$"""{"events":[{"id":"{{id}}","kind":"post","actor":"{{user}}","actorHandle":"{{handle}}","occurredAt":"{{occurredAt}}","text":"hi"}]}""";

        using var response = await _client.SendAsync(StandardSigner.Request(body));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task LongTextAndManyMentions_AreShortenedToFitTheQueue()
    {
        var user = Unique("big");
        var mentions = Enumerable.Range(0, 100).Select(n => $"forum:{n}-{new string('m', 240)}").ToList();
        var handles = string.Join(",", mentions.Select(m => "\"" + m + "\""));
        var text = string.Concat(Enumerable.Repeat("é€", 2000));
        var body = $$"""{"events":[{"id":"{{user}}-1","kind":"post","actor":"{{user}}","occurredAt":"{{DateTimeOffset.UtcNow:O}}","mentions":[{{handles}}],"text":"{{text}}"}]}""";

        using var response = await _client.SendAsync(StandardSigner.Request(body));

        // Text is shortened until the item fits; 100 mentions of 247 characters still fit (as JSON, ~26 KB).
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/webhooks/myspace")]
    [InlineData("/api/webhooks/STANDARD-nope")]
    public async Task UnknownSource_Is404Problem(string path)
    {
        using var response = await _client.PostAsync(path, new StringContent("{}", Encoding.UTF8, "application/json"));
        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AfterBadRequests_AppKeepsServing()
    {
        using (await _client.SendAsync(StandardSigner.Request("not json"))) { }
        using (await _client.PostAsync("/api/webhooks/unknown", new StringContent("{}"))) { }

        using var health = await _client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task ReplyBeforeParent_IsAttributedToParentAuthorOnceParentArrives()
    {
        string asker = Unique("asker"), helper = Unique("helper");
        var now = DateTimeOffset.UtcNow;
        var parentId = Unique("q");
        var reply = $$"""{"events":[{"id":"{{parentId}}-r","kind":"reply","actor":"{{helper}}","occurredAt":"{{now:O}}","inReplyTo":{"id":"{{parentId}}"},"text":"Try clearing the cache, it took the build from 9 to 2 minutes."}]}""";
        var parent = $$"""{"events":[{"id":"{{parentId}}","kind":"post","actor":"{{asker}}","occurredAt":"{{now.AddMinutes(-5):O}}","text":"Why is my build slow?"}]}""";

        using (var r = await _client.SendAsync(StandardSigner.Request(reply)))
        {
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        }

        await CountsWhenAsync(helper, c => c.Reply == 1);
        using (var p = await _client.SendAsync(StandardSigner.Request(parent)))
        {
            Assert.Equal(HttpStatusCode.Accepted, p.StatusCode);
        }

        // The asker's partition gets the reply (a give to them) once the pending-parent message finds the parent.
        var facts = await Eventually.Until(async () =>
        {
            var store = (Engage.Functions.Storage.FactStore)host.Services.GetService(typeof(Engage.Functions.Storage.FactStore))!;
            return await store.ReadAsync(asker, new Engage.Domain.Scoring.Window(DateTimeOffset.UtcNow, TimeSpan.FromDays(1)), CancellationToken.None);
        }, f => f.Any(x => x.InteractionId == parentId + "-r"));
        var received = Assert.Single(facts, f => f.InteractionId == parentId + "-r");
        Assert.Equal(helper, received.Actor);
        Assert.Equal(asker, received.InReplyToAuthor);
        var helperCounts = await CountsWhenAsync(helper, c => c.Answer == 1);
        Assert.Equal(1, helperCounts.Answer);
    }
}
