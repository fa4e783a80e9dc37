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
/// level cut-offs, leaderboards and the community row.
/// </summary>
public sealed class Projection(FactStore facts, ScoreStore scores, PeopleStore people, IOptions<ScoringOptions> options, TimeProvider clock, ILogger<Projection> logger)
{
    public const int LeaderboardSize = 1000;

    public async Task<Community> RunAsync(CancellationToken ct)
    {
        var o = options.Value;
        var window = new Window(clock.GetUtcNow(), Window.Default);
        var rows = await facts.ScanAsync(window, ct);
        var interactions = await facts.ResolveAsync(rows, ct);
        var handles = new HandleBook(rows);

        var byUser = ByUser(interactions);
        var engagements = byUser.ToDictionary(u => u.Key, u => EngagementFold.Fold(u.Key, u.Value, handles.Of(u.Key), window, o), StringComparer.Ordinal);
        var reciprocities = byUser.ToDictionary(u => u.Key, u => ReciprocityFold.Fold(u.Key, u.Value, handles.Of, window, o, top: 0), StringComparer.Ordinal);

        // Leaderboards and level cut-offs count people: linked identities fold together (read-time mapping), and
        // team and bot people stay out of the cut-offs. Without links the entrants are the identities themselves.
        var (personOf, roles) = await people.ReadAllAsync(ct);
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
        var previous = await scores.ReadScoresAsync(ct);
        var silent = new List<UserScore>();
        foreach (var p in previous.Values.Where(p => !byUser.ContainsKey(p.UserId) && p.Level != Levels.Silent))
        {
            // Only rows about to be rewritten are checked: one with no fact at all was erased (perhaps while
            // this run scanned) and must not come back; rows already silent are left as they are.
            if (!await facts.ExistsAsync(p.UserId, ct))
            {
                await scores.ForgetAsync(p.UserId, ct);
            }
            else
            {
                silent.Add(p with { AsOf = window.AsOf, Score = 0, Level = Levels.Silent, BroadcastRatio = null, ReciprocityIndex = null, Given = 0, Received = 0 });
            }
        }

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
            .OrderByDescending(e => e.Score).ThenBy(e => e.UserId, StringComparer.Ordinal).Take(LeaderboardSize)
            .Select(e => Entry(e.UserId, e.Score)).ToList();
        var byReciprocity = entrantReciprocities.Values.Where(r => r.ReciprocityIndex is not null)
            .OrderByDescending(r => r.ReciprocityIndex).ThenByDescending(r => Math.Min(r.Given.Points, r.Received.Points)).ThenBy(r => r.UserId, StringComparer.Ordinal)
            .Take(LeaderboardSize)
            .Select(r => Entry(r.UserId, r.ReciprocityIndex!.Value)).ToList();
        var community = CommunityFold.Fold(PersonFilter.Exclude(PersonMapping.Map(interactions, id => personOf.GetValueOrDefault(id)), id => RoleOf(id) != PersonRoles.Member), window, o);
        await scores.WriteCommunityAsync(community, levels,
            [new Leaderboard(window.AsOf, "engagement", byEngagement), new Leaderboard(window.AsOf, "reciprocity", byReciprocity)], ct);

        logger.LogInformation("Projected {Users} users ({Active} active, {Silent} fell silent) from {Facts} facts", fresh.Count, active.Count, all.Count - fresh.Count, rows.Count);
        return community;
    }

    /// <summary>Each user's interactions: the ones they authored and the ones that give to them.</summary>
    private static Dictionary<string, List<Resolved>> ByUser(IReadOnlyList<Resolved> interactions)
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
