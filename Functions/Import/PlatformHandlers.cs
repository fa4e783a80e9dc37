using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Import;

/// <summary>
/// The platform asked us to wait: a rate limit whose reset is known. The import step that met it is put back on
/// the queue to run again at <see cref="RetryAt"/>; nothing waits in memory and no dequeue is spent.
/// </summary>
public sealed class PlatformRateLimitedException(string platform, DateTimeOffset retryAt)
    : Exception($"{platform} rate limit: retry at {retryAt:O}")
{
    public string Platform { get; } = platform;
    public DateTimeOffset RetryAt { get; } = retryAt;
}

/// <summary>The platform refused the request for good (401, 404, an API error): the import fails with this message.</summary>
public sealed class PlatformRefusedException(string message) : Exception(message);

/// <summary>
/// Turns the platforms' rate-limit answers into <see cref="PlatformRateLimitedException"/>: GitHub's primary limit
/// (403/429 with <c>X-RateLimit-Remaining: 0</c> and <c>X-RateLimit-Reset</c>), its secondary limits (403/429 with
/// <c>Retry-After</c>), and <c>Retry-After</c> on a 429 anywhere (Slack's tiers, Mastodon, Discourse). It sits inside
/// the resilience handler, which retries 5xx and transport failures but not these.
/// </summary>
public sealed class RateLimitHandler(TimeProvider clock, string platform) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests))
        {
            return response;
        }

        if (RetryAt(response, clock.GetUtcNow()) is { } at)
        {
            response.Dispose();
            throw new PlatformRateLimitedException(platform, at);
        }

        return response;
    }

    internal static DateTimeOffset? RetryAt(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            return retryAfter.Delta is { } delta ? now + delta : retryAfter.Date ?? now.AddSeconds(60);
        }

        if (Header(response, "X-RateLimit-Remaining") == "0"
            && long.TryParse(Header(response, "X-RateLimit-Reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var reset))
        {
            // The reset is the platform's clock; a second of margin covers skew.
            return DateTimeOffset.FromUnixTimeSeconds(reset).AddSeconds(1);
        }

        // GitHub's secondary limit without Retry-After: its documentation says wait at least a minute.
        return response.StatusCode == HttpStatusCode.TooManyRequests ? now.AddSeconds(60) : null;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

/// <summary>Adds the platform's credentials to each request, read from options at send time (never logged).</summary>
public sealed class PlatformAuthHandler(IOptions<ImportOptions> options, string platform) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var o = options.Value;
        switch (platform)
        {
            case "github":
                request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Engage", "1.0"));
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
                request.Headers.TryAddWithoutValidation("X-GitHub-Api-Version", "2022-11-28");
                Bearer(request, o.GitHub.Token);
                break;
            case "mastodon":
                Bearer(request, o.Mastodon.AccessToken);
                break;
            case "slack":
                Bearer(request, o.Slack.BotToken);
                break;
            case "discourse":
                if (!string.IsNullOrWhiteSpace(o.Discourse.ApiKey))
                {
                    request.Headers.TryAddWithoutValidation("Api-Key", o.Discourse.ApiKey);
                    request.Headers.TryAddWithoutValidation("Api-Username", o.Discourse.ApiUsername ?? "system");
                }

                break;
        }

        return base.SendAsync(request, cancellationToken);
    }

    private static void Bearer(HttpRequestMessage request, string? token)
    {
        if (!string.IsNullOrWhiteSpace(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }
}
