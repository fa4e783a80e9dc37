using System.Text.Json;
using Engage.Domain.Scoring;
using Engage.Functions.Http;
using Engage.Functions.Scores;
using Engage.Functions.Webhooks;
using Engage.Tests.Support;

namespace Engage.Tests.Hosting;

/// <summary>The contract's JSON: camelCase, nulls written, times in UTC with a Z, and a strict reader that catches renamed fields.</summary>
public sealed class ContractJsonTests
{
    [Fact]
    public void Serialize_EngagementWithNullRatios_WritesEveryFieldInContractOrder()
    {
        var response = new EngagementResponse("x:1", null, new DateTimeOffset(2026, 11, 20, 13, 0, 0, TimeSpan.FromHours(1)), "P30D",
            0, "silent", null, null, new Counts(), []);

        var json = JsonSerializer.Serialize(response, EngageJsonContext.Default.Options.GetTypeInfo(typeof(EngagementResponse)));
        var viaOptions = JsonSerializer.Serialize(response, EngageJson.Options);

        Assert.Equal(
            """{"userId":"x:1","handle":null,"asOf":"2026-11-20T12:00:00Z","window":"P30D","score":0,"level":"silent","broadcastRatio":null,"conversationRatio":null,"counts":{"post":0,"reply":0,"repost":0,"quote":0,"reaction":0,"follow":0,"question":0,"answer":0,"thanks":0,"recommendation":0,"evidence":0,"lowContent":0,"linkOnly":0,"mentionsMade":0},"breakdown":[]}""",
            json);
        Assert.Equal(json, viaOptions);
    }

    [Fact]
    public void Serialize_AcceptedWithoutReason_LeavesIgnoredOut()
    {
        Assert.Equal("""{"source":"github","deliveryId":"d1","interactions":2}""",
            JsonSerializer.Serialize(new WebhookAccepted("github", "d1", 2), EngageJson.Options));
        Assert.Equal("""{"source":"github","deliveryId":"d1","interactions":0,"ignored":"ping"}""",
            JsonSerializer.Serialize(new WebhookAccepted("github", "d1", 0, "ping"), EngageJson.Options));
    }

    [Theory]
    [InlineData("""{"source":"github","delivery":"d1","interactions":2}""")]
    [InlineData("""{"source":"github","deliveryId":"d1","interactions":2,"extra":true}""")]
    [InlineData("""{"source":"github","interactions":2}""")]
    public void StrictRead_RenamedUnknownOrMissingField_Fails(string json) =>
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<WebhookAccepted>(json, Api.Strict));
}
