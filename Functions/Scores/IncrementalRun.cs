using System.Collections.Concurrent;
using System.Text.Json;
using Engage.Domain.Facts;
using Engage.Domain.People;
using Engage.Domain.Scoring;
using Engage.Functions.Http;
using Engage.Functions.People;
using Engage.Functions.Storage;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.Scores;

/// <summary>What one projection run did: full or incremental (and why full), and what it read and wrote.</summary>
/// <param name="Rows">Activity rows read (full run: the window; incremental: the rows read by key and those that entered the window by time).</param>
/// <param name="Refolded">Users and entrants folded (full run: every user of the window).</param>
/// <param name="ScoreRows">Score rows written.</param>
/// <param name="StateBytes">Bytes of the state written by the run (gzip'd): since decision 1242 the core part and the days it changed, not the whole state.</param>
public sealed record ProjectionRun(bool Full, string Reason, int Rows, int Refolded, int ScoreRows, int StateBytes)
{
    /// <summary>User partitions read (incremental runs only; none since decision 1241, kept for the bench's and tests' figures).</summary>
    public int PartitionsRead { get; init; }

    /// <summary>Fact rows those partition reads returned.</summary>
    public int PartitionRows { get; init; }

    /// <summary>Activity rows read by key (incremental runs, decision 1241): the interactions the arrival index named.</summary>
    public int PointReads { get; init; }

    /// <summary>Of those rows, the ones the read of rows entered by time answered, with no read of their own (decision 1297).</summary>
    public int AnsweredByTime { get; init; }

    /// <summary>
    /// The window's rows the touched users were refolded from (incremental runs): every row of every interaction that
    /// names one of them. What the refold's work follows (decision 1299).
    /// </summary>
    public int RowsRefolded { get; init; }

    /// <summary>Range reads that read several of those rows at once (decision 1293): calls, not rows.</summary>
    public int RangeReads { get; init; }

    /// <summary>Those rows read alone, one point read each (decision 1293): calls.</summary>
    public int SingleReads { get; init; }

    /// <summary>Rows of the state whose time left the window (incremental runs).</summary>
    public int Departed { get; init; }

    /// <summary>How the state was stored: sets, rows and bytes written against the whole state's bytes (decision 1242).</summary>
    public StateWrite? StateWrite { get; init; }

    /// <summary>The state was the one this process wrote last, kept in memory: no chunk was read (decision 1242).</summary>
    public bool StateFromMemory { get; init; }

    /// <summary>Where an incremental run's time went, phase by phase (for the bench: what is left once rows cost N).</summary>
    public IReadOnlyList<RunPhase> Phases { get; init; } = [];
}

/// <summary>
/// One phase of a run: its wall-clock seconds and the CPU seconds this process used meanwhile (the run's own work, the
/// SDK's side of its requests, the garbage collector; whatever else the process does at the time too).
/// </summary>
public sealed record RunPhase(string Name, double Seconds, double CpuSeconds = 0);

