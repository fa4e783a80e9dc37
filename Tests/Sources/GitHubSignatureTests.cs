using System.Text.Json;
using Engage.Domain.Sources;
using Engage.Tests.Support;

namespace Engage.Tests.Sources;

public sealed class GitHubSignatureTests
{
    // The test vector GitHub publishes in "Validating webhook deliveries".
    private const string VectorSecret = "It's a Secret to Everybody";
    private const string VectorBody = "Hello, World!";
    private const string VectorSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;
    private readonly GitHub _source = new();

    private static WebhookRequest Request(string? signature, string body = VectorBody, string? gitHubEvent = "issues", string? delivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958") =>
        GitHubDelivery.Request(body, gitHubEvent, delivery, signature);

    [Fact]
    public void Verify_PublishedVector_Accepts()
    {
        Assert.Null(_source.Verify(Request(VectorSignature), [VectorSecret], Now));
    }

    [Fact]
    public void Signer_PublishedVector_ProducesPublishedSignature()
    {
        Assert.Equal(VectorSignature, GitHubSigner.Sign(VectorSecret, VectorBody));
    }

    [Fact]
    public void Verify_UpperCaseHex_Accepts()
    {
        Assert.Null(_source.Verify(Request("sha256=" + VectorSignature["sha256=".Length..].ToUpperInvariant()), [VectorSecret], Now));
    }

    [Fact]
    public void Verify_RotatedSecrets_AcceptsEither()
    {
        const string other = "the-new-secret-after-rotation";
        Assert.Null(_source.Verify(Request(VectorSignature), [other, VectorSecret], Now));
        Assert.Null(_source.Verify(Request(GitHubSigner.Sign(other, VectorBody)), [other, VectorSecret], Now));
    }

    [Fact]
    public void Verify_WrongSecret_Rejects401()
    {
        Assert.Equal(401, _source.Verify(Request(VectorSignature), ["not-the-secret"], Now)?.Status);
    }

    [Fact]
    public void Verify_TamperedBody_Rejects401()
    {
        Assert.Equal(401, _source.Verify(Request(VectorSignature, body: "Hello, World?"), [VectorSecret], Now)?.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256=")]
    [InlineData("sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1")]
    [InlineData("sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    public void Verify_MissingOrMalformedSignature_Rejects401(string? signature)
    {
        Assert.Equal(401, _source.Verify(Request(signature), [VectorSecret], Now)?.Status);
    }

    [Fact]
    public void Verify_SignedButNoEventHeader_Rejects400()
    {
        var rejection = _source.Verify(Request(VectorSignature, gitHubEvent: null), [VectorSecret], Now);
        Assert.Equal(400, rejection?.Status);
        Assert.Contains("X-GitHub-Event", rejection!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_UnsignedAndNoEventHeader_Rejects401First()
    {
        Assert.Equal(401, _source.Verify(Request(null, gitHubEvent: null), [VectorSecret], Now)?.Status);
    }

    [Fact]
    public void DeliveryId_IsTheDeliveryHeader_OrEmptyWhenMissing()
    {
        using var doc = JsonDocument.Parse("{}");
        Assert.Equal("72d3162e-cc78-11e3-81ab-4c9367dc0958", _source.DeliveryId(Request(VectorSignature), doc.RootElement));
        Assert.Equal("", _source.DeliveryId(Request(VectorSignature, delivery: null), doc.RootElement));
    }

    [Fact]
    public void Handshake_Ping_Answers202WithNoInteractionsAndAReason()
    {
        var ping = GitHubExamples.All.First(e => e.Event == "ping");
        using var doc = JsonDocument.Parse(ping.Json);

        var reply = _source.Handshake(GitHubDelivery.Request(ping.Json, "ping", "d-ping"), doc.RootElement);

        var acknowledged = Assert.IsType<WebhookAcknowledged>(reply);
        Assert.Contains("ping", acknowledged.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Handshake_OtherEvents_AreNotHandshakes()
    {
        using var doc = JsonDocument.Parse("{}");
        Assert.Null(_source.Handshake(GitHubDelivery.Request("{}", "issues"), doc.RootElement));
    }

    [Fact]
    public void Normalize_NoEventHeader_ThrowsPayloadException()
    {
        using var doc = JsonDocument.Parse("""{"action":"opened"}""");
        Assert.Throws<PayloadException>(() => _source.Normalize(GitHubDelivery.Request("{}", null), doc.RootElement));
    }

    [Fact]
    public void Names_AreThoseOfTheContract()
    {
        Assert.Equal("github", _source.Name);
        Assert.Equal("Sources:GitHub:Secret", _source.SecretSetting);
    }
}
