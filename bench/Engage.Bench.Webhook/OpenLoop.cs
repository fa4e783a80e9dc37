using System.Diagnostics;

namespace Engage.Bench.Webhook;

/// <summary>Latencies of one open-loop run, in ms from each request's scheduled send.</summary>
public sealed record Latencies(int Sent, int Errors, int TimedOut, double P50, double P99, double Max, double LatestSend)
{
    public string Text => MarkdownTable.N(P50, "F1") + " ms / " + MarkdownTable.N(P99, "F1") + " ms / " + Errors;
}

/// <summary>
/// An open-loop load: operation i starts at start + i / rate whatever happened to the others (a dedicated thread keeps
/// the schedule, so a slow answer never delays the next send), and its latency counts from that scheduled time, so a
/// late send is charged to the run, not hidden (no coordinated omission). An operation that fails counts as an error; one
/// that has not answered <c>timeout</c> after its scheduled time is cancelled and counts as an error with the timeout as
/// its latency.
/// </summary>
public static class OpenLoop
{
    public static async Task<Latencies> RunAsync(int rate, TimeSpan duration, TimeSpan timeout, Func<int, CancellationToken, Task<bool>> operation, CancellationToken ct)
    {
        var total = Math.Max(1, (int)(rate * duration.TotalSeconds));
        var latencies = new double[total];
        var errors = 0;
        var timedOut = 0;
        var latestSend = 0.0;
        var tasks = new Task[total];
        var clock = Stopwatch.StartNew();

        async Task One(int i, TimeSpan scheduled)
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cancel.CancelAfter(Max(scheduled + timeout - clock.Elapsed, TimeSpan.Zero));
            var ok = false;
            try
            {
                ok = await operation(i, cancel.Token);
            }
            catch (Exception) when (cancel.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                // No answer within the timeout (the client may report it wrapped in its own retry's exception).
                Interlocked.Increment(ref timedOut);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // A refused or broken call (connection reset by a saturated store, a 5xx after the client's retries):
                // an error at the latency it took.
            }

            if (!ok)
            {
                Interlocked.Increment(ref errors);
            }

            latencies[i] = Math.Min((clock.Elapsed - scheduled).TotalMilliseconds, timeout.TotalMilliseconds);
        }

        // The schedule ends on its own thread and says so through this, so that no pool thread waits on it: a Join on a
        // pool thread, one per generator, took both of a 2-core machine's minimum pool threads once a probe ran beside
        // the load, and every request then waited for the pool to grow (p99 of seconds, even with ingestion paused).
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduler = new Thread(() =>
        {
            try
            {
                Schedule();
            }
            finally
            {
                done.SetResult();
            }
        })
        { IsBackground = true, Name = "open-loop schedule", Priority = ThreadPriority.AboveNormal };

        void Schedule()
        {
            for (var i = 0; i < total && !ct.IsCancellationRequested; i++)
            {
                var at = TimeSpan.FromSeconds(i / (double)rate);
                while (at - clock.Elapsed is var wait && wait > TimeSpan.Zero)
                {
                    Thread.Sleep(wait > TimeSpan.FromMilliseconds(2) ? wait - TimeSpan.FromMilliseconds(1) : TimeSpan.Zero);
                }

                latestSend = Math.Max(latestSend, (clock.Elapsed - at).TotalMilliseconds);
                var index = i;
                tasks[i] = Task.Run(() => One(index, at), CancellationToken.None);
            }
        }

        scheduler.Start();
        await done.Task.WaitAsync(ct);
        await Task.WhenAll(tasks.Where(t => t is not null));
        var sorted = latencies.Order().ToArray();
        return new Latencies(total, errors, timedOut, Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted[^1], latestSend);
    }

    /// <summary>Closed loop: <paramref name="inFlight"/> callers, each starting its next operation when the last one answers, for this long; operations a second.</summary>
    public static async Task<double> SaturateAsync(int inFlight, TimeSpan duration, Func<CancellationToken, Task> operation, CancellationToken ct)
    {
        var count = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                try
                {
                    await operation(ct);
                    Interlocked.Increment(ref count);
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // A put the saturated store refused is not counted.
                }
            }
        }));
        return count / clock.Elapsed.TotalSeconds;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Nearest-rank percentile.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
