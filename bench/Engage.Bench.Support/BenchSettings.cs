namespace Engage.Bench.Support;

/// <summary>The DevHost settings the in-process benchmarks share: fake secrets, timers that never fire, quiet logs.</summary>
public static class BenchSettings
{
    /// <summary>
    /// Settings for a DevHost over <paramref name="connectionString"/> whose projection and digest timers never fire and
    /// whose background work is off; the benchmark adds its own (table names, URLs) to the dictionary returned.
    /// </summary>
    public static Dictionary<string, string?> Quiet(string connectionString) => new()
    {
        ["AzureWebJobsStorage"] = connectionString,
        ["Sources:Standard:Secret"] = "whsec_YmVuY2gtc2VjcmV0LWJlbmNoLXNlY3JldA==",
        ["Unsubscribe:SigningKey"] = "bench-unsubscribe-key-0123456789",
        ["Scores:Schedule"] = "0 0 0 1 1 *",
        ["Digest:Schedule"] = "0 0 0 1 1 *",
        ["DevHost:DisableBackgroundWork"] = "true",
        ["Logging:LogLevel:Default"] = "Warning",
        // Duplicate inserts answer 409 by design (decision 0001): the SDK logs each as a warning.
        ["Logging:LogLevel:Azure"] = "None",
    };
}
