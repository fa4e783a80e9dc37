// Read-path benchmark (console harness, not a test): how long does a read of one user with 10,000
// facts in the window take on Azurite, against the floor of reading those rows raw in the same run?
//
//   dotnet run -c Release --project bench/Engage.Bench [-- facts=10000 runs=7]
//
// Starts its own Azurite (node_modules) on free ports unless ENGAGE_BENCH_STORAGE is set.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Engage.DevHost;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Engage.Domain.Signals;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var options = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
if (args.FirstOrDefault() is "signals" or "train-signals")
{
    Engage.Bench.SignalBench.Run(args[0], options);
    return;
}

var factCount = int.Parse(options.GetValueOrDefault("facts", "10000"), CultureInfo.InvariantCulture);
var runs = int.Parse(options.GetValueOrDefault("runs", "7"), CultureInfo.InvariantCulture);

using var azurite = Environment.GetEnvironmentVariable("ENGAGE_BENCH_STORAGE") is { Length: > 0 } ? null : Azurite.Start();
var storage = Environment.GetEnvironmentVariable("ENGAGE_BENCH_STORAGE") is { Length: > 0 } given ? given : azurite!.ConnectionString;

var app = DevHostApp.Create([], new Dictionary<string, string?>
{
    ["Urls"] = "http://127.0.0.1:0",
    ["AzureWebJobsStorage"] = storage,
    ["Sources:Standard:Secret"] = "whsec_YmVuY2gtc2VjcmV0LWJlbmNoLXNlY3JldA==",
    ["Unsubscribe:SigningKey"] = "bench-unsubscribe-key-0123456789",
    ["Scores:Schedule"] = "0 0 0 1 1 *",
    ["Digest:Schedule"] = "0 0 0 1 1 *",
    ["DevHost:DisableBackgroundWork"] = "true",
    ["Logging:LogLevel:Default"] = "Warning",
});
await app.StartAsync();
var services = app.Services;
var store = services.GetRequiredService<FactStore>();
var engage = services.GetRequiredService<EngageStorage>();
await engage.EnsureReadyAsync(CancellationToken.None);

// A user with factCount facts in the last 30 days: half authored (posts, replies, reactions), half received.
var user = "bench:u" + Guid.NewGuid().ToString("N")[..8];
var asOf = DateTimeOffset.UtcNow;
var random = new Random(42);
var facts = new List<Fact>(factCount);
for (var n = 0; n < factCount; n++)
{
    var authored = n % 2 == 0;
    var other = $"bench:o{random.Next(200)}";
    var kind = (InteractionKind)random.Next(3);
    var parent = kind == InteractionKind.Reply ? $"bench:item{random.Next(500)}" : null;
    facts.Add(new Fact
    {
        UserId = user,
        InteractionId = $"bench:{n}",
        Kind = kind,
        Actor = authored ? user : other,
        OccurredAt = asOf.AddSeconds(-random.Next(1, 29 * 24 * 3600)),
        InReplyToId = parent,
        InReplyToAuthor = parent is null ? null : authored ? other : user,
        ParentIsQuestion = parent is null ? null : random.Next(3) == 0 ? null : random.Next(2) == 0,
        Mentions = random.Next(4) == 0 ? [other] : [],
        TextSignals = (SignalSet)(random.Next(128) & ~(int)SignalSet.Answer),
        Handles = new Dictionary<string, string> { [other] = other[6..] },
    });
}

var items = Enumerable.Range(0, 500).Select(i => new ItemInfo($"bench:item{i}", $"bench:o{i % 200}", InteractionKind.Post, i % 2 == 0, asOf.AddDays(-29))).ToList();
var seed = Stopwatch.StartNew();
foreach (var item in items)
{
    await store.InsertItemAsync(item, CancellationToken.None);
}

foreach (var chunk in facts.Chunk(100))
{
    // One partition, at most 100 entities per transaction (Azure's limit).
    await engage.Facts.SubmitTransactionAsync(chunk.DistinctBy(FactKeys.FactRowKey).Select(f => new TableTransactionAction(TableTransactionActionType.UpsertReplace, FactStore.ToEntity(f))));
}

Console.WriteLine($"Seeded {factCount} facts for {user} and {items.Count} items in {seed.Elapsed.TotalSeconds:0.0} s");

var window = new Window(asOf.AddMinutes(1), TimeSpan.FromDays(30));
var scoring = new ScoringOptions();
var address = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
using var http = new HttpClient { BaseAddress = new Uri(address) };
var query = $"?asOf={Uri.EscapeDataString(window.AsOf.ToString("O", CultureInfo.InvariantCulture))}";

