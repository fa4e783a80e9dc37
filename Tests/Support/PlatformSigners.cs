using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Engage.Domain.Sources;

namespace Engage.Tests.Support;

/// <summary>
/// Signs deliveries the way X, Slack, Discourse and Mastodon do, independently of the code under test,
/// and builds the requests (unit: <see cref="WebhookRequest"/>; end-to-end: <see cref="HttpRequestMessage"/>).
/// </summary>
public static class PlatformSigners
{
    public static string Secret(string source) => source switch
    {
        "x" => DevHostFixture.Secrets["Sources:X:ConsumerSecret"]!,
        "slack" => DevHostFixture.Secrets["Sources:Slack:SigningSecret"]!,
        "discourse" => DevHostFixture.Secrets["Sources:Discourse:Secret"]!,
        "mastodon" => DevHostFixture.Secrets["Sources:Mastodon:Secret"]!,
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };

    private static byte[] Mac(string secret, string data) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(data));

    public static string X(string secret, string body) => "sha256=" + Convert.ToBase64String(Mac(secret, body));

    public static string Slack(string secret, long timestamp, string body) =>
        "v0=" + Convert.ToHexStringLower(Mac(secret, $"v0:{timestamp.ToString(CultureInfo.InvariantCulture)}:{body}"));

    public static string HexSha256(string secret, string body) => "sha256=" + Convert.ToHexStringLower(Mac(secret, body));

    /// <summary>The headers each platform sends with a body. Discourse needs its event name and instance.</summary>
    public static Dictionary<string, string> Headers(string source, string body, string? secret = null, DateTimeOffset? at = null,
        string discourseEvent = "post_created", string discourseInstance = "https://forum.example.org", string? eventId = null)
    {
        secret ??= Secret(source);
        switch (source)
        {
            case "x":
                return new() { ["X-Twitter-Webhooks-Signature"] = X(secret, body) };
            case "slack":
                var ts = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
                return new()
                {
                    ["X-Slack-Request-Timestamp"] = ts.ToString(CultureInfo.InvariantCulture),
                    ["X-Slack-Signature"] = Slack(secret, ts, body),
                };
            case "discourse":
                var type = discourseEvent switch
                {
                    "ping" => "ping",
                    "post_liked" => "like",
                    var e when e.StartsWith("topic_", StringComparison.Ordinal) => "topic",
                    _ => "post",
                };
                return new()
                {
                    ["X-Discourse-Event-Signature"] = HexSha256(secret, body),
                    ["X-Discourse-Event"] = discourseEvent,
                    ["X-Discourse-Event-Type"] = type,
                    ["X-Discourse-Instance"] = discourseInstance,
                    ["X-Discourse-Event-Id"] = eventId ?? Random.Shared.Next(1, int.MaxValue).ToString(CultureInfo.InvariantCulture),
                };
            case "mastodon":
                return new() { ["X-Hub-Signature"] = HexSha256(secret, body) };
            default:
                throw new ArgumentOutOfRangeException(nameof(source), source, null);
        }
    }

    public static WebhookRequest Request(string body, IReadOnlyDictionary<string, string> headers, IReadOnlyDictionary<string, string>? query = null) =>
        new("POST", headers, query ?? new Dictionary<string, string>(), Encoding.UTF8.GetBytes(body));

    public static HttpRequestMessage Http(string source, string body, IReadOnlyDictionary<string, string> headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/webhooks/{source}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public static string Fixture(string source, string name) => File.ReadAllText(RepoPaths.Of("Tests", "Fixtures", source, name));

    /// <summary>A number no other test run uses, for platform ids that must be numeric (X, Discourse, Mastodon).</summary>
    public static long UniqueNumber() => (long)(BitConverter.ToUInt64(Guid.NewGuid().ToByteArray(), 0) % 900_000_000_000_000UL) + 100_000_000_000_000L;
}
