using Engage.Functions.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Engage.Functions.Scores;

/// <summary>
/// Whether storage answers, as the health probe reports it. A probe is called often (load balancers, uptime
/// monitors, several a second under load), so storage is asked at most once per <see cref="Freshness"/>:
/// one cheap metadata call (<see cref="EngageStorage.PingAsync"/>, no table query), shared by every probe
/// that arrives while it runs. A probe therefore never adds load that grows with the probe rate
/// (docs/decisions/1133-health-probe-cached.md). Freshness is measured on the monotonic clock, not the app's
/// <see cref="TimeProvider"/>: a test's frozen clock must not freeze the cache.
/// </summary>
public sealed class StorageHealthCheck(EngageStorage storage) : IHealthCheck
{
    /// <summary>How old a cached healthy answer may be before storage is asked again.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(5);

    /// <summary>An unhealthy answer is kept shorter, so a recovery shows within a second.</summary>
    public static readonly TimeSpan UnhealthyFreshness = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private Task<bool>? _pending;
    private (bool Healthy, long At)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await HealthyAsync(cancellationToken) ? HealthCheckResult.Healthy("storage answers") : HealthCheckResult.Unhealthy("storage did not answer");

    /// <summary>The cached answer while it is fresh; otherwise the one ping in flight (started here if none is).</summary>
    public Task<bool> HealthyAsync(CancellationToken ct)
    {
        Task<bool> ping;
        lock (_gate)
        {
            if (_last is { } last && System.Diagnostics.Stopwatch.GetElapsedTime(last.At) < (last.Healthy ? Freshness : UnhealthyFreshness))
            {
                return Task.FromResult(last.Healthy);
            }

            // The ping is not cancelled with the first caller's request: every caller waiting on it shares its answer.
            ping = _pending ??= PingAsync();
        }

        return ping.WaitAsync(ct);
    }

    private async Task<bool> PingAsync()
    {
        bool healthy;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            healthy = await storage.PingAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            healthy = false;
        }

        lock (_gate)
        {
            _last = (healthy, System.Diagnostics.Stopwatch.GetTimestamp());
            _pending = null;
        }

        return healthy;
    }
}
