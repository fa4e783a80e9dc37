using System.Diagnostics;
using System.Globalization;
using System.Text;
using Engage.DevHost;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Engage.Domain.Signals;
using Engage.Functions.Scores;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Bench.Window;

/// <summary>
/// How the projection and <c>GET /api/community</c> cost as history outside their window grows (decision 1111): the
/// same window volume with 1×, 3× and 10× as many interactions before it, against a raw range read of the window's
/// activity rows; the facts scan they replaced, for contrast; a run after a few new interactions against a full run.
/// Everything runs in process against an Azurite of its own.
/// </summary>
public static class WindowBench
{
    private static readonly int[] HistoryMultiples = [1, 3, 10];

    /// <summary>The boards' size in the bench's stores (decision 1302): below the small community's 300 people.</summary>
    private const int BoardSize = 100;

    public static async Task<string> RunAsync(bool smoke, string[] args, CancellationToken ct)
    {
        var options = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        var windowVolume = smoke ? 40 : int.Parse(options.GetValueOrDefault("window", "3000"), CultureInfo.InvariantCulture);
        var runs = smoke ? 1 : int.Parse(options.GetValueOrDefault("runs", "3"), CultureInfo.InvariantCulture);

        // Incremental runs are 40–300 ms, where one slow emulator call moves a ratio by tenths (two fresh-clone runs of
        // the same commit gave 0.84× and 2.42× for one case with 3): their medians take more runs.
        var scalingRuns = smoke ? 1 : int.Parse(options.GetValueOrDefault("scaling-runs", "7"), CultureInfo.InvariantCulture);
        var controlledRuns = smoke ? 1 : int.Parse(options.GetValueOrDefault("controlled-runs", "15"), CultureInfo.InvariantCulture);
        var newInteractions = Math.Max(5, windowVolume / 100);

        var given = Environment.GetEnvironmentVariable("ENGAGE_BENCH_STORAGE");
        using var azurite = given is { Length: > 0 } ? null : BenchAzurite.Start();
        _azurite = azurite;
        Dictionary<string, string?> Settings(string suffix)
        {
            var settings = BenchSettings.Quiet(given is { Length: > 0 } ? given : azurite!.ConnectionString);
            settings["Scores:ArrivalMargin"] = "00:00:00"; // one process, one clock: no skew to allow for, so the history written just before a run is not read again
            // Boards both communities fill (decision 1302): a board costs a run its size up to the setting's, so the default
            // 1,000 would grow with the community between the small one's 300 people and 1,000, and never past it.
            settings["Scores:LeaderboardSize"] = BoardSize.ToString(CultureInfo.InvariantCulture);
            foreach (var table in new[] { "Facts", "Items", "Scores", "Community", "People", "Identities", "Activity", "Arrivals" })
            {
                settings[$"Storage:{table}"] = "bw" + table.ToLowerInvariant() + suffix;
            }

            return settings;
        }

        await using var app = DevHostApp.Create([], Settings(Guid.NewGuid().ToString("N")[..8]));
        var services = app.Services;
        var storage = services.GetRequiredService<EngageStorage>();
        await storage.EnsureReadyAsync(ct);
        var facts = services.GetRequiredService<FactStore>();
        var projection = services.GetRequiredService<Projection>();
        var scoreFunctions = ActivatorUtilities.CreateInstance<ScoreFunctions>(services);
        var (peopleStore, scoring) = CommunityReadTiming.Services(services);
        var communityRuns = smoke ? 1 : Math.Max(9, runs);
        CommunityReadTimes? communityAt1 = null;
        string? communityNote = null;

        var asOf = DateTimeOffset.UtcNow;
        var window = new Domain.Scoring.Window(asOf, Domain.Scoring.Window.Default);
        var generator = new Generator(users: Math.Max(12, windowVolume / 10));
        await generator.WriteAsync(facts, windowVolume, asOf.AddDays(-29), asOf.AddMinutes(-1), ct);

        var rows = new List<string>();
        double? rawAt1 = null, resolveAt1 = null, projectionAt1 = null, scanAt1 = null, projectionLast = null;
        var history = 0;
        var fullRows = 0;
        await projection.RunAsync(ct); // first run: copies the (empty) pre-activity store once and marks it done
        await facts.Activity.ReadAsync(window, ct); // warm-up of every timed path, so the 1× figures carry no JIT
        await scoreFunctions.Community(Request("?window=P30D"), ct);
        await facts.ResolveAsync(await facts.ScanAsync(window, ct), ct);
        foreach (var multiple in HistoryMultiples)
        {
            // History outside the window at the window's own rate: k× history is k more 30-day periods before it, as a
            // community that has simply been running longer would have (each stage adds the periods before the last).
            var previousMultiple = history / windowVolume;
            await generator.WriteAsync(facts, (multiple * windowVolume) - history,
                asOf.AddDays(-30 - (30 * multiple)), asOf.AddDays(-30 - (30 * previousMultiple)).AddMinutes(-1), ct);
            history = multiple * windowVolume;

            var raw = await MedianAsync(runs, async () => await facts.Activity.ReadAsync(window, ct));
            var resolve = await MedianAsync(runs, async () => await facts.ResolveAsync(await facts.Activity.ReadAsync(window, ct), ct));
            var run = await MedianAsync(runs, async () => await projection.RunAsync(forceFull: true, ct));
            var community = await CommunityReadTiming.MeasureAsync(communityRuns, facts, peopleStore, scoring, scoreFunctions, window, () => Request("?window=P30D"), ct);
            var scan = await MedianAsync(1, async () => await facts.ResolveAsync(await facts.ScanAsync(window, ct), ct));
            rawAt1 ??= raw;
            resolveAt1 ??= resolve;
            projectionAt1 ??= run;
            communityAt1 ??= community;
            scanAt1 ??= scan;
            projectionLast = run;
            fullRows = projection.LastRun!.Rows;

            var label = $"{windowVolume:N0} in the window, {history:N0} before it ({multiple}×)";
            var first = multiple == 1;
            rows.Add(Row($"raw range read of the window's activity rows, {label}", raw, rawAt1.Value, first ? "reference" : "≤ 1.3× the 1× read"));
            rows.Add(Row($"activity read + resolve (what both start with), {label}", resolve, first ? rawAt1.Value : resolveAt1.Value, first ? "baseline: the raw read" : "≤ 1.3× the 1× read"));
            rows.Add(Row($"projection run, {label}", run, first ? rawAt1.Value : projectionAt1.Value, first ? "baseline: the raw read" : "≤ 1.3× the 1× run"));
            rows.AddRange(CommunityRows(label, first, community, communityAt1));
            communityNote = CommunityNote(label, community, communityAt1);
            rows.Add(Row($"facts scan + resolve (the read replaced), {label}", scan, scanAt1.Value, "none: for contrast"));
        }

        // A run after a few new interactions: incremental (decision 1201), each timed run after its own new interactions.
        // The new interactions happened since the last run, as a live community's do (decisions 1293, 1297): each batch
        // between the start of the previous run and now, so that a batch does not interleave with the rows of the batches
        // before it, nor date from before the run that came before it (the bench's writes take longer than its runs).
        using var trips = new RoundTrips(); // storage requests of each incremental run (RequestsOf)
        _trips = trips;
        var incrementalTimes = new List<double>();
        ProjectionRun? last = null;
        var since = DateTimeOffset.UtcNow;
        RecentCosts.Clear();
        for (var r = 0; r < scalingRuns; r++)
        {
            var now = DateTimeOffset.UtcNow;
            await generator.WriteAsync(facts, newInteractions, since, now, ct);
            since = DateTimeOffset.UtcNow;
            incrementalTimes.Add(await IncrementalRunAsync(projection, ct));
            last = projection.LastRun!;
        }

        CostOfRuns(last!);

        incrementalTimes.Sort();
        var incremental = incrementalTimes[incrementalTimes.Count / 2];
        var goal = newInteractions / (double)windowVolume;
        var ratio = incremental / Math.Max(projectionLast!.Value, 1e-6);
        var phases = string.Join(", ", last!.Phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.Seconds:F3} s")));
        rows.Add(Row($"projection run after {newInteractions} new interactions vs a full run (10× history)", incremental, projectionLast.Value,
            (last.Full ? "missed: the run was a full one; " : "") + $"≈ {newInteractions}/{windowVolume:N0} of a full run ({last.PointReads} rows named by the arrival index: {last.AnsweredByTime} answered by the read of rows that entered by time (decision 1297), the rest in {last.RangeReads} range reads and {last.SingleReads} point reads (decision 1293); {last.PartitionsRead} user partitions read, {last.ScoreRows} score rows written)"
            + (ratio > 3 * goal ? string.Create(CultureInfo.InvariantCulture, $"; missed: time follows storage calls, not rows: this run read the new interactions with the rows that entered the window by time ({last.AnsweredByTime} of {last.PointReads}, decision 1297; the rest in {last.RangeReads} range reads and {last.SingleReads} point reads) and wrote {last.ScoreRows} score rows in one transaction per shard touched (decision 1291), where the full run reads 1,000 rows per call (16 range reads) and writes a score row for every user of the window ({generator.Users:N0}) in transactions of up to 100, plus a fixed part either way (state, people, arrivals, the rows that entered the window by time, the community row). Phases of the last run: {phases}; its state holds the window's {windowVolume:N0} rows, {last.StateWrite?.BytesTotal ?? last.StateBytes:N0} bytes gzip'd, of which the run wrote {last.StateBytes:N0}; whether this follows N or the window: the rows of decision 1281 below") : "")));
        var rowsRatio = last.Rows / (double)Math.Max(1, fullRows);
        var rowsMissed = rowsRatio > 3 * goal ? "; missed: more rows entered the window by time than arrived" : "";
        rows.Add(string.Create(CultureInfo.InvariantCulture,
            $"| storage rows read by that incremental run vs the full run (10× history) | {last.Rows:N0} rows ({last.PointReads} named: {last.AnsweredByTime} answered by the read by time, {last.RangeReads} range reads, {last.SingleReads} point reads; {last.PartitionsRead} user partition reads) | {fullRows:N0} rows | {rowsRatio:F3} | ≈ {newInteractions}/{windowVolume:N0}{rowsMissed} |"));
        // The controlled case's twin (decision 1300): a store of its own in the same Azurite, holding the small community and
        // the same history, which stays small while the bench's store grows tenfold; the controlled case's runs alternate
        // between the two, so that both see the same process, the same emulator and the same moment.
        await using var twinApp = DevHostApp.Create([], Settings(Guid.NewGuid().ToString("N")[..8]));
        await twinApp.Services.GetRequiredService<EngageStorage>().EnsureReadyAsync(ct);
        var twin = new Twin(twinApp.Services.GetRequiredService<Projection>(), twinApp.Services.GetRequiredService<FactStore>(), new Generator(generator.Users));
        await twin.Generator.WriteAsync(twin.Facts, windowVolume, asOf.AddDays(-29), asOf.AddMinutes(-1), ct);
        await twin.Projection.RunAsync(ct);
        await twin.Generator.WriteAsync(twin.Facts, HistoryMultiples[^1] * windowVolume, asOf.AddDays(-30 - (30 * HistoryMultiples[^1])), asOf.AddDays(-30).AddMinutes(-1), ct);
        await twin.Projection.RunAsync(forceFull: true, ct);

        var scaling = await ScalingAsync(new Scaling(projection, facts, services.GetRequiredService<ScoreStore>(), generator, asOf, windowVolume, newInteractions, scalingRuns, controlledRuns, projectionLast.Value, incremental, last, twin), ct);
        var stateMemory = StateMemory(smoke ? 2_000 : int.Parse(options.GetValueOrDefault("state-users", "100000"), CultureInfo.InvariantCulture));

        // Memory held for the window: the rows read and the interactions they resolve into, per interaction; several
        // copies held at once, so that what the collector frees meanwhile weighs less against what they hold.
        const int copies = 4;
        var held = new List<object>();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var count = 0;
        for (var c = 0; c < copies; c++)
        {
            var read = await facts.Activity.ReadAsync(window, ct);
            var resolved = await facts.ResolveAsync(read, ct);
            held.Add(read);
            held.Add(resolved);
            count = resolved.Count;
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var perInteraction = (after - before) / (double)Math.Max(1, copies * count);
        GC.KeepAlive(held);

        var md = new StringBuilder();
        md.AppendLine("## Window-bounded projection and community reads");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Seconds (median of {runs}; of {communityRuns} for `GET /api/community`, each repetition timing a raw read of the window beside the call, then the call's steps one by one) for the 5-minute projection and `GET /api/community?window=P30D`, called in process against an Azurite of the bench's own, with the same {windowVolume:N0} interactions in the 30-day window and 1×, 3× and 10× as many before it (at the window's rate: 1, 3 and 10 periods of 30 days before it). Both read the window's activity rows (one table per month, a range read per shard) instead of scanning the facts table. Baseline of the 1× rows: a raw range read of those activity rows; of the 3× and 10× rows: the same case at 1×, whose ratio must stay under 1.3 (history outside the window must not cost; what remains is the part of the window's first month before the window, at most one month of history, the same at any history length). The facts scan both used before is timed once per size for contrast. The last rows: an incremental run (decision 1201) after {newInteractions} new interactions against the full run at 10× (median of {scalingRuns}, as every incremental case below, each after its own new interactions, which happened between the previous batch and the run, as a live community's do), the memory a full run holds per window interaction (rows read plus resolved interactions) and the memory an incremental run's state holds per window interaction for a larger community (1 M interactions must fit in 1 GB; since decision 1241 the state holds the window's rows, from which touched users are refolded), and (decision 1242) the state bytes an incremental run writes against the whole state, which every run wrote before: for that larger, synthetic state after interactions of today, and for the last incremental run above. Then (decision 1281) incremental runs after N = {newInteractions:N0} and {10 * newInteractions:N0} new interactions, with this window and with one 10× as large ({10 * windowVolume:N0} interactions among 10× as many users, ten per user as before, written into the same store), each against the full run at its window; at the large window each against the same N at the small one, twice: new interactions among the users of one community of the growth, which is nine communities like the small one side by side (as many users each, as many interactions a user, every interaction among one community's users; decision 1299), so that the users touched hold the rows and the counterparts the small community's users do and only the window differs, against the same N in a twin store (decision 1300: the small community and the same history in tables of their own in the same Azurite, its new interactions picked the same way), the runs of the two alternating, so that both meet the same process and emulator at the same moment (median of {controlledRuns} runs a side), with boards of {BoardSize} entries in every store of the bench (decision 1302: the default 1,000 is more than the small community's 300 people, and a board costs a run its size up to the setting's, so the comparison would count the boards filling up, a cost that stops at the setting's size) (goal ≤ 1.3×: an incremental run must not cost the window), and at random across the grown community, where the same N names about twice as many users (goal ≤ 1.3× per user refolded; decision 1293), and {10 * newInteractions:N0} against {newInteractions:N0} at each window (goal: more, but at most N's own ratio), the line through the two giving the fixed part and the part per new interaction; 100 score rows rewritten alone at both sizes (in one transaction per shard, decision 1291) show what those calls cost as the tables grow. {Environment.ProcessorCount} cores shared with other work: absolute figures are noisy, ratios less so.");
        md.AppendLine();
        md.AppendLine("| case | figure | baseline | ratio | goal |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var row in rows)
        {
            md.AppendLine(row);
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"| memory held per window interaction ({count:N0} interactions, {copies} copies: what a full run reads) | {perInteraction:F0} B | 1,073 B (1 GB / 1 M) | {perInteraction / 1073.7:F2} | ≤ 1 |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| incremental state per window interaction ({stateMemory.Users:N0} users for {stateMemory.Users * 10:N0} interactions; {stateMemory.BytesStored / (stateMemory.Users * 10.0):F0} B per interaction stored, gzip'd) | {stateMemory.BytesHeld / (stateMemory.Users * 10.0):F0} B | 1,073 B (1 GB / 1 M) | {stateMemory.BytesHeld / (stateMemory.Users * 10.0) / 1073.7:F2} | ≤ 1 |");
        var writtenRatio = stateMemory.BytesAmortized / stateMemory.BytesStored;
        md.AppendLine(CultureInfo.InvariantCulture, $"| state bytes written by an incremental run, amortized ({stateMemory.Users * 10:N0} window interactions over 30 days, synthetic; 60 new interactions of today by 60 users: the core with their changed figures (decision 1295) and a segment of the 60 rows (decision 1294), {stateMemory.BytesWrittenToday:N0} B a run, plus the figures of the runs before that the core still carries ((K − 1) / 2 runs' worth on average), an {ProjectionStateStore.MaxSegments}th of today's whole day ({stateMemory.DayBytes:N0} B, rewritten every {ProjectionStateStore.MaxSegments} runs) and a K-th of the users' part ({stateMemory.UsersBytes:N0} B, rewritten every K = {stateMemory.RunsPerRebucket} runs, once the figures the core has carried since outweigh it: decision 1303); before decisions 1294–1295 a run wrote {stateMemory.BytesBefore:N0} B: the core, the touched users' buckets ({stateMemory.TouchedBucketBytes:N0} B, decision 1292) and today's whole day) | {stateMemory.BytesAmortized:N0} B | {stateMemory.BytesStored:N0} B (the whole state, written by every run before decision 1242) | {writtenRatio:F3} | ≤ 0.2 (one day of 30 plus the touched users' buckets){(writtenRatio > 0.2 ? "; missed: the touched users' buckets and today's rows outweigh a fifth of the state" : "")} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| levels and leaderboards after 60 touched users in that state ({stateMemory.Users:N0} users): the orders kept with the state (decision 1298: 60 moves, the cut-offs, whose level they moved, both boards' first {Projection.DefaultLeaderboardSize:N0}; the orders hold {stateMemory.OrdersBytes / (double)stateMemory.Users:F0} B a user and are built once in {stateMemory.OrdersBuilt:F3} s) | {stateMemory.OrdersRun:F4} s | {stateMemory.SortsRun:F4} s (a sort for the cut-offs, every identity's level, a sort per board, as runs did before) | {stateMemory.OrdersRun / Math.Max(stateMemory.SortsRun, 1e-9):F3} | ≤ 0.1: follows the touched users and the boards' size, not the window{(stateMemory.OrdersRun > 0.1 * stateMemory.SortsRun ? "; missed" : "")} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| finding 60 touched users' interactions in that state ({stateMemory.TouchedRows:N0} rows of {stateMemory.Users * 10:N0}): through the state's index (decision 1283) | {stateMemory.TouchedByIndex:F4} s | {stateMemory.TouchedByPass:F4} s (a pass over every row, as runs did before) | {stateMemory.TouchedByIndex / Math.Max(stateMemory.TouchedByPass, 1e-9):F3} | ≤ 0.1: follows the touched users' rows, not the window{(stateMemory.TouchedByIndex > 0.1 * stateMemory.TouchedByPass ? "; missed" : "")} |");
        if (last.StateWrite is { } write)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| state bytes written by the last incremental run above ({windowVolume:N0} window interactions; {write.Sets} chunk sets, {write.Rows} rows written, {write.Deleted} deleted, {write.Calls} calls{(last.StateFromMemory ? "; state read from memory" : "")}) | {write.BytesWritten:N0} B | {write.BytesTotal:N0} B (the whole state) | {write.BytesWritten / (double)Math.Max(1, write.BytesTotal):F3} | ≤ 0.2 (one day of 30 plus the touched users' buckets){(write.BytesWritten > 0.2 * write.BytesTotal ? "; missed at this size: the touched users' buckets are a large share of a small state" : "")} |");
        }
        foreach (var row in scaling.Rows)
        {
            md.AppendLine(row);
        }

        md.AppendLine();
        md.AppendLine(scaling.Note);
        if (communityNote is not null)
        {
            md.AppendLine();
            md.AppendLine(communityNote);
        }

        return md.ToString();
    }

    /// <summary>What the scaling cases start from: the store and generator at the 3,000 window, and its figures so far.</summary>
    private sealed record Scaling(Projection Projection, FactStore Facts, ScoreStore Scores, Generator Generator, DateTimeOffset AsOf, int Window, int Few, int Runs, int ControlledRuns,
        double FullAtWindow, double FewAtWindow, ProjectionRun FewRunAtWindow, Twin Twin);

    /// <summary>
    /// The small community in a store of its own (the same Azurite, other tables), with the bench store's window volume and
    /// history: the controlled case's baseline, measured in turn with it (decision 1300).
    /// </summary>
    private sealed record Twin(Projection Projection, FactStore Facts, Generator Generator);

    /// <summary>The scaling cases' table rows and the paragraph of phases and fitted parts that follows the table.</summary>
    private sealed record ScalingFigures(IReadOnlyList<string> Rows, string Note);

    /// <summary>
    /// Cost follows N, not the window (issue 14, decision 1281): incremental runs after N and 10·N new interactions with the
    /// window as measured above and with a window 10× as large (its community 10× as large too, ten interactions per user
    /// as before), each against the full run at its window; then each N at the large window against the same N at the small
    /// one (≤ 1.3×) and 10·N against N at each window, with the fixed part and the part per interaction a line through the
    /// two gives. The window grows in the same store: the generator writes the extra interactions in batches.
    /// </summary>
    private static async Task<ScalingFigures> ScalingAsync(Scaling s, CancellationToken ct)
    {
        var many = 10 * s.Few;
        var grown = 10 * s.Window;

        var since = DateTimeOffset.UtcNow;
        async Task<(double Seconds, ProjectionRun Run)> IncrementalAsync(int n)
        {
            var times = new List<double>();
            ProjectionRun? run = null;
            RecentCosts.Clear();
            for (var r = 0; r < s.Runs; r++)
            {
                var now = DateTimeOffset.UtcNow; // happened since the previous run began, as above
                await s.Generator.WriteAsync(s.Facts, n, since, now, ct);
                since = DateTimeOffset.UtcNow;
                times.Add(await IncrementalRunAsync(s.Projection, ct));
                run = s.Projection.LastRun!;
            }

            times.Sort();
            CostOfRuns(run!);
            return (times[times.Count / 2], run!);
        }

        // Azurite's own cost of the calls the score rows take, at this size: the same rows rewritten unchanged, alone.
        const int sampleRows = 100;
        async Task<double> ScoreWritesAsync()
        {
            var sample = (await s.Scores.ReadScoresAsync(ct)).Values.OrderBy(u => u.UserId, StringComparer.Ordinal).Take(sampleRows).ToList();
            return await MedianAsync(s.Runs, async () => await s.Scores.WriteScoresAsync(sample, ct));
        }

        var small = new Dictionary<int, (double Seconds, ProjectionRun Run)> { [s.Few] = (s.FewAtWindow, s.FewRunAtWindow), [many] = await IncrementalAsync(many) };
        var writesSmall = await ScoreWritesAsync();

        // The window grows tenfold, and its community with it: 10× as many users. The growth is communities like the small
        // one, side by side: each has as many users as the small one and as many interactions a user, all among its own
        // users (decision 1299). The controlled case below picks among one of them, whose users then hold the rows and the
        // counterparts the small community's users do, so that only the window differs.
        var smallUsers = s.Generator.Users;
        var grownUsers = grown / 10;
        s.Generator.ParentsByUser = true;
        const int batch = 3_000;
        for (var first = smallUsers; first < grownUsers; first += smallUsers)
        {
            (s.Generator.First, s.Generator.Users) = (first, Math.Min(smallUsers, grownUsers - first));
            var theirs = (int)((long)(grown - s.Window) * s.Generator.Users / (grownUsers - smallUsers));
            for (var written = 0; written < theirs; written += batch)
            {
                await s.Generator.WriteAsync(s.Facts, Math.Min(batch, theirs - written), s.AsOf.AddDays(-29), s.AsOf.AddMinutes(-1), ct);
            }
        }

        (s.Generator.First, s.Generator.Users) = (0, grownUsers);

        var fullGrown = await MedianAsync(s.Runs, async () => await s.Projection.RunAsync(forceFull: true, ct));
        var grownRows = s.Projection.LastRun!.Rows;
        var large = new Dictionary<int, (double Seconds, ProjectionRun Run)> { [s.Few] = await IncrementalAsync(s.Few), [many] = await IncrementalAsync(many) };
        // The controlled case: the same N among the users of one community of the growth, which holds what the small
        // community holds (as many users, as many rows each, its counterparts among its own users), so that only the window
        // differs from the small case. At random across 10× the users (above), N names about twice the users, whose
        // counterparts overlap less.
        // Its baseline is the twin, the small community in a store of its own, its new interactions picked as the grown
        // community's are (parents by user), the runs alternating between the two stores (decision 1300).
        (s.Generator.First, s.Generator.Users) = (smallUsers, smallUsers);
        s.Twin.Generator.ParentsByUser = true;
        var sides = new[] { s.Twin, new Twin(s.Projection, s.Facts, s.Generator) };
        var sinceOf = new[] { DateTimeOffset.UtcNow, DateTimeOffset.UtcNow };
        async Task<(double Seconds, ProjectionRun Run, RunCost Cost)> OneRunAsync(int side, int n)
        {
            var (projection, store, generator) = sides[side];
            var now = DateTimeOffset.UtcNow;
            await generator.WriteAsync(store, n, sinceOf[side], now, ct);
            sinceOf[side] = DateTimeOffset.UtcNow;
            var seconds = await IncrementalRunAsync(projection, ct);
            var cost = RecentCosts[^1];
            RecentCosts.Clear();
            return (seconds, projection.LastRun!, cost);
        }

        for (var side = 0; side < sides.Length; side++)
        {
            await OneRunAsync(side, s.Few); // the twin's first incremental runs, and the controlled community's: not timed
        }

        var twin = new Dictionary<int, (double Seconds, ProjectionRun Run)>();
        var controlled = new Dictionary<int, (double Seconds, ProjectionRun Run)>();
        foreach (var n in new[] { s.Few, many })
        {
            var times = new[] { new List<double>(), new List<double>() };
            var costs = new[] { new List<RunCost>(), new List<RunCost>() };
            var lastRun = new ProjectionRun?[2];
            for (var r = 0; r < s.ControlledRuns; r++)
            {
                // In turn, the order swapped each time (ABBA): neither store always runs just after the other's writes.
                foreach (var side in r % 2 == 0 ? new[] { 0, 1 } : [1, 0])
                {
                    var (seconds, run, cost) = await OneRunAsync(side, n);
                    times[side].Add(seconds);
                    costs[side].Add(cost);
                    lastRun[side] = run;
                }
            }

            for (var side = 0; side < 2; side++)
            {
                CostOf[lastRun[side]!] = MedianCost(costs[side]);
                times[side].Sort();
                (side == 0 ? twin : controlled)[n] = (times[side][times[side].Count / 2], lastRun[side]!);
            }
        }

        (s.Generator.First, s.Generator.Users) = (0, grownUsers);
        var writesLarge = await ScoreWritesAsync();
        var azurite = writesLarge / Math.Max(writesSmall, 1e-6);

        string Label(int n, int w) => $"incremental run after {n:N0} new interactions, {w:N0} in the window";
        string What(ProjectionRun run) => run.Full ? "; missed: the run was a full one (" + run.Reason + ")" : $" ({run.PointReads:N0} rows named, {run.AnsweredByTime:N0} of them answered by the read by time, the rest in {run.RangeReads:N0} range reads and {run.SingleReads:N0} point reads, {run.Refolded:N0} users refolded from {run.RowsRefolded:N0} rows, {run.ScoreRows:N0} score rows written, {RequestsOf.GetValueOrDefault(run):N0} storage requests)";
        var rows = new List<string>();
        foreach (var n in new[] { s.Few, many })
        {
            rows.Add(Row(Label(n, s.Window), small[n].Seconds, s.FullAtWindow, "none: share of the full run at this window (10× history)" + What(small[n].Run)));
        }

        rows.Add(Row($"full run, {grown:N0} in the window ({grownRows:N0} rows read; 10× the window, 10× the users)", fullGrown, s.FullAtWindow,
            "none: the baseline at this window; a full run follows the window"));
        string Missed((double Seconds, ProjectionRun Run) was, (double Seconds, ProjectionRun Run) at) => "; missed: " + Grew(was.Run, at.Run) + string.Create(CultureInfo.InvariantCulture,
            $"; per score row written {PerRow(at.Run) * 1000:F2} ms against {PerRow(was.Run) * 1000:F2} ms at {s.Window:N0} (100 rows rewritten alone: {azurite:F1}×, the row below), Engage's own work (refold, levels, leaderboards: no storage) {Own(at.Run):F3} s against {Own(was.Run):F3} s");
        foreach (var n in new[] { s.Few, many })
        {
            // The controlled case: the same N among as many users, with as many rows each; only the window 10× as large.
            var ratio = controlled[n].Seconds / Math.Max(twin[n].Seconds, 1e-6);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {Label(n, grown)}, among {smallUsers:N0} users of the grown community with a small community's rows each, vs the same N at {s.Window:N0} in the twin store, in turn | {controlled[n].Seconds:F3} s | {twin[n].Seconds:F3} s | {ratio:F2} | ≤ 1.3× (cost does not follow the window); {controlled[n].Seconds / Math.Max(fullGrown, 1e-6):F2} of the full run at this window{What(controlled[n].Run)}; the twin's{What(twin[n].Run)}{(ratio > 1.3 ? Missed(twin[n], controlled[n]) : "")} |"));
        }

        foreach (var n in new[] { s.Few, many })
        {
            // The same controlled case counted in storage requests: what Azure bills, whatever the emulator's speed on larger tables.
            var (at, was) = (RequestsOf.GetValueOrDefault(controlled[n].Run), RequestsOf.GetValueOrDefault(twin[n].Run));
            var ratio = at / (double)Math.Max(1, was);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| storage requests of that run after {n:N0} new interactions (the controlled case), {grown:N0} in the window vs {s.Window:N0} | {at:N0} | {was:N0} | {ratio:F2} | ≤ 1.3× (the calls a run makes do not follow the window){(ratio > 1.3 ? "; missed" : "")} |"));
        }

        foreach (var n in new[] { s.Few, many })
        {
            // Whether the control holds: the rows the touched users were refolded from, the same at both sizes (decision 1299).
            var (at, was) = (controlled[n].Run.RowsRefolded, twin[n].Run.RowsRefolded);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| rows refolded by that run after {n:N0} new interactions (the controlled case; the last of its runs), {grown:N0} in the window vs {s.Window:N0} | {at:N0} | {was:N0} | {at / (double)Math.Max(1, was):F2} | none: ≈ 1 when the control holds (the touched users hold the same rows at both sizes) |"));
        }

        foreach (var n in new[] { s.Few, many })
        {
            // The same controlled case in CPU, apart: the app's (Engage's work, the SDK's side of the requests, its GC) and the
            // emulator's, which shares the machine's cores and whose work per request grows with its tables (decision 1299).
            var (at, was) = (CostOf[controlled[n].Run], CostOf[twin[n].Run]);
            var ratio = at.AppCpu / Math.Max(was.AppCpu, 1e-6);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| CPU of the app process during that run after {n:N0} new interactions (the controlled case; median of its runs), {grown:N0} in the window vs {s.Window:N0} | {at.AppCpu * 1000:F1} ms | {was.AppCpu * 1000:F1} ms | {ratio:F2} | ≤ 1.3× (Engage's own cost does not follow the window; GC pauses {at.GcPause * 1000:F1} ms against {was.GcPause * 1000:F1} ms; by phase, median CPU ms at {grown:N0} / at {s.Window:N0}: {CpuByPhase(at, was)}){(ratio > 1.3 ? "; missed" : "")} |"));
            if (at.AzuriteCpu is { } atAzurite && was.AzuriteCpu is { } wasAzurite)
            {
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| CPU of the bench's Azurite during that run after {n:N0} new interactions (the controlled case; median of its runs), {grown:N0} in the window vs {s.Window:N0} | {atAzurite * 1000:F1} ms | {wasAzurite * 1000:F1} ms | {atAzurite / Math.Max(wasAzurite, 1e-6):F2} | none: the emulator's work for the same requests on larger tables (every range query scans its whole table) |"));
            }
        }

        foreach (var n in new[] { s.Few, many })
        {
            // At random across the grown community: N names more users (decision 1293), so the cost is also given per user refolded.
            var ratio = large[n].Seconds / Math.Max(small[n].Seconds, 1e-6);
            var perUser = large[n].Seconds / Math.Max(1, large[n].Run.Refolded) / (small[n].Seconds / Math.Max(1, small[n].Run.Refolded));
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {Label(n, grown)}, among its {grown / 10:N0} users, vs the same N at {s.Window:N0} | {large[n].Seconds:F3} s | {small[n].Seconds:F3} s | {ratio:F2} | per user refolded ({large[n].Run.Refolded:N0} against {small[n].Run.Refolded:N0}) {perUser:F2}×, goal ≤ 1.3× per user refolded; {large[n].Seconds / Math.Max(fullGrown, 1e-6):F2} of the full run at this window{What(large[n].Run)}{(perUser > 1.3 ? Missed(small[n], large[n]) : "")} |"));
        }

        rows.Add(string.Create(CultureInfo.InvariantCulture,
            $"| {sampleRows} score rows rewritten alone (unchanged; one transaction per shard, 8 in flight), {grown:N0} in the window vs {s.Window:N0} | {writesLarge:F3} s | {writesSmall:F3} s | {azurite:F2} | none: what the score rows' calls cost as the scores table grows (the bench's Azurite; the run's own work is the phases beside it) |"));

        var fits = new List<string>();
        foreach (var (w, at) in new[] { (s.Window, small), (grown, large) })
        {
            // A line through the two points: t(N) = fixed + N · each.
            var each = (at[many].Seconds - at[s.Few].Seconds) / (many - s.Few);
            var fixedPart = at[s.Few].Seconds - (s.Few * each);
            var ratio = at[many].Seconds / Math.Max(at[s.Few].Seconds, 1e-6);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| incremental run after {many:N0} vs after {s.Few:N0} new interactions, {w:N0} in the window | {at[many].Seconds:F3} s | {at[s.Few].Seconds:F3} s | {ratio:F2} | > 1 and ≤ {many / s.Few} (cost follows N, plus a fixed part): fixed part {fixedPart:F3} s, {each * 1000:F2} ms per new interaction{(ratio > many / s.Few ? "; missed: more than N's own ratio" : ratio <= 1 ? "; missed: no growth with N, the fixed part hides it at these sizes" : "")} |"));
            fits.Add(string.Create(CultureInfo.InvariantCulture, $"at {w:N0} in the window t(N) ≈ {fixedPart:F3} s + N × {each * 1000:F2} ms"));
        }

        var note = new StringBuilder();
        note.Append(CultureInfo.InvariantCulture, $"Incremental runs by N and window (decision 1281): {string.Join("; ", fits)}. Phases of the last run of each case (seconds): ");
        note.Append(string.Join("; ", new[] { (s.Few, s.Window, small), (many, s.Window, small), (s.Few, grown, large), (many, grown, large) }
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"N = {c.Item1:N0} at {c.Item2:N0}: ") + Phases(c.Item3[c.Item1].Run))
            .Concat(new[] { s.Few, many }.Select(n => string.Create(CultureInfo.InvariantCulture, $"N = {n:N0} at {grown:N0} in the controlled case: ") + Phases(controlled[n].Run)))
            .Concat(new[] { s.Few, many }.Select(n => string.Create(CultureInfo.InvariantCulture, $"N = {n:N0} at {s.Window:N0} in the twin: ") + Phases(twin[n].Run)))));
        note.Append('.');
        return new ScalingFigures(rows, note.ToString());
    }

    private static RoundTrips? _trips;

    /// <summary>The storage requests (HTTP requests, retries included) of each incremental run: what Azure bills, and what does not move with the emulator's speed.</summary>
    private static readonly Dictionary<ProjectionRun, long> RequestsOf = new(ReferenceEqualityComparer.Instance);

    private static BenchAzurite? _azurite;

    /// <summary>
    /// What one incremental run cost besides its time: the CPU of this process (the run, the SDK's side of its requests,
    /// the garbage collector; nothing else of the bench runs meanwhile), the CPU of the bench's Azurite (null when the
    /// store is given), and the garbage collector's pauses in this process.
    /// </summary>
    /// <param name="Phases">The run's phases; in a case's median, each phase's median wall and CPU seconds.</param>
    private sealed record RunCost(double AppCpu, double? AzuriteCpu, double GcPause, IReadOnlyList<RunPhase> Phases);

    /// <summary>The cost of each incremental run since the last <see cref="CostOfRuns"/>, in order.</summary>
    private static readonly List<RunCost> RecentCosts = [];

    /// <summary>The median cost of a case's runs (each figure's own median), filed under the case's last run.</summary>
    private static readonly Dictionary<ProjectionRun, RunCost> CostOf = new(ReferenceEqualityComparer.Instance);

    /// <summary>Files the median cost of the runs since the previous call under <paramref name="last"/> and starts anew.</summary>
    private static void CostOfRuns(ProjectionRun last)
    {
        CostOf[last] = MedianCost(RecentCosts);
        RecentCosts.Clear();
    }

    /// <summary>The median cost of a case's runs: each figure's own median, and each phase's.</summary>
    private static RunCost MedianCost(IReadOnlyList<RunCost> costs)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
        }

        var phases = costs.SelectMany(c => c.Phases).GroupBy(p => p.Name, StringComparer.Ordinal)
            .Select(g => new RunPhase(g.Key, Median(g.Select(p => p.Seconds)), Median(g.Select(p => p.CpuSeconds)))).ToList();
        return new RunCost(Median(costs.Select(c => c.AppCpu)),
            costs.All(c => c.AzuriteCpu is not null) ? Median(costs.Select(c => c.AzuriteCpu!.Value)) : null,
            Median(costs.Select(c => c.GcPause)), phases);
    }

