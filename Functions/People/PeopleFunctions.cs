using System.Text.Json;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.People;
using Engage.Domain.Scoring;
using Engage.Functions.Http;
using Engage.Functions.Scores;
using Engage.Functions.Storage;
using Microsoft.Extensions.Options;

namespace Engage.Functions.People;

/// <summary>
/// People (docs/api.md "People"): <c>PUT/GET/DELETE /api/people/{personId}</c> links platform identities into one
/// person; <c>/engagement</c> and <c>/reciprocity</c> fold the facts of all of them, mapped at read time.
/// </summary>
public sealed class PeopleFunctions(PeopleStore people, FactStore facts, ScoreStore scores, IOptions<ScoringOptions> options, TimeProvider clock)
{
    private sealed record Body(string? Name, string? Role, List<string>? Identities);

    /// <summary>The literal route <c>people/suggestions</c> takes this name: no person can have it.</summary>
    private const string SuggestionsRoute = "suggestions";

    /// <summary>How far back a person's identities are looked up for their handles.</summary>
    private static readonly TimeSpan HandleLookback = TimeSpan.FromDays(365);

    [Function("Person")]
    public Task<IResult> Person(
        [HttpTrigger(AuthorizationLevel.Function, "get", "put", "delete", Route = "people/{personId}")] HttpRequest request,
        string personId,
        CancellationToken cancellationToken) =>
        HandlePersonAsync(request, personId, cancellationToken);

