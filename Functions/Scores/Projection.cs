using Engage.Domain.Facts;
using Engage.Domain.People;
using Engage.Functions.People;
using Engage.Domain.Scoring;
using Engage.Functions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Scores;

/// <summary>
/// Refreshes the projection rows from the facts of the default window: every active user's score
/// row (decay moves every score, not only those with new facts), rows of users who fell silent,
/// level cut-offs, leaderboards and the community row. It reads the window's activity rows only
/// (decision 1111) and remembers which users it left active (decision 1112), so neither the facts
/// nor the score rows of the whole history are read on a run. Most runs are incremental (decision 1201,
/// <see cref="IncrementalRun"/>): only the users touched since the last run are refolded; this class's full
/// run is the path that builds the state they start from.
/// </summary>
public sealed class Projection(FactStore facts, ScoreStore scores, PeopleStore people, IOptions<ScoringOptions> options,
    IOptions<ProjectionOptions> settings, TimeProvider clock, ILogger<Projection> logger, EngageStorage storage)
{
    /// <summary>Where the state is kept between runs (decision 1242); it keeps the last state written in this process's memory.</summary>
    internal ProjectionStateStore States { get; } = new(storage);

    /// <summary>The boards' size unless <see cref="ProjectionOptions.LeaderboardSize"/> says otherwise.</summary>
    public const int DefaultLeaderboardSize = 1000;

    private readonly SemaphoreSlim _oneRun = new(1, 1);

    /// <summary>How the last run went: for tests and the bench (which run, how many users it refolded).</summary>
    public ProjectionRun? LastRun { get; private set; }

    /// <summary>
    /// One run: incremental when the state allows it (decision 1201), otherwise full. A full run happens when there
    /// is no state yet, the scoring options or the people links changed since it was built, the previous run is older
    /// than the window, or the last full run is older than <see cref="ProjectionOptions.FullRunEvery"/>.
    /// </summary>
    public async Task<Community> RunAsync(CancellationToken ct) => await RunAsync(forceFull: false, ct);

    public async Task<Community> RunAsync(bool forceFull, CancellationToken ct)
    {
        // One run at a time in a process: the timer and the admin API (or two admin calls) may ask together, and two
        // runs would race for the state's head, the loser failing. The second waits, then runs from the state the first
        // kept in memory; across instances the timer's singleton lock and the head's ETag keep a single writer.
        await _oneRun.WaitAsync(ct);
        try
        {
            return await RunAloneAsync(forceFull, ct);
        }
        finally
        {
            _oneRun.Release();
        }
    }

    private async Task<Community> RunAloneAsync(bool forceFull, CancellationToken ct)
    {
        var o = options.Value;
        var window = new Window(clock.GetUtcNow(), Window.Default);
        var prepare = System.Diagnostics.Stopwatch.StartNew();
        var prepareCpu = Environment.CpuUsage.TotalTime;
        await EnsureActivityAsync(ct);
        await scores.EnsureShardedAsync(ct); // score rows of the layout before decision 1291 move once
        var read = await States.ReadAsync(ct);
        var state = read.State;
        var (personOf, roles) = await people.ReadAllAsync(ct);
        var optionsHash = ProjectionState.HashOf(o);
        var peopleHash = ProjectionState.HashOf(personOf, roles);
        var reason = forceFull ? "asked"
            : state is null ? "no state"
            : state.OptionsHash != optionsHash ? "scoring options changed"
            : state.PeopleHash != peopleHash ? "people links changed"
            : window.AsOf < state.Mark || window.AsOf - state.Mark >= window.Length ? "previous run out of the window"
            : window.AsOf - state.FullAt >= settings.Value.FullRunEvery ? "daily full run"
            : null;
        if (reason is null)
        {
            var prepared = new RunPhase("state and people read", prepare.Elapsed.TotalSeconds, (Environment.CpuUsage.TotalTime - prepareCpu).TotalSeconds);
            var incremental = new IncrementalRun(facts, scores, States, o, settings.Value, logger, state!, window, personOf, roles, r => LastRun = r);
            if (await incremental.RunAsync(ct) is { } done)
            {
                LastRun = LastRun! with { Phases = [prepared, .. LastRun.Phases], StateFromMemory = read.FromMemory };
                return done;
            }

            reason = incremental.FullReason ?? "incremental run declined"; // decision 1241: an import's worth of rows, or arrivals of an older writer
        }

        var community = await RunFullAsync(window, state, personOf, roles, optionsHash, peopleHash, ct);
        LastRun = LastRun! with { Reason = reason, StateFromMemory = read.FromMemory };
        return community;
    }

    private async Task<Community> RunFullAsync(Window window, ProjectionState? state, Dictionary<string, string> personOf, Dictionary<string, string> roles,
        string optionsHash, string peopleHash, CancellationToken ct)
    {
        var o = options.Value;
        var rows = await facts.Activity.ReadAsync(window, ct);
        var interactions = await facts.ResolveAsync(rows, ct);
        var handles = new HandleBook(rows);

        var byUser = ByUser(interactions);
        var engagements = byUser.ToDictionary(u => u.Key, u => EngagementFold.Fold(u.Key, u.Value, handles.Of(u.Key), window, o), StringComparer.Ordinal);
        var reciprocities = byUser.ToDictionary(u => u.Key, u => ReciprocityFold.Fold(u.Key, u.Value, handles.Of, window, o, top: 0), StringComparer.Ordinal);

        // Leaderboards and level cut-offs count people: linked identities fold together (read-time mapping), and
        // team and bot people stay out of the cut-offs. Without links the entrants are the identities themselves.
        var identitiesOf = personOf.GroupBy(l => l.Value, l => l.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        string RoleOf(string id) => PersonIds.IsPerson(id) ? roles.GetValueOrDefault(id, PersonRoles.Member) : PersonRoles.Member;
        var byEntrant = personOf.Count == 0 ? byUser : ByUser(PersonMapping.Map(interactions, id => personOf.GetValueOrDefault(id)));
        var entrantEngagements = personOf.Count == 0 ? engagements
            : byEntrant.ToDictionary(u => u.Key, u => EngagementFold.Fold(u.Key, u.Value, handles.Of(u.Key), window, o), StringComparer.Ordinal);
        var entrantReciprocities = personOf.Count == 0 ? reciprocities
            : byEntrant.ToDictionary(u => u.Key, u => ReciprocityFold.Fold(u.Key, u.Value, handles.Of, window, o, top: 0), StringComparer.Ordinal);
        var active = entrantEngagements.Values.Where(e => e.Authored > 0).ToList();
        var levels = Levels.From(active.Where(e => RoleOf(e.UserId) == PersonRoles.Member).Select(e => e.Score));

        var fresh = byUser.Keys.Select(user =>
        {
            var e = engagements[user];
            var r = reciprocities[user];
            return new UserScore(user, e.Handle, window.AsOf, e.Score, levels.Of(e.Score, e.Authored > 0),
                e.BroadcastRatio, r.ReciprocityIndex, r.Given.Points, r.Received.Points);
        }).ToList();
        var previous = await PreviouslyActiveAsync(state, ct);
        var nowActive = fresh.Where(f => f.Level != Levels.Silent).Select(f => f.UserId).ToList();
        var silent = new List<UserScore>();
        foreach (var user in previous.Where(u => !byUser.ContainsKey(u)).Order(StringComparer.Ordinal))
        {
            // Only rows about to be rewritten are checked: one with no fact at all was erased (perhaps while
            // this run read) and must not come back; rows already silent are left as they are.
            if (await scores.GetScoreAsync(user, ct) is not { } p || p.Level == Levels.Silent)
            {
                continue;
            }

            if (!await facts.ExistsAsync(user, ct))
            {
                await scores.ForgetAsync(user, ct);
            }
            else
            {
                silent.Add(p with { AsOf = window.AsOf, Score = 0, Level = Levels.Silent, BroadcastRatio = null, ReciprocityIndex = null, Given = 0, Received = 0 });
            }
        }

        // The set is widened before the rows are written and narrowed after: a run cut short between the two still
        // finds, next time, every user whose row it may have left at a level other than silent.
        await scores.WriteActiveAsync(previous.Union(nowActive, StringComparer.Ordinal), ct);
        var all = fresh.Concat(silent).ToList();
        await scores.WriteScoresAsync(all, ct);

        LeaderboardEntry Entry(string id, double score)
        {
            var level = levels.Of(entrantEngagements[id].Score, entrantEngagements[id].Authored > 0);
            var role = RoleOf(id) is PersonRoles.Member ? null : RoleOf(id);
            return PersonIds.IsPerson(id)
                ? new LeaderboardEntry(null, null, score, level) { PersonId = id, Identities = identitiesOf.GetValueOrDefault(id) ?? [], Role = role }
                : new LeaderboardEntry(id, handles.Of(id), score, level);
        }

        var byEngagement = entrantEngagements.Values.Where(e => e.Authored > 0)
            .OrderByDescending(e => e.Score).ThenBy(e => e.UserId, StringComparer.Ordinal).Take(settings.Value.LeaderboardSize)
            .Select(e => Entry(e.UserId, e.Score)).ToList();
        var byReciprocity = entrantReciprocities.Values.Where(r => r.ReciprocityIndex is not null)
            .OrderByDescending(r => r.ReciprocityIndex).ThenByDescending(r => Math.Min(r.Given.Points, r.Received.Points)).ThenBy(r => r.UserId, StringComparer.Ordinal)
            .Take(settings.Value.LeaderboardSize)
            .Select(r => Entry(r.UserId, r.ReciprocityIndex!.Value)).ToList();
        var community = CommunityFold.Fold(PersonFilter.Exclude(PersonMapping.Map(interactions, id => personOf.GetValueOrDefault(id)), id => RoleOf(id) != PersonRoles.Member), window, o);
        await scores.WriteCommunityAsync(community, levels,
            [new Leaderboard(window.AsOf, "engagement", byEngagement), new Leaderboard(window.AsOf, "reciprocity", byReciprocity)], ct);

        // The state the next runs start from (decision 1201): every user's and entrant's figures, epoch-relative.
        var epoch = ProjectionState.EpochAt(window.AsOf, o);
        var next = new ProjectionState
        {
            Mark = window.AsOf,
            FullAt = window.AsOf,
            CommunityAt = window.AsOf,
            OptionsHash = optionsHash,
            PeopleHash = peopleHash,
            CommunityJson = System.Text.Json.JsonSerializer.Serialize(community, Http.EngageJson.Options),
        };
        foreach (var row in rows)
        {
            next.Rows[FactKeys.FactRowKey(row)] = row; // the window's rows, which incremental runs refold from (decision 1241)
        }

        foreach (var row in fresh)
        {
            next.Identities[row.UserId] = Figures.From(engagements[row.UserId], reciprocities[row.UserId], epoch) with { Level = row.Level };
        }

        if (personOf.Count > 0)
        {
            foreach (var (id, e) in entrantEngagements)
            {
                next.Entrants[id] = Figures.From(e, entrantReciprocities[id], epoch);
            }
        }

        var stateWrite = await States.WriteAsync(next, sweep: true, ct); // every day; and rows of runs cut short are swept
        await scores.WriteActiveAsync([], ct); // the state holds who is active now (decision 1201)
        await facts.Arrivals.PruneAsync(window.AsOf - settings.Value.ArrivalMargin - TimeSpan.FromHours(1), ct);
        LastRun = new ProjectionRun(true, "", rows.Count, fresh.Count, all.Count, (int)Math.Min(stateWrite.BytesWritten, int.MaxValue)) { StateWrite = stateWrite };
        logger.LogInformation("Projected {Users} users ({Active} active, {Silent} fell silent) from {Facts} facts", fresh.Count, active.Count, all.Count - fresh.Count, rows.Count);
        return community;
    }

    /// <summary>
    /// The users the last run left at a level other than silent, from the projection's own state; the first run
    /// after an upgrade (no state yet) reads every score row once instead, as every run did before.
    /// </summary>
    /// <remarks>
    /// With a state (decision 1201), its users left at a level other than silent, plus everyone touched since its mark:
    /// an incremental run cut short may have written their rows without recording them in the state.
    /// </remarks>
    private async Task<IReadOnlyCollection<string>> PreviouslyActiveAsync(ProjectionState? state, CancellationToken ct)
    {
        // The active-set rows are empty once a state exists, but for a full run cut short between widening and the state.
        var active = await scores.ReadActiveAsync(ct);
        if (state is null)
        {
            return active is not null ? active : (await scores.ReadScoresAsync(ct)).Values.Where(p => p.Level != Levels.Silent).Select(p => p.UserId).ToList();
        }

        var touched = await facts.Arrivals.ReadTouchedAsync(state.Mark - settings.Value.ArrivalMargin, ct);
        return state.Identities.Where(i => i.Value.Level != Levels.Silent).Select(i => i.Key)
            .Union(touched.Users, StringComparer.Ordinal).Union(active ?? [], StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// A store with facts written before the activity layout existed is copied into it once, by the first run
    /// (decision 1111): one scan of the facts, which every run paid before; later runs find the mark and skip it.
    /// </summary>
    private async Task EnsureActivityAsync(CancellationToken ct)
    {
        if (await scores.IsActivityBackfilledAsync(ct))
        {
            return;
        }

        var copied = await facts.Activity.BackfillAsync(ct);
        await scores.MarkActivityBackfilledAsync(copied, clock.GetUtcNow(), ct);
        logger.LogInformation("Copied {Rows} facts of actors into the activity layout", copied);
    }

    /// <summary>Each user's interactions: the ones they authored and the ones that give to them.</summary>
    internal static Dictionary<string, List<Resolved>> ByUser(IReadOnlyList<Resolved> interactions)
    {
        var byUser = new Dictionary<string, List<Resolved>>(StringComparer.Ordinal);
        foreach (var i in interactions)
        {
            foreach (var user in i.GiveTargets().Prepend(i.Actor))
            {
                if (!byUser.TryGetValue(user, out var list))
                {
                    byUser[user] = list = [];
                }

                list.Add(i);
            }
        }

        return byUser;
    }
}
