using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Engage.DevHost;
using Engage.Functions.Http;
using Engage.Functions.Storage;
using Engage.Functions.Telemetry;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Engage.Tests.Hosting;

public sealed class QueuePollerTests
{
    /// <summary>A queue function that fails on every dequeue, recording the dequeue count it was given.</summary>
    public sealed class AlwaysFails
    {
        public static readonly ConcurrentDictionary<string, ConcurrentQueue<long>> Seen = new();

        public static Task Run(QueueMessage message)
        {
            Seen.GetOrAdd(message.Body.ToString(), _ => new()).Enqueue(message.DequeueCount);
            throw new InvalidOperationException("fails on purpose");
        }
    }

    /// <summary>A queue function that succeeds.</summary>
    public sealed class Succeeds
    {
        public static readonly ConcurrentBag<string> Seen = [];

        public static Task Run(string body)
        {
            Seen.Add(body);
            return Task.CompletedTask;
        }
    }

    /// <summary>A queue function that runs until it is cancelled.</summary>
    public sealed class Blocks
    {
        public static readonly ConcurrentBag<string> Started = [];

        public static async Task Run(string body, CancellationToken ct)
        {
            Started.Add(body);
            await Task.Delay(Timeout.Infinite, ct);
        }
    }

    /// <summary>A queue function that takes longer than the test's lease, counting its runs.</summary>
    public sealed class Slow
    {
        public static readonly ConcurrentDictionary<string, int> Runs = new();

        public static async Task Run(string body, CancellationToken ct)
        {
            Runs.AddOrUpdate(body, 1, (_, n) => n + 1);
            await Task.Delay(TimeSpan.FromSeconds(10), ct);
        }
    }

    private static async Task<(QueuePoller Poller, QueueClient Queue, QueueClient Poison)> StartAsync(Type function, ServiceProvider services, TimeSpan? lease = null)
    {
        var name = TestStorage.UniqueName("q");
        var descriptor = new FunctionDescriptor("Test", function, function.GetMethod("Run")!, TriggerKind.Queue, QueueName: name);
        var queues = services.GetRequiredService<QueueServiceClient>();
        var queue = queues.GetQueueClient(name);
        var poison = queues.GetQueueClient(name + "-poison");
        await queue.CreateIfNotExistsAsync();
        await poison.CreateIfNotExistsAsync();
        var options = Options.Create(new QueueHostOptions
        {
            BatchSize = 4,
            MaxDequeueCount = 5,
            VisibilityTimeout = TimeSpan.FromMilliseconds(100),
            MaxPollingInterval = TimeSpan.FromMilliseconds(100),
            Lease = lease ?? new QueueHostOptions().Lease,
        });
        var poller = new QueuePoller(new FunctionCatalog([descriptor]), new FunctionInvoker(services), queues,
            services.GetRequiredService<EngageStorage>(), services.GetRequiredService<EngageMetrics>(), options, NullLogger<QueuePoller>.Instance);
        await poller.StartAsync(CancellationToken.None);
        return (poller, queue, poison);
    }

    [Fact]
    public async Task FailingMessage_IsRetriedWithRisingDequeueCount_ThenMovedToPoisonAfterFive()
    {
        await using var services = TestServices.Create();
        using var poisonCounter = new MetricCollector<long>(services.GetRequiredService<IMeterFactory>(), EngageMetrics.Name, "engage.queue.poison");
        var (poller, queue, poison) = await StartAsync(typeof(AlwaysFails), services);
        var body = "poison-me-" + Guid.NewGuid();
        try
        {
            await queue.SendMessageAsync(body);

            var poisoned = await Eventually.Until(
                async () => (await poison.PeekMessagesAsync(10)).Value,
                messages => messages.Length > 0);

            Assert.Equal(body, Assert.Single(poisoned).Body.ToString());
            Assert.Equal([1L, 2, 3, 4, 5], AlwaysFails.Seen[body].ToArray());
            Assert.Empty((await queue.PeekMessagesAsync(10)).Value);
            var counted = Assert.Single(poisonCounter.GetMeasurementSnapshot());
            Assert.Equal(1, counted.Value);
            Assert.Equal("Test", counted.Tags["function"]);
        }
        finally
        {
            await poller.StopAsync(CancellationToken.None);
            await queue.DeleteAsync();
            await poison.DeleteAsync();
        }
    }

    [Fact]
    public async Task SucceedingMessage_IsDeleted()
    {
        await using var services = TestServices.Create();
        var (poller, queue, poison) = await StartAsync(typeof(Succeeds), services);
        var body = "fine-" + Guid.NewGuid();
        try
        {
            await queue.SendMessageAsync(body);

            await Eventually.Until(() => Task.FromResult(Succeeds.Seen.Contains(body)), seen => seen);
            var remaining = await Eventually.Until(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0);

            Assert.Contains(body, Succeeds.Seen);
            Assert.Equal(0, remaining);
            Assert.Empty((await poison.PeekMessagesAsync(10)).Value);
        }
        finally
        {
            await poller.StopAsync(CancellationToken.None);
            await queue.DeleteAsync();
            await poison.DeleteAsync();
        }
    }

    [Fact]
    public async Task MessageRunningLongerThanTheLease_StaysInvisible_AndRunsOnce()
    {
        // The Functions host keeps a running message invisible; a poller that did not would hand it out again after the
        // lease (an import step that ran past its 3 s lease in a test fetched its page twice). The function runs 2.5
        // leases; each renewal, every half lease, has 2 s to reach a storage the whole suite shares (a lease of 1 s left
        // it 0.5 s, and a loaded run on a fresh clone renewed too late and ran the message 4 times).
        await using var services = TestServices.Create();
        var (poller, queue, poison) = await StartAsync(typeof(Slow), services, lease: TimeSpan.FromSeconds(4));
        var body = "slow-" + Guid.NewGuid();
        try
        {
            await queue.SendMessageAsync(body);

            var remaining = await Eventually.Until(
                async () => Slow.Runs.ContainsKey(body) ? (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount : -1,
                n => n == 0, TimeSpan.FromSeconds(30));

            Assert.Equal(0, remaining);
            Assert.Equal(1, Slow.Runs[body]);
            Assert.Empty((await poison.PeekMessagesAsync(10)).Value);
        }
        finally
        {
            await poller.StopAsync(CancellationToken.None);
            await queue.DeleteAsync();
            await poison.DeleteAsync();
        }
    }

    [Fact]
    public async Task MessageRunningWhenThePollerStops_IsReleasedAtOnce_NotAfterTheLease()
    {
        await using var services = TestServices.Create();
        var (poller, queue, poison) = await StartAsync(typeof(Blocks), services);
        var body = "stopped-" + Guid.NewGuid();
        try
        {
            await queue.SendMessageAsync(body);
            await Eventually.Until(() => Task.FromResult(Blocks.Started.Contains(body)), seen => seen);

            await poller.StopAsync(CancellationToken.None);

            // The lease is ten minutes (QueueHostOptions default): a visible message now means it was released.
            var visible = await Eventually.Until(async () => (await queue.PeekMessagesAsync(10)).Value, m => m.Length > 0, TimeSpan.FromSeconds(10));
            Assert.Equal(body, Assert.Single(visible!).Body.ToString());
        }
        finally
        {
            await queue.DeleteAsync();
            await poison.DeleteAsync();
        }
    }
}
