using System.Text;
using Engage.Functions.Webhooks;

namespace Engage.Tests.Webhooks;

public sealed class ArchivedHeadersTests
{
    private static KeyValuePair<string, string> H(string name, string value) => KeyValuePair.Create(name, value);

    [Fact]
    public void Encode_PlatformHeaders_RoundTripCaseInsensitively()
    {
        var value = ArchivedHeaders.Encode([H("X-GitHub-Event", "issue_comment"), H("X-Discourse-Instance", "https://forum.example"), H("Content-Type", "application/json")]);

        var headers = ArchivedHeaders.Decode(value);

        Assert.NotNull(headers);
        Assert.Equal("issue_comment", headers["x-github-event"]);
        Assert.Equal("https://forum.example", headers["X-Discourse-Instance"]);
        Assert.Equal(3, headers.Count);
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("Cookie")]
    [InlineData("X-Hub-Signature-256")]
    [InlineData("X-Hub-Signature")]
    [InlineData("X-Slack-Signature")]
    [InlineData("X-Twitter-Webhooks-Signature")]
    [InlineData("X-Discourse-Event-Signature")]
    [InlineData("webhook-signature")]
    [InlineData("x-functions-key")]
    [InlineData("X-MS-CLIENT-PRINCIPAL")]
    public void Encode_CredentialsAndSignatures_AreNeverKept(string name)
    {
        var headers = ArchivedHeaders.Decode(ArchivedHeaders.Encode([H(name, "secret-value"), H("X-GitHub-Event", "issues")]));

        Assert.NotNull(headers);
        Assert.False(headers.ContainsKey(name));
        Assert.DoesNotContain("secret-value", headers.Values);
    }

    [Fact]
    public void Encode_HugeHeaders_FitBlobMetadataAndKeepPlatformHeadersFirst()
    {
        var headers = Enumerable.Range(0, 40).Select(i => H($"Accept-Something-{i}", new string('a', 400)))
            .Append(H("X-GitHub-Event", "issues"))
            .Append(H("webhook-id", "msg_1"))
            .Append(H("Z-Huge", new string('z', 20_000)));

        var value = ArchivedHeaders.Encode(headers);
        var decoded = ArchivedHeaders.Decode(value)!;

        Assert.True(ArchivedHeaders.MetadataKey.Length + value.Length <= 8 * 1024, $"{value.Length} characters");
        Assert.All(value, c => Assert.True(char.IsAscii(c)));
        Assert.Equal("issues", decoded["X-GitHub-Event"]);
        Assert.Equal("msg_1", decoded["webhook-id"]);
        Assert.False(decoded.ContainsKey("Z-Huge"));
        Assert.All(decoded.Values, v => Assert.DoesNotContain("…", v, StringComparison.Ordinal));
    }

    [Fact]
    public void Encode_NonAsciiValue_IsStillAsciiAndRoundTrips()
    {
        var value = ArchivedHeaders.Encode([H("X-Discourse-Instance", "https://fórum.example/ünïcode")]);

        Assert.All(value, c => Assert.True(char.IsAscii(c)));
        Assert.Equal("https://fórum.example/ünïcode", ArchivedHeaders.Decode(value)!["X-Discourse-Instance"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64url!")]
    public void Decode_MissingOrUnreadable_IsNull(string? value)
    {
        Assert.Null(ArchivedHeaders.Decode(value));
    }

    [Fact]
    public void Decode_Base64OfNonJson_IsNull()
    {
        Assert.Null(ArchivedHeaders.Decode(System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes("[1,2]"))));
    }
}
