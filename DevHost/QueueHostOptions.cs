namespace Engage.DevHost;

/// <summary>
/// host.json <c>extensions.queues</c>, read the way the Functions host reads it: from host.json,
/// overridable by <c>AzureFunctionsJobHost__extensions__queues__*</c> settings.
/// </summary>
public sealed class QueueHostOptions
{
    public const string Section = "AzureFunctionsJobHost:extensions:queues";

    public int BatchSize { get; set; } = 16;

    /// <summary>The host's <c>newBatchThreshold</c>: the next batch is fetched once this few messages are still running.</summary>
    public int NewBatchThreshold { get; set; } = 8;
    public int MaxDequeueCount { get; set; } = 5;
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a received message stays invisible while its function runs (the host's lease).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(10);
}