    /// <summary><c>GET /api/people/suggestions</c>: identities of the window's facts that look like one person; never linked automatically.</summary>
    [Function("PeopleSuggestions")]
    public async Task<IResult> Suggest(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "people/suggestions")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var p = ReadParameters.Parse(request.Query, clock.GetUtcNow());
        var handles = new HandleBook(await facts.ScanAsync(p.Window, cancellationToken));
        var (personOf, _) = await people.ReadAllAsync(cancellationToken);
        var suggestions = Suggestions.From(handles.All, id => personOf.GetValueOrDefault(id), p.Top);
        return Json(new { suggestions });
    }

    private static IResult Json(object value) =>
        Results.Content(JsonSerializer.Serialize(value, EngageJson.Options), "application/json; charset=utf-8");

    [Function("PersonEngagement")]
    public Task<IResult> Engagement(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "people/{personId}/engagement")] HttpRequest request,
        string personId,
        CancellationToken cancellationToken) =>
        ReadPersonAsync(request, personId, async (p, read) =>
        {
            var e = EngagementFold.Fold(personId, read.Interactions, read.Person.Name, p.Window, options.Value);
            var levels = await scores.GetLevelsAsync(cancellationToken);
            return new
            {
                personId,
                name = read.Person.Name,
                role = read.Person.Role,
                identities = read.Identities,
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

    [Function("PersonReciprocity")]
    public Task<IResult> Reciprocity(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "people/{personId}/reciprocity")] HttpRequest request,
        string personId,
        CancellationToken cancellationToken) =>
        ReadPersonAsync(request, personId, (p, read) =>
        {
            var r = ReciprocityFold.Fold(personId, read.Interactions, read.NameOf, p.Window, options.Value, p.Top);
            return Task.FromResult<object>(new
            {
                personId,
                name = read.Person.Name,
                role = read.Person.Role,
                identities = read.Identities,
                asOf = p.Window.AsOf,
                window = ReadParameters.FormatDuration(p.Window.Length),
                given = r.Given,
                received = r.Received,
                reciprocatedStrength = r.ReciprocatedStrength,
                reciprocityIndex = r.ReciprocityIndex,
                replyRate = r.ReplyRate,
                medianReplyLatency = r.MedianReplyLatency is { } l ? ReadParameters.FormatDuration(l) : null,
                counterparts = r.Counterparts.Select(c => Party(c.UserId, c.Handle, new { given = c.Given, received = c.Received, balance = c.Balance, lastInteractionAt = c.LastInteractionAt })),
                owed = r.Owed.Select(o => Party(o.UserId, o.Handle, new { received = o.Received, given = o.Given, since = o.Since })),
                openQuestions = r.OpenQuestions.Select(q => Party(q.From, q.FromHandle, new { id = q.Id, askedAt = q.AskedAt }, "from")),
            });
        }, cancellationToken);

    /// <summary>The other side of an entry: <c>personId</c> and name for a linked person, else <c>userId</c> (or <paramref name="userKey"/>) and handle.</summary>
    private static Dictionary<string, object?> Party(string id, string? label, object rest, string userKey = "userId")
    {
        var entry = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (PersonIds.IsPerson(id))
        {
            entry["personId"] = id;
            entry["name"] = label;
        }
        else
        {
            entry[userKey] = id;
            entry[userKey == "userId" ? "handle" : "fromHandle"] = label;
        }

        foreach (var property in JsonSerializer.SerializeToElement(rest, EngageJson.Options).EnumerateObject())
        {
            entry[property.Name] = property.Value;
        }

        return entry;
    }

    private async Task<IResult> HandlePersonAsync(HttpRequest request, string personId, CancellationToken ct)
    {
        if (!PersonIds.IsValid(personId) || personId == SuggestionsRoute)
        {
            throw Problems.BadRequest($"personId must be 1 to 64 characters of [A-Za-z0-9._-], and not \"{SuggestionsRoute}\".");
        }

        if (HttpMethods.IsGet(request.Method))
        {
            return await people.GetAsync(personId, ct) is { } found
                ? Json(await ViewAsync(found, ct))
                : Problems.NotFound($"No person '{personId}' is known.");
        }

        if (HttpMethods.IsDelete(request.Method))
        {
            return await people.DeleteAsync(personId, ct)
                ? TypedResults.NoContent()
                : (IResult)Problems.NotFound($"No person '{personId}' is known.");
        }

        var (person, error) = await ParseAsync(request, personId, ct);
        if (person is null)
        {
            throw Problems.BadRequest(error!);
        }


        var move = request.Query["move"].ToString() is { Length: > 0 } m && bool.TryParse(m, out var b) && b;
        var result = await people.PutAsync(person, move, ct);
        return result.Person is { } saved
            ? Json(await ViewAsync(saved, ct))
            : Problems.Problem(409, "Conflict",
                $"Identity '{result.ConflictUserId}' is linked to person '{result.ConflictPersonId}'; add ?move=true to move it to '{personId}'.");
    }

    private static async Task<(Person?, string?)> ParseAsync(HttpRequest request, string personId, CancellationToken ct)
    {
        Body? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<Body>(request.Body, EngageJson.Options, ct);
        }
        catch (JsonException e)
        {
            return (null, $"The body is not a person object: {e.Message}");
        }

        if (body is null)
        {
            return (null, "The body must be a person object: {\"name\",\"role\",\"identities\"}.");
        }

        var role = body.Role ?? PersonRoles.Member;
        if (!PersonRoles.IsValid(role))
        {
            return (null, "role must be \"member\", \"team\" or \"bot\".");
        }

        if (body.Name is { Length: > 256 })
        {
            return (null, "name is at most 256 characters.");
        }

        var identities = (body.Identities ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (identities.Count > PersonIds.MaxIdentities)
        {
            return (null, $"A person has at most {PersonIds.MaxIdentities} identities.");
        }

        if (identities.FirstOrDefault(u => !UserIds.IsValid(u)) is { } bad)
        {
            return (null, $"identity '{bad}' is not a userId ({{source}}:{{id}}, characters [A-Za-z0-9._:-], at most {UserIds.MaxLength}).");
        }

        if (identities.FirstOrDefault(u => !u.Contains(':', StringComparison.Ordinal)) is { } noSource)
        {
            return (null, $"identity '{noSource}' is not a userId: it has no source prefix ({{source}}:{{id}}).");
        }

        return (new Person(personId, body.Name, role, identities.Order(StringComparer.Ordinal).ToList()), null);
    }

    private async Task<object> ViewAsync(Person person, CancellationToken ct) => new
    {
        personId = person.PersonId,
        name = person.Name,
        role = person.Role,
        identities = await IdentitiesAsync(person, null, ct),
    };

    /// <summary>Each identity with its most recent handle in <paramref name="known"/> (or in the last year's facts).</summary>
    private async Task<List<object>> IdentitiesAsync(Person person, HandleBook? known, CancellationToken ct)
    {
        var list = new List<object>();
        foreach (var userId in person.Identities)
        {
            var handle = known?.Of(userId)
                ?? new HandleBook(await facts.ReadAsync(userId, new Window(clock.GetUtcNow(), HandleLookback), ct)).Of(userId);
            list.Add(new { userId, handle });
        }

        return list;
    }

    private sealed record PersonRead(Person Person, List<object> Identities, IReadOnlyList<Resolved> Interactions, Func<string, string?> NameOf);

    private async Task<IResult> ReadPersonAsync(HttpRequest request, string personId, Func<ReadParameters, PersonRead, Task<object>> fold, CancellationToken ct)
    {
        if (!PersonIds.IsValid(personId))
        {
            throw Problems.BadRequest("personId must be 1 to 64 characters of [A-Za-z0-9._-].");
        }

        var p = ReadParameters.Parse(request.Query, clock.GetUtcNow());
        {
            if (await people.GetAsync(personId, ct) is not { } person)
            {
                return Problems.NotFound($"No person '{personId}' is known.");
            }

            // The union of the identities' facts; an interaction between two of them is in both partitions and merges into one.
            var rows = (await Task.WhenAll(person.Identities.Select(u => facts.ReadAsync(u, p.Window, ct)))).SelectMany(f => f).ToList();
            var interactions = await facts.ResolveAsync(rows, ct);
            var others = interactions.SelectMany(Ids).Where(id => !person.Identities.Contains(id, StringComparer.Ordinal));
            var links = new Dictionary<string, string>(await people.PersonOfAsync(others, ct), StringComparer.Ordinal);
            foreach (var own in person.Identities)
            {
                links[own] = personId;
            }

            var mapped = PersonMapping.Map(interactions, id => links.GetValueOrDefault(id));
            var heads = await people.HeadsAsync(links.Values.Where(v => v != personId), ct);
            var handles = new HandleBook(rows);
            string? NameOf(string id) => id == personId ? person.Name
                : PersonIds.IsPerson(id) ? heads.TryGetValue(id, out var h) ? h.Name : null
                : handles.Of(id);
            var identities = await IdentitiesAsync(person, handles, ct);
            return Json(await fold(p, new PersonRead(person, identities, mapped, NameOf)));
        }
    }

    private static IEnumerable<string> Ids(Resolved i)
    {
        yield return i.Actor;
        if (i.ParentAuthor is { } parent)
        {
            yield return parent;
        }

        if (i.SubjectAuthor is { } subject)
        {
            yield return subject;
        }

        foreach (var m in i.Mentions)
        {
            yield return m;
        }
    }
}
