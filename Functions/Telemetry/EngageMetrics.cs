using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Engage.Functions.Telemetry;

/// <summary>
/// Engage's own telemetry: the meter and activity source named <c>Engage</c>. The instruments exist
/// whether or not anything listens; <see cref="TelemetrySetup"/> exports them when Application
/// Insights is configured.
/// </summary>
public sealed class EngageMetrics
{
    public const string Name = "Engage";

    /// <summary>Spans Engage starts itself (DevHost's queue and timer invocations).</summary>
    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _interactions;
    private readonly Counter<long> _poison;

    public EngageMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _deliveries = meter.CreateCounter<long>("engage.webhook.deliveries", "{delivery}",
            "Webhook deliveries answered, by source and outcome (accepted, or refused with the status).");
        _interactions = meter.CreateCounter<long>("engage.interactions.ingested", "{interaction}",
            "Interactions written to the facts by the ingest function, by source.");
        _poison = meter.CreateCounter<long>("engage.queue.poison", "{message}",
            "Queue messages that failed their last dequeue and went to the poison queue, by function.");
    }

    public void DeliveryAccepted(string source, int interactions) =>
        _deliveries.Add(1, new("source", source), new("outcome", "accepted"), new("interactions", interactions > 0));

    public void DeliveryRefused(string source, int status) =>
        _deliveries.Add(1, new("source", source), new("outcome", "refused"), new("status", status));

    public void Ingested(string source, int count) => _interactions.Add(count, new KeyValuePair<string, object?>("source", source));

    /// <param name="function">The queue function whose message failed its last dequeue.</param>
    public void Poisoned(string function) => _poison.Add(1, new KeyValuePair<string, object?>("function", function));
}