/// <summary>
/// An incremental projection run (decisions 1201, 1241): the rows that arrived or changed since the last run are read
/// by key (the arrival index names them), those that left the window by time are dropped from the state's copy of the
/// window's rows, and the users those rows name are refolded from that copy, in memory — no user partition is read;
/// everyone else keeps their epoch-relative figures from the state. Levels and leaderboards are then recomputed from
/// the state alone, in memory; score rows are written for the refolded users, those who fell silent and those whose
/// level the moved cut-offs changed.
/// </summary>
internal sealed class IncrementalRun(
    FactStore facts,
    ScoreStore scores,
    ProjectionStateStore states,
    ScoringOptions o,
    ProjectionOptions settings,
    ILogger logger,
    ProjectionState state,
    Window window,
    Dictionary<string, string> personOf,
    Dictionary<string, string> roles,
    Action<ProjectionRun> report)
{
    /// <summary>Reads of arrived rows (point or range reads) in flight at once.</summary>
    private const int ParallelReads = 16;

    /// <summary>
    /// Rows read by key above which a full run's range reads of the window are cheaper (decision 1241): a tenth of the
    /// window's rows, and never fewer than this (a small window is cheap either way).
    /// </summary>
    private const int MinPointReadsBeforeFull = 1_000;

    /// <summary>Why the run gave way to a full run, when <see cref="RunAsync"/> answered null.</summary>
    public string? FullReason { get; private set; }

    /// <summary>
    /// The run, or null (nothing changed yet) when a full run must do it instead (<see cref="FullReason"/>): so many rows
    /// arrived, an import say, that a full run costs less, or a writer older than decision 1241 recorded users without rows.
    /// </summary>
    public async Task<Community?> RunAsync(CancellationToken ct)
    {
        var phases = new List<RunPhase>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var cpu = Environment.CpuUsage.TotalTime;
        void Lap(string name)
        {
            var now = Environment.CpuUsage.TotalTime;
            phases.Add(new RunPhase(name, watch.Elapsed.TotalSeconds, (now - cpu).TotalSeconds));
            cpu = now;
            watch.Restart();
        }

        var epoch = ProjectionState.EpochAt(window.AsOf, o);
        var linked = personOf.Count > 0;
        var identitiesOf = personOf.GroupBy(l => l.Value, l => l.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        string RoleOf(string id) => PersonIds.IsPerson(id) ? roles.GetValueOrDefault(id, PersonRoles.Member) : PersonRoles.Member;

        // Who changed (decision 1241): the interactions the arrival index names since the previous mark (less the
        // clock-skew margin), read back by point reads; the rows whose time left the window, from the state itself;
        // and the rows stored earlier with an occurredAt after the previous asOf (one range read of the activity layout).
        var rows = state.Rows;
        var lower = FactKeys.LowerBound(window.From);
        var upper = FactKeys.UpperBound(window.AsOf) + "~";
        bool InWindow(string key) => string.CompareOrdinal(key, lower) >= 0 && string.CompareOrdinal(key, upper) < 0;
        var arrivals = await facts.Arrivals.ReadTouchedAsync(state.Mark - settings.ArrivalMargin, ct);
        Lap("arrivals read");
        var touched = arrivals.Users;
        var recheck = new HashSet<string>(arrivals.Rows, StringComparer.Ordinal);
        if (arrivals.ErasedKeys.Count > 0)
        {
            // Erased users are recorded by key only: matched against the users the state knows. Every row naming them was
            // deleted or scrubbed by the erasure: read again.
            var erased = state.Identities.Keys.Where(id => arrivals.ErasedKeys.Contains(ArrivalStore.ErasedKey(id))).ToHashSet(StringComparer.Ordinal);
            touched.UnionWith(erased);
            recheck.UnionWith(erased.SelectMany(rows.KeysNaming).Select(k => ArrivalStore.RowKeyOf(rows[k])));
        }

        if (arrivals.WithoutRows)
        {
            FullReason = "arrivals without rows";
            return null;
        }

        if (recheck.Count > Math.Max(MinPointReadsBeforeFull, rows.Count / 10))
        {
            FullReason = "many arrivals";
            return null;
        }

        // The rows whose time is after the previous mark less the arrival margin, one range read per shard (decision 1297):
        // those that entered the window by time (stored earlier with a later occurredAt), and nearly every row the arrival
        // index names, since what arrives mostly just happened. A named row in that time range is answered by this read:
        // as stored now, or gone when the read does not hold it, as a point read's 404 says.
        var since = state.Mark - settings.ArrivalMargin;
        var readByTime = window.AsOf > since;
        var entered = readByTime ? await facts.Activity.ReadAsync(new Window(window.AsOf, window.AsOf - since), ct) : [];
        Lap("rows entered by time read");
        var byTime = new Dictionary<string, Fact>(StringComparer.Ordinal);
        foreach (var fact in entered)
        {
            byTime[FactKeys.FactRowKey(fact)] = fact;
        }

        var fetched = new ConcurrentDictionary<string, Fact?>(StringComparer.Ordinal);
        var timeLower = FactKeys.LowerBound(since);
        var byKey = new List<string>();
        int answeredByTime = 0, foundByTime = 0;
        foreach (var key in recheck)
        {
            var row = ArrivalStore.ParseRowKey(key).Row;
            if (readByTime && string.CompareOrdinal(row, timeLower) >= 0 && string.CompareOrdinal(row, upper) < 0)
            {
                fetched[row] = byTime.TryGetValue(row, out var held) ? held : null;
                answeredByTime++;
                foundByTime += held is null ? 0 : 1;
            }
            else
            {
                byKey.Add(key);
            }
        }

        // The other named rows: those sharing a partition and a short key range are one range read, the rest point reads (decision 1293).
        var plan = ArrivedReads.Make(byKey, rows);
        async Task ReadSpanAsync(ArrivedReads.Span span, CancellationToken token)
        {
            var found = await facts.Activity.ReadSpanAsync(span.Month, span.Partition, span.First, span.Last, token);
            foreach (var key in span.Keys)
            {
                var row = ArrivalStore.ParseRowKey(key).Row;
                fetched[row] = found.GetValueOrDefault(row); // a named row the range does not hold is gone, as a point read's 404 says
            }
        }

        async Task ReadPointAsync(string key, CancellationToken token)
        {
            var (month, partition, row) = ArrivalStore.ParseRowKey(key);
            fetched[row] = await facts.Activity.GetAsync(month, partition, row, token);
        }

        var reads = plan.Spans.Select(span => (Func<CancellationToken, Task>)(token => ReadSpanAsync(span, token)))
            .Concat(plan.Points.Select(key => (Func<CancellationToken, Task>)(token => ReadPointAsync(key, token))));
        await Parallel.ForEachAsync(reads, new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = ct }, async (read, token) => await read(token));
        Lap("rows read by key");
        var found = 0;
        foreach (var (key, fact) in fetched)
        {
            // A row read again as the state already holds it (the arrival margin re-reads the previous run's arrivals)
            // changes nothing, not even its day (decision 1294): its users were refolded when it came.
            if (fact is not null && InWindow(key) && rows.TryGetValue(key, out var held) && WindowRows.SameRow(held, fact))
            {
                found++;
                continue;
            }

            // The version the state counted leaves, the one stored now comes in (if in the window): both name who changed.
            if (rows.Remove(key, out var old))
            {
                touched.UnionWith(Names(old));
            }

            if (fact is not null)
            {
                found++;
                if (InWindow(key))
                {
                    rows[key] = fact;
                    touched.UnionWith(Names(fact));
                }
            }
        }

        // Rows whose time left the window: whole days at once, and the boundary day's early rows (decision 1242).
        var gone = rows.DropBefore(lower);
        foreach (var fact in gone)
        {
            touched.UnionWith(Names(fact));
        }

        var departed = gone.Count;
        foreach (var fact in entered)
        {
            var key = FactKeys.FactRowKey(fact);
            if (InWindow(key) && rows.TryAdd(key, fact))
            {
                touched.UnionWith(Names(fact));
            }
        }

        // Entrants touched: a touched identity's person (all of whose identities are then refolded with it) or the identity itself.
        var entrants = linked ? touched.Select(id => personOf.GetValueOrDefault(id) ?? id).ToHashSet(StringComparer.Ordinal) : touched;
        var users = touched.Concat(entrants.SelectMany(e => identitiesOf.GetValueOrDefault(e) ?? [])).ToHashSet(StringComparer.Ordinal);

        // Their interactions, from the state in memory: every row of each interaction that names one of them (a reply's
        // fallback row too, which the merge needs), and the rows whose parent only the items index knows (legacy rows).
        // Found through the state's index of who each row names (decision 1282): no pass over the window's rows.
        var theirs = rows.InteractionsNaming(users);
        var resolved = await facts.ResolveAsync(theirs, ct);
        var handles = new HandleBook(theirs);

        // Identities: the score rows' figures, folded as the full run folds them (the same folds, the same interactions).
        var byUser = Projection.ByUser(resolved);
        var refolded = new Dictionary<string, Figures?>(StringComparer.Ordinal);
        foreach (var id in touched)
        {
            refolded[id] = byUser.GetValueOrDefault(id) is { } mine ? Fold(id, mine, handles.Of, epoch) : null;
        }

        // Entrants, when links exist: every linked id mapped to its person.
        var entrantFigures = new Dictionary<string, Figures?>(StringComparer.Ordinal);
        if (linked)
        {
            var byEntrant = Projection.ByUser(PersonMapping.Map(resolved, id => personOf.GetValueOrDefault(id)));
            foreach (var entrant in entrants)
            {
                entrantFigures[entrant] = byEntrant.GetValueOrDefault(entrant) is { } mine ? Fold(entrant, mine, handles.Of, epoch) : null;
            }
        }

        Lap("refold");
        // What the refolded users were (the silent check below needs it): theirs only, not a copy of every user's figures.
        var before = refolded.Keys.Where(state.Identities.ContainsKey).ToDictionary(id => id, id => state.Identities[id], StringComparer.Ordinal);
        Apply(state.Identities, refolded);
        Apply(state.Entrants, entrantFigures);
        var board = linked ? state.Entrants : state.Identities;

        // The boards' and levels' orders (decision 1298): built once over the maps, then moved only where figures changed.
        if (state.Rankings is not { } rankings || !rankings.Fits(board, state.Identities, roles))
        {
            state.Rankings = rankings = new Rankings(board, state.Identities, roles);
        }
        else
        {
            rankings.Update(linked ? entrantFigures.Keys : refolded.Keys, refolded.Keys);
        }

        var levels = rankings.LevelsAt(epoch);

        // Score rows: the refolded users; those whose level the cut-offs moved; those who left the window (silent or erased).
        // Levels do not move with asOf, so an identity not refolded changes level only when a cut-off moved past its score:
        // those are found by range between the cut-offs of the last run and these (decision 1298). Until a run has set every
        // identity's level against known cut-offs, every identity is checked.
        var cutoffs = rankings.LogCutoffs();
        var candidates = rankings.Cutoffs is { } last
            ? refolded.Keys.Concat(rankings.PassedBy(last, cutoffs)).Distinct(StringComparer.Ordinal)
            : state.Identities.Keys;
        var written = new List<UserScore>();
        foreach (var id in candidates)
        {
            if (!state.Identities.TryGetValue(id, out var f))
            {
                continue;
            }

            var score = f.Score(epoch);
            var level = levels.Of(score, f.Active);
            if (refolded.ContainsKey(id) || level != f.Level)
            {
                written.Add(new UserScore(id, f.Handle, window.AsOf, score, level, f.BroadcastRatio, f.Index, f.Given(epoch), f.Received(epoch)));
            }
        }

        Lap("levels"); // CPU over every entrant: the cut-offs, and whose level they moved (decision 1282)
        foreach (var id in refolded.Where(r => r.Value is null).Select(r => r.Key).Order(StringComparer.Ordinal))
        {
            // As a full run does: only rows left at another level than silent are checked; one with no fact at all was erased.
            if (!before.TryGetValue(id, out var was) || was.Level == Levels.Silent
                || await scores.GetScoreAsync(id, ct) is not { } p || p.Level == Levels.Silent)
            {
                continue;
            }

            if (!await facts.ExistsAsync(id, ct))
            {
                await scores.ForgetAsync(id, ct);
            }
            else
            {
                written.Add(p with { AsOf = window.AsOf, Score = 0, Level = Levels.Silent, BroadcastRatio = null, ReciprocityIndex = null, Given = 0, Received = 0 });
            }
        }

        await scores.WriteScoresAsync(written, ct);
        foreach (var row in written.Where(r => state.Identities.ContainsKey(r.UserId)))
        {
            state.Identities[row.UserId] = state.Identities[row.UserId] with { Level = row.Level };
        }

        rankings.Cutoffs = cutoffs; // every identity's level is now set against these

        Lap("score rows written");

        LeaderboardEntry Entry(string id, Figures f, double score)
        {
            var level = levels.Of(f.Score(epoch), f.Active);
            var role = RoleOf(id) is PersonRoles.Member ? null : RoleOf(id);
            return PersonIds.IsPerson(id)
                ? new LeaderboardEntry(null, null, score, level) { PersonId = id, Identities = identitiesOf.GetValueOrDefault(id) ?? [], Role = role }
                : new LeaderboardEntry(id, (linked ? state.Identities.GetValueOrDefault(id)?.Handle : f.Handle), score, level);
        }

        // The boards' heads, from their orders: epoch-relative figures rank as their values at asOf do (decision 1298).
        var byEngagement = rankings.Engagement.Top(settings.LeaderboardSize)
            .Select(k => Entry(k.Id, board[k.Id], board[k.Id].Score(epoch))).ToList();
        var byReciprocity = rankings.Reciprocity.Top(settings.LeaderboardSize)
            .Select(k => Entry(k.Id, board[k.Id], board[k.Id].Index!.Value)).ToList();

        Lap("leaderboards");

        // The community figures fold the whole window: refreshed at most every CommunityEvery, kept from the state between.
        Community community;
        if (window.AsOf - state.CommunityAt >= settings.CommunityEvery || JsonSerializer.Deserialize<Community>(state.CommunityJson, EngageJson.Options) is not { } kept)
        {
            // The window's rows are the state's (decision 1241): resolved as a full run resolves the same rows read.
            var interactions = await facts.ResolveAsync(state.Rows.Values.ToList(), ct);
            community = CommunityFold.Fold(PersonFilter.Exclude(PersonMapping.Map(interactions, id => personOf.GetValueOrDefault(id)), id => RoleOf(id) != PersonRoles.Member), window, o);
            state.CommunityAt = window.AsOf;
            state.CommunityJson = JsonSerializer.Serialize(community, EngageJson.Options);
        }
        else
        {
            community = kept;
        }

        await scores.WriteCommunityAsync(community, levels,
            [new Leaderboard(window.AsOf, "engagement", byEngagement), new Leaderboard(window.AsOf, "reciprocity", byReciprocity)], ct);

        Lap("community row");

        // Last: a run cut short before this leaves the previous mark, so the next run reads the same changes again.
        state.Mark = window.AsOf;
        var stateWrite = await states.WriteAsync(state, sweep: false, ct); // the core part and the days changed (decision 1242)
        Lap("state written");
        report(new ProjectionRun(false, "", entered.Count + found - foundByTime, refolded.Count + entrantFigures.Count, written.Count, (int)Math.Min(stateWrite.BytesWritten, int.MaxValue))
        {
            StateWrite = stateWrite,
            PointReads = recheck.Count,
            AnsweredByTime = answeredByTime,
            RowsRefolded = theirs.Count,
            RangeReads = plan.Spans.Count,
            SingleReads = plan.Points.Count,
            Departed = departed,
            Phases = phases,
        });
        logger.LogInformation("Projected incrementally: {Touched} users touched, {PointReads} rows read by key, {Entered} entered by time, {Departed} left the window, {Rows} score rows written",
            touched.Count, recheck.Count, entered.Count, departed, written.Count);
        return community;
    }

    private Figures Fold(string id, List<Resolved> interactions, Func<string, string?> handleOf, double epoch) =>
        Figures.From(
            EngagementFold.Fold(id, interactions, handleOf(id), window, o),
            ReciprocityFold.Fold(id, interactions, handleOf, window, o, top: 0),
            epoch);

    /// <summary>
    /// Every user a row names: its actor, parent or subject author, mentions and the users it has handles for. A superset
    /// of the users the interaction gives to and of those whose handle it may set, so a user's rows are among those naming them.
    /// </summary>
    internal static IEnumerable<string> Names(Fact f)
    {
        yield return f.Actor;
        if (f.InReplyToAuthor is { } parent)
        {
            yield return parent;
        }

        if (f.SubjectAuthor is { } subject)
        {
            yield return subject;
        }

        foreach (var m in f.Mentions)
        {
            yield return m;
        }

        foreach (var h in f.Handles?.Keys ?? Enumerable.Empty<string>())
        {
            yield return h;
        }
    }

    /// <summary>A row whose parent only the items index knows (<see cref="FactSet.UnresolvedParents"/>): whom it gives to is not in the row.</summary>
    internal static bool Unresolved(Fact f) =>
        f.InReplyToId is not null && !f.ParentTracked && (f.InReplyToAuthor is null || f.ParentIsQuestion is null || f.RootFallback);

    private static void Apply(Dictionary<string, Figures> map, Dictionary<string, Figures?> refolded)
    {
        foreach (var (id, f) in refolded)
        {
            if (f is null)
            {
                map.Remove(id);
            }
            else
            {
                map[id] = f with { Level = map.GetValueOrDefault(id)?.Level };
            }
        }
    }
}
