using System.Text.Json;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.People;
using Engage.Domain.Scoring;
using Engage.Functions.Http;
using Engage.Functions.Scores;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Engage.Functions.People;

/// <summary>
/// People (docs/api.md "People"): <c>PUT/GET/DELETE /api/people/{personId}</c> links platform identities into one
/// person; <c>/engagement</c> and <c>/reciprocity</c> fold the facts of all of them, mapped at read time.
/// </summary>
public sealed class PeopleFunctions(PeopleStore people, PersonReader reader, FactStore facts, ScoreStore scores, IOptions<ScoringOptions> options, TimeProvider clock)
{
    /// <summary>The literal route <c>people/suggestions</c> takes this name: no person can have it.</summary>
    private const string SuggestionsRoute = "suggestions";

    /// <summary>How far back a person's identities are looked up for their handles.</summary>
    private static readonly TimeSpan HandleLookback = TimeSpan.FromDays(365);

    [Function("Person")]
    [Consumes(typeof(PersonRequest), "application/json")]
    [QueryParameter("move", "true: take identities linked to another person over (else 409 naming it).")]
    public async Task<Results<Ok<PersonResponse>, NoContent, ProblemHttpResult>> Person(
        [HttpTrigger(AuthorizationLevel.Function, "get", "put", "delete", Route = "people/{personId}")] HttpRequest request,
        string personId,
        CancellationToken cancellationToken)
    {
        RequirePersonId(personId);
        if (HttpMethods.IsGet(request.Method))
        {
            return await people.GetAsync(personId, cancellationToken) is { } found
                ? TypedResults.Ok(await ViewAsync(found, cancellationToken))
                : UnknownPerson(personId);
        }

        if (HttpMethods.IsDelete(request.Method))
        {
            return await people.DeleteAsync(personId, cancellationToken)
                ? TypedResults.NoContent()
                : UnknownPerson(personId);
        }

        var person = Validate(personId, await ReadAsync(request, cancellationToken));
        var move = request.Query["move"].ToString() is { Length: > 0 } m && bool.TryParse(m, out var b) && b;
        var result = await people.PutAsync(person, move, cancellationToken);
        return result.Person is { } saved
            ? TypedResults.Ok(await ViewAsync(saved, cancellationToken))
            : Problems.Problem(409, "Conflict",
                $"Identity '{result.ConflictUserId}' is linked to person '{result.ConflictPersonId}'; add ?move=true to move it to '{personId}'.");
    }

