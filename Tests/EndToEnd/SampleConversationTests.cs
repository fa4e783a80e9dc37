using System.Net;
using System.Text.Json;
using Engage.Tests.Support;

namespace Engage.Tests.EndToEnd;

/// <summary>
/// samples/conversation.json replayed through DevHost: every figure below was worked out by hand from
/// scoring.md (points per row × 2^(−age/30 days)), not by running the code.
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
        await Eventually.Until(() => GetAsync("/api/users/demo:gus/engagement"), j => j.ValueKind == JsonValueKind.Object && j.GetProperty("counts").GetProperty("reply").GetInt32() == 2);
        await Eventually.Until(() => GetAsync("/api/users/demo:ada/reciprocity"), j => j.ValueKind == JsonValueKind.Object && j.GetProperty("received").GetProperty("count").GetInt32() == 3);
        await Eventually.Until(() => GetAsync("/api/users/demo:ben/reciprocity"), j => j.ValueKind == JsonValueKind.Object && j.GetProperty("received").GetProperty("count").GetInt32() == 3);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<JsonElement> GetAsync(string path)
    {
        using var response = await _client.GetAsync(path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "asOf=" + AsOf);
        return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone() : default;
    }

    private static void AssertCounts(JsonElement engagement, params (string Name, int Value)[] nonZero)
    {
        var counts = engagement.GetProperty("counts");
        foreach (var property in counts.EnumerateObject())
        {
            var expected = nonZero.FirstOrDefault(n => n.Name == property.Name).Value;
            Assert.True(expected == property.Value.GetInt32(), $"counts.{property.Name}: expected {expected}, got {property.Value.GetInt32()}");
        }
    }

    private static double Breakdown(JsonElement engagement, string signal) =>
        engagement.GetProperty("breakdown").EnumerateArray().Where(b => b.GetProperty("signal").GetString() == signal).Sum(b => b.GetProperty("points").GetDouble());

    [Fact]
    public async Task Ada_AskedAndThanked_IsAllConversation()
    {
        var e = await GetAsync("/api/users/demo:ada/engagement");

        Assert.Equal("ada", e.GetProperty("handle").GetString());
        AssertCounts(e, ("post", 1), ("reply", 1), ("question", 1), ("thanks", 1), ("mentionsMade", 1));
        Assert.Equal(4 * D(3) + 4 * D(1), e.GetProperty("score").GetDouble(), 9);
        Assert.Equal(4 * D(3), Breakdown(e, "question"), 9);
        Assert.Equal(4 * D(1), Breakdown(e, "reply"), 9);
        Assert.Equal(0, e.GetProperty("broadcastRatio").GetDouble());
        Assert.Equal(1, e.GetProperty("conversationRatio").GetDouble());
    }

    [Fact]
    public async Task Ada_Reciprocity_RepaidBenAndAnsweredWithinADay()
    {
        var r = await GetAsync("/api/users/demo:ada/reciprocity");

        var received = 0.25 * D(3) + 7 * D(2) + 0.25 * D(2);
        Assert.Equal(1, r.GetProperty("given").GetProperty("count").GetInt32());
        Assert.Equal(4 * D(1), r.GetProperty("given").GetProperty("points").GetDouble(), 9);
        Assert.Equal(3, r.GetProperty("received").GetProperty("count").GetInt32());
        Assert.Equal(received, r.GetProperty("received").GetProperty("points").GetDouble(), 9);
        Assert.Equal(4 * D(1) / received, r.GetProperty("reciprocityIndex").GetDouble(), 9);
        Assert.Equal(1, r.GetProperty("replyRate").GetDouble());
        Assert.Equal("P1D", r.GetProperty("medianReplyLatency").GetString());
        Assert.Equal(["demo:ben", "demo:eve", "demo:dee"], r.GetProperty("counterparts").EnumerateArray().Select(c => c.GetProperty("userId").GetString()));
        var ben = r.GetProperty("counterparts")[0];
        Assert.Equal((4 * D(1) - 7 * D(2)) / (4 * D(1) + 7 * D(2)), ben.GetProperty("balance").GetDouble(), 9);
        Assert.Empty(r.GetProperty("owed").EnumerateArray());
        Assert.Empty(r.GetProperty("openQuestions").EnumerateArray());
    }

    [Fact]
    public async Task Ben_AnswerWithEvidence_AndFaysQuestionWaits()
    {
        var e = await GetAsync("/api/users/demo:ben/engagement");
        AssertCounts(e, ("reply", 1), ("answer", 1), ("evidence", 1));
        Assert.Equal(7 * D(2), e.GetProperty("score").GetDouble(), 9);
        Assert.Equal(6 * D(2), Breakdown(e, "answer"), 9);
        Assert.Equal(1 * D(2), Breakdown(e, "evidence"), 9);

        var r = await GetAsync("/api/users/demo:ben/reciprocity");
        var open = Assert.Single(r.GetProperty("openQuestions").EnumerateArray());
        Assert.Equal("demo:9", open.GetProperty("id").GetString());
        Assert.Equal("demo:fay", open.GetProperty("from").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("replyRate").ValueKind);
        Assert.Equal(11 * D(1), r.GetProperty("received").GetProperty("points").GetDouble(), 9);

        // fay's question is a give of 4·D(1) ≥ 3 that ben has not returned; ada's thanks was repaid by his answer.
        var owed = Assert.Single(r.GetProperty("owed").EnumerateArray());
        Assert.Equal("demo:fay", owed.GetProperty("userId").GetString());
    }

    [Fact]
    public async Task Dee_Broadcaster_OnlyLinksAndReposts()
    {
        var e = await GetAsync("/api/users/demo:dee/engagement");

        // A bare link (with at most a hashtag) is also lowContent by the labelling guide; on a post it scores nothing more.
        AssertCounts(e, ("post", 2), ("repost", 1), ("linkOnly", 2), ("lowContent", 2));
        Assert.Equal(0.25 * (D(5) + D(4) + D(3)), e.GetProperty("score").GetDouble(), 9);
        Assert.Equal(1, e.GetProperty("broadcastRatio").GetDouble());
        Assert.Equal(0, e.GetProperty("conversationRatio").GetDouble());
    }

    [Fact]
    public async Task Eve_MeTooReply_IsLowContentBroadcastAndNoAnswer()
    {
        var e = await GetAsync("/api/users/demo:eve/engagement");

        AssertCounts(e, ("reply", 1), ("lowContent", 1));
        Assert.Equal(0.25 * D(2), e.GetProperty("score").GetDouble(), 9);
        Assert.Equal(1, e.GetProperty("broadcastRatio").GetDouble());
    }

    [Fact]
    public async Task Cy_Recommendation_ScoresThree()
    {
        var e = await GetAsync("/api/users/demo:cy/engagement");

        AssertCounts(e, ("post", 1), ("recommendation", 1), ("mentionsMade", 1));
        Assert.Equal(3 * D(1), e.GetProperty("score").GetDouble(), 9);
    }

    [Fact]
    public async Task Hal_FavourNeverReturned_OwesGus()
    {
        var hal = await GetAsync("/api/users/demo:hal/engagement");
        AssertCounts(hal, ("post", 2), ("question", 2));
        Assert.Equal(4 * (D(10) + D(8)), hal.GetProperty("score").GetDouble(), 9);

        var r = await GetAsync("/api/users/demo:hal/reciprocity");
        var owed = Assert.Single(r.GetProperty("owed").EnumerateArray());
        Assert.Equal("demo:gus", owed.GetProperty("userId").GetString());
        Assert.Equal("gus", owed.GetProperty("handle").GetString());
        Assert.Equal(2, owed.GetProperty("received").GetProperty("count").GetInt32());
        Assert.Equal(6 * (D(9) + D(8)), owed.GetProperty("received").GetProperty("points").GetDouble(), 9);
        Assert.Equal(0, owed.GetProperty("given").GetProperty("points").GetDouble());
        Assert.Equal(DateTimeOffset.Parse("2026-11-11T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture), owed.GetProperty("since").GetDateTimeOffset());
        Assert.Equal(0, r.GetProperty("replyRate").GetDouble());

        var gus = await GetAsync("/api/users/demo:gus/reciprocity");
        Assert.Equal(0, gus.GetProperty("reciprocityIndex").GetDouble());
        var gusEngagement = await GetAsync("/api/users/demo:gus/engagement");
        AssertCounts(gusEngagement, ("reply", 2), ("answer", 2));
        Assert.Equal(6 * (D(9) + D(8)), gusEngagement.GetProperty("score").GetDouble(), 9);
    }
}
