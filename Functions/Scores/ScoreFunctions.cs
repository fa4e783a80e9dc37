using Engage.Domain.Facts;
using Engage.Domain.People;
using Engage.Functions.People;
using Engage.Domain.Scoring;
using Engage.Functions.Http;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Scores;

/// <summary>The score reads of api.md: a user's engagement and reciprocity, the community, the leaderboard.</summary>
public sealed class ScoreFunctions(FactStore facts, ScoreStore scores, PeopleStore people, IOptions<ScoringOptions> options, TimeProvider clock)
{
    [Function("Engagement")]
    public Task<IActionResult> Engagement(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "users/{userId}/engagement")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken) =>
        ReadUserAsync(request, userId, async (p, read) =>
        {
            var e = EngagementFold.Fold(userId, read.Interactions, FactSet.HandleOf(userId, read.Facts), p.Window, options.Value);
            var levels = await scores.GetLevelsAsync(cancellationToken);
            return new
            {
                userId,
                handle = e.Handle,
                personId = await PersonOfAsync(userId, cancellationToken),
                asOf = p.Window.AsOf,
                window = ReadParameters.FormatDuration(p.Window.Length),
                score = e.Score,
                level = levels.Of(e.Score, e.Authored > 0),
                broadcastRatio = e.BroadcastRatio,
                conversationRatio = e.ConversationRatio,
                counts = e.Counts,
                breakdown = e.Breakdown,
            };
        }, cancellationToken);

    [Function("Reciprocity")]
    public Task<IActionResult> Reciprocity(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "users/{userId}/reciprocity")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken) =>
        ReadUserAsync(request, userId, async (p, read) =>
        {
            var r = ReciprocityFold.Fold(userId, read.Interactions, new HandleBook(read.Facts).Of, p.Window, options.Value, p.Top);
            return (object)new
            {
                userId,
                handle = r.Handle,
                personId = await PersonOfAsync(userId, cancellationToken),
                asOf = p.Window.AsOf,
                window = ReadParameters.FormatDuration(p.Window.Length),
                given = r.Given,
                received = r.Received,
                reciprocatedStrength = r.ReciprocatedStrength,
                reciprocityIndex = r.ReciprocityIndex,
                replyRate = r.ReplyRate,
                medianReplyLatency = r.MedianReplyLatency is { } l ? ReadParameters.FormatDuration(l) : null,
                counterparts = r.Counterparts,
                owed = r.Owed,
                openQuestions = r.OpenQuestions,
            };
        }, cancellationToken);

    /// <summary>The person the identity is linked to, if any: the user routes stay per identity and name it.</summary>
    private async Task<string?> PersonOfAsync(string userId, CancellationToken ct) =>
        (await people.PersonOfAsync([userId], ct)).GetValueOrDefault(userId);

    [Function("Community")]
    public async Task<IActionResult> Community(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "community")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (p, error) = ReadParameters.Parse(request.Query, clock.GetUtcNow());
        var (include, includeError) = RoleFilter.Parse(request.Query["include"]);
        if (p is null || include is null)
        {
            return Problems.BadRequest(error ?? includeError!);
        }

        return await Problems.WhenStorageAnswersAsync(request, async () =>
        {
            var interactions = await facts.ResolveAsync(await facts.ScanAsync(p.Window, cancellationToken), cancellationToken);

            // Community figures count people; team and bot people are left out unless ?include names them.
            var (personOf, roles) = await people.ReadAllAsync(cancellationToken);
            var mapped = PersonMapping.Map(interactions, id => personOf.GetValueOrDefault(id));
            var counted = PersonFilter.Exclude(mapped, id => PersonIds.IsPerson(id) && !include.Counts(roles.GetValueOrDefault(id, PersonRoles.Member)));
            var c = CommunityFold.Fold(counted, p.Window, options.Value);
            return Problems.Json(new
            {
                asOf = p.Window.AsOf,
                window = ReadParameters.FormatDuration(p.Window.Length),
                users = c.Users,
                interactions = c.Interactions,
                reciprocity = c.Reciprocity,
                rho = c.Rho,
                broadcastShare = c.BroadcastShare,
                openQuestions = c.OpenQuestions,
            });
        });
    }

    [Function("Leaderboard")]
    public async Task<IActionResult> Leaderboard(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "leaderboard")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (p, error) = ReadParameters.Parse(request.Query, clock.GetUtcNow(), defaultTop: 20);
        var by = request.Query["by"].ToString() is { Length: > 0 } b ? b : "engagement";
        var (include, includeError) = RoleFilter.Parse(request.Query["include"]);
        if (p is null || include is null || by is not ("engagement" or "reciprocity"))
        {
            return Problems.BadRequest(error ?? includeError ?? "by must be engagement or reciprocity.");
        }

        return await Problems.WhenStorageAnswersAsync(request, async () =>
        {
            var board = await scores.GetLeaderboardAsync(by, cancellationToken) ?? new Leaderboard(DateTimeOffset.MinValue, by, []);
            return Problems.Json(new { asOf = board.AsOf == DateTimeOffset.MinValue ? (DateTimeOffset?)null : board.AsOf, by, entries = board.Entries.Where(e => include.Counts(e.Role ?? PersonRoles.Member)).Take(p.Top) });
        });
    }

    private async Task<IActionResult> ReadUserAsync(HttpRequest request, string userId,
        Func<ReadParameters, (List<Fact> Facts, IReadOnlyList<Resolved> Interactions), Task<object>> fold, CancellationToken ct)
    {
        if (ReadParameters.ValidateUserId(userId) is { } badUser)
        {
            return Problems.BadRequest(badUser);
        }

        var (p, error) = ReadParameters.Parse(request.Query, clock.GetUtcNow());
        if (p is null)
        {
            return Problems.BadRequest(error!);
        }

        return await Problems.WhenStorageAnswersAsync(request, async () =>
        {
            var read = await facts.ReadResolvedAsync(userId, p.Window, ct);
            if (read.Facts.Count == 0 && !await facts.ExistsAsync(userId, ct))
            {
                return Problems.NotFound($"No interactions are known for user '{userId}'.");
            }

            return Problems.Json(await fold(p, read));
        });
    }
}
