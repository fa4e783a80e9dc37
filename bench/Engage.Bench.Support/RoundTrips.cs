using System.Collections.Concurrent;
using System.Diagnostics;

namespace Engage.Bench.Support;

/// <summary>
/// Counts the storage calls the process makes while it is open, by operation (<c>TableClient.AddEntity</c>,
/// <c>QueueClient.SendMessage</c>, …), with the time each took: the Azure SDK reports every operation to a
/// <see cref="DiagnosticListener"/> of its namespace (<c>Azure.Data.Tables</c>, <c>Azure.Storage.*</c>), and
/// every HTTP request it sends (retries included) as <c>Azure.Core.Http.Request</c>. Where ingestion's time goes,
/// without touching its code; only for an instrumented pass (listening costs a little).
/// </summary>
public sealed class RoundTrips : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly ConcurrentDictionary<string, (long Count, double Milliseconds)> _calls = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _subscriptions = [];
    private readonly IDisposable _all;

    public RoundTrips() => _all = DiagnosticListener.AllListeners.Subscribe(this);

    private readonly ConcurrentDictionary<string, (long Count, double Milliseconds)> _byTable = new(StringComparer.Ordinal);

    /// <summary>Operations by name: how many, and their summed duration in ms.</summary>
    public IReadOnlyDictionary<string, (long Count, double Milliseconds)> Calls => _calls;

    /// <summary>
    /// Table operations by operation and table (<c>TableClient.AddEntity items</c>): the table is read from the URL of
    /// the operation's HTTP request, or, for a transaction (<c>$batch</c>), from the first request of its body.
    /// </summary>
    public IReadOnlyDictionary<string, (long Count, double Milliseconds)> ByTable => _byTable;

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
        if (name == "Azure.Core.Http.Request" && activity.Parent is { } operation
            && operation.OperationName.StartsWith("TableClient.", StringComparison.Ordinal) && TableOf(value.Value) is { } table)
        {
            var key = $"{operation.OperationName} {table}";
            _byTable.AddOrUpdate(key, (1, ms), (_, c) => (c.Count + 1, c.Milliseconds + ms));
        }
    }

    /// <summary>The table an HTTP request of the Tables SDK addresses (the SDK passes the message as the event's payload).</summary>
    private static string? TableOf(object? payload)
    {
        if (payload is not Azure.Core.HttpMessage message)
        {
            return null;
        }

        var path = message.Request.Uri.Path;
        var segment = path.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        if (segment.StartsWith("$batch", StringComparison.Ordinal) && message.Request.Content is { } content)
        {
            using var stream = new MemoryStream();
            content.WriteTo(stream, CancellationToken.None);
            var body = System.Text.Encoding.UTF8.GetString(stream.ToArray());
            var match = System.Text.RegularExpressions.Regex.Match(body, @"(?:POST|PUT|MERGE|PATCH|DELETE) \S+/([A-Za-z][A-Za-z0-9]*)[(\s?]");
            return match.Success ? Shorten(match.Groups[1].Value) : "$batch";
        }

        var paren = segment.IndexOf('(', StringComparison.Ordinal);
        return Shorten(paren >= 0 ? segment[..paren] : segment);
    }

    /// <summary>Activity tables are one a month (<c>activity202612</c>): counted together.</summary>
    private static string Shorten(string table) =>
        table.StartsWith("activity", StringComparison.Ordinal) && table.Length > 8 && char.IsDigit(table[8]) ? "activity*" : table;

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
