using System.Collections.Concurrent;
using System.Diagnostics;

namespace Engage.Bench.Ingest;

/// <summary>
/// Counts the storage calls the process makes while it is open, by operation (<c>TableClient.AddEntity</c>,
/// <c>QueueClient.SendMessage</c>, …), with the time each took: the Azure SDK reports every operation to a
/// <see cref="DiagnosticListener"/> of its namespace (<c>Azure.Data.Tables</c>, <c>Azure.Storage.*</c>), and
/// every HTTP request it sends (retries included) as <c>Azure.Core.Http.Request</c>. Where ingestion's time goes,
/// without touching its code; only for an instrumented pass (listening costs a little).
/// </summary>
internal sealed class RoundTrips : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly ConcurrentDictionary<string, (long Count, double Milliseconds)> _calls = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _subscriptions = [];
    private readonly IDisposable _all;

    public RoundTrips() => _all = DiagnosticListener.AllListeners.Subscribe(this);

    /// <summary>Operations by name: how many, and their summed duration in ms.</summary>
    public IReadOnlyDictionary<string, (long Count, double Milliseconds)> Calls => _calls;

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name.StartsWith("Azure.", StringComparison.Ordinal))
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (!value.Key.EndsWith(".Stop", StringComparison.Ordinal) || Activity.Current is not { } activity)
        {
            return;
        }

        var name = value.Key[..^".Stop".Length];
        var ms = activity.Duration.TotalMilliseconds;
        _calls.AddOrUpdate(name, (1, ms), (_, c) => (c.Count + 1, c.Milliseconds + ms));
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        _all.Dispose();
        lock (_subscriptions)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }
        }
    }
}
