using System.Globalization;
using System.Net;
using System.Text;
using Azure.Storage.Queues;
using Engage.Functions.Ingest;
using Engage.Functions.Storage;

namespace Engage.Bench.Webhook;

/// <summary>What a phase sends: signed deliveries with ingestion running, the same with ingestion paused, or X's CRC check (no storage).</summary>
public enum PhaseKind
{
    Webhook,
    WebhookIngestPaused,

    /// <summary>Intake in one DevHost process and ingestion in another, as Flex Consumption scales HTTP and queue functions on separate instances.</summary>
    WebhookIngestApart,
    Crc,
}

/// <summary>One phase: a fresh store of this layout and a fresh app, loaded at this rate.</summary>
public sealed record Phase(PhaseKind Kind, StoreLayout Layout, int Rate)
{
    public string Name => Kind switch
    {
        PhaseKind.Crc => $"X CRC `GET` {Rate}/s (no storage), {Store}",
        PhaseKind.WebhookIngestPaused => $"webhook {Rate}/s, {Store}, ingestion paused",
        PhaseKind.WebhookIngestApart => $"webhook {Rate}/s, {Store}, ingestion running in a process of its own",
        _ => $"webhook {Rate}/s, {Store}, ingestion running",
    };

    public string Store => Layout == StoreLayout.One ? "one Azurite process" : "three Azurite processes";
}

/// <summary>What a phase measured.</summary>
public sealed record PhaseResult(
    Phase Phase,
    Latencies Load,
    Latencies? Raw,
    double RawStoreCores,
    double SaturatedPuts,
    double ClientCpuPerPutMs,
    double AppCores,
    double WorkerCores,
    IReadOnlyList<double> StoreCores,
    double BenchCores,
    double MachineCores,
    long Backlog,
    Latencies? Probe = null);

/// <summary>
/// Webhook acknowledgement latency under an open-loop load (Engage issue 14, items 6 and 7): signed one-event deliveries
/// at fixed rates for a fixed time while the app ingests them, each phase on a fresh in-memory Azurite and a fresh
/// DevHost process (so every phase starts from an empty queue and no phase inherits another's backlog). Beside each
/// phase, in the same run and on the same store: Azurite's raw queue puts at the same open-loop rate (the floor one
/// put before the 202 can reach) and its closed-loop put rate, and the CPU of the app, of each Azurite process, of the
/// generator and of the whole machine during the phase (/proc), so the table shows which one was the limit. The same
/// phases run on one Azurite process (blob, queue and table together, as run.sh and test.sh start it) and on three
/// (one per service, as Azure serves them); X's CRC route (no storage) is the host's own floor.
///
///   dotnet bench/Engage.Bench.Webhook/bin/Release/net10.0/Engage.Bench.Webhook.dll [--smoke] [--out FILE]
///     [rates=50,200,500] [three=50,200,500] [seconds=30] [raw=10] [timeout=10] [apart=200] [paused=200] [crc=200] [probe=20]
/// </summary>
public static class WebhookBench
{
    public const double GoalP99Ms = 50;
    public const int GoalRate = 200;

    /// <summary>
    /// Rate of the probe: bare queue puts sent beside every webhook phase, on the same store, during the load, so the
    /// table shows what a put alone costs at that moment (the floor of a 202 that makes one put), not only when idle.
    /// </summary>
    private static int _probeRate = 20;

    public static Task<int> Main(string[] args) => BenchMain.RunAsync(args, RunAsync);

