using Engage.Domain.Facts;
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
public sealed class Projection(FactStore facts, ScoreStore scores, IOptions<ScoringOptions> options, TimeProvider clock, ILogger<Projection> logger)
{
    public const int LeaderboardSize = 1000;

    public async Task<Community> RunAsync(CancellationToken ct)
    {
        var o = options.Value;
        var window = new Window(clock.GetUtcNow(), Window.Default);
        var rows = await facts.ScanAsync(window, ct);
        var interactions = await facts.ResolveAsync(rows, ct);
        var handles = new HandleBook(rows);

        // Each user's interactions: the ones they authored and the ones that give to them.
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

        var engagements = byUser.ToDictionary(u => u.Key, u => EngagementFold.Fold(u.Key, u.Value, handles.Of(u.Key), window, o), StringComparer.Ordinal);
        var reciprocities = byUser.ToDictionary(u => u.Key, u => ReciprocityFold.Fold(u.Key, u.Value, handles.Of, window, o, top: 0), StringComparer.Ordinal);
        var active = engagements.Values.Where(e => e.Authored > 0).ToList();
        var levels = Levels.From(active.Select(e => e.Score));

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

        var community = CommunityFold.Fold(interactions, window, o);
        var byEngagement = fresh.Where(s => s.Level != Levels.Silent)
            .OrderByDescending(s => s.Score).ThenBy(s => s.UserId, StringComparer.Ordinal).Take(LeaderboardSize)
            .Select(s => new LeaderboardEntry(s.UserId, s.Handle, s.Score, s.Level)).ToList();
        var byReciprocity = fresh.Where(s => s.ReciprocityIndex is not null)
            .OrderByDescending(s => s.ReciprocityIndex).ThenByDescending(s => Math.Min(s.Given, s.Received)).ThenBy(s => s.UserId, StringComparer.Ordinal)
            .Take(LeaderboardSize)
            .Select(s => new LeaderboardEntry(s.UserId, s.Handle, s.ReciprocityIndex!.Value, s.Level)).ToList();
        await scores.WriteCommunityAsync(community, levels,
            [new Leaderboard(window.AsOf, "engagement", byEngagement), new Leaderboard(window.AsOf, "reciprocity", byReciprocity)], ct);

        logger.LogInformation("Projected {Users} users ({Active} active, {Silent} fell silent) from {Facts} facts", fresh.Count, active.Count, all.Count - fresh.Count, rows.Count);
        return community;
    }
}
