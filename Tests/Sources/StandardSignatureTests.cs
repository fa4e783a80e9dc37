using System.Globalization;
using System.Text;
using Engage.Domain.Sources;
using Engage.Tests.Support;

namespace Engage.Tests.Sources;

public sealed class StandardSignatureTests
{
    // The reference vector published with the Standard Webhooks specification.
    private const string VectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string VectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long VectorTimestamp = 1614265330;
    private const string VectorBody = "{\"test\": 2432232314}";
    private const string VectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static readonly DateTimeOffset VectorTime = DateTimeOffset.FromUnixTimeSeconds(VectorTimestamp);
    private readonly Standard _source = new();

    private static WebhookRequest Request(string signature, string id = VectorId, long timestamp = VectorTimestamp, string body = VectorBody) =>
        new("POST",
            new Dictionary<string, string>
            {
                ["webhook-id"] = id,
                ["webhook-timestamp"] = timestamp.ToString(CultureInfo.InvariantCulture),
                ["webhook-signature"] = signature,
            },
            new Dictionary<string, string>(),
            Encoding.UTF8.GetBytes(body));

    [Fact]
    public void Verify_ReferenceVector_Accepts()
    {
        Assert.Null(_source.Verify(Request(VectorSignature), [VectorSecret], VectorTime));
    }

    [Fact]
    public void Signer_ReferenceVector_ProducesPublishedSignature()
    {
        Assert.Equal(VectorSignature, StandardSigner.Sign(VectorSecret, VectorId, VectorTimestamp, VectorBody));
    }

    [Fact]
    public void Verify_WrongSecret_Rejects401()
    {
        var rejection = _source.Verify(Request(VectorSignature), ["whsec_" + Convert.ToBase64String(new byte[24])], VectorTime);
        Assert.Equal(401, rejection?.Status);
    }

    [Fact]
    public void Verify_RotatedSecrets_AcceptsEither()
    {
        var other = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("the-new-secret-after-rotation"));
        Assert.Null(_source.Verify(Request(VectorSignature), [other, VectorSecret], VectorTime));
        Assert.Null(_source.Verify(Request(StandardSigner.Sign(other, VectorId, VectorTimestamp, VectorBody)), [other, VectorSecret], VectorTime));
    }

    [Fact]
    public void Verify_TamperedBody_Rejects()
    {
        Assert.NotNull(_source.Verify(Request(VectorSignature, body: "{\"test\": 2432232315}"), [VectorSecret], VectorTime));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Verify_TimestampOutsideFiveMinutes_Rejects401(int offsetSeconds)
    {
        var rejection = _source.Verify(Request(VectorSignature), [VectorSecret], VectorTime.AddSeconds(-offsetSeconds));
        Assert.Equal(401, rejection?.Status);
    }

    [Theory]
    [InlineData(-299)]
    [InlineData(299)]
    public void Verify_TimestampWithinFiveMinutes_Accepts(int offsetSeconds)
    {
        Assert.Null(_source.Verify(Request(VectorSignature), [VectorSecret], VectorTime.AddSeconds(-offsetSeconds)));
    }

    [Fact]
    public void Verify_SeveralSignaturesInHeader_AcceptsWhenAnyMatches()
    {
        var header = "v1,Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8= v1a,abc " + VectorSignature + " v2,xyz";
        Assert.Null(_source.Verify(Request(header), [VectorSecret], VectorTime));
    }

    [Fact]
    public void Verify_OnlyWrongSignaturesInHeader_Rejects()
    {
        var header = "v1,Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8= v1,bm90LWEtc2lnbmF0dXJl";
        Assert.Equal(401, _source.Verify(Request(header), [VectorSecret], VectorTime)?.Status);
    }

    [Fact]
    public void Verify_MissingHeaders_Rejects401()
    {
        var request = new WebhookRequest("POST", new Dictionary<string, string>(), new Dictionary<string, string>(), Encoding.UTF8.GetBytes(VectorBody));
        Assert.Equal(401, _source.Verify(request, [VectorSecret], VectorTime)?.Status);
    }

    [Fact]
    public void Verify_SignatureWithoutVersionPrefix_Rejects()
    {
        Assert.NotNull(_source.Verify(Request(VectorSignature[3..]), [VectorSecret], VectorTime));
    }
}