    public static async Task<string> RunAsync(bool smoke, string[] args, CancellationToken ct)
    {
        var options = BenchMain.Options(args);
        int[] Rates(string name, string full, string tiny) =>
            [.. options.GetValueOrDefault(name, smoke ? tiny : full).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => int.Parse(r, CultureInfo.InvariantCulture))];
        double Seconds(string name, double full, double tiny) =>
            double.Parse(options.GetValueOrDefault(name, (smoke ? tiny : full).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var seconds = Seconds("seconds", 30, 1);
        var rawSeconds = Seconds("raw", 10, 1);
        var timeout = TimeSpan.FromSeconds(Seconds("timeout", 10, 10));
        _probeRate = (int)Seconds("probe", 20, 5);

        var one = Rates("rates", "50,200,500", "20");
        var three = Rates("three", "50,200,500", "20");
        var phases = new List<Phase>();
        foreach (var rate in one.Union(three).Order())
        {
            phases.AddRange(one.Contains(rate) ? [new Phase(PhaseKind.Webhook, StoreLayout.One, rate)] : []);
            phases.AddRange(three.Contains(rate) ? [new Phase(PhaseKind.Webhook, StoreLayout.Three, rate)] : []);
        }

        phases.AddRange(Rates("apart", "200", "").Select(r => new Phase(PhaseKind.WebhookIngestApart, StoreLayout.Three, r)));
        phases.AddRange(Rates("paused", "200", "").Select(r => new Phase(PhaseKind.WebhookIngestPaused, StoreLayout.One, r)));
        phases.AddRange(Rates("crc", "200", "20").Select(r => new Phase(PhaseKind.Crc, StoreLayout.One, r)));

        var results = new List<PhaseResult>();
        foreach (var phase in phases)
        {
            var result = await RunPhaseAsync(phase, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(rawSeconds), timeout, smoke, ct);
            results.Add(result);
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{phase.Name}: {result.Load.Text} of {result.Load.Sent} (raw {result.Raw?.Text ?? "—"}); cores app {result.AppCores:F2}, store {string.Join('+', result.StoreCores.Select(c => c.ToString("F2", CultureInfo.InvariantCulture)))}, bench {result.BenchCores:F2}, machine {result.MachineCores:F2}; backlog {result.Backlog}; latest send {result.Load.LatestSend:F1} ms"));
        }

        var intake = IntakeWork.CpuMicrosecondsPerRequest(smoke ? 200 : 20_000);
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"in-memory intake work: {intake:F0} µs CPU a request"));
        return Markdown(results, intake, seconds, rawSeconds, timeout);
    }

    private static async Task<PhaseResult> RunPhaseAsync(Phase phase, TimeSpan duration, TimeSpan rawDuration, TimeSpan timeout, bool smoke, CancellationToken ct)
    {
        using var store = Store.Start(phase.Layout);
        using var app = App.Start(store.ConnectionString, ingest: phase.Kind == PhaseKind.Webhook);
        using var worker = phase.Kind == PhaseKind.WebhookIngestApart ? App.Start(store.ConnectionString, ingest: true) : null;
        var ingesting = phase.Kind is PhaseKind.Webhook or PhaseKind.WebhookIngestApart;
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = app.Address,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var connection = new StorageConnection(store.ConnectionString, null, null, null, null, null);
        var queues = connection.CreateQueueServiceClient();
        var interactions = queues.GetQueueClient(StorageNames.InteractionsQueue);
        var deliveries = new Deliveries();

        // Warm-up (JIT, connections, the app's tables and queues), then wait until ingestion has emptied the queue.
        await WarmUpAsync(client, deliveries, phase.Kind, smoke ? 10 : 200, ct);
        if (ingesting)
        {
            await DrainAsync(interactions, TimeSpan.FromMinutes(2), ct);
        }

        // Baseline on the same store, app idle: single queue puts of a delivery message's size, open loop at the phase's rate.
        Latencies? raw = null;
        double rawStore = 0, saturated = 0, clientPerPut = 0;
        var rawQueue = queues.GetQueueClient("rawputs" + Guid.NewGuid().ToString("N")[..8]);
        string? message = null;
        if (phase.Kind != PhaseKind.Crc)
        {
            await rawQueue.CreateIfNotExistsAsync(cancellationToken: ct);
            message = DeliveryMessage.Create("standard", "msg_" + Guid.NewGuid().ToString("N"), "standard/2026/12/01/msg.json", DateTimeOffset.UtcNow,
                Encoding.UTF8.GetBytes(deliveries.Body()), "{\"content-type\":\"application/json\",\"webhook-id\":\"msg_00000000000000000000000000000000\",\"webhook-timestamp\":\"1764547200\",\"webhook-signature\":\"v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}")!;
            var rawCpu = CpuMeter.Start([Environment.ProcessId, .. store.Pids]);
            raw = await OpenLoop.RunAsync(phase.Rate, rawDuration, timeout, async (_, token) =>
            {
                await rawQueue.SendMessageAsync(message, token);
                return true;
            }, ct);
            var rawCores = rawCpu.Cores();
            rawStore = rawCores.Skip(1).Sum();
            clientPerPut = rawCores[0] * rawDuration.TotalSeconds * 1000 / raw.Sent;
            saturated = await OpenLoop.SaturateAsync(16, TimeSpan.FromSeconds(smoke ? 0.5 : 3), token => rawQueue.SendMessageAsync(message, token), ct);

            // Gone before the phase: Azurite's queue operations slow with every message it holds, in any queue, and the
            // baseline leaves thousands (kept through the phase, they tripled the webhook's p99 at 200/s).
            await rawQueue.DeleteAsync(ct);
        }

        // The phase: the app answering the load while it ingests what it accepted.
        var bodies = deliveries.Bodies((int)(phase.Rate * duration.TotalSeconds) + 1);
        var crcToken = "bench-crc-" + Guid.NewGuid().ToString("N");
        var machine = MachineMeter.Start();
        var cpu = CpuMeter.Start([app.Pid, Environment.ProcessId, worker?.Pid ?? 0, .. store.Pids]);
        // Beside the load, on the same store at the same time: bare puts of the same message at a low rate (the probe).
        var probeQueue = queues.GetQueueClient("probe" + Guid.NewGuid().ToString("N")[..8]);
        var probing = message is not null && _probeRate > 0;
        if (probing)
        {
            await probeQueue.CreateIfNotExistsAsync(cancellationToken: ct);
        }

        var probe = probing ? ProbeAsync(probeQueue, message!, duration, timeout, ct) : Task.FromResult<Latencies?>(null);
        var load = await OpenLoop.RunAsync(phase.Rate, duration, timeout, async (i, token) =>
        {
            using var request = phase.Kind == PhaseKind.Crc
                ? new HttpRequestMessage(HttpMethod.Get, $"/api/webhooks/x?crc_token={crcToken}")
                : StandardWebhook.Signed(bodies[i]);
            using var response = await client.SendAsync(request, token);
            return response.StatusCode == (phase.Kind == PhaseKind.Crc ? HttpStatusCode.OK : HttpStatusCode.Accepted);
        }, ct);
        var probed = await probe;
        var cores = cpu.Cores();
        var busy = machine.BusyCores();
        var backlog = phase.Kind == PhaseKind.Crc ? 0 : await BacklogAsync(interactions, ct);
        if (probing)
        {
            try
            {
                await probeQueue.DeleteAsync(ct);
            }
            catch (Exception e) when (EngageStorage.IsUnavailable(e) && !ct.IsCancellationRequested)
            {
                // A saturated Azurite (the 500/s phases) may not answer in time; the store is discarded with the phase.
            }
        }

        return new PhaseResult(phase, load, raw, rawStore, saturated, clientPerPut, cores[0], cores[2], [.. cores.Skip(3)], cores[1], busy, backlog, probed);
    }

    private static async Task<Latencies?> ProbeAsync(QueueClient queue, string message, TimeSpan duration, TimeSpan timeout, CancellationToken ct) =>
        await OpenLoop.RunAsync(_probeRate, duration, timeout, async (_, token) =>
        {
            await queue.SendMessageAsync(message, token);
            return true;
        }, ct);

    /// <summary>Requests until the app answers, then <paramref name="count"/> more, 8 in flight.</summary>
    private static async Task WarmUpAsync(HttpClient client, Deliveries deliveries, PhaseKind kind, int count, CancellationToken ct)
    {
        async Task<bool> SendAsync(CancellationToken token)
        {
            using var request = kind == PhaseKind.Crc ? new HttpRequestMessage(HttpMethod.Get, "/api/webhooks/x?crc_token=warm") : StandardWebhook.Signed(deliveries.Body());
            using var response = await client.SendAsync(request, token);
            return response.IsSuccessStatusCode;
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await SendAsync(ct))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("The app did not accept a delivery within 60 s.");
            }

            await Task.Delay(200, ct);
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (_, token) => await SendAsync(token));
    }

    /// <summary>Waits until queue <c>interactions</c> is empty (ingestion has caught up), for at most <paramref name="limit"/>.</summary>
    private static async Task DrainAsync(QueueClient queue, TimeSpan limit, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + limit;
        while (await BacklogAsync(queue, ct) != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
        }
    }

    /// <summary>Messages on the queue; -1 when a saturated Azurite does not answer within 15 s (the phase must not wait on it).</summary>
    private static async Task<long> BacklogAsync(QueueClient queue, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(15));
        while (true)
        {
            try
            {
                return (await queue.GetPropertiesAsync(limit.Token)).Value.ApproximateMessagesCount;
            }
            catch (Exception) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return -1;
            }
            catch (Exception e) when (EngageStorage.IsUnavailable(e) && !ct.IsCancellationRequested)
            {
                // A saturated Azurite: ask again, within the limit.
            }
        }
    }

    private static string Cores(double cores) => cores.ToString("F2", CultureInfo.InvariantCulture);

    private static string Markdown(List<PhaseResult> results, double intakeMicroseconds, double seconds, double rawSeconds, TimeSpan timeout)
    {
        var table = new MarkdownTable();
        foreach (var r in results)
        {
            var p = r.Phase;
            var goal = p.Rate == GoalRate && p.Kind != PhaseKind.Crc ? $"p99 < {GoalP99Ms:F0} ms" : "—";
            table.Row($"{p.Name}: p50 / p99 / errors of {r.Load.Sent}", r.Load.Text,
                r.Raw is { } raw ? $"raw puts at {p.Rate}/s: {raw.Text}" : "—",
                r.Raw is { P99: > 0 } b ? r.Load.P99 / b.P99 : null, goal);
            var store = r.StoreCores.Count == 1 ? Cores(r.StoreCores[0])
                : $"{Cores(r.StoreCores.Sum())} (blob {Cores(r.StoreCores[0])}, queue {Cores(r.StoreCores[1])}, table {Cores(r.StoreCores[2])})";
            var app = p.Kind == PhaseKind.WebhookIngestApart ? $"{Cores(r.AppCores)} + ingestion {Cores(r.WorkerCores)}" : Cores(r.AppCores);
            table.Row($"{p.Name}: CPU in cores, app / Azurite / generator / whole machine of {Environment.ProcessorCount}",
                $"{app} / {store} / {Cores(r.BenchCores)} / {Cores(r.MachineCores)}",
                r.Raw is null ? "—" : $"Azurite {Cores(r.RawStoreCores)} during the raw puts; {MarkdownTable.N(r.SaturatedPuts)} puts/s at 16 in flight; {MarkdownTable.N(r.ClientCpuPerPutMs, "F2")} ms client CPU a put", null, "—");
            if (r.Probe is { } probe)
            {
                table.Row($"{p.Name}: bare queue puts beside the load, {_probeRate}/s on the same store at the same time: p50 / p99 / errors of {probe.Sent}", probe.Text,
                    $"the webhook's p99 {MarkdownTable.N(r.Load.P99, "F1")} ms", probe.P99 > 0 ? r.Load.P99 / probe.P99 : null, "— (what one put, the 202's only write, cost then)");
            }

            if (p.Kind is PhaseKind.Webhook or PhaseKind.WebhookIngestApart)
            {
                table.Row($"{p.Name}: messages not yet ingested when the load stopped", r.Backlog < 0 ? "store did not answer in 15 s" : MarkdownTable.N(r.Backlog), $"{r.Load.Sent - r.Load.Errors} accepted", null, "—");
            }
        }

        // The same rate on one store process against three, and the app against the host's own floor.
        var oneAt = results.FirstOrDefault(r => r.Phase is { Kind: PhaseKind.Webhook, Layout: StoreLayout.One, Rate: GoalRate });
        var threeAt = results.FirstOrDefault(r => r.Phase is { Kind: PhaseKind.Webhook, Layout: StoreLayout.Three, Rate: GoalRate });
        var crcAt = results.FirstOrDefault(r => r.Phase is { Kind: PhaseKind.Crc, Rate: GoalRate });
        if (oneAt is not null && threeAt is not null)
        {
            table.Row($"p99 at {GoalRate}/s with ingestion: three Azurite processes vs one", $"{MarkdownTable.N(threeAt.Load.P99, "F1")} ms", $"{MarkdownTable.N(oneAt.Load.P99, "F1")} ms",
                oneAt.Load.P99 > 0 ? threeAt.Load.P99 / oneAt.Load.P99 : null, "—");
        }

        if (crcAt is not null && (threeAt ?? oneAt) is { } best)
        {
            table.Row($"p50 at {GoalRate}/s: webhook ({best.Phase.Store}) vs X CRC (host alone)", $"{MarkdownTable.N(best.Load.P50, "F1")} ms", $"{MarkdownTable.N(crcAt.Load.P50, "F1")} ms",
                crcAt.Load.P50 > 0 ? best.Load.P50 / crcAt.Load.P50 : null, "—");
        }

        // Where the app's own time goes: its CPU per request with nothing else in the process (ingestion paused) against
        // the CRC route's (routing, Kestrel, the invoker, no storage).
        var pausedAt = results.FirstOrDefault(r => r.Phase is { Kind: PhaseKind.WebhookIngestPaused, Rate: GoalRate });
        if (crcAt is not null && pausedAt is not null)
        {
            double PerRequest(PhaseResult r) => r.AppCores * 1000 / r.Phase.Rate;
            table.Row($"app CPU per request at {GoalRate}/s: webhook, ingestion paused (verify, normalize, limits, one put) vs X CRC", $"{MarkdownTable.N(PerRequest(pausedAt), "F2")} ms",
                $"{MarkdownTable.N(PerRequest(crcAt), "F2")} ms", PerRequest(crcAt) > 0 ? PerRequest(pausedAt) / PerRequest(crcAt) : null, "—");
        }

        table.Row("in-memory intake work a request (signature, JSON, normalize, limits, pack, delivery message), one thread", $"{MarkdownTable.N(intakeMicroseconds, "F0")} µs CPU",
            "—", null, "—");

        var text = new StringBuilder();
        text.AppendLine("## Webhook intake latency under open-loop load");
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Signed one-event Standard Webhooks deliveries sent on a fixed schedule (open loop: a slow answer never delays the next send, latency counts from the scheduled send, so nothing is hidden by coordinated omission) for {seconds:0.#} s per phase, each phase on a fresh in-memory Azurite and a fresh DevHost process, so it starts from an empty queue; ingestion runs during the phase, as in production. A request not answered {timeout.TotalSeconds:0.#} s after its scheduled send (GitHub's delivery timeout) is an error with that latency. Baseline, in the same run on the same store with the app idle: single queue puts of a delivery message's size at the same open-loop rate for {rawSeconds:0.#} s (what the one durable write before the 202 costs alone), and puts/s at 16 in flight. CPU (from /proc, in cores: 1.00 is one core busy) of the app, of Azurite, of the generator and of the whole machine during the phase shows which one was the limit. Phases run on one Azurite process (blob, queue and table together) and on three (one per service, as Azure serves them apart), with ingestion in a DevHost process of its own (Flex Consumption scales HTTP functions and queue functions on separate instances), with ingestion paused, and on X's CRC route, which writes nothing (the host's own floor). The ratio is p99 over the raw puts' p99. Beside every webhook phase a probe sends bare queue puts of the same message at {_probeRate}/s to the same store during the load (open loop too): what the 202's one write cost at that moment, whatever the intake does; the ratio of its row is the webhook's p99 over the probe's."));
        text.AppendLine();
        text.Append(table);
        text.AppendLine();
        foreach (var r in results.Where(r => r.Phase.Rate == GoalRate && r.Phase.Kind != PhaseKind.Crc && r.Load.P99 >= GoalP99Ms))
        {
            text.AppendLine(Why(r));
            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>A sentence for a phase that missed its goal: the process that was saturated, or the machine.</summary>
    private static string Why(PhaseResult r)
    {
        var name = r.Phase.Name;
        var p99 = MarkdownTable.N(r.Load.P99, "F1");
        var busiest = r.StoreCores.Max();
        var cores = Environment.ProcessorCount;
        var cause = busiest >= 0.85
            ? $"an Azurite process was at {Cores(busiest)} of a core (raw puts alone at that rate: p99 {MarkdownTable.N(r.Raw?.P99 ?? 0, "F1")} ms), so the store is the limit"
            : r.AppCores >= 0.85 * cores || r.AppCores >= 0.85 && cores == 1
                ? $"the app used {Cores(r.AppCores)} cores of {cores}, so the app is the limit"
                : r.MachineCores >= 0.85 * cores
                    ? $"the machine was busy ({Cores(r.MachineCores)} of {cores} cores, including other processes than these): app {Cores(r.AppCores)}, Azurite {Cores(r.StoreCores.Sum())}, generator {Cores(r.BenchCores)} waited for a core"
                    : $"neither the store (busiest process {Cores(busiest)} of a core) nor the app ({Cores(r.AppCores)} cores) was saturated and the machine had idle time ({Cores(r.MachineCores)} of {cores} busy): the tail comes from pauses (GC, the thread pool growing, the store's event loop) rather than a lack of capacity";
        var probe = r.Probe is { P99: > 0 } b
            ? b.P99 >= GoalP99Ms
                ? $" A bare queue put sent to the same store during the load (the probe, {_probeRate}/s from the generator's process, so it waits for the same cores) took p99 {MarkdownTable.N(b.P99, "F1")} ms itself ({MarkdownTable.N(r.Raw?.P99 ?? 0, "F1")} ms at the phase's rate with the app idle): under this load one put to this store on these cores, the 202's only write, does not fit in {GoalP99Ms:F0} ms without the intake's work; the webhook's p99 is {MarkdownTable.N(r.Load.P99 / b.P99, "F2")}× the probe's."
                : $" A bare queue put sent to the same store during the load (the probe, {_probeRate}/s) took p99 {MarkdownTable.N(b.P99, "F1")} ms: the store took single puts in time, so the rest of the webhook's p99 ({MarkdownTable.N(r.Load.P99 / b.P99, "F2")}× the probe's) is the app's queueing for a core or for the store's connection."
            : "";
        return $"{name}: p99 {p99} ms misses {GoalP99Ms:F0} ms; {cause}.{probe}";
    }
}
