// History import benchmark (console harness, not a test): how many recorded GitHub items a second does an
// import take into Azurite, against posting the same items as signed webhook deliveries in the same run?
//
//   dotnet run -c Release --project bench/Engage.Bench.Import [-- [--smoke] [--out FILE] items=10000 clients=8]
//   (or bench/run.sh import)
//
// The history is the recorded objects of Tests/Fixtures/github-history (requests/requests), repeated with new
// ids until it holds `items` issues and comments, served by WireMock.Net with GitHub's paging (100 a page).
// Each run has an Azurite of its own (in memory, free ports, node_modules).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Engage.DevHost;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Engage.Bench.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Engage.Bench.Import;

public static class ImportBench
{
    public static Task<int> Main(string[] args) => BenchMain.RunAsync(args, RunAsync);

    public static async Task<string> RunAsync(bool smoke, string[] args, CancellationToken cancellationToken)
    {
        var options = BenchMain.Options(args);
        var itemCount = int.Parse(options.GetValueOrDefault("items", smoke ? "200" : "10000"), CultureInfo.InvariantCulture);
        var clients = int.Parse(options.GetValueOrDefault("clients", smoke ? "2" : "8"), CultureInfo.InvariantCulture);
        var root = BenchRepo.Root;

        // ---- the history: recorded issues and comments, repeated with new ids -------------------------------
        var recorded = File.ReadLines(Path.Combine(root, "Tests", "Fixtures", "github-history", "objects.jsonl"))
            .Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(r => (string?)r["repository"] == "requests/requests")
            .ToList();
        var recordedIssues = recorded.Where(r => (string?)r["kind"] == "issue").Select(r => r["object"]!.AsObject()).ToList();
        var recordedComments = recorded.Where(r => (string?)r["kind"] == "issue_comment").Select(r => r["object"]!.AsObject()).ToList();
        var issues = new List<JsonObject>();
        var comments = new List<JsonObject>();
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var n = 0; issues.Count + comments.Count < itemCount; n++)
        {
            var issue = recordedIssues[n % recordedIssues.Count].DeepClone().AsObject();
            issue["id"] = 900_000_000L + n;
            issue["number"] = n + 1;
            issue["created_at"] = start.AddMinutes(n * 10).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            issue.Remove("pull_request");
            issues.Add(issue);
            for (var c = 0; c < 3 && issues.Count + comments.Count < itemCount; c++)
            {
                var comment = recordedComments[(3 * n + c) % recordedComments.Count].DeepClone().AsObject();
                comment["id"] = 800_000_000L + (3L * n) + c;
                comment["issue_url"] = $"https://api.github.com/repos/bench/history/issues/{n + 1}";
                comment["created_at"] = start.AddMinutes((n * 10) + c + 1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                comments.Add(comment);
            }
        }

        using var github = WireMockServer.Start();
        Serve(github, "/repos/bench/history/issues", issues);
        Serve(github, "/repos/bench/history/pulls", []);
        Serve(github, "/repos/bench/history/issues/comments", comments);
        Serve(github, "/repos/bench/history/pulls/comments", []);
        github.Given(Request.Create().WithPath("/graphql").UsingPost()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json").WithBody("""{"data":{"repository":{"discussions":{"pageInfo":{"hasNextPage":false},"nodes":[]}}}}"""));

        Console.Error.WriteLine($"History: {issues.Count} issues + {comments.Count} comments = {issues.Count + comments.Count} items; {clients} webhook clients");

        // ---- baseline: the same items as signed webhook deliveries -----------------------------------------
        var unavailable = 0;
        // When the last delivery was accepted: intake's part of the webhook time; the rest is ingestion draining the queue.
        var posted = 0.0;
        var webhook = await TimeAsync(async (client, queue) =>
        {
            var bodies = issues.Select(i => ("issues", new JsonObject { ["action"] = "opened", ["issue"] = i.DeepClone() }.ToJsonString()))
                .Concat(comments.Select(c => ("issue_comment", new JsonObject
                {
                    ["action"] = "created",
                    ["issue"] = issues[int.Parse(((string)c["issue_url"]!).Split('/')[^1], CultureInfo.InvariantCulture) - 1].DeepClone(),
                    ["comment"] = c.DeepClone(),
                }.ToJsonString())))
                .ToList();
            var posting = Stopwatch.StartNew();
            await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = clients }, async (item, ct) =>
            {
                var delivery = Guid.NewGuid().ToString();
                // A 503 (storage saturated) or a 429 (the webhook rate limit, decision 0902) is retried after its Retry-After, as
                // a sender that honours it does; both are counted.
                for (var attempt = 1; ; attempt++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/github") { Content = new StringContent(item.Item2, Encoding.UTF8, "application/json") };
                    request.Headers.Add("X-GitHub-Event", item.Item1);
                    request.Headers.Add("X-GitHub-Delivery", delivery);
                    request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("bench-github-secret"u8, Encoding.UTF8.GetBytes(item.Item2))));
                    using var response = await client.SendAsync(request, ct);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        return;
                    }

                    if (response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests) || attempt == 50)
                    {
                        throw new InvalidOperationException($"webhook answered {(int)response.StatusCode}");
                    }

                    Interlocked.Increment(ref unavailable);
                    await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5), ct);
                }
            });
            posted = posting.Elapsed.TotalSeconds;
        });

        // ---- import ------------------------------------------------------------------------------------------
        var import = await TimeAsync(async (client, _) =>
        {
            using var response = await client.PostAsJsonAsync("/api/ops/import", new { source = "github", target = "bench/history" });
            var importId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetString();
            while (true)
            {
                var status = await client.GetFromJsonAsync<JsonElement>($"/api/ops/import/{importId}");
                if (status.GetProperty("status").GetString() != "running")
                {
                    Console.Error.WriteLine($"import {status.GetProperty("status").GetString()}: {status.GetProperty("pages").GetInt32()} pages, {status.GetProperty("interactions").GetInt32()} interactions");
                    return;
                }

                await Task.Delay(200);
            }
        });

        var items = issues.Count + comments.Count;
                var table = new MarkdownTable()
                    .Row($"signed webhook deliveries, {clients} clients (baseline)", $"{MarkdownTable.N(items / webhook)} items/s", "—", 1, "—")
                    .Row("history import (`POST /api/ops/import`)", $"{MarkdownTable.N(items / import)} items/s", $"{MarkdownTable.N(items / webhook)} items/s", webhook / import, "faster than the webhooks");
                return $"""
                    ## History import against webhook deliveries

                    {items} recorded GitHub items ({issues.Count} issues, {comments.Count} comments; Tests/Fixtures/github-history repeated with
                    new ids) served by WireMock.Net with GitHub's paging, imported into an empty Azurite, against the same items posted as signed
                    webhook deliveries by {clients} clients to another empty Azurite in the same run; each time runs until every interaction is
                    stored (queue `interactions` empty). {unavailable} deliveries were answered 503 or 429 + Retry-After and retried.
                    Every webhook delivery was accepted {MarkdownTable.N(posted)} s into the {MarkdownTable.N(webhook)} s of the baseline
                    ({MarkdownTable.N(items / Math.Max(posted, 1e-3))} items/s at intake): the rest is ingestion draining the queue, one
                    queue message per item.

                    {table}
                    """;
        // Starts an Azurite and a DevHost of their own, runs `work`, waits until queue `interactions` is empty, and returns the seconds taken.
        async Task<double> TimeAsync(Func<HttpClient, QueueClient, Task> work)
        {
            using var azurite = BenchAzurite.Start();
            var app = DevHostApp.Create([], new Dictionary<string, string?>
            {
                ["Urls"] = "http://127.0.0.1:0",
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["Sources:GitHub:Secret"] = "bench-github-secret",
                ["Import:GitHub:BaseUrl"] = github.Url,
                ["Unsubscribe:SigningKey"] = "bench-unsubscribe-key-0123456789",
                ["Scores:Schedule"] = "0 0 0 1 1 *",
                ["Digest:Schedule"] = "0 0 0 1 1 *",
                ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.200",
                ["Logging:LogLevel:Default"] = "Error",
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };
            var queue = app.Services.GetRequiredService<QueueServiceClient>().GetQueueClient("interactions");
            var clock = Stopwatch.StartNew();
            await work(client, queue);
            await Task.Delay(500);
            while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
            {
                await Task.Delay(200);
            }

            var seconds = clock.Elapsed.TotalSeconds;
            await app.StopAsync();
            await app.DisposeAsync();
            return seconds;
        }

    }

    private static void Serve(WireMockServer server, string path, IReadOnlyList<JsonObject> items)
    {
        const int pageSize = 100;
        var pages = Math.Max(1, (items.Count + pageSize - 1) / pageSize);
        for (var p = 1; p <= pages; p++)
        {
            var body = new JsonArray(items.Skip((p - 1) * pageSize).Take(pageSize).Select(i => (JsonNode)i.DeepClone()).ToArray()).ToJsonString();
            var response = Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body);
            if (p < pages)
            {
                response = response.WithHeader("Link", $"<{server.Url}{path}?page={p + 1}>; rel=\"next\"");
            }

            server.Given(Request.Create().WithPath(path).WithParam("page", p.ToString(CultureInfo.InvariantCulture)).UsingGet()).RespondWith(response);
        }
    }

}
