using System.Text.Json.Serialization;
using Engage.Domain.People;
using Engage.Domain.Scoring;

namespace Engage.Functions.People;

/// <summary>The body of <c>PUT /api/people/{personId}</c>: a name, a role (default <c>member</c>) and the identities (userIds) linked.</summary>
public sealed record PersonRequest(string? Name, string? Role, IReadOnlyList<string>? Identities);

/// <summary>One identity of a person, with its most recent handle (null when no fact names one).</summary>
public sealed record PersonIdentity(string UserId, string? Handle);

/// <summary><c>GET|PUT /api/people/{personId}</c>.</summary>
public sealed record PersonResponse(string PersonId, string? Name, string Role, IReadOnlyList<PersonIdentity> Identities);

/// <summary><c>GET /api/people/suggestions</c>: identities likely to be one person, never linked automatically.</summary>
public sealed record SuggestionsResponse(IReadOnlyList<Suggestion> Suggestions);

/// <summary><c>GET /api/people/{personId}/engagement</c>: the user route's figures, folded over every identity.</summary>
public sealed record PersonEngagementResponse(
    string PersonId,
    string? Name,
    string Role,
    IReadOnlyList<PersonIdentity> Identities,
    DateTimeOffset AsOf,
    string Window,
    double Score,
    string Level,
    double? BroadcastRatio,
    double? ConversationRatio,
    Counts Counts,
    IReadOnlyList<BreakdownLine> Breakdown);

/// <summary><c>GET /api/people/{personId}/reciprocity</c>: the user route's figures, folded over every identity, naming people where linked.</summary>
public sealed record PersonReciprocityResponse(
    string PersonId,
    string? Name,
    string Role,
    IReadOnlyList<PersonIdentity> Identities,
    DateTimeOffset AsOf,
    string Window,
    Flow Given,
    Flow Received,
    double ReciprocatedStrength,
    double? ReciprocityIndex,
    double? ReplyRate,
    string? MedianReplyLatency,
    IReadOnlyList<PersonCounterpart> Counterparts,
    IReadOnlyList<PersonOwed> Owed,
    IReadOnlyList<PersonOpenQuestion> OpenQuestions);

/// <summary>
/// The other side of an entry: <c>personId</c> and <c>name</c> when it is a linked person, else <c>userId</c> and
/// <c>handle</c>; the pair that does not apply is left out (so is a handle no fact names).
/// </summary>
public abstract record PartyBase
{
    [JsonPropertyOrder(-1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? PersonId { get; init; }
    [JsonPropertyOrder(-1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; init; }
    [JsonPropertyOrder(-1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? UserId { get; init; }
    [JsonPropertyOrder(-1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Handle { get; init; }
}

/// <summary>A counterpart of a person's reciprocity.</summary>
public sealed record PersonCounterpart(Flow Given, Flow Received, double Balance, DateTimeOffset LastInteractionAt) : PartyBase;

/// <summary>Someone the person owes (help received and not given back).</summary>
public sealed record PersonOwed(Flow Received, Flow Given, DateTimeOffset Since) : PartyBase;

/// <summary>An open question addressed to the person: asked by a person (<c>personId</c>, <c>name</c>) or an identity (<c>from</c>, <c>fromHandle</c>).</summary>
public sealed record PersonOpenQuestion(string Id, DateTimeOffset AskedAt)
{
    [JsonPropertyOrder(-1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? PersonId { get; init; }
    [JsonPropertyOrder(-1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; init; }
    [JsonPropertyOrder(-1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? From { get; init; }
    [JsonPropertyOrder(-1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? FromHandle { get; init; }
}
