using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Engage.Functions.Http;
using Engage.Functions.Storage;
using Engage.Functions.Telemetry;
using Microsoft.Extensions.Options;

namespace Engage.DevHost;

/// <summary>
/// Polls one queue per queue-triggered function with the Functions host's rules: batches of
/// <c>batchSize</c>, the message's dequeue count passed to the function, a failed message made
/// visible again after <c>visibilityTimeout</c>, and moved to <c>{queue}-poison</c> when it fails
/// on its <c>maxDequeueCount</c>-th dequeue. A message stays invisible while its function runs,
/// however long: its lease is renewed every half lease.
/// </summary>
public sealed class QueuePoller(
    FunctionCatalog catalog,
    FunctionInvoker invoker,
    QueueServiceClient queues,
    EngageStorage storage,
    EngageMetrics metrics,
    IOptions<QueueHostOptions> options,
    ILogger<QueuePoller> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(catalog.Functions.Where(f => f.Trigger == TriggerKind.Queue).Select(f => PollAsync(f, stoppingToken)));

    private async Task PollAsync(FunctionDescriptor function, CancellationToken ct)
    {
        var queue = queues.GetQueueClient(function.QueueName);
        var poison = queues.GetQueueClient(function.QueueName + "-poison");
        var delay = TimeSpan.FromMilliseconds(100);
        var running = new List<Task>();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await storage.EnsureReadyAsync(ct);
                var o = options.Value;

                // Like the host: a new batch is fetched as soon as no more than newBatchThreshold messages are still
                // running, so one slow message does not hold the next batch back.
                running.RemoveAll(t => t.IsCompleted);
                while (running.Count > o.NewBatchThreshold)
                {
                    await Task.WhenAny(running);
                    running.RemoveAll(t => t.IsCompleted);
                }

                QueueMessage[] batch = await queue.ReceiveMessagesAsync(o.BatchSize, o.Lease, ct);
                if (batch.Length > 0)
                {
                    running.AddRange(batch.Select(m => ProcessAsync(function, queue, poison, m, ct)));
                    delay = TimeSpan.FromMilliseconds(100);
                    continue;
                }

                // Back off like the host: doubling up to maxPollingInterval while the queue is empty.
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, o.MaxPollingInterval.Ticks));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await StoppedAsync(running);
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Polling queue {Queue} failed: {Message}", function.QueueName, e.Message);
                delay = options.Value.MaxPollingInterval;
            }

            try
            {
                await Task.Delay(delay, ct);
            }
            catch (OperationCanceledException)
            {
                await StoppedAsync(running);
                return;
            }
        }

        await StoppedAsync(running);
    }

    /// <summary>Waits for the messages still running at shutdown; what they throw then is the shutdown's cancellation (their messages come back after the lease).</summary>
    private static async Task StoppedAsync(List<Task> running)
    {
        try
        {
            await Task.WhenAll(running);
        }
        catch (Exception)
        {
            // Shutting down: nothing to do with it, the message is retried by whoever polls next.
        }
    }

    internal async Task ProcessAsync(FunctionDescriptor function, QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken ct)
    {
        var lease = new Lease(message.PopReceipt);
        try
        {
            await RunLeasedAsync(function, queue, message, lease, ct);
            await queue.DeleteMessageAsync(message.MessageId, lease.PopReceipt, CancellationToken.None);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var o = options.Value;
            if (message.DequeueCount >= o.MaxDequeueCount)
            {
                logger.LogError(e, "Moving message to queue '{Poison}' after {Count} dequeues of function {Function}", poison.Name, message.DequeueCount, function.Name);
                await poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
                metrics.Poisoned(function.Name);
                await queue.DeleteMessageAsync(message.MessageId, lease.PopReceipt, CancellationToken.None);
            }
            else
            {
                logger.LogWarning("Function {Function} failed on dequeue {Count}: {Message}; retrying after {Delay}", function.Name, message.DequeueCount, e.Message, o.VisibilityTimeout);
                await queue.UpdateMessageAsync(message.MessageId, lease.PopReceipt, visibilityTimeout: o.VisibilityTimeout, cancellationToken: CancellationToken.None);
            }
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Stopped mid-message: like the host, release it (it would otherwise stay invisible for the whole lease,
            // minutes, while another instance could be working on it). A host stopping because storage is gone
            // cannot release it either; the lease then runs out as before.
            try
            {
                await queue.UpdateMessageAsync(message.MessageId, lease.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
            }
            catch (Exception release) when (release is Azure.RequestFailedException or HttpRequestException or TaskCanceledException)
            {
                logger.LogWarning("Could not release message {Id} of function {Function} at shutdown: {Message}", message.MessageId, function.Name, release.Message);
            }
        }
    }

    /// <summary>
    /// Runs the function while keeping its message invisible, as the Functions host does: every half lease the message's
    /// visibility is pushed one lease further, so a function that runs longer than the lease is not handed to a second
    /// poller (or this one) while it still runs. The renewal stops before the function's outcome is acted on, so the
    /// delete or release that follows uses the last pop receipt.
    /// </summary>
    private async Task RunLeasedAsync(FunctionDescriptor function, QueueClient queue, QueueMessage message, Lease lease, CancellationToken ct)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renewal = KeepInvisibleAsync(function, queue, message.MessageId, lease, done.Token);
        try
        {
            await invoker.InvokeQueueAsync(function, message, ct);
        }
        finally
        {
            await done.CancelAsync();
            await renewal;
        }
    }

    private async Task KeepInvisibleAsync(FunctionDescriptor function, QueueClient queue, string messageId, Lease lease, CancellationToken done)
    {
        var length = options.Value.Lease;
        while (true)
        {
            try
            {
                await Task.Delay(length / 2, done);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                // Not cancelled once sent: an update the service applied but whose answer was dropped would leave a pop receipt this host does not know.
                var renewed = await queue.UpdateMessageAsync(messageId, lease.PopReceipt, visibilityTimeout: length, cancellationToken: CancellationToken.None);
                lease.PopReceipt = renewed.Value.PopReceipt;
            }
            catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException or TaskCanceledException)
            {
                logger.LogWarning("Could not keep message {Id} of function {Function} invisible: {Message}; it may run again after its lease", messageId, function.Name, e.Message);
                return;
            }
        }
    }

    /// <summary>The message's current pop receipt: each visibility update returns a new one.</summary>
    private sealed class Lease(string popReceipt)
    {
        public string PopReceipt { get; set; } = popReceipt;
    }
}
