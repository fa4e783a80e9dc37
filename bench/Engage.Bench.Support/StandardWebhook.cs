using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Engage.Bench.Support;

/// <summary>Signed Standard Webhooks deliveries, the way a sender signs them (standardwebhooks.com), for the benches that post them.</summary>
public static class StandardWebhook
{
    /// <summary>The secret the benches configure DevHost's Standard source with (a fake one: benches only).</summary>
    public const string Secret = "whsec_YmVuY2gtc2VjcmV0LWJlbmNoLXNlY3JldA==";

    /// <summary>A signed POST of this body to <c>/api/webhooks/standard</c>, with a fresh delivery id.</summary>
    public static HttpRequestMessage Signed(string body)
    {
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var key = Convert.FromBase64String(Secret["whsec_".Length..]);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{ts}.{body}"));
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/standard") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", ts);
        request.Headers.Add("webhook-signature", "v1," + Convert.ToBase64String(mac));
        return request;
    }
}
