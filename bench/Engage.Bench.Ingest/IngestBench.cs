using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using System.Text.Json;
using Engage.DevHost;
using Engage.Domain.Facts;
using Engage.Domain.Signals;
using Engage.Domain.Sources;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Bench.Ingest;

/// <summary>
/// Ingest benchmark (console harness, not a test), against an Azurite of its own with the projection
/// timer off. (a) End-to-end ingest, signed deliveries posted to DevHost until every fact is stored, in fact rows a
/// second, against inserting the very same rows raw into the same Azurite in the same run (single inserts 8 in
/// flight; per-partition batches), with 1 and 8 senders, on an empty store and with 100k facts stored.
/// Webhook acknowledgement latency under load is measured by bench/Engage.Bench.Webhook.
///
///   dotnet run -c Release --project bench/Engage.Bench.Ingest [-- --out FILE deliveries=300 events=10 stored=100000]
/// </summary>
public static class IngestBench
{
    public static async Task<int> Main(string[] args)
    {
        var smoke = args.Contains("--smoke");
        var markdown = await RunAsync(smoke, args, CancellationToken.None);
        Console.WriteLine(markdown);
        var outIndex = Array.IndexOf(args, "--out");
        if (outIndex >= 0 && outIndex + 1 < args.Length)
        {
            await File.WriteAllTextAsync(args[outIndex + 1], markdown);
        }

        return 0;
    }

