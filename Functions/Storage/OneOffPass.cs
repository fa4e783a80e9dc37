namespace Engage.Functions.Storage;

/// <summary>
/// A pass that runs once per process, in the background, started by whoever first asks whether it is done
/// (decisions 1251, 1271): never awaited by that caller, retried after a failure no sooner than
/// <paramref name="retryDelay"/> (each pass reads a whole table), and done for good once it returns.
/// </summary>
internal sealed class OneOffPass(Func<Task> run, TimeSpan retryDelay)
{
    private readonly Lock _gate = new();
    private Task? _pass;
    private volatile bool _done;
    private long _retryAfter;

    /// <summary>Whether the pass is known done in this process, without starting it.</summary>
    public bool Done => _done;

    /// <summary>Whether the pass is done; starts it (in the background) if it is not and none is running or due for a retry.</summary>
    public bool DoneOrStart()
    {
        if (!_done)
        {
            _ = Start();
        }

        return _done;
    }

    /// <summary>Starts the pass if needed and returns it (tests and tools wait for it).</summary>
    public Task Start()
    {
        lock (_gate)
        {
            if (_pass is null || ((_pass.IsFaulted || _pass.IsCanceled) && System.Diagnostics.Stopwatch.GetTimestamp() >= Interlocked.Read(ref _retryAfter)))
            {
                // Not in the flow of the caller that started it: an ingestion's arrival unit and fact batch (AsyncLocal) stay out of the pass.
                using (ExecutionContext.SuppressFlow())
                {
                    _pass = Task.Run(RunAsync);
                }
            }

            return _pass;
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await run();
            _done = true;
        }
        catch (Exception)
        {
            Interlocked.Exchange(ref _retryAfter, System.Diagnostics.Stopwatch.GetTimestamp() + (long)(retryDelay.TotalSeconds * System.Diagnostics.Stopwatch.Frequency));
            throw;
        }
    }
}
