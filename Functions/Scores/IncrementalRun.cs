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
/// <param name="Rows">Activity rows read (full run: the window; incremental: the rows that left or entered it).</param>
/// <param name="Refolded">Users and entrants folded (full run: every user of the window).</param>
/// <param name="ScoreRows">Score rows written.</param>
/// <param name="StateBytes">Size of the state written (gzip'd).</param>
public sealed record ProjectionRun(bool Full, string Reason, int Rows, int Refolded, int ScoreRows, int StateBytes)
{
    /// <summary>User partitions read (incremental runs only).</summary>
    public int PartitionsRead { get; init; }

    /// <summary>Fact rows those partition reads returned.</summary>
    public int PartitionRows { get; init; }
}

/// <summary>
/// An incremental projection run (decision 1201): the users touched since the last run — by an arrival (the arrival
/// index) or by time (activity rows that left the window or entered it) — are refolded from their own partitions;
/// everyone else keeps their epoch-relative figures from the state. Levels and leaderboards are then recomputed from
/// the state alone, in memory; score rows are written for the refolded users, those who fell silent and those whose
/// level the moved cut-offs changed.
/// </summary>
internal sealed class IncrementalRun(
    FactStore facts,
    ScoreStore scores,
    ScoringOptions o,
    ProjectionOptions settings,
    ILogger logger,
    ProjectionState state,
    Window window,
    Dictionary<string, string> personOf,
    Dictionary<string, string> roles,
    Action<ProjectionRun> report)
{
    private const int ParallelUsers = 8;

    public async Task<Community> RunAsync(CancellationToken ct)
    {
        var epoch = ProjectionState.EpochAt(window.AsOf, o);
        var linked = personOf.Count > 0;
        var identitiesOf = personOf.GroupBy(l => l.Value, l => l.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        string RoleOf(string id) => PersonIds.IsPerson(id) ? roles.GetValueOrDefault(id, PersonRoles.Member) : PersonRoles.Member;

        // Who changed: arrivals since the previous mark (less the clock-skew margin), and the rows that left the window
        // ([previous from, from]) or entered it by time ([previous asOf, asOf]: stored earlier with a later occurredAt).
        var arrivals = await facts.Arrivals.ReadTouchedAsync(state.Mark - settings.ArrivalMargin, ct);
        var touched = arrivals.Users;
        if (arrivals.ErasedKeys.Count > 0)
        {
            // Erased users are recorded by key only: matched against the users the state knows.
            touched.UnionWith(state.Identities.Keys.Where(id => arrivals.ErasedKeys.Contains(ArrivalStore.ErasedKey(id))));
        }

        var previous = new Window(state.Mark, window.Length);
        var moved = new List<Fact>();
        if (window.From > previous.From)
        {
            moved.AddRange(await facts.Activity.ReadAsync(new Window(window.From, window.From - previous.From), ct));
        }

        if (window.AsOf > previous.AsOf)
        {
            moved.AddRange(await facts.Activity.ReadAsync(new Window(window.AsOf, window.AsOf - previous.AsOf), ct));
        }

        foreach (var i in await facts.ResolveAsync(moved, ct))
        {
            touched.Add(i.Actor);
            touched.UnionWith(i.GiveTargets());
        }

        // Entrants touched: a touched identity's person (all of whose identities are then read) or the identity itself.
        var entrants = linked ? touched.Select(id => personOf.GetValueOrDefault(id) ?? id).ToHashSet(StringComparer.Ordinal) : touched;
        var partitions = touched.Concat(entrants.SelectMany(e => identitiesOf.GetValueOrDefault(e) ?? [])).ToHashSet(StringComparer.Ordinal);
        var rowsOf = new ConcurrentDictionary<string, List<Fact>>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(partitions, new ParallelOptions { MaxDegreeOfParallelism = ParallelUsers, CancellationToken = ct },
            async (id, token) => rowsOf[id] = await facts.ReadAsync(id, window, sliced: false, token));

        // Identities: the score rows' figures, each from the user's own partition, as the user reads fold them.
        var refolded = new ConcurrentDictionary<string, Figures?>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(touched, new ParallelOptions { MaxDegreeOfParallelism = ParallelUsers, CancellationToken = ct }, async (id, token) =>
        {
            var rows = rowsOf[id];
            var mine = Projection.ByUser(await facts.ResolveAsync(rows, token)).GetValueOrDefault(id);
            refolded[id] = mine is null ? null : Fold(id, mine, new HandleBook(rows).Of, epoch);
        });

        // Entrants, when links exist: a person's identities read together, every linked id mapped to its person.
        var entrantFigures = new ConcurrentDictionary<string, Figures?>(StringComparer.Ordinal);
        if (linked)
        {
            await Parallel.ForEachAsync(entrants, new ParallelOptions { MaxDegreeOfParallelism = ParallelUsers, CancellationToken = ct }, async (entrant, token) =>
            {
                var rows = (identitiesOf.GetValueOrDefault(entrant) ?? [entrant]).SelectMany(id => rowsOf[id]).ToList();
                var mapped = PersonMapping.Map(await facts.ResolveAsync(rows, token), id => personOf.GetValueOrDefault(id));
                var mine = Projection.ByUser(mapped).GetValueOrDefault(entrant);
                entrantFigures[entrant] = mine is null ? null : Fold(entrant, mine, new HandleBook(rows).Of, epoch);
            });
        }

        var before = new Dictionary<string, Figures>(state.Identities, StringComparer.Ordinal);
        Apply(state.Identities, refolded);
        Apply(state.Entrants, entrantFigures);
        var board = linked ? state.Entrants : state.Identities;

        var levels = Levels.From(board.Where(e => e.Value.Active && RoleOf(e.Key) == PersonRoles.Member).Select(e => e.Value.Score(epoch)));

        // Score rows: the refolded users; those whose level the cut-offs moved; those who left the window (silent or erased).
        var rows = new List<UserScore>();
        foreach (var (id, f) in state.Identities)
        {
            var score = f.Score(epoch);
            var level = levels.Of(score, f.Active);
            if (refolded.ContainsKey(id) || level != f.Level)
            {
                rows.Add(new UserScore(id, f.Handle, window.AsOf, score, level, f.BroadcastRatio, f.Index, f.Given(epoch), f.Received(epoch)));
            }
        }

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
                rows.Add(p with { AsOf = window.AsOf, Score = 0, Level = Levels.Silent, BroadcastRatio = null, ReciprocityIndex = null, Given = 0, Received = 0 });
            }
        }

        await scores.WriteScoresAsync(rows, ct);
        foreach (var row in rows.Where(r => state.Identities.ContainsKey(r.UserId)))
        {
            state.Identities[row.UserId] = state.Identities[row.UserId] with { Level = row.Level };
        }

        LeaderboardEntry Entry(string id, Figures f, double score)
        {
            var level = levels.Of(f.Score(epoch), f.Active);
            var role = RoleOf(id) is PersonRoles.Member ? null : RoleOf(id);
            return PersonIds.IsPerson(id)
                ? new LeaderboardEntry(null, null, score, level) { PersonId = id, Identities = identitiesOf.GetValueOrDefault(id) ?? [], Role = role }
                : new LeaderboardEntry(id, (linked ? state.Identities.GetValueOrDefault(id)?.Handle : f.Handle), score, level);
        }

        var byEngagement = board.Where(e => e.Value.Active)
            .Select(e => (e.Key, e.Value, Score: e.Value.Score(epoch)))
            .OrderByDescending(e => e.Score).ThenBy(e => e.Key, StringComparer.Ordinal).Take(Projection.LeaderboardSize)
            .Select(e => Entry(e.Key, e.Value, e.Score)).ToList();
        var byReciprocity = board.Where(e => e.Value.Index is not null)
            .OrderByDescending(e => e.Value.Index).ThenByDescending(e => e.Value.Tie(epoch)).ThenBy(e => e.Key, StringComparer.Ordinal)
            .Take(Projection.LeaderboardSize)
            .Select(e => Entry(e.Key, e.Value, e.Value.Index!.Value)).ToList();

        // The community figures fold the whole window: refreshed at most every CommunityEvery, kept from the state between.
        Community community;
        if (window.AsOf - state.CommunityAt >= settings.CommunityEvery || JsonSerializer.Deserialize<Community>(state.CommunityJson, EngageJson.Options) is not { } kept)
        {
            var interactions = await facts.ResolveAsync(await facts.Activity.ReadAsync(window, ct), ct);
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

        // Last: a run cut short before this leaves the previous mark, so the next run reads the same changes again.
        state.Mark = window.AsOf;
        var stateBytes = await scores.WriteStateAsync(state, ct);
        report(new ProjectionRun(false, "", moved.Count, refolded.Count + entrantFigures.Count, rows.Count, stateBytes)
        {
            PartitionsRead = partitions.Count,
            PartitionRows = rowsOf.Values.Sum(r => r.Count),
        });
        logger.LogInformation("Projected incrementally: {Touched} users touched, {Partitions} partitions read, {Rows} score rows written, {Moved} rows left or entered the window",
            touched.Count, partitions.Count, rows.Count, moved.Count);
        return community;
    }

    private Figures Fold(string id, List<Resolved> interactions, Func<string, string?> handleOf, double epoch) =>
        Figures.From(
            EngagementFold.Fold(id, interactions, handleOf(id), window, o),
            ReciprocityFold.Fold(id, interactions, handleOf, window, o, top: 0),
            epoch);

    private static void Apply(Dictionary<string, Figures> map, ConcurrentDictionary<string, Figures?> refolded)
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