    /// <summary>One projection run, timed, its storage requests counted and its CPU measured around it (nothing else of the bench runs meanwhile).</summary>
    private static async Task<double> IncrementalRunAsync(Projection projection, CancellationToken ct)
    {
        long Requests() => _trips!.Calls.TryGetValue("Azure.Core.Http.Request", out var c) ? c.Count : 0;
        var before = Requests();
        var (cpu, azurite, pauses) = (Environment.CpuUsage.TotalTime, _azurite?.CpuSeconds(), GC.GetTotalPauseDuration());
        var seconds = await MedianAsync(1, async () => await projection.RunAsync(ct));
        RecentCosts.Add(new RunCost((Environment.CpuUsage.TotalTime - cpu).TotalSeconds, _azurite?.CpuSeconds() - azurite, (GC.GetTotalPauseDuration() - pauses).TotalSeconds,
            projection.LastRun!.Phases));
        RequestsOf[projection.LastRun!] = Requests() - before;
        return seconds;
    }

    /// <summary>Each phase's median CPU milliseconds in two cases, the phase that grew most first.</summary>
    private static string CpuByPhase(RunCost at, RunCost was)
    {
        var before = was.Phases.ToDictionary(p => p.Name, p => p.CpuSeconds, StringComparer.Ordinal);
        return string.Join(", ", at.Phases.OrderByDescending(p => p.CpuSeconds - before.GetValueOrDefault(p.Name))
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.CpuSeconds * 1000:F1} / {before.GetValueOrDefault(p.Name) * 1000:F1}")));
    }