var cases = new (string Name, Func<Task<int>> Run)[]
{
    ("raw partition range read (baseline)", async () =>
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {user} and RowKey ge {FactKeys.LowerBound(window.From)} and RowKey lt {FactKeys.UpperBound(window.AsOf) + "~"}");
        var n = 0;
        await foreach (var _ in engage.Facts.QueryAsync<TableEntity>(filter))
        {
            n++;
        }

        return n;
    }),
    ("raw read, one column selected", async () =>
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {user} and RowKey ge {FactKeys.LowerBound(window.From)} and RowKey lt {FactKeys.UpperBound(window.AsOf) + "~"}");
        var n = 0;
        await foreach (var _ in engage.Facts.QueryAsync<TableEntity>(filter, select: ["Kind"]))
        {
            n++;
        }

        return n;
    }),
    ("raw read, 4 time slices in parallel", async () =>
    {
        var slices = Enumerable.Range(0, 4).Select(k => (From: window.From + (k * window.Length / 4), To: window.From + ((k + 1) * window.Length / 4))).ToList();
        var counts = await Task.WhenAll(slices.Select(async s =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {user} and RowKey ge {FactKeys.LowerBound(s.From)} and RowKey lt {FactKeys.UpperBound(s.To) + (s.To == window.AsOf ? "~" : "")}");
            var n = 0;
            await foreach (var _ in engage.Facts.QueryAsync<TableEntity>(filter))
            {
                n++;
            }

            return n;
        }));
        return counts.Sum();
    }),
    ("FactStore.ReadAsync (rows → facts)", async () => (await store.ReadAsync(user, window, CancellationToken.None)).Count),
    ("ReadResolvedAsync (+ items index)", async () => (await store.ReadResolvedAsync(user, window, CancellationToken.None)).Interactions.Count),
    ("read + engagement + reciprocity folds", async () =>
    {
        var (rows, interactions) = await store.ReadResolvedAsync(user, window, CancellationToken.None);
        var e = EngagementFold.Fold(user, interactions, FactSet.HandleOf(user, rows), window, scoring);
        var r = ReciprocityFold.Fold(user, interactions, new HandleBook(rows).Of, window, scoring);
        return e.Counts.Post + r.Counterparts.Count;
    }),
    ("GET /api/users/{id}/engagement (HTTP)", async () => (await http.GetStringAsync($"/api/users/{user}/engagement{query}")).Length),
    ("GET /api/users/{id}/reciprocity (HTTP)", async () => (await http.GetStringAsync($"/api/users/{user}/reciprocity{query}")).Length),
};

var medians = new List<(string Name, double Ms)>();
foreach (var (name, run) in cases)
{
    await run(); // warm-up
    var times = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var sw = Stopwatch.StartNew();
        await run();
        times.Add(sw.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    medians.Add((name, times[times.Count / 2]));
}

var baseline = medians[0].Ms;
Console.WriteLine($"\n{factCount} facts in the window, median of {runs} runs, Azurite in memory, {Environment.ProcessorCount} cores");
Console.WriteLine($"{"case",-42} {"median ms",10} {"× baseline",11}");
foreach (var (name, ms) in medians)
{
    Console.WriteLine($"{name,-42} {ms,10:0} {ms / baseline,11:0.00}");
}

await app.StopAsync();

/// <summary>An Azurite of the bench's own, stopped by its PID.</summary>
sealed class Azurite(Process process, string connectionString) : IDisposable
{
    public string ConnectionString { get; } = connectionString;

    public static Azurite Start()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "EngageFunctions.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Run from inside the repository.");
        }

        int Port()
        {
            using var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return ((IPEndPoint)l.LocalEndpoint).Port;
        }

        int blob = Port(), queue = Port(), table = Port();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js"), "--blobHost", "127.0.0.1", "--blobPort", $"{blob}",
            "--queueHost", "127.0.0.1", "--queuePort", $"{queue}", "--tableHost", "127.0.0.1", "--tablePort", $"{table}",
            "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent",
        })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        foreach (var port in new[] { blob, queue, table })
        {
            for (var i = 0; ; i++)
            {
                try
                {
                    using var c = new TcpClient();
                    c.Connect(IPAddress.Loopback, port);
                    break;
                }
                catch (SocketException) when (i < 300)
                {
                    Thread.Sleep(100);
                }
            }
        }

        return new Azurite(process, "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;");
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(5000);
        }
    }
}
