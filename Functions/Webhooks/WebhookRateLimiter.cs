using System.Globalization;
using System.Threading.RateLimiting;
using Engage.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Webhooks;

/// <summary>
/// Webhook deliveries per source, per instance (api.md "Limits"): a token bucket of
/// <see cref="RateLimitOptions.Burst"/> tokens refilled with <see cref="RateLimitOptions.PermitsPerSecond"/>
/// a second. Beyond it a delivery is answered 429 with <c>Retry-After</c> before anything is read or
/// archived; the platforms retry. Names that are not a registered source share one bucket, so made-up
/// names cannot grow the partition table.
/// </summary>
public sealed class WebhookRateLimiter : IDisposable
{
    private const string Unknown = "(unknown)";
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly HashSet<string> _known;
    private readonly ILogger<WebhookRateLimiter> _logger;

    public WebhookRateLimiter(SourceRegistry sources, IOptions<WebhooksOptions> options, ILogger<WebhookRateLimiter> logger)
    {
        _logger = logger;
        _known = sources.All.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var limit = options.Value.RateLimit;
        _limiter = PartitionedRateLimiter.Create<string, string>(source => RateLimitPartition.GetTokenBucketLimiter(source, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.Burst,
            TokensPerPeriod = limit.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Null when the delivery may go on; otherwise the 429 to answer (with <c>Retry-After</c> set).</summary>
    public IResult? Admit(HttpRequest http, string sourceName)
    {
        var partition = _known.Contains(sourceName) ? sourceName.ToLowerInvariant() : Unknown;
        using var lease = _limiter.AttemptAcquire(partition);
        if (lease.IsAcquired)
        {
            return null;
        }

        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        _logger.LogWarning("Rate limited a {Source} delivery: retry after {Seconds} s", partition, seconds);
        return Problems.Problem(429, "Too many requests", $"Deliveries of '{partition}' are over this instance's limit; retry after {seconds} s.");
    }

    public void Dispose() => _limiter.Dispose();
}
