using Engage.Domain.Facts;
using Engage.Domain.People;
using Engage.Functions.People;
using Engage.Domain.Scoring;
using Engage.Functions.Http;
using Engage.Functions.Storage;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Scores;

/// <summary>The score reads of docs/api.md: a user's engagement and reciprocity, the community, the leaderboard.</summary>
public sealed class ScoreFunctions(FactStore facts, ScoreStore scores, PeopleStore people, IOptions<ScoringOptions> options, TimeProvider clock)
{
    [Function("Engagement")]
    [QueryParameter("asOf", ReadQuery.AsOf, Format = "date-time")]
    [QueryParameter("window", ReadQuery.Window, Format = "duration")]
    public async Task<Results<Ok<EngagementResponse>, ProblemHttpResult>> Engagement(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "users/{userId}/engagement")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var p = ReadParameters.Parse(request.Query, clock.GetUtcNow());
        if (await ReadUserAsync(userId, p, cancellationToken) is not { } read)
        {
            return UnknownUser(userId);
        }

        var e = EngagementFold.Fold(userId, read.Interactions, FactSet.HandleOf(userId, read.Facts), p.Window, options.Value);
        var levels = await scores.GetLevelsAsync(cancellationToken);
        return TypedResults.Ok(new EngagementResponse(userId, e.Handle, p.Window.AsOf, ReadParameters.FormatDuration(p.Window.Length),
            e.Score, levels.Of(e.Score, e.Authored > 0), e.BroadcastRatio, e.ConversationRatio, e.Counts, e.Breakdown,
            await PersonOfAsync(userId, cancellationToken)));
    }

    [Function("Reciprocity")]
    [QueryParameter("asOf", ReadQuery.AsOf, Format = "date-time")]
    [QueryParameter("window", ReadQuery.Window, Format = "duration")]
    [QueryParameter("top", ReadQuery.Top, Format = "int32")]
    public async Task<Results<Ok<ReciprocityResponse>, ProblemHttpResult>> Reciprocity(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "users/{userId}/reciprocity")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var p = ReadParameters.Parse(request.Query, clock.GetUtcNow());
        if (await ReadUserAsync(userId, p, cancellationToken) is not { } read)
        {
            return UnknownUser(userId);
        }

        var r = ReciprocityFold.Fold(userId, read.Interactions, new HandleBook(read.Facts).Of, p.Window, options.Value, p.Top);
        return TypedResults.Ok(new ReciprocityResponse(userId, r.Handle, p.Window.AsOf, ReadParameters.FormatDuration(p.Window.Length),
            r.Given, r.Received, r.ReciprocatedStrength, r.ReciprocityIndex, r.ReplyRate,
            r.MedianReplyLatency is { } l ? ReadParameters.FormatDuration(l) : null,
            r.Counterparts, r.Owed, r.OpenQuestions, await PersonOfAsync(userId, cancellationToken)));
    }

    [Function("Community")]
    [QueryParameter("asOf", ReadQuery.AsOf, Format = "date-time")]
    [QueryParameter("window", ReadQuery.Window, Format = "duration")]
    [QueryParameter("include", "team,bot: count team and bot people too (left out by default).")]
    public async Task<Ok<CommunityResponse>> Community(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "community")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var p = ReadParameters.Parse(request.Query, clock.GetUtcNow());
        var include = Include(request);
        var interactions = await facts.ResolveAsync(await facts.Activity.ReadAsync(p.Window, cancellationToken), cancellationToken);

        // Community figures count people; team and bot people are left out unless ?include names them.
        var (personOf, roles) = await people.ReadAllAsync(cancellationToken);
        var mapped = PersonMapping.Map(interactions, id => personOf.GetValueOrDefault(id));
        var counted = PersonFilter.Exclude(mapped, id => PersonIds.IsPerson(id) && !include.Counts(roles.GetValueOrDefault(id, PersonRoles.Member)));
        var c = CommunityFold.Fold(counted, p.Window, options.Value);
        return TypedResults.Ok(new CommunityResponse(p.Window.AsOf, ReadParameters.FormatDuration(p.Window.Length),
            c.Users, c.Interactions, c.Reciprocity, c.Rho, c.BroadcastShare, c.OpenQuestions));
    }

    [Function("Leaderboard")]
    [QueryParameter("by", "engagement (default) or reciprocity.")]
    [QueryParameter("include", "team,bot: list team and bot people too (left out by default).")]
    [QueryParameter("top", ReadQuery.Top, Format = "int32")]
    public async Task<Ok<LeaderboardResponse>> Leaderboard(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "leaderboard")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var p = ReadParameters.Parse(request.Query, clock.GetUtcNow(), defaultTop: 20);
        var by = request.Query["by"].ToString() is { Length: > 0 } b ? b : "engagement";
        if (by is not ("engagement" or "reciprocity"))
        {
            throw Problems.BadRequest("by must be engagement or reciprocity.");
        }

        var include = Include(request);
        var board = await scores.GetLeaderboardAsync(by, cancellationToken);
        return TypedResults.Ok(new LeaderboardResponse(board?.AsOf, by,
            board?.Entries.Where(e => include.Counts(e.Role ?? PersonRoles.Member)).Take(p.Top).ToList() ?? []));
    }

    /// <summary><c>?include=team,bot</c>: which people outside <c>member</c> a read counts.</summary>
    private static RoleFilter Include(HttpRequest request)
    {
        var (include, error) = RoleFilter.Parse(request.Query["include"]);
        return include ?? throw Problems.BadRequest(error!);
    }

    /// <summary>The person the identity is linked to, if any: the user routes stay per identity and name it (docs/api.md "People").</summary>
    private async Task<string?> PersonOfAsync(string userId, CancellationToken ct) =>
        (await people.PersonOfAsync([userId], ct)).GetValueOrDefault(userId);

    private static ProblemHttpResult UnknownUser(string userId) => Problems.NotFound($"No interactions are known for user '{userId}'.");

    /// <summary>The user's facts and resolved interactions, or null when the user is unknown.</summary>
    private async Task<(List<Fact> Facts, IReadOnlyList<Resolved> Interactions)?> ReadUserAsync(string userId, ReadParameters p, CancellationToken ct)
    {
        ReadParameters.RequireUserId(userId);
        var read = await facts.ReadResolvedAsync(userId, p.Window, ct);
        return read.Facts.Count == 0 && !await facts.ExistsAsync(userId, ct) ? null : read;
    }
}
