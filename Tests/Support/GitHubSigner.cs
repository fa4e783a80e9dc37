using System.Security.Cryptography;
using System.Text;

namespace Engage.Tests.Support;

/// <summary>Signs deliveries the way GitHub does (X-Hub-Signature-256), independently of the code under test.</summary>
public static class GitHubSigner
{
    /// <summary>The secret <see cref="DevHostFixture"/> configures for the github source.</summary>
    public const string Secret = "test-github-secret";

    public static string Sign(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <summary>A POST to <c>/api/webhooks/github</c>; a null header is left out.</summary>
    public static HttpRequestMessage Request(string body, string? gitHubEvent, string? delivery = "", string? signature = "", string secret = Secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/github")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("User-Agent", "GitHub-Hookshot/engage-tests");
        if (gitHubEvent is not null)
        {
            request.Headers.Add("X-GitHub-Event", gitHubEvent);
        }

        if (delivery is not null)
        {
            request.Headers.Add("X-GitHub-Delivery", delivery.Length == 0 ? Guid.NewGuid().ToString() : delivery);
        }

        if (signature is not null)
        {
            request.Headers.Add("X-Hub-Signature-256", signature.Length == 0 ? Sign(secret, body) : signature);
        }

        return request;
    }
}
