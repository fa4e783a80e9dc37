using System.Diagnostics;
using System.Globalization;
using System.Net;
using Engage.Domain.Scoring;
using Engage.Domain.Sources;
using Engage.Functions.Ingest;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Engage.Tests.Invariant;

/// <summary>
/// The invariant under faults: storage stopped and started again in the middle of a run, and the app itself
/// killed (SIGKILL) mid-batch and started again. Deliveries the app could not take are retried the way a
/// platform retries (after a 503 or a lost connection); at the end every figure equals the clean fold.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    /// <summary>Posts again every delivery that has no 202 yet, as platforms retry, until all have one.</summary>
    private static async Task<int> RetryUntilAcceptedAsync(HttpClient client, List<SignedDelivery> deliveries, HashSet<SignedDelivery> accepted)
    {
        var retries = 0;
        for (var round = 0; round < 20 && accepted.Count < deliveries.Count; round++)
        {
            var missing = deliveries.Where(d => !accepted.Contains(d)).ToList();
            retries += missing.Count;
            var answers = await SafePostAllAsync(client, missing);
            for (var i = 0; i < missing.Count; i++)
            {
                if (answers[i]?.Status == HttpStatusCode.Accepted)
                {
                    accepted.Add(missing[i]);
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(deliveries.Count, accepted.Count);
        return retries;
    }

    /// <summary>Like <see cref="InvariantRun.PostAllAsync"/>, with a connection that fails (the app is down) as a null answer.</summary>
    private static async Task<InvariantRun.Posted?[]> SafePostAllAsync(HttpClient client, IReadOnlyList<SignedDelivery> posts, Func<int, Task>? before = null)
    {
        var answers = new InvariantRun.Posted?[posts.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, posts.Count), new ParallelOptions { MaxDegreeOfParallelism = InvariantRun.Clients }, async (i, ct) =>
        {
            if (before is not null)
            {
                await before(i);
            }

            try
            {
                using var request = posts[i].ToHttp();
                using var response = await client.SendAsync(request, ct);
                answers[i] = new InvariantRun.Posted(response.StatusCode, await response.Content.ReadAsStringAsync(ct), response.Headers.RetryAfter?.Delta);
            }
            catch (HttpRequestException)
            {
                answers[i] = null;
            }
        });
        return answers;
    }

    [Fact]
    public async Task AzuriteStoppedAndRestartedMidRun_503WithRetryAfterThenEveryFigureEqualsTheCleanFold()
    {
        var now = InvariantRun.Now;
        var folder = Directory.CreateTempSubdirectory("engage-azurite-");
        int blob = TestStorage.FreePort(), queue = TestStorage.FreePort(), table = TestStorage.FreePort();
        var azurite = AzuriteProcess.Start(folder.FullName, blob, queue, table);
        var host = new DevHostFixture();
        try
        {
            InvariantRun.Configure(host);
            host.Overrides["AzureWebJobsStorage"] = TestStorage.ConnectionStringFor(blob, queue, table);
            host.Overrides["AzureFunctionsJobHost:extensions:queues:lease"] = "00:00:20";
            host.ConfigureServices = services => services.AddSingleton<TimeProvider>(new FakeTimeProvider(now));
            await host.InitializeAsync();

            var generator = new DeliveryGenerator(seed: 41, now);
            var deliveries = generator.Generate(6);
            var posts = generator.WithRedeliveriesShuffled(deliveries);
            var restarted = Task.CompletedTask;
            var answers = await SafePostAllAsync(host.Client, posts, i =>
            {
                if (i == posts.Count / 3)
                {
                    azurite.Stop();
                    restarted = Task.Run(async () =>
                    {
                        await Task.Delay(TimeSpan.FromSeconds(4));
                        azurite = AzuriteProcess.Start(folder.FullName, blob, queue, table);
                    });
                }

                return Task.CompletedTask;
            });
            await restarted;

            Assert.All(answers, a => Assert.True(a?.Status is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, $"{a?.Status} {a?.Body}"));
            var unavailable = answers.Where(a => a!.Status == HttpStatusCode.ServiceUnavailable).ToList();
            Assert.NotEmpty(unavailable);
            Assert.All(unavailable, a => Assert.NotNull(a!.RetryAfter));

            var accepted = posts.Where((p, i) => answers[i]!.Status == HttpStatusCode.Accepted).ToHashSet();
            var retried = await RetryUntilAcceptedAsync(host.Client, deliveries, accepted);
            await host.DrainAsync(TimeSpan.FromMinutes(3));

            var services = host.Services;
            var clean = CleanRun.Of(deliveries, services.GetServices<WebhookSource>(), services.GetRequiredService<ITextClassifier>());
            await InvariantRun.AssertFiguresAsync(host.Client, clean, services.GetRequiredService<IOptions<ScoringOptions>>().Value);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{posts.Count} posts, {unavailable.Count} answered 503 during the outage, {retried} retried after it"));
        }
        finally
        {
            await host.DisposeAsync();
            azurite.Dispose();
            folder.Delete(recursive: true);
        }
    }

    /// <summary>DevHost as a process of its own (the built Engage.DevHost.dll) on a fixed port, with the test settings.</summary>
    private static Process StartDevHost(int port, string storage)
    {
        var dll = RepoPaths.Of("DevHost", "bin", "Release", "net10.0", "Engage.DevHost.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution in Release first.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        var settings = DevHostFixture.DefaultSettings(storage);
        settings["Urls"] = $"http://127.0.0.1:{port}";
        settings["Ingest:PendingParentDelay"] = "00:00:05";
        settings["Ingest:MaxDequeueCount"] = "60";
        settings["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "60";
        settings["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:02";
        settings["AzureFunctionsJobHost:extensions:queues:lease"] = "00:00:20";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start DevHost.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitHealthyAsync(HttpClient client)
    {
        await Eventually.Until(async () =>
        {
            try
            {
                using var response = await client.GetAsync("/api/health");
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, ok => ok, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task DevHostKilledMidBatchAndRestarted_EveryFigureEqualsTheCleanFold()
    {
        // A process of its own runs on the real clock: the community is dated from the start of this run.
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        using var azurite = TestStorage.StartDedicated();
        var port = TestStorage.FreePort();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        var devHost = StartDevHost(port, azurite.ConnectionString);
        try
        {
            await WaitHealthyAsync(client);
            var generator = new DeliveryGenerator(seed: 53, now);
            var deliveries = generator.Generate(6);
            var posts = generator.WithRedeliveriesShuffled(deliveries);
            var restarted = Task.CompletedTask;
            var answers = await SafePostAllAsync(client, posts, i =>
            {
                if (i == posts.Count / 2)
                {
                    devHost.Kill(); // SIGKILL: no shutdown, messages mid-batch stay leased until their lease ends
                    devHost.WaitForExit();
                    restarted = Task.Run(async () =>
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1));
                        devHost = StartDevHost(port, azurite.ConnectionString);
                        await WaitHealthyAsync(client);
                    });
                }

                return Task.CompletedTask;
            });
            await restarted;
            Assert.Contains(answers, a => a is null);

            var accepted = posts.Where((p, i) => answers[i]?.Status == HttpStatusCode.Accepted).ToHashSet();
            var retried = await RetryUntilAcceptedAsync(client, deliveries, accepted);

            using var services = TestServices.Create(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString });
            var queue = services.GetRequiredService<Azure.Storage.Queues.QueueServiceClient>().GetQueueClient("interactions");
            await Eventually.Until(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0, TimeSpan.FromMinutes(3));
            var clean = CleanRun.Of(deliveries, services.GetServices<WebhookSource>(), services.GetRequiredService<ITextClassifier>());
            await InvariantRun.AssertFiguresAsync(client, clean, services.GetRequiredService<IOptions<ScoringOptions>>().Value, now);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{posts.Count} posts, {answers.Count(a => a is null)} without an answer while DevHost was down, {retried} retried"));
        }
        finally
        {
            if (!devHost.HasExited)
            {
                devHost.Kill();
                devHost.WaitForExit();
            }

            devHost.Dispose();
        }
    }
}
