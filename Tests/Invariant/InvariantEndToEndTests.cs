using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Engage.Domain.Scoring;
using Engage.Domain.Sources;
using Engage.Functions.Ingest;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Engage.Tests.Invariant;

/// <summary>
/// Nothing lost, nothing counted twice: a seeded community across every source, each delivery posted 1–3
/// times, shuffled (replies before parents, acceptances before answers, reactions before their items), from
/// 8 concurrent clients, through DevHost over real HTTP into an Azurite of its own. Every user's engagement
/// and reciprocity and the community figures must equal <see cref="CleanRun"/>, the Domain fold of the
/// distinct interactions. <c>ENGAGE_INVARIANT_SCALE</c> multiplies the size (bench/invariant.sh runs 10×).
/// </summary>
public sealed class InvariantEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ShuffledDuplicatedConcurrentDeliveries_EveryFigureEqualsTheCleanFold()
    {
        await using var host = new IsolatedDevHost(InvariantRun.Now);
        InvariantRun.Configure(host.Host);
        await host.StartAsync();

        var generator = new DeliveryGenerator(seed: 11, InvariantRun.Now);
        var deliveries = generator.Generate(InvariantRun.Threads * InvariantRun.Scale);
        var posts = generator.WithRedeliveriesShuffled(deliveries);
        var clock = Stopwatch.StartNew();

        var statuses = await InvariantRun.PostAllAsync(host.Client, posts);
        var posted = clock.Elapsed;
        Assert.True(statuses.All(s => s.Status == HttpStatusCode.Accepted), string.Join("\n", statuses.Where(s => s.Status != HttpStatusCode.Accepted).Take(5).Select(s => $"{s.Status} {s.Body}")));

        var services = host.Host.Services;
        var clean = CleanRun.Of(deliveries, services.GetServices<WebhookSource>(), services.GetRequiredService<ITextClassifier>());
        await host.Host.DrainAsync(TimeSpan.FromMinutes(5 * InvariantRun.Scale));
        var drained = clock.Elapsed;

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{deliveries.Count} distinct deliveries ({DeliveryGenerator.Describe(deliveries)}), {posts.Count} posts from {InvariantRun.Clients} clients, {clean.Interactions} interactions, {clean.Facts.Count} facts, {clean.Users.Count()} users; posted in {posted.TotalSeconds:F1} s, ingested by {drained.TotalSeconds:F1} s"));
        await InvariantRun.AssertFiguresAsync(host.Client, clean, services.GetRequiredService<IOptions<ScoringOptions>>().Value);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"checked by {clock.Elapsed.TotalSeconds:F1} s"));
    }
}

/// <summary>The parts of an invariant run the fault tests share.</summary>
public static class InvariantRun
{
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    public const int Clients = 8;

    /// <summary>Threads per source at scale 1: about 750 distinct deliveries, 1,500 posts.</summary>
    public const int Threads = 30;

    public static int Scale => int.TryParse(Environment.GetEnvironmentVariable("ENGAGE_INVARIANT_SCALE"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 1;

    /// <summary>
    /// Settings for a run where a reply may come long before its parent: the pending-parent give waits
    /// (5 s, then 2 s × <see cref="Scale"/> between tries, 60 tries) for longer than the whole posting takes, so
    /// that no give falls back to the thread root only because the run is big.
    /// </summary>
    public static void Configure(DevHostFixture host)
    {
        host.Overrides["Ingest:PendingParentDelay"] = "00:00:05";
        host.Overrides["Ingest:MaxDequeueCount"] = "60";
        host.Overrides["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "60";
        host.Overrides["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = TimeSpan.FromSeconds(2 * Scale).ToString("c", CultureInfo.InvariantCulture);
    }

    public sealed record Posted(HttpStatusCode Status, string Body, TimeSpan? RetryAfter);

    /// <summary>Posts every delivery from <see cref="Clients"/> concurrent clients; the answers in posting order.</summary>
    public static async Task<Posted[]> PostAllAsync(HttpClient client, IReadOnlyList<SignedDelivery> posts, Func<int, Task>? before = null)
    {
        var answers = new Posted[posts.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, posts.Count), new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (i, ct) =>
        {
            if (before is not null)
            {
                await before(i);
            }

            using var request = posts[i].ToHttp();
            using var response = await client.SendAsync(request, ct);
            answers[i] = new Posted(response.StatusCode, await response.Content.ReadAsStringAsync(ct), response.Headers.RetryAfter?.Delta);
        });
        return answers;
    }

    /// <summary>Checks every user and the community against the clean fold, waiting up to a minute for the last work to land; returns the number of users.</summary>
    public static async Task<int> AssertFiguresAsync(HttpClient client, CleanRun clean, ScoringOptions options, DateTimeOffset? asOf = null)
    {
        var window = new Window(asOf ?? Now, Window.Default);
        var query = $"asOf={Uri.EscapeDataString(window.AsOf.ToString("O", CultureInfo.InvariantCulture))}&window=P{(int)Window.Default.TotalDays}D";
        var users = clean.Users.ToList();
        var pending = new ConcurrentDictionary<string, string>(users.ToDictionary(u => u, _ => "not read"));
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            await Parallel.ForEachAsync(pending.Keys.ToList(), new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (user, ct) =>
            {
                var engagement = await GetAsync(client, $"/api/users/{user}/engagement?{query}", ct);
                var reciprocity = await GetAsync(client, $"/api/users/{user}/reciprocity?{query}", ct);
                var difference =
                    CleanRun.Difference(clean.Engagement(user, window, options), engagement, "score", "broadcastRatio", "conversationRatio", "counts", "breakdown")
                    ?? CleanRun.Difference(clean.Reciprocity(user, window, options), reciprocity, "given", "received", "reciprocatedStrength", "reciprocityIndex", "replyRate", "counterparts", "owed", "openQuestions");
                if (difference is null)
                {
                    pending.TryRemove(user, out _);
                }
                else
                {
                    pending[user] = difference;
                }
            });

            var community = CleanRun.Difference(clean.Community(window, options), await GetAsync(client, $"/api/community?{query}", CancellationToken.None),
                "users", "interactions", "reciprocity", "rho", "broadcastShare", "openQuestions");
            if ((pending.IsEmpty && community is null) || DateTime.UtcNow > deadline)
            {
                Assert.True(pending.IsEmpty, $"{pending.Count} of {users.Count} users differ from the clean fold, e.g. " +
                    string.Join("\n", pending.Take(5).Select(p => $"{p.Key}: {p.Value}")));
                Assert.True(community is null, $"community: {community}");
                return users.Count;
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, string path, CancellationToken ct)
    {
        using var response = await client.GetAsync(path, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return response.IsSuccessStatusCode ? JsonDocument.Parse(text).RootElement.Clone() : JsonDocument.Parse($"{{\"status\":{(int)response.StatusCode}}}").RootElement.Clone();
    }
}
