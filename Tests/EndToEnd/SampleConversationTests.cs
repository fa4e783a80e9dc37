using System.Net;
using System.Text.Json;
using Engage.Functions.Scores;
using Engage.Tests.Support;

namespace Engage.Tests.EndToEnd;

/// <summary>
/// samples/conversation.json replayed through DevHost: every figure below was worked out by hand from
/// docs/scoring.md (points per row × 2^(−age/30 days)), not by running the code.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed class SampleConversationTests(DevHostFixture host) : IAsyncLifetime
{
    private const string AsOf = "2026-11-20T12:00:00Z";
    private readonly HttpClient _client = host.Client;

    /// <summary>Decay of something <paramref name="days"/> days before asOf.</summary>
    private static double D(double days) => Math.Pow(2, -days / 30);

    public async Task InitializeAsync()
    {
        var body = await File.ReadAllTextAsync(RepoPaths.Of("samples", "conversation.json"));
        using var response = await _client.SendAsync(StandardSigner.Request(body));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // Ingestion is asynchronous: wait until the last users' facts are there.
        await _client.GetWhenAsync<EngagementResponse>(AtAsOf("/api/users/demo:gus/engagement"), j => j.Counts.Reply == 2);
        await _client.GetWhenAsync<ReciprocityResponse>(AtAsOf("/api/users/demo:ada/reciprocity"), j => j.Received.Count == 3);
        await _client.GetWhenAsync<ReciprocityResponse>(AtAsOf("/api/users/demo:ben/reciprocity"), j => j.Received.Count == 3);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string AtAsOf(string path) => path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "asOf=" + AsOf;

    private Task<T> GetAsync<T>(string path) => _client.GetOkAsync<T>(AtAsOf(path));

    /// <summary>Every count the answer carries is zero except those named (the counts are enumerated as written).</summary>
    private static void AssertCounts(EngagementResponse engagement, params (string Name, int Value)[] nonZero)
    {
        var counts = JsonSerializer.SerializeToElement(engagement.Counts, Api.Strict);
        foreach (var property in counts.EnumerateObject())
        {
            var expected = nonZero.FirstOrDefault(n => n.Name == property.Name).Value;
            Assert.True(expected == property.Value.GetInt32(), $"counts.{property.Name}: expected {expected}, got {property.Value.GetInt32()}");
        }
    }

    private static double Breakdown(EngagementResponse engagement, string signal) =>
        engagement.Breakdown.Where(b => b.Signal == signal).Sum(b => b.Points);

    [Fact]
    public async Task Ada_AskedAndThanked_IsAllConversation()
    {
        var e = await GetAsync<EngagementResponse>("/api/users/demo:ada/engagement");

        Assert.Equal("ada", e.Handle);
        AssertCounts(e, ("post", 1), ("reply", 1), ("question", 1), ("thanks", 1), ("mentionsMade", 1));
        Assert.Equal(4 * D(3) + 4 * D(1), e.Score, 9);
        Assert.Equal(4 * D(3), Breakdown(e, "question"), 9);
        Assert.Equal(4 * D(1), Breakdown(e, "reply"), 9);
        Assert.Equal(0, e.BroadcastRatio!.Value);
        Assert.Equal(1, e.ConversationRatio!.Value);
    }

    [Fact]
    public async Task Ada_Reciprocity_RepaidBenAndAnsweredWithinADay()
    {
        var r = await GetAsync<ReciprocityResponse>("/api/users/demo:ada/reciprocity");

        var received = 0.25 * D(3) + 7 * D(2) + 0.25 * D(2);
        Assert.Equal(1, r.Given.Count);
        Assert.Equal(4 * D(1), r.Given.Points, 9);
        Assert.Equal(3, r.Received.Count);
        Assert.Equal(received, r.Received.Points, 9);
        Assert.Equal(4 * D(1) / received, r.ReciprocityIndex!.Value, 9);
        Assert.Equal(1, r.ReplyRate!.Value);
        Assert.Equal("P1D", r.MedianReplyLatency);
        Assert.Equal(["demo:ben", "demo:eve", "demo:dee"], r.Counterparts.Select(c => c.UserId));
        var ben = r.Counterparts[0];
        Assert.Equal((4 * D(1) - 7 * D(2)) / (4 * D(1) + 7 * D(2)), ben.Balance, 9);
        Assert.Empty(r.Owed);
        Assert.Empty(r.OpenQuestions);
    }

    [Fact]
    public async Task Ben_AnswerWithEvidence_AndFaysQuestionWaits()
    {
        var e = await GetAsync<EngagementResponse>("/api/users/demo:ben/engagement");
        AssertCounts(e, ("reply", 1), ("answer", 1), ("evidence", 1));
        Assert.Equal(7 * D(2), e.Score, 9);
        Assert.Equal(6 * D(2), Breakdown(e, "answer"), 9);
        Assert.Equal(1 * D(2), Breakdown(e, "evidence"), 9);

        var r = await GetAsync<ReciprocityResponse>("/api/users/demo:ben/reciprocity");
        var open = Assert.Single(r.OpenQuestions);
        Assert.Equal("demo:9", open.Id);
        Assert.Equal("demo:fay", open.From);
        Assert.Null(r.ReplyRate);
        Assert.Equal(11 * D(1), r.Received.Points, 9);

        // Owed is help received: cy's recommendation (3·D(1)) helped ben and he has not returned it. fay's question
        // (4·D(1)) is an ask, waiting under open questions, and ada's thanks is thanks: neither is help.
        var owed = Assert.Single(r.Owed);
        Assert.Equal("demo:cy", owed.UserId);
        Assert.Equal(3 * D(1), owed.Received.Points, 9);
        Assert.Equal(1, owed.Received.Count);
    }

    [Fact]
    public async Task Dee_Broadcaster_OnlyLinksAndReposts()
    {
        var e = await GetAsync<EngagementResponse>("/api/users/demo:dee/engagement");

        // A bare link (with at most a hashtag) is also lowContent by the labelling guide; on a post it scores nothing more.
        AssertCounts(e, ("post", 2), ("repost", 1), ("linkOnly", 2), ("lowContent", 2));

        // Broadcasting earns nothing: the rows stay in the breakdown with their count and 0 points.
        Assert.Equal(0, e.Score);
        Assert.Equal([("linkOnlyPost", 2, 0.0), ("repost", 1, 0.0)], e.Breakdown.Select(b => (b.Signal, b.Count, b.Points)));
        Assert.Equal(1, e.BroadcastRatio!.Value);
        Assert.Equal(0, e.ConversationRatio!.Value);
    }

    [Fact]
    public async Task Eve_MeTooReply_IsLowContentBroadcastAndNoAnswer()
    {
        var e = await GetAsync<EngagementResponse>("/api/users/demo:eve/engagement");

        AssertCounts(e, ("reply", 1), ("lowContent", 1));
        Assert.Equal(0, e.Score);
        Assert.Equal(1, e.Breakdown[0].Count);
        Assert.Equal(1, e.BroadcastRatio!.Value);
    }

    [Fact]
    public async Task Cy_Recommendation_ScoresThree()
    {
        var e = await GetAsync<EngagementResponse>("/api/users/demo:cy/engagement");

        AssertCounts(e, ("post", 1), ("recommendation", 1), ("mentionsMade", 1));
        Assert.Equal(3 * D(1), e.Score, 9);
    }

    [Fact]
    public async Task Hal_FavourNeverReturned_OwesGus()
    {
        var hal = await GetAsync<EngagementResponse>("/api/users/demo:hal/engagement");
        AssertCounts(hal, ("post", 2), ("question", 2));
        Assert.Equal(4 * (D(10) + D(8)), hal.Score, 9);

        var r = await GetAsync<ReciprocityResponse>("/api/users/demo:hal/reciprocity");
        var owed = Assert.Single(r.Owed);
        Assert.Equal("demo:gus", owed.UserId);
        Assert.Equal("gus", owed.Handle);
        Assert.Equal(2, owed.Received.Count);
        Assert.Equal(6 * (D(9) + D(8)), owed.Received.Points, 9);
        Assert.Equal(0, owed.Given.Points);
        Assert.Equal(DateTimeOffset.Parse("2026-11-11T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture), owed.Since);
        Assert.Equal(0, r.ReplyRate!.Value);

        var gus = await GetAsync<ReciprocityResponse>("/api/users/demo:gus/reciprocity");
        Assert.Equal(0, gus.ReciprocityIndex!.Value);
        var gusEngagement = await GetAsync<EngagementResponse>("/api/users/demo:gus/engagement");
        AssertCounts(gusEngagement, ("reply", 2), ("answer", 2));
        Assert.Equal(6 * (D(9) + D(8)), gusEngagement.Score, 9);
    }
}
