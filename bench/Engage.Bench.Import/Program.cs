// History import benchmark (console harness, not a test): how many recorded GitHub items a second does an
// import take into Azurite, against posting the same items as signed webhook deliveries in the same run?
//
//   dotnet run -c Release --project bench/Engage.Bench.Import [-- items=10000 clients=8]
//
// The history is the recorded objects of Tests/Fixtures/github-history (requests/requests), repeated with new
// ids until it holds `items` issues and comments, served by WireMock.Net with GitHub's paging (100 a page).
// Each run has an Azurite of its own (in memory, free ports, node_modules).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Engage.DevHost;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

var options = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
var itemCount = int.Parse(options.GetValueOrDefault("items", "10000"), CultureInfo.InvariantCulture);
var clients = int.Parse(options.GetValueOrDefault("clients", "8"), CultureInfo.InvariantCulture);
var root = FindRoot();

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

Console.WriteLine($"History: {issues.Count} issues + {comments.Count} comments = {issues.Count + comments.Count} items; {clients} webhook clients");

// ---- baseline: the same items as signed webhook deliveries -----------------------------------------
var unavailable = 0;
var webhook = await RunAsync(async (client, queue) =>
{
    var bodies = issues.Select(i => ("issues", new JsonObject { ["action"] = "opened", ["issue"] = i.DeepClone() }.ToJsonString()))
        .Concat(comments.Select(c => ("issue_comment", new JsonObject
        {
            ["action"] = "created",
            ["issue"] = issues[int.Parse(((string)c["issue_url"]!).Split('/')[^1], CultureInfo.InvariantCulture) - 1].DeepClone(),
            ["comment"] = c.DeepClone(),
        }.ToJsonString())))
        .ToList();
    await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = clients }, async (item, ct) =>
    {
        var delivery = Guid.NewGuid().ToString();
        // A 503 (storage saturated) is retried after its Retry-After, as the platforms do; it is counted.
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

            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 5)
            {
                throw new InvalidOperationException($"webhook answered {(int)response.StatusCode}");
            }

            Interlocked.Increment(ref unavailable);
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5), ct);
        }
    });
});

// ---- import ------------------------------------------------------------------------------------------
var import = await RunAsync(async (client, _) =>
{
    using var response = await client.PostAsJsonAsync("/api/ops/import", new { source = "github", target = "bench/history" });
    var importId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetString();
    while (true)
    {
        var status = await client.GetFromJsonAsync<JsonElement>($"/api/ops/import/{importId}");
        if (status.GetProperty("status").GetString() != "running")
        {
            Console.WriteLine($"import {status.GetProperty("status").GetString()}: {status.GetProperty("pages").GetInt32()} pages, {status.GetProperty("interactions").GetInt32()} interactions");
            return;
        }

        await Task.Delay(200);
    }
});

var items = issues.Count + comments.Count;
Console.WriteLine($"webhook deliveries answered 503 and retried: {unavailable}");
Console.WriteLine();
Console.WriteLine("| path | items | seconds to stored | items/s | × webhook baseline |");
Console.WriteLine("|---|---:|---:|---:|---:|");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| webhooks, {clients} clients (baseline) | {items} | {webhook:F1} | {items / webhook:F0} | 1.00 |"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| history import | {items} | {import:F1} | {items / import:F0} | {webhook / import:F2} |"));
return;

// Starts an Azurite and a DevHost of their own, runs `work`, waits until queue `interactions` is empty, and returns the seconds taken.
async Task<double> RunAsync(Func<HttpClient, QueueClient, Task> work)
{
    using var azurite = Azurite.Start(root);
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

static void Serve(WireMockServer server, string path, IReadOnlyList<JsonObject> items)
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

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "EngageFunctions.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Run from inside the repository.");
}

/// <summary>An Azurite of its own: in memory, free ports, stopped by its PID.</summary>
sealed class Azurite : IDisposable
{
    private readonly Process _process;

    private Azurite(Process process, string connectionString) => (_process, ConnectionString) = (process, connectionString);

    public string ConnectionString { get; }

    public static Azurite Start(string root)
    {
        int blob = FreePort(), queue = FreePort(), table = FreePort();
        var process = Process.Start(new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js"), "--blobHost", "127.0.0.1", "--blobPort", $"{blob}",
                "--queueHost", "127.0.0.1", "--queuePort", $"{queue}", "--tableHost", "127.0.0.1", "--tablePort", $"{table}",
                "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        foreach (var port in new[] { blob, queue, table })
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                try
                {
                    using var socket = new TcpClient("127.0.0.1", port);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(100);
                }
            }
        }

        // The well-known Azurite development account (public, documented by Microsoft; not a secret).
        return new Azurite(process, $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
    }
}