    /// <summary><c>GET /api/people/suggestions</c>: identities of the window's facts that look like one person; never linked automatically.</summary>
    [Function("PeopleSuggestions")]
    [QueryParameter("asOf", ReadQuery.AsOf, Format = "date-time")]
    [QueryParameter("window", ReadQuery.Window, Format = "duration")]
    [QueryParameter("top", ReadQuery.Top, Format = "int32")]
    public async Task<Ok<SuggestionsResponse>> Suggest(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "people/suggestions")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var p = ReadParameters.Parse(request.Query, clock.GetUtcNow());
        // The window's activity rows carry every handle the facts do (the actor's and those it names): range reads, not a scan of facts.
        var handles = new HandleBook(await facts.Activity.ReadAsync(p.Window, cancellationToken));
        var (personOf, _) = await people.ReadAllAsync(cancellationToken);
        var profiles = await people.ReadProfilesAsync(cancellationToken);
        return TypedResults.Ok(new SuggestionsResponse(Suggestions.From(handles.All, id => personOf.GetValueOrDefault(id), p.Top, profiles)));
    }

    [Function("PersonEngagement")]
    [QueryParameter("asOf", ReadQuery.AsOf, Format = "date-time")]
    [QueryParameter("window", ReadQuery.Window, Format = "duration")]
    public async Task<Results<Ok<PersonEngagementResponse>, ProblemHttpResult>> Engagement(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "people/{personId}/engagement")] HttpRequest request,
        string personId,
        CancellationToken cancellationToken)
    {
        var (p, read) = await ReadPersonAsync(request, personId, cancellationToken);
        if (read is null)
        {
            return UnknownPerson(personId);
        }

        var e = EngagementFold.Fold(personId, read.Interactions, read.Person.Name, p.Window, options.Value);
        var levels = await scores.GetLevelsAsync(cancellationToken);
        return TypedResults.Ok(new PersonEngagementResponse(personId, read.Person.Name, read.Person.Role, read.Identities,
            p.Window.AsOf, ReadParameters.FormatDuration(p.Window.Length), e.Score, levels.Of(e.Score, e.Authored > 0),
            e.BroadcastRatio, e.ConversationRatio, e.Counts, e.Breakdown));
    }

    [Function("PersonReciprocity")]
    [QueryParameter("asOf", ReadQuery.AsOf, Format = "date-time")]
    [QueryParameter("window", ReadQuery.Window, Format = "duration")]
    [QueryParameter("top", ReadQuery.Top, Format = "int32")]
    public async Task<Results<Ok<PersonReciprocityResponse>, ProblemHttpResult>> Reciprocity(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "people/{personId}/reciprocity")] HttpRequest request,
        string personId,
        CancellationToken cancellationToken)
    {
        var (p, read) = await ReadPersonAsync(request, personId, cancellationToken);
        if (read is null)
        {
            return UnknownPerson(personId);
        }

        var r = ReciprocityFold.Fold(personId, read.Interactions, read.NameOf, p.Window, options.Value, p.Top);
        return TypedResults.Ok(new PersonReciprocityResponse(personId, read.Person.Name, read.Person.Role, read.Identities,
            p.Window.AsOf, ReadParameters.FormatDuration(p.Window.Length),
            r.Given, r.Received, r.ReciprocatedStrength, r.ReciprocityIndex, r.ReplyRate,
            r.MedianReplyLatency is { } l ? ReadParameters.FormatDuration(l) : null,
            r.Counterparts.Select(c => Party(new PersonCounterpart(c.Given, c.Received, c.Balance, c.LastInteractionAt), c.UserId, c.Handle)).ToList(),
            r.Owed.Select(o => Party(new PersonOwed(o.Received, o.Given, o.Since), o.UserId, o.Handle)).ToList(),
            r.OpenQuestions.Select(q => PersonIds.IsPerson(q.From)
                ? new PersonOpenQuestion(q.Id, q.AskedAt) { PersonId = q.From, Name = q.FromHandle }
                : new PersonOpenQuestion(q.Id, q.AskedAt) { From = q.From, FromHandle = q.FromHandle }).ToList()));
    }

    /// <summary>The other side of an entry: <c>personId</c> and name for a linked person, else <c>userId</c> and handle.</summary>
    private static T Party<T>(T entry, string id, string? label) where T : PartyBase =>
        PersonIds.IsPerson(id) ? entry with { PersonId = id, Name = label } : entry with { UserId = id, Handle = label };

    private static ProblemHttpResult UnknownPerson(string personId) => Problems.NotFound($"No person '{personId}' is known.");

    private static void RequirePersonId(string personId)
    {
        if (!PersonIds.IsValid(personId) || personId == SuggestionsRoute)
        {
            throw Problems.BadRequest($"personId must be 1 to 64 characters of [A-Za-z0-9._-], and not \"{SuggestionsRoute}\".");
        }
    }

    private static async Task<PersonRequest?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, EngageJsonContext.Default.PersonRequest, ct);
        }
        catch (JsonException e)
        {
            throw Problems.BadRequest($"The body is not a person object: {e.Message}");
        }
    }

    /// <summary>The person the body asks for; a malformed field throws (400).</summary>
    private static Person Validate(string personId, PersonRequest? body)
    {
        if (body is null)
        {
            throw Problems.BadRequest("The body must be a person object: {\"name\",\"role\",\"identities\"}.");
        }

        var role = body.Role ?? PersonRoles.Member;
        if (!PersonRoles.IsValid(role))
        {
            throw Problems.BadRequest("role must be \"member\", \"team\" or \"bot\".");
        }

        if (body.Name is { Length: > 256 })
        {
            throw Problems.BadRequest("name is at most 256 characters.");
        }

        var identities = (body.Identities ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (identities.Count > PersonIds.MaxIdentities)
        {
            throw Problems.BadRequest($"A person has at most {PersonIds.MaxIdentities} identities.");
        }

        if (identities.FirstOrDefault(u => !UserIds.IsValid(u)) is { } bad)
        {
            throw Problems.BadRequest($"identity '{bad}' is not a userId ({{source}}:{{id}}, characters [A-Za-z0-9._:-], at most {UserIds.MaxLength}).");
        }

        if (identities.FirstOrDefault(u => !u.Contains(':', StringComparison.Ordinal)) is { } noSource)
        {
            throw Problems.BadRequest($"identity '{noSource}' is not a userId: it has no source prefix ({{source}}:{{id}}).");
        }

        return new Person(personId, body.Name, role, identities.Order(StringComparer.Ordinal).ToList());
    }

    private async Task<PersonResponse> ViewAsync(Person person, CancellationToken ct) =>
        new(person.PersonId, person.Name, person.Role, await IdentitiesAsync(person, null, ct));

    /// <summary>Each identity with its most recent handle in <paramref name="known"/> (or in the last year's facts).</summary>
    private async Task<IReadOnlyList<PersonIdentity>> IdentitiesAsync(Person person, HandleBook? known, CancellationToken ct)
    {
        var list = new List<PersonIdentity>();
        foreach (var userId in person.Identities)
        {
            var handle = known?.Of(userId)
                ?? new HandleBook(await facts.ReadAsync(userId, new Window(clock.GetUtcNow(), HandleLookback), ct)).Of(userId);
            list.Add(new PersonIdentity(userId, handle));
        }

        return list;
    }

    private sealed record PersonRead(Person Person, IReadOnlyList<PersonIdentity> Identities, IReadOnlyList<Resolved> Interactions, Func<string, string?> NameOf);

    /// <summary>The read both folds start from: the parameters, and the person with its mapped facts (null when unknown).</summary>
    private async Task<(ReadParameters Parameters, PersonRead? Read)> ReadPersonAsync(HttpRequest request, string personId, CancellationToken ct)
    {
        RequirePersonId(personId);
        var p = ReadParameters.Parse(request.Query, clock.GetUtcNow());
        if (await people.GetAsync(personId, ct) is not { } person)
        {
            return (p, null);
        }

        var read = await reader.ReadAsync(person, p.Window, ct);
        return (p, new PersonRead(person, await IdentitiesAsync(person, new HandleBook(read.Rows), ct), read.Interactions, read.NameOf));
    }
}