    /// <summary>Seconds of the phases that make no storage call: what of the run is Engage's own work.</summary>
    private static double Own(ProjectionRun run) => run.Phases.Where(p => p.Name is "refold" or "levels" or "leaderboards").Sum(p => p.Seconds);

    /// <summary>Seconds per score row of the phase that writes them (the silent checks and the transactions).</summary>
    private static double PerRow(ProjectionRun run) => run.Phases.Where(p => p.Name == "score rows written").Sum(p => p.Seconds) / Math.Max(1, run.ScoreRows);

    private static string Phases(ProjectionRun run) =>
        string.Join(", ", run.Phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.Seconds:F3} (CPU {p.CpuSeconds:F3})")));

    /// <summary>Which phases grew most between the same N at the small and the large window: what still follows the window.</summary>
    private static string Grew(ProjectionRun small, ProjectionRun large)
    {
        var before = small.Phases.ToDictionary(p => p.Name, p => p.Seconds, StringComparer.Ordinal);
        var grew = large.Phases.Select(p => (p.Name, Delta: p.Seconds - before.GetValueOrDefault(p.Name))).OrderByDescending(p => p.Delta).Take(2);
        return "what grew: " + string.Join(", ", grew.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Name} +{g.Delta:F3} s")));
    }

    /// <summary>
    /// The memory an incremental run holds for its state: a state of <paramref name="users"/> users (one per 10 window
    /// interactions, as the generator's community), as loaded from its stored bytes; those bytes; and (decision 1242)
    /// what a run after new interactions of today writes of them: the core, the touched users' buckets and today's rows.
    /// </summary>
    private static StateFigures StateMemory(int users)
    {
        var source = Synthetic(users);
        var core = source.CoreBytes();
        var count = source.BucketCount();
        var buckets = source.UserBucketBytes(count).ToDictionary(b => b.Key, b => ProjectionState.Pack(b.Value));
        var days = source.Rows.Days.Select(source.DayBytes).ToList();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var loaded = ProjectionState.FromBytes(core, buckets.Values, days);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(loaded);
        var usersPart = buckets.Values.Sum(b => (long)b.Length);
        var stored = core.Length + usersPart + days.Sum(d => (long)d.Length);

        // Finding 60 touched users' interactions in that state (decision 1283): through its index, and by the pass over every
        // row that runs made before (median of 3 each; the same rows found either way).
        var touched = Enumerable.Range(0, 60).Select(u => $"bench:user{u * 997 % users}").ToHashSet(StringComparer.Ordinal);
        var found = 0;
        var byIndex = Median(3, () => found = loaded!.Rows.InteractionsNaming(touched).Count);
        var byPass = Median(3, () =>
        {
            var ids = loaded!.Rows.Values.Where(f => Unresolved(f) || Names(f).Any(touched.Contains)).Select(f => f.InteractionId).ToHashSet(StringComparer.Ordinal);
            return loaded!.Rows.Values.Count(f => ids.Contains(f.InteractionId));
        });
        // Decision 1298: the orders the incremental run keeps over every user's figures, built once (time and memory), and
        // what a run touching those 60 users asks of them (their 60 moves, the cut-offs, whose level a moved cut-off changed,
        // both boards' first 1,000) against what runs did before (a sort for the cut-offs, every identity's level, a sort
        // per board). Medians of 3; each repetition of the kept orders moves the 60 users again.
        var noRoles = new Dictionary<string, string>(StringComparer.Ordinal);
        const double epoch = 100;
        var ordersBefore = GC.GetTotalMemory(forceFullCollection: true);
        var rankings = new Rankings(loaded!.Identities, loaded.Identities, noRoles);
        var ordersBytes = GC.GetTotalMemory(forceFullCollection: true) - ordersBefore;
        var ordersBuilt = Median(3, () => new Rankings(loaded.Identities, loaded.Identities, noRoles).Members.Count);
        rankings.Cutoffs = rankings.LogCutoffs();
        var step = 0;
        // Medians of 15: a step of the orders takes 1–12 ms, and with medians of 3 the ratio was 0.04–0.10 in three bench
        // runs and 0.47 in a fourth (decision 1299).
        const int steps = 15;
        var ordersRun = Median(steps, () =>
        {
            step++;
            foreach (var u in touched)
            {
                loaded.Identities[u] = loaded.Identities[u] with { Log2Score = loaded.Identities[u].Log2Score + (step % 2 == 0 ? 0.2 : -0.2) };
            }

            rankings.Update(touched, touched);
            var levels = rankings.LevelsAt(epoch);
            var cutoffs = rankings.LogCutoffs();
            var moved = rankings.PassedBy(rankings.Cutoffs!.Value, cutoffs).Concat(touched).Distinct(StringComparer.Ordinal)
                .Count(id => levels.Of(loaded.Identities[id].Score(epoch), loaded.Identities[id].Active) != loaded.Identities[id].Level);
            rankings.Cutoffs = cutoffs;
            return moved + rankings.Engagement.Top(Projection.DefaultLeaderboardSize).Count() + rankings.Reciprocity.Top(Projection.DefaultLeaderboardSize).Count();
        });
        var sortsRun = Median(steps, () =>
        {
            var levels = Domain.Scoring.Levels.From(loaded.Identities.Values.Where(f => f.Active).Select(f => f.Score(epoch)));
            var moved = loaded.Identities.Count(e => levels.Of(e.Value.Score(epoch), e.Value.Active) != e.Value.Level);
            return moved
                + loaded.Identities.Where(e => e.Value.Active).Select(e => (e.Key, Score: e.Value.Score(epoch)))
                    .OrderByDescending(e => e.Score).ThenBy(e => e.Key, StringComparer.Ordinal).Take(Projection.DefaultLeaderboardSize).Count()
                + loaded.Identities.Where(e => e.Value.Index is not null)
                    .OrderByDescending(e => e.Value.Index).ThenByDescending(e => e.Value.Tie(epoch)).ThenBy(e => e.Key, StringComparer.Ordinal)
                    .Take(Projection.DefaultLeaderboardSize).Count();
        });

        // A run after 60 new interactions of today, by those 60 users, writes the core with their changed figures over the
        // buckets (decision 1295) and a segment of today's 60 new rows (decision 1294). Before those decisions it wrote the
        // core, the touched users' buckets (decision 1292) and today's whole day. Amortized, a run also pays a share of
        // the periodic rewrites: today's day whole once every MaxSegments runs, and the buckets the core's figures touch
        // once they pass the core's limit (every limit / 60 runs; all buckets at this size).
        var last = loaded!.Rows.Days.Last();
        var today = DateTimeOffset.ParseExact(last, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        foreach (var u in touched)
        {
            loaded.Identities[u] = loaded.Identities[u] with { Log2Score = loaded.Identities[u].Log2Score + 0.5 };
            var fact = new Fact { UserId = u, InteractionId = $"bench:new:{u}", Kind = InteractionKind.Post, Actor = u, ActorHandle = u[6..], OccurredAt = today.AddHours(23.9) };
            loaded.Rows[FactKeys.FactRowKey(fact)] = fact;
        }

        var coreRun = loaded.CoreBytes(loaded.PendingDelta()).Length;
        var perRun = coreRun + loaded.SegmentBytes(loaded.Rows.AddedOnly(last)!).Length;
        var touchedBuckets = touched.Select(u => ProjectionState.BucketOf(u, count)).Distinct().Sum(b => (long)buckets[b].Length);
        var runsPerRebucket = Math.Min(ProjectionState.RunsBetweenRewrites(loaded.Identities.Count + loaded.Entrants.Count, touched.Count), 1_000_000);
        // Between two rewrites the core carries 1, 2, … K runs' changed figures (decision 1303): (K + 1) / 2 of them on
        // average, each run's about the bytes of this one's figures over the core without any.
        var coreGrowth = (coreRun - core.Length) * ((runsPerRebucket - 1) / 2.0);
        var amortized = perRun + coreGrowth + (days[^1].Length / (double)ProjectionStateStore.MaxSegments) + (usersPart / (double)runsPerRebucket);
        return new StateFigures(users, after - before, stored, perRun, amortized, core.Length + touchedBuckets + days[^1].Length, usersPart, touchedBuckets,
            days[^1].Length, runsPerRebucket, found, byIndex, byPass, ordersBytes, ordersBuilt, ordersRun, sortsRun);
    }

    private sealed record StateFigures(int Users, double BytesHeld, long BytesStored, long BytesWrittenToday, double BytesAmortized, long BytesBefore, long UsersBytes,
        long TouchedBucketBytes, long DayBytes, int RunsPerRebucket, int TouchedRows, double TouchedByIndex, double TouchedByPass,
        long OrdersBytes, double OrdersBuilt, double OrdersRun, double SortsRun);

    private static double Median(int runs, Func<int> action)
    {
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            GC.KeepAlive(action());
            times.Add(sw.Elapsed.TotalSeconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>Whom a row names, as the projection's refold selects rows (<c>IncrementalRun.Names</c>, internal to Functions): the pass it made before its index.</summary>
    private static IEnumerable<string> Names(Fact f) =>
        new[] { f.Actor, f.InReplyToAuthor, f.SubjectAuthor }.OfType<string>().Concat(f.Mentions).Concat(f.Handles?.Keys ?? Enumerable.Empty<string>());

    /// <summary>A row whose parent only the items index knows (<c>IncrementalRun.Unresolved</c>).</summary>
    private static bool Unresolved(Fact f) =>
        f.InReplyToId is not null && !f.ParentTracked && (f.InReplyToAuthor is null || f.ParentIsQuestion is null || f.RootFallback);

    private static ProjectionState Synthetic(int users)
    {
        var random = new Random(7);
        var source = new ProjectionState { OptionsHash = new string('a', 64), PeopleHash = new string('b', 64), CommunityJson = "{}" };
        for (var u = 0; u < users; u++)
        {
            source.Identities[$"bench:user{u}"] = new Figures($"user{u}", 100 + random.NextDouble(), random.Next(4) > 0, random.NextDouble(), random.NextDouble(),
                100 + random.NextDouble(), 100 + random.NextDouble()) { Level = Domain.Scoring.Levels.Participant };
        }

        // The window's rows (decision 1241): ten per user, posts, replies and reactions as the generator writes them.
        var at = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        for (var n = 0; n < users * 10; n++)
        {
            var actor = $"bench:user{random.Next(users)}";
            var other = $"bench:user{random.Next(users)}";
            var kind = random.Next(3) switch { 0 => InteractionKind.Post, 1 => InteractionKind.Reply, _ => InteractionKind.Reaction };
            var parent = $"bench:{random.Next(Math.Max(1, n))}";
            var fact = new Fact
            {
                UserId = actor, InteractionId = $"bench:{n}", Kind = kind, Actor = actor, ActorHandle = actor[6..],
                OccurredAt = at.AddSeconds(random.NextDouble() * 30 * 86_400),
                InReplyToId = kind == InteractionKind.Reply ? parent : null, InReplyToAuthor = kind == InteractionKind.Reply ? other : null,
                ParentIsQuestion = kind == InteractionKind.Reply ? random.Next(3) == 0 : null, ParentTracked = kind == InteractionKind.Reply,
                ParentClassifierVersion = kind == InteractionKind.Reply ? "rules-1+head-3" : null,
                SubjectId = kind == InteractionKind.Reaction ? parent : null, SubjectAuthor = kind == InteractionKind.Reaction ? other : null,
                TextSignals = kind == InteractionKind.Reaction ? SignalSet.None : (SignalSet)random.Next(4), ClassifierVersion = "rules-1+head-3",
                Handles = new Dictionary<string, string> { [actor] = actor[6..] },
            };
            source.Rows[FactKeys.FactRowKey(fact)] = fact;
        }

        return source;
    }

    /// <summary>
    /// The community read's rows (medians of <see cref="CommunityReadTiming"/>'s repetitions): the endpoint against the
    /// raw read beside it (1×) or against itself at 1×, then its steps: at 1× each against the call (its share), from 3×
    /// each against itself at 1×, with the raw read beside it (Azurite returning the same window from a larger store:
    /// the baseline's own ratio). Engage's own work (resolve + map + filter + fold, no storage) carries the goal too.
    /// </summary>
    private static IEnumerable<string> CommunityRows(string label, bool first, CommunityReadTimes c, CommunityReadTimes at1)
    {
        yield return Row($"GET /api/community?window=P30D, {label}", c.Endpoint, first ? c.Raw : at1.Endpoint, first ? "baseline: the raw read beside it" : "≤ 1.3× the 1× read");
        if (!first)
        {
            yield return Row($"GET /api/community: raw range read beside it (Azurite's share), {label}", c.Raw, at1.Raw, "none: how much Azurite moved");
        }

        yield return Row($"GET /api/community: its activity read, {label}", c.Read, first ? c.Endpoint : at1.Read, first ? "none: share of the call" : "none: follows the raw read");
        yield return Row($"GET /api/community: Engage's own work (resolve + map + filter + fold), {label}", c.Own, first ? c.Endpoint : at1.Own, first ? "none: share of the call" : "≤ 1.3× the 1× work");
        yield return Row($"GET /api/community: people tables, {label}", c.People, first ? c.Endpoint : at1.People, first ? "none: share of the call" : "none: no people rows, the same at any history");
    }

    /// <summary>A sentence for the community read at the largest history when it misses 1.3×: which part moved.</summary>
    private static string? CommunityNote(string label, CommunityReadTimes c, CommunityReadTimes at1) =>
        c.Endpoint / at1.Endpoint <= 1.3 ? null : string.Create(CultureInfo.InvariantCulture,
            $"GET /api/community misses 1.3× at {label} ({c.Endpoint / at1.Endpoint:F2}×): its activity read moved {c.Read / at1.Read:F2}× and the raw read beside it {c.Raw / at1.Raw:F2}×, Engage's own work {c.Own / at1.Own:F2}× ({c.Own:F3} s of {c.Endpoint:F3} s); {(c.Own / at1.Own <= 1.3 ? "what moved is Azurite returning the same window rows from a larger store, not work of the endpoint" : "the endpoint's own work grew with history")}.");

    private static string Row(string name, double seconds, double baseline, string goal) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {seconds:F3} s | {baseline:F3} s | {seconds / Math.Max(baseline, 1e-6):F2} | {goal} |");

    private static HttpRequest Request(string query)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        return context.Request;
    }

    private static async Task<double> MedianAsync(int runs, Func<Task> action)
    {
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            await action();
            times.Add(sw.Elapsed.TotalSeconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>A small community's interactions: posts, replies to earlier posts, reactions and mentions, written as ingest writes them.</summary>
    private sealed class Generator(int users)
    {
        /// <summary>How many users the next interactions pick among: raised to grow the community with the window.</summary>
        public int Users { get; set; } = users;

        private readonly Random _random = new(42);
        private readonly List<ItemInfo> _posts = [];
        private readonly Dictionary<string, List<ItemInfo>> _postsByUser = new(StringComparer.Ordinal);
        private int _next;

        /// <summary>
        /// The first user the next interactions pick from (users <c>First</c> to <c>First + Users - 1</c>): raised for the
        /// bench's controlled case, which picks among users of the grown community that have the rows a small one's have.
        /// </summary>
        public int First { get; set; }

        /// <summary>
        /// Parents picked by user: a user at random among those picked from, then one of their posts (false: a post at
        /// random among all, as the small window and its history were written). A grown community's users then receive
        /// about as much as the small one's did, instead of the small community's many old posts drawing most replies.
        /// </summary>
        public bool ParentsByUser { get; set; }

        public async Task WriteAsync(FactStore store, int count, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
        {
            var facts = new List<Fact>();
            var items = new List<ItemInfo>();
            var span = (to - from).TotalSeconds;
            for (var n = 0; n < count; n++)
            {
                var id = $"bench:{_next++}";
                var actor = $"bench:u{First + _random.Next(Users)}";
                var at = from.AddSeconds(_random.NextDouble() * span);
                var kind = _posts.Count == 0 ? 0 : _random.Next(4);
                var parent = _posts.Count == 0 ? null : ParentsByUser ? ParentOf($"bench:u{First + _random.Next(Users)}") : _posts[_random.Next(_posts.Count)];
                var interaction = kind switch
                {
                    1 => new Interaction { Id = id, Kind = InteractionKind.Reply, Actor = actor, OccurredAt = at, InReplyTo = new ItemRef(parent!.ItemId, parent.Author) },
                    2 => new Interaction { Id = id, Kind = InteractionKind.Reaction, Actor = actor, OccurredAt = at, Subject = new ItemRef(parent!.ItemId, parent.Author) },
                    3 => new Interaction
                    {
                        Id = id, Kind = InteractionKind.Reply, Actor = actor, OccurredAt = at, InReplyTo = new ItemRef(parent!.ItemId, parent.Author),
                        Mentions = [$"bench:u{First + _random.Next(Users)}"],
                    },
                    _ => new Interaction { Id = id, Kind = InteractionKind.Post, Actor = actor, ActorHandle = actor[6..], OccurredAt = at },
                };
                var question = kind == 0 && _random.Next(3) == 0;
                if (interaction.Kind is InteractionKind.Post or InteractionKind.Reply)
                {
                    var item = new ItemInfo(id, actor, interaction.Kind, question, at, interaction.ActorHandle);
                    items.Add(item);
                    if (interaction.Kind == InteractionKind.Post)
                    {
                        _posts.Add(item);
                        (_postsByUser.TryGetValue(actor, out var mine) ? mine : _postsByUser[actor] = []).Add(item);
                    }
                }

                var signals = question ? SignalSet.Question : SignalSet.None;
                facts.AddRange(Fact.For(interaction, signals, parent is not null && interaction.InReplyTo is not null ? parent : null));
            }

            await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
                async (item, token) => await store.InsertItemAsync(item, token));
            await store.InsertAsync(facts, ct);
        }

        /// <summary>
        /// One of the user's posts at random; when they have none yet, one of another user's among those picked from (a few
        /// tries, so that a community of the growth stays among its own users), then any post.
        /// </summary>
        private ItemInfo ParentOf(string user)
        {
            for (var tries = 0; tries < 16; tries++)
            {
                if (_postsByUser.TryGetValue(user, out var mine))
                {
                    return mine[_random.Next(mine.Count)];
                }

                user = $"bench:u{First + _random.Next(Users)}";
            }

            return _posts[_random.Next(_posts.Count)];
        }
    }
}
