using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Engage.Tests.Support;

/// <summary>Signs deliveries the way a Standard Webhooks sender does (standardwebhooks.com), independently of the code under test.</summary>
public static class StandardSigner
{
    public const string Secret = "whsec_dGVzdC1zZWNyZXQtZm9yLWVuZ2FnZS10ZXN0cw==";

    public static string Sign(string secret, string id, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.Replace("whsec_", "", StringComparison.Ordinal));
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}"));
        return "v1," + Convert.ToBase64String(mac);
    }

    public static HttpRequestMessage Request(string body, string? id = null, DateTimeOffset? at = null, string secret = Secret)
    {
        id ??= "msg_" + Guid.NewGuid().ToString("N");
        var ts = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/standard")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", ts.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", Sign(secret, id, ts, body));
        return request;
    }
}