    public static async Task<string> RunAsync(bool smoke, string[] args, CancellationToken ct)
    {
        var options = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        int Option(string name, int full, int tiny) => int.Parse(options.GetValueOrDefault(name, (smoke ? tiny : full).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var deliveries = Option("deliveries", 300, 6);
        var events = Option("events", 10, 3);
        var stored = Option("stored", 100_000, 300);
        var sections = options.GetValueOrDefault("sections", "abe");

        using var azurite = BenchAzurite.Start();
        await using var host = await Host.StartAsync(azurite.ConnectionString);
        var rows = new List<string>();
        var notes = new List<string>();

        // ---- (a) ingest against raw inserts of the same rows, empty store then with `stored` facts ----------
        var generator = new Deliveries(events);
        var results = new Dictionary<(int Senders, bool Loaded), double>();
        var raw = new Dictionary<bool, double>();
        var rawAll = new Dictionary<bool, double>(); // raw single inserts of every row the stage's deliveries stored
        var allRows = new Dictionary<(int Senders, bool Loaded), double>(); // every row stored a second, not only the fact rows
        var factsPerDelivery = new Dictionary<(int Senders, bool Loaded), double>();
        var otherCounts = new Dictionary<(int Senders, bool Loaded), Dictionary<string, double>>(); // rows a delivery besides its fact rows, by table
        double? callsPerDelivery = null, rawRowsPerDelivery = null;
        Dictionary<string, double> perTable = new(StringComparer.Ordinal); // table calls a delivery, by table ("queue and blob" for the rest)
        var cpu = new CpuMeter(azurite.ConnectionString);
        var cpuRows = new List<string>();
        (double App, double Azurite)? ingestCpu = null, rawCpu = null; // ms of CPU a fact row: 8 senders with stored facts, and raw single inserts

        // A warm-up, not timed: the first deliveries of a process run JIT'd code at tier 0, open connections and create
        // the month's tables, and the first measured case paid for all of it. Until 2026-12-02 the empty store ran at
        // 0.17–0.23× with 1 sender, where the same case with 100,000 facts stored, measured later in the same process,
        // ran at 0.34–0.43× (ingest 2.2× faster on the fuller store). The warm-up's facts stay: the "empty" store holds
        // them, a few hundred rows.
        var warmup = sections.Contains('a', StringComparison.Ordinal) ? Option("warmup", 30, 2) : 0;
        var warmRows = 0;
        if (warmup > 0)
        {
            var bodies = generator.Next(warmup);
            warmRows = host.RowsOf(bodies).Count;
            await host.IngestAsync(bodies, 8, ct);
        }

        // The rows of the other tables so far: each case's own are those it adds (the preload and the raw inserts write
        // elsewhere), so one read after each case serves as the next case's "before".
        var otherRows = sections.Contains('a', StringComparison.Ordinal) ? await host.OtherRowsAsync(ct) : [];
        foreach (var loaded in sections.Contains('a', StringComparison.Ordinal) ? new[] { false, true } : [])
        {
            if (loaded)
            {
                await host.PreloadAsync(stored, ct);
            }

            var stage = loaded ? string.Create(CultureInfo.InvariantCulture, $"{stored:N0} stored") : "empty store";
            if (!loaded && warmup > 0)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"warm-up, not timed: {warmup} deliveries, {warmRows} fact rows, 8 senders (what the empty store holds)"));
            }

            var ingested = new Dictionary<(string, string), TableEntity>();
            var besides = new List<TableEntity>(); // the stage's rows of the other tables, keyed apart (Host.OtherRowsAsync)
            foreach (var senders in new[] { 1, 8 })
            {
                var bodies = generator.Next(deliveries);
                var rowsOf = host.RowsOf(bodies);
                var before = cpu.Read();
                var elapsed = await host.IngestAsync(bodies, senders, ct);
                var used = cpu.Since(before, rowsOf.Count);
                var otherAfter = await host.OtherRowsAsync(ct);
                var others = otherAfter.Where(o => !otherRows.ContainsKey(o.Key)).Select(o => o.Value).ToList();
                otherRows = otherAfter;
                besides.AddRange(others);
                allRows[(senders, loaded)] = (rowsOf.Count + others.Count) / elapsed;
                factsPerDelivery[(senders, loaded)] = rowsOf.Count / (double)deliveries;
                otherCounts[(senders, loaded)] = others.GroupBy(Host.TableOf, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count() / (double)deliveries, StringComparer.Ordinal);
                if (used is { } u)
                {
                    cpuRows.Add(string.Create(CultureInfo.InvariantCulture,
                        $"| CPU a fact row, ingest, {senders} sender(s), {stage}: the app process (DevHost and the senders) against Azurite (ms; baseline Azurite) | {u.App:F2} | {u.Azurite:F2} | {u.App / u.Azurite:F2} | — |"));
                    if (senders == 8)
                    {
                        ingestCpu = u;
                    }
                }
                results[(senders, loaded)] = rowsOf.Count / elapsed;
                foreach (var e in rowsOf)
                {
                    ingested[(e.PartitionKey, e.RowKey)] = e;
                }

                notes.Add(string.Create(CultureInfo.InvariantCulture, $"{stage}, {senders} sender(s): {rowsOf.Count} rows from {deliveries} deliveries of {events} events in {elapsed:F1} s (posted in {host.Posting:F1} s)"));
                await Console.Error.WriteLineAsync(notes[^1]);
            }

            var rawBefore = cpu.Read();
            var single = await host.RawInsertAsync([.. ingested.Values], batched: false, ct);
            if (cpu.Since(rawBefore, ingested.Count) is { } r)
            {
                rawCpu = r;
                cpuRows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| CPU a row, raw single inserts, {stage}: Azurite (ms; baseline Azurite's CPU a fact row when ingesting, 8 senders) | {r.Azurite:F2} | {ingestCpu?.Azurite ?? double.NaN:F2} | {(ingestCpu?.Azurite ?? double.NaN) / r.Azurite:F2} | — |"));
            }

            raw[loaded] = single;
            rawAll[loaded] = await host.RawInsertAsync([.. ingested.Values, .. besides], batched: false, ct);
            var batched = await host.RawInsertAsync([.. ingested.Values], batched: true, ct);
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{stage}: raw single {single:F0} rows/s, raw batched {batched:F0} rows/s"));
            rows.Add(Row($"raw single inserts, 8 in flight, {stage} (rows/s)", single, null, null, "—"));
            rows.Add(Row($"raw per-partition batches, 8 in flight, {stage} (rows/s)", batched, null, null, "—"));
            foreach (var senders in new[] { 1, 8 })
            {
                var rate = results[(senders, loaded)];
                rows.Add(Row($"ingest end to end, {senders} sender(s), {stage} (fact rows/s)", rate, single, rate / single, "≥ 0.50 × raw single"));
                if (loaded)
                {
                    var empty = results[(senders, false)];
                    rows.Add(Row($"ingest, {senders} sender(s): {stage} vs empty store", rate, empty, rate / empty, "≥ 0.80"));
                }
            }

            // Every row ingestion stored (decision 1301): the fact rows and the rows written beside them for the window reads,
            // the parent index, the projection's arrivals and erasure, against raw single inserts of all of those rows.
            rows.Add(Row($"raw single inserts of every row those deliveries stored, 8 in flight, {stage} (rows/s)", rawAll[loaded], null, null, "—"));
            foreach (var senders in new[] { 1, 8 })
            {
                var rate = allRows[(senders, loaded)];
                var by = string.Join(", ", otherCounts[(senders, loaded)].OrderByDescending(c => c.Value).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value:F1}")));
                rows.Add(Row($"ingest end to end, every row stored, {senders} sender(s), {stage} (rows/s; a delivery's rows besides its {factsPerDelivery[(senders, loaded)]:F1} fact rows: {by})", rate, rawAll[loaded], rate / rawAll[loaded], "none: beside the goal's row above"));
            }
        }

        // ---- (a') where the time goes: one instrumented pass, storage calls per message by operation -----------
        if (sections.Contains('a', StringComparison.Ordinal))
        {
            var traced = Option("traced", 100, 4);
            var bodies = generator.Next(traced);
            var rowsPerMessage = host.RowsOf(bodies).Count / (double)traced;
            double elapsed;
            IReadOnlyDictionary<string, (long Count, double Milliseconds)> calls, byTable;
            using (var trips = new RoundTrips())
            {
                elapsed = await host.IngestAsync(bodies, 8, ct);
                calls = trips.Calls.ToDictionary(c => c.Key, c => c.Value);
                byTable = trips.ByTable.ToDictionary(c => c.Key, c => c.Value);
            }

            // The bench's own wait for an empty queue is not ingestion's; each HTTP request (retries too) is counted once.
            var operations = calls.Where(c => !c.Key.StartsWith("Azure.Core", StringComparison.Ordinal) && c.Key != "QueueClient.GetProperties")
                .OrderByDescending(c => c.Value.Count).ToList();
            var perMessage = operations.Sum(c => c.Value.Count) / (double)traced;
            (callsPerDelivery, rawRowsPerDelivery) = (perMessage, rowsPerMessage);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| storage calls per delivery, instrumented pass of {traced} deliveries, 8 senders (calls; raw rows) | {perMessage:F1} | {rowsPerMessage:F1} | {perMessage / rowsPerMessage:F2} | — |"));
            perTable["queue and blob"] = operations.Where(o => !o.Key.StartsWith("TableClient.", StringComparison.Ordinal)).Sum(o => o.Value.Count) / (double)traced;
            foreach (var (name, (count, ms)) in operations)
            {
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| per delivery: {name} (calls; mean ms each) | {count / (double)traced:F2} | {ms / Math.Max(count, 1):F1} ms | — | — |"));
            }

            // The same table calls by table (HTTP requests, so a retried call counts twice): which rows they are.
            foreach (var (name, (count, ms)) in byTable.OrderByDescending(c => c.Value.Count))
            {
                var table = name[(name.IndexOf(' ', StringComparison.Ordinal) + 1)..];
                var key = name.StartsWith("TableClient.GetEntityIfExists items", StringComparison.Ordinal) ? "item reads" : table;
                perTable[key] = perTable.GetValueOrDefault(key) + (count / (double)traced);
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| per delivery, by table: {name} (HTTP requests; mean ms each) | {count / (double)traced:F2} | {ms / Math.Max(count, 1):F1} ms | — | — |"));
            }

            var classify = host.ClassifierMicroseconds(bodies);
            var interactionsPerSecond = traced * events / elapsed;
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| signals classifier, one interaction (µs of CPU; share of the ingest time per interaction) | {classify:F0} | {1e6 / interactionsPerSecond:F0} µs | {classify * interactionsPerSecond / 1e6:F3} | — |"));
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"instrumented pass: {traced} deliveries in {elapsed:F1} s"));
            await Console.Error.WriteLineAsync(notes[^1]);
        }

        // ---- (e) what an erasure pays to find a user's archived bodies in the archive index (decision 1254) --------
        string? erasureNote = null;
        if (sections.Contains('e', StringComparison.Ordinal))
        {
            var indexed = Option("indexed", 100_000, 300);
            var days = Option("days", 30, 3);
            var (ranges, scan, legacy, bodiesFound) = await host.ErasureLookupAsync(indexed, days, ct);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| erasure: finding one user's {bodiesFound} archived bodies in an index of {indexed:N0} bodies over {days} days, one key range of the user's shard per day (s; baseline decision 1252's scan of one row per body) | {ranges:F3} | {scan:F2} | {scan / Math.Max(ranges, 1e-6):F2} | ≤ 1 s, O(days) |"));
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| erasure: the same look-up in the per-user partition of before decision 1252 (s; baseline the day-shard ranges) | {legacy:F3} | {ranges:F3} | {ranges / Math.Max(legacy, 1e-6):F1}× | — |"));
            erasureNote = string.Create(CultureInfo.InvariantCulture,
                $"(e) An erasure reads one key range of the user's shard per day of index history (decision 1254): {ranges:F3} s for {bodiesFound} bodies among {indexed:N0} indexed over {days} days ({days + 2} range reads, 16 in flight), against {scan:F2} s for decision 1252's scan of every per-body row ({scan * 1e6 / indexed:F0} µs a body, linear in every delivery ever archived) and {legacy:F3} s to read the user's partition of the per-user index before 1252. On Azure each range read is served from the key index, so the look-up costs its {days + 2} reads whatever the number of bodies; Azurite evaluates every query against every row of its table, so here each of those reads is itself a scan of all the index's rows (~17 per body) and the figure can miss its goal and even trail the single scan: it shows that the look-up works and how many reads it makes, not Azure's cost.");
        }

        var text = new StringBuilder();
        text.AppendLine("## Ingest throughput");
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"(a) End-to-end ingest: signed Standard Webhooks deliveries of {events} events each posted to DevHost (1 or 8 senders), timed until the `interactions` queue is empty, in fact rows a second, after a warm-up of {warmup} deliveries that is not timed (the first deliveries of a process run code the JIT has not optimized yet, open connections and create tables; the warm-up's rows stay in the store called empty); the baseline is inserting the very same rows raw into the same Azurite in the same run (single inserts 8 in flight; per-partition transactions beside it), on an empty store and with {stored:N0} facts stored. Beside it (decision 1301), every row those deliveries stored: the fact rows and the rows ingestion writes with them in other tables (the activity rows the window reads use, the items and `replies` rows of the parent index, the arrival rows the projection reads, the archive index erasure reads; found by reading those tables before and after each case), in rows a second, against raw single inserts of all of those rows (8 in flight) in the same run. Before decisions 1211–1213 (one message's interactions in sequence, each activity and index row on its own) ingest ran at 271 fact rows/s with 1 sender and 416 with 8 against 3,097 rows/s raw single inserts in the same run (0.09× / 0.13×), 349 / 336 at 100k stored. With decisions 1211–1212 but not 1213 a delivery cost ≈80 storage calls (the same instrumented pass, 2026-11-30); with 1213 but before decisions 1251–1252 (a look-up of `replies` for every new item, one archive index row per named user) ≈74, and 273 / 350 fact rows/s against 2,521 raw (0.11× / 0.14×) on a fresh clone; before decisions 1271–1272 (an items row alone in its partition per interaction, every reply's registration written alone) 48.5 calls, 34 of them single inserts (14.3 fact rows, 10.0 items rows, 5.0 `replies` rows, 4.5 activity rows), and 324 / 384 fact rows/s against 1,551 raw (0.21× / 0.25×) on a fresh clone."));
        text.AppendLine();
        text.AppendLine("| case | figure | baseline | ratio | goal |");
        text.AppendLine("|---|---:|---:|---:|---|");
        foreach (var row in rows)
        {
            text.AppendLine(row);
        }

        foreach (var row in cpuRows)
        {
            text.AppendLine(row);
        }

        text.AppendLine();
        string Calls(string table) => perTable.GetValueOrDefault(table).ToString("F1", CultureInfo.InvariantCulture);
        string CpuSentence() => ingestCpu is { } i && rawCpu is { } w
            ? string.Create(CultureInfo.InvariantCulture,
                $"The count is not the whole cost: a call is not an insert's worth of work (transactions of many rows, the point reads, the queue and the blob), and the app itself shares the two cores. Ingesting with 8 senders cost Azurite {i.Azurite:F2} ms of CPU a fact row against {w.Azurite:F2} ms a row for raw single inserts ({i.Azurite / w.Azurite:F1}×), and the app process (webhook intake, signatures, JSON, the SDK; the raw baseline has almost none) {i.App:F2} ms a row more ({i.App / i.Azurite:F1}× Azurite's): on Azure the store's work is on its own servers, here both are on the same two cores. ")
            : "";
        string EveryRowSentence()
        {
            if (allRows.Count == 0)
            {
                return "";
            }

            var ratios = allRows.Select(a => a.Value / rawAll[a.Key.Loaded]).ToList();
            var besidesPerFact = otherCounts.Select(o => o.Value.Values.Sum() / factsPerDelivery[o.Key]).Average();
            return string.Create(CultureInfo.InvariantCulture,
                $"Counted in every row stored, not only the fact rows, ingest ran at {ratios.Min():F2}–{ratios.Max():F2}× raw single inserts of the same rows (decision 1301): for each fact row a delivery also stores {besidesPerFact:F1} rows in other tables, and ingestion writes them in transactions where the raw baseline makes a call a row, so the pipeline keeps up with what the store can write; the fact rows' own rate is held down by the rows written beside them, each of which another promise reads (the window's activity rows, the parent index, the projection's arrivals, erasure's archive index).");
        }

        if (results.Any(r => r.Value < 0.5 * raw.GetValueOrDefault(r.Key.Loaded, double.MaxValue)))
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"Ingest below half the raw single-insert rate: Azurite (one Node process on the same 2 cores) is the bottleneck, and what it is asked counts, not how it is asked: a delivery costs {callsPerDelivery ?? double.NaN:F0} storage calls (the instrumented pass) where its raw rows need {rawRowsPerDelivery ?? double.NaN:F0} inserts; at one insert's cost a call, half the raw rate allows about {2 * (rawRowsPerDelivery ?? double.NaN):F0}. By table, a delivery's calls are: fact rows {Calls("facts")} (a row per user the delivery touches, nearly always alone in that user's partition: the user's reads need that layout), activity rows {Calls("activity*")} (a row per interaction in day-shard partitions, decision 1111), parent reads {Calls("item reads")} (one point read per reply: the parent's question flag and classifier version classify the reply and go into its rows), items rows {Calls("items")} (four shard partitions, a round's items in one transaction per shard, decision 1271), `replies` registrations {Calls("replies")} (those of replies that knew their parent in its shard with the message's other writes, decision 1272), the archive index {Calls("archiveindex")}, the arrival row {Calls("arrivals")}, the erasure check {Calls("erasures")}, and the queue and the archived body {Calls("queue and blob")} (the 202's queue put, the receive and delete, the blob). Decisions 1211–1213 took the sequence out of a message and shared transactions across concurrent messages; 1251–1254 and 1271–1272 took the per-item look-ups and most per-item writes out of the count. What is left is mostly a row per user partition and a read per reply, which no layout of these tables removes without giving up the per-user reads or the parent's columns in the reply rows: fewer calls would need more events per delivery (the per-delivery calls spread over more rows) or an in-process cache of parents, which erasure and reclassification make unsafe. {CpuSentence()}With 1 sender, the sender's own wait for each 202 (one queue put behind ingestion's calls) also bounds the rate. {EveryRowSentence()}"));
            text.AppendLine();
        }

        if (erasureNote is not null)
        {
            text.AppendLine(erasureNote);
            text.AppendLine();
        }

        if (notes.Count > 0)
        {
            text.AppendLine(string.Join("; ", notes) + ".");
        }

        return text.ToString();
    }

    private static string Row(string name, double figure, double? baseline, double? ratio, string goal) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {figure:F0} | {(baseline is { } b ? b.ToString("F0", CultureInfo.InvariantCulture) : "—")} | {(ratio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) : "—")} | {goal} |");

    /// <summary>
    /// CPU time of this process (DevHost runs in it, with the senders) and of the bench's Azurite (a node process found
    /// by its table port; Linux /proc), so a case can say where the two cores went. Null figures where not readable.
    /// </summary>
    internal sealed class CpuMeter(string connectionString)
    {
        private readonly Process? _azurite = Find(connectionString);

        public (TimeSpan App, TimeSpan Azurite)? Read()
        {
            try
            {
                if (_azurite is null)
                {
                    return null;
                }

                _azurite.Refresh();
                return (Process.GetCurrentProcess().TotalProcessorTime, _azurite.TotalProcessorTime);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
            {
                return null;
            }
        }

        /// <summary>Milliseconds of CPU a row since <paramref name="before"/>, app and Azurite.</summary>
        public (double App, double Azurite)? Since((TimeSpan App, TimeSpan Azurite)? before, int rows) =>
            before is { } b && Read() is { } now && rows > 0
                ? ((now.App - b.App).TotalMilliseconds / rows, (now.Azurite - b.Azurite).TotalMilliseconds / rows)
                : null;

        private static Process? Find(string connectionString)
        {
            var port = System.Text.RegularExpressions.Regex.Match(connectionString, @"TableEndpoint=http://127\.0\.0\.1:(\d+)/").Groups[1].Value;
            foreach (var process in Process.GetProcessesByName("node"))
            {
                try
                {
                    var args = File.ReadAllText($"/proc/{process.Id}/cmdline").Split('\0');
                    if (Array.IndexOf(args, "--tablePort") is var k and >= 0 && k + 1 < args.Length && args[k + 1] == port)
                    {
                        return process;
                    }
                }
                catch (IOException)
                {
                    // Not Linux, or the process is gone: no CPU figures.
                }
                catch (UnauthorizedAccessException)
                {
                    // Not ours to read: no CPU figures.
                }
            }

            return null;
        }
    }

    /// <summary>
    /// Bodies of posts and replies among 200 users (each reply names its parent's author, so nothing waits for a
    /// parent), a third of them mentioning someone: about two fact rows an interaction, over many partitions.
    /// </summary>
    internal sealed class Deliveries(int events)
    {
        private readonly Random _random = new(17);
        private readonly List<(string Id, string Author)> _posts = [];
        private int _next;

        public List<string> Next(int count) => Enumerable.Range(0, count).Select(_ => Body(events)).ToList();

        public string Body(int n)
        {
            var items = new List<string>();
            for (var k = 0; k < n; k++)
            {
                var id = $"b:{_next++}";
                var actor = $"b:u{_random.Next(200)}";
                var at = DateTimeOffset.UtcNow.AddMinutes(-_random.Next(1, 600)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                var mention = _random.Next(3) == 0 ? $",\"mentions\":[\"b:u{_random.Next(200)}\"]" : "";
                if (_posts.Count > 0 && _random.Next(2) == 0)
                {
                    var (parent, author) = _posts[_random.Next(_posts.Count)];
                    items.Add($"{{\"id\":\"{id}\",\"kind\":\"reply\",\"actor\":\"{actor}\",\"occurredAt\":\"{at}\",\"inReplyTo\":{{\"id\":\"{parent}\",\"author\":\"{author}\"}},\"text\":\"Thanks, that fixed the build for me.\"{mention}}}");
                }
                else
                {
                    items.Add($"{{\"id\":\"{id}\",\"kind\":\"post\",\"actor\":\"{actor}\",\"occurredAt\":\"{at}\",\"text\":\"How do I cache the runner image between jobs?\"{mention}}}");
                    _posts.Add((id, actor));
                }
            }

            return "{\"events\":[" + string.Join(",", items) + "]}";
        }
    }

    /// <summary>DevHost with its queue poller, over the bench's Azurite; the projection and digest timers never fire.</summary>
    internal sealed class Host : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly HttpClient _client;

        private Host(WebApplication app, HttpClient client) => (_app, _client) = (app, client);

        private EngageStorage Storage => _app.Services.GetRequiredService<EngageStorage>();

        public static async Task<Host> StartAsync(string connectionString)
        {
            var app = DevHostApp.Create([], new Dictionary<string, string?>
            {
                ["Urls"] = "http://127.0.0.1:0",
                ["AzureWebJobsStorage"] = connectionString,
                ["Sources:Standard:Secret"] = StandardWebhook.Secret,
                ["Unsubscribe:SigningKey"] = "bench-unsubscribe-key-0123456789",
                ["Scores:Schedule"] = "0 0 0 1 1 *",
                ["Digest:Schedule"] = "0 0 0 1 1 *",
                ["Webhooks:RateLimit:PermitsPerSecond"] = "100000",
                ["Webhooks:RateLimit:Burst"] = "100000",
                ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.100",
                ["Logging:LogLevel:Default"] = "Error",
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 2000 }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
            await app.Services.GetRequiredService<EngageStorage>().EnsureReadyAsync(CancellationToken.None);
            return new Host(app, client);
        }

        /// <summary>Facts of partitions of their own, in per-partition transactions: the store the next cases run against.</summary>
        public async Task PreloadAsync(int count, CancellationToken ct)
        {
            var at = DateTimeOffset.UtcNow.AddDays(-3);
            var entities = Enumerable.Range(0, count).Select(n => new TableEntity($"pre:u{n % 1000}", $"{at.AddSeconds(n).UtcTicks:D19}-pre{n}")
            {
                ["InteractionId"] = $"pre:{n}", ["Kind"] = "Post", ["Actor"] = $"pre:u{n % 1000}", ["OccurredAt"] = at.AddSeconds(n), ["Signals"] = 0, ["Accepted"] = false,
            }).ToList();
            await InsertAsync(Storage.Facts, entities, batched: true, ct);
        }

        /// <summary>
        /// An archive index of <paramref name="count"/> bodies indexed over <paramref name="days"/> days ending today,
        /// ~17 users each, one body in 100 naming the user looked up, in three layouts: the rows ingestion writes now
        /// (one per (user, body) in day-shard partitions, decision 1254), one row per body listing its users in hour
        /// partitions (decision 1252, in a table of the bench's own), and the per-user partition of before 1252
        /// (only the user's rows). Then the time <c>WebhookArchive.BodiesOfAsync</c> takes to find the user's bodies,
        /// the time 1252's scan took (every row read, kept when its list names the user), and the time to read the
        /// user's partition of the per-user index.
        /// </summary>
        public async Task<(double Ranges, double Scan, double Legacy, int Found)> ErasureLookupAsync(int count, int days, CancellationToken ct)
        {
            var today = DateTimeOffset.UtcNow.UtcDateTime.Date;
            string Blob(int n) => $"standard/2026/11/20/erase{n}.json";
            DateTime DayOf(int n) => today.AddDays(-days + 1 + (long)n * days / count);
            IEnumerable<string> Users(int n) => Enumerable.Range(0, 17).Select(k => n % 100 == 0 && k == 0 ? "erase:target" : $"b:u{(n + k * 13) % 200}");

            var first = new TableEntity("first", "") { ["Day"] = DayOf(0).ToString("yyyyMMdd", CultureInfo.InvariantCulture) };
            var rows = Enumerable.Range(0, count).SelectMany(n => Users(n).Select(user =>
                new TableEntity(WebhookArchive.IndexPartition(DayOf(n).ToString("yyyyMMdd", CultureInfo.InvariantCulture), user), WebhookArchive.IndexRowKey(user, Blob(n))))).ToList();
            await InsertAsync(Storage.ArchiveIndex, rows, batched: true, ct);
            await Storage.ArchiveIndex.UpsertEntityAsync(first, TableUpdateMode.Replace, ct); // earlier than the day the ingest passes wrote

            var perBody = _app.Services.GetRequiredService<TableServiceClient>().GetTableClient("archiveindex1252");
            await perBody.CreateIfNotExistsAsync(ct);
            var bodies = Enumerable.Range(0, count).Select(n => new TableEntity(DayOf(n).AddHours(n % 24).ToString("yyyyMMddHH", CultureInfo.InvariantCulture), FactKeys.Escape(Blob(n)))
            {
                ["Users"] = JsonSerializer.Serialize(Users(n)),
            }).ToList();
            await InsertAsync(perBody, bodies, batched: true, ct);

            var legacy = Enumerable.Range(0, count).Where(n => n % 100 == 0).Select(n => new TableEntity("erase%3Alegacy", FactKeys.Escape(Blob(n)))).ToList();
            await InsertAsync(Storage.ArchiveUsers, legacy, batched: true, ct);

            var archive = _app.Services.GetRequiredService<WebhookArchive>();
            var clock = Stopwatch.StartNew();
            var found = await archive.BodiesOfAsync("erase:target", ct);
            var ranges = clock.Elapsed.TotalSeconds;

            // Decision 1252's look-up, as it was: every row of the per-body index read, kept when its list names the user.
            clock.Restart();
            var quoted = JsonSerializer.Serialize("erase:target");
            var scanned = 0;
            await foreach (var e in perBody.QueryAsync<TableEntity>(cancellationToken: ct))
            {
                if (e.GetString("Users") is { } users && users.Contains(quoted, StringComparison.Ordinal))
                {
                    scanned++;
                }
            }

            var scan = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var before = 0;
            await foreach (var _ in Storage.ArchiveUsers.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"erase%3Alegacy"}"), select: ["RowKey"], cancellationToken: ct))
            {
                before++;
            }

            var legacySeconds = clock.Elapsed.TotalSeconds;
            if (found.Count != legacy.Count || before != legacy.Count || scanned != legacy.Count)
            {
                throw new InvalidOperationException($"erasure look-up found {found.Count}, {scanned} and {before} bodies, not {legacy.Count}");
            }

            return (ranges, scan, legacySeconds, found.Count);
        }

        /// <summary>
        /// The fact rows ingestion writes for these bodies, built by the same code (the Standard source's normalizer,
        /// <c>Fact.For</c>, <c>FactStore.ToEntity</c>; signals aside): the raw baseline inserts exactly these rows,
        /// and the figures need no scan of a large table (slow on Azurite).
        /// </summary>
        public List<TableEntity> RowsOf(IEnumerable<string> bodies)
        {
            var standard = _app.Services.GetServices<WebhookSource>().First(s => s.Name == "standard");
            var rows = new Dictionary<(string, string), TableEntity>();
            foreach (var body in bodies)
            {
                using var document = JsonDocument.Parse(body);
                var request = new WebhookRequest("POST", new Dictionary<string, string>(), new Dictionary<string, string>(), Encoding.UTF8.GetBytes(body));
                foreach (var interaction in standard.Normalize(request, document.RootElement).Interactions)
                {
                    foreach (var fact in Fact.For(interaction, SignalSet.None, null))
                    {
                        var entity = FactStore.ToEntity(fact);
                        rows[(entity.PartitionKey, entity.RowKey)] = entity;
                    }
                }
            }

            return [.. rows.Values];
        }

        /// <summary>
        /// CPU time of the signals classifier ingestion runs (the one registered in DevHost) on one interaction of
        /// these bodies, in µs: every interaction classified 20 times after a warm-up.
        /// </summary>
        public double ClassifierMicroseconds(IEnumerable<string> bodies)
        {
            var standard = _app.Services.GetServices<WebhookSource>().First(s => s.Name == "standard");
            var classifier = _app.Services.GetRequiredService<Engage.Functions.Ingest.ITextClassifier>();
            var inputs = new List<SignalInput>();
            foreach (var body in bodies)
            {
                using var document = JsonDocument.Parse(body);
                var request = new WebhookRequest("POST", new Dictionary<string, string>(), new Dictionary<string, string>(), Encoding.UTF8.GetBytes(body));
                inputs.AddRange(standard.Normalize(request, document.RootElement).Interactions
                    .Select(i => new SignalInput(i.Text, i.Kind, i.Mentions, ParentIsQuestion: i.InReplyTo is not null, SelfReply: false, Accepted: i.Accepted)));
            }

            var sink = 0;
            foreach (var input in inputs)
            {
                sink += (int)classifier.Classify(input);
            }

            var clock = Stopwatch.StartNew();
            for (var round = 0; round < 20; round++)
            {
                foreach (var input in inputs)
                {
                    sink += (int)classifier.Classify(input);
                }
            }

            GC.KeepAlive(sink);
            return clock.Elapsed.TotalMilliseconds * 1000 / (20.0 * Math.Max(inputs.Count, 1));
        }

        /// <summary>Seconds the last <see cref="IngestAsync"/> took to post its bodies (every 202 received), before the queue drained.</summary>
        public double Posting { get; private set; }

        /// <summary>Posts the bodies with this many senders and waits until the queue is empty: the seconds taken.</summary>
        public async Task<double> IngestAsync(List<string> bodies, int senders, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = senders, CancellationToken = ct }, async (body, token) =>
            {
                for (var attempt = 1; ; attempt++)
                {
                    using var response = await _client.SendAsync(StandardWebhook.Signed(body), token);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        return;
                    }

                    if (attempt == 5)
                    {
                        throw new InvalidOperationException($"webhook answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(token)}");
                    }

                    await Task.Delay(TimeSpan.FromSeconds(1), token);
                }
            });
            Posting = clock.Elapsed.TotalSeconds;
            await DrainAsync(ct);
            return clock.Elapsed.TotalSeconds;
        }

        /// <summary>
        /// Waits until queue <c>interactions</c> is empty, for at most <paramref name="limit"/> (then false: a backlog
        /// is left). A saturated Azurite that does not answer a poll is asked again.
        /// </summary>
        private async Task<bool> DrainAsync(CancellationToken ct, TimeSpan? limit = null)
        {
            var queue = Storage.Interactions;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < (limit ?? TimeSpan.FromMinutes(30)))
            {
                try
                {
                    if ((await queue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount == 0)
                    {
                        return true;
                    }
                }
                catch (Exception e) when (EngageStorage.IsUnavailable(e) && !ct.IsCancellationRequested)
                {
                    // Azurite saturated: ask again.
                }

                await Task.Delay(50, ct);
            }

            return false;
        }

        /// <summary>
        /// Every row of the tables ingestion writes besides the facts table (the activity tables, items, `replies`, arrivals,
        /// the archive index), keyed by table and keys; each copied under a partition key that names its table, so that rows
        /// of several tables can go into one raw table without meeting, with the columns storage added on read left out.
        /// </summary>
        public async Task<Dictionary<(string Table, string Partition, string Row), TableEntity>> OtherRowsAsync(CancellationToken ct)
        {
            var names = Storage.Names;
            var tables = new List<string> { names.Items, names.Replies, names.Arrivals, names.ArchiveIndex };
            await foreach (var table in Storage.TableService.QueryAsync(cancellationToken: ct))
            {
                if (table.Name.StartsWith(names.Activity, StringComparison.Ordinal))
                {
                    tables.Add(table.Name);
                }
            }

            var rows = new Dictionary<(string, string, string), TableEntity>();
            foreach (var name in tables)
            {
                await foreach (var entity in Storage.TableService.GetTableClient(name).QueryAsync<TableEntity>(cancellationToken: ct))
                {
                    var copy = new TableEntity(entity.Where(p => p.Key is not ("odata.etag" or "Timestamp")).ToDictionary(p => p.Key, p => p.Value))
                    {
                        PartitionKey = name + "~" + entity.PartitionKey,
                    };
                    rows[(name, entity.PartitionKey, entity.RowKey)] = copy;
                }
            }

            return rows;
        }

        /// <summary>The table a row of <see cref="OtherRowsAsync"/> came from (the activity tables as one).</summary>
        public static string TableOf(TableEntity row)
        {
            var table = row.PartitionKey[..row.PartitionKey.IndexOf('~', StringComparison.Ordinal)];
            return table.StartsWith("activity", StringComparison.Ordinal) ? "activity" : table;
        }

        /// <summary>The same rows into a fresh table of the same Azurite: rows a second.</summary>
        public async Task<double> RawInsertAsync(List<TableEntity> rows, bool batched, CancellationToken ct)
        {
            var table = Storage.TableService.GetTableClient("raw" + Guid.NewGuid().ToString("N")[..12]);
            await table.CreateIfNotExistsAsync(ct);
            var copies = rows.Select(r => new TableEntity(r.ToDictionary(p => p.Key, p => p.Value))).ToList();
            var clock = Stopwatch.StartNew();
            await InsertAsync(table, copies, batched, ct);
            var rate = copies.Count / clock.Elapsed.TotalSeconds;
            await table.DeleteAsync(ct);
            return rate;
        }

        private static async Task InsertAsync(TableClient table, List<TableEntity> rows, bool batched, CancellationToken ct)
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct };
            if (!batched)
            {
                await Parallel.ForEachAsync(rows, options, async (row, token) => await table.AddEntityAsync(row, token));
                return;
            }

            var chunks = rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal).SelectMany(g => g.Chunk(FactStore.MaxBatch)).ToList();
            await Parallel.ForEachAsync(chunks, options, async (chunk, token) =>
                await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), token));
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
