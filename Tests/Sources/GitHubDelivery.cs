using System.Text;
using System.Text.Json;
using Engage.Domain.Sources;

namespace Engage.Tests.Sources;

/// <summary>Builds <see cref="WebhookRequest"/>s as GitHub sends them and runs them through the source.</summary>
internal static class GitHubDelivery
{
    public static WebhookRequest Request(string body, string? gitHubEvent, string? delivery = "d-1", string? signature = null)
    {
        var headers = new Dictionary<string, string>();
        if (gitHubEvent is not null)
        {
            headers["X-GitHub-Event"] = gitHubEvent;
        }

        if (delivery is not null)
        {
            headers["X-GitHub-Delivery"] = delivery;
        }

        if (signature is not null)
        {
            headers["X-Hub-Signature-256"] = signature;
        }

        return new WebhookRequest("POST", headers, new Dictionary<string, string>(), Encoding.UTF8.GetBytes(body));
    }

    public static Normalized Normalize(string gitHubEvent, string json)
    {
        using var doc = JsonDocument.Parse(json);
        return new GitHub().Normalize(Request(json, gitHubEvent), doc.RootElement);
    }
}
