using System.Text.Json;
using System.Text.Json.Serialization;
using Engage.Domain.Sources;
using Engage.Functions.Digests;
using Engage.Functions.Import;
using Engage.Functions.Ops;
using Engage.Functions.People;
using Engage.Functions.Scores;
using Engage.Functions.Webhooks;

namespace Engage.Functions.Http;

/// <summary>
/// The HTTP contract, source-generated: every request and response body of docs/api.md. A route's
/// records are listed here and nowhere else; the OpenAPI document is generated from this context.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(UtcTimeConverter)])]
[JsonSerializable(typeof(WebhookAccepted))]
[JsonSerializable(typeof(CrcResponse))]
[JsonSerializable(typeof(EngagementResponse))]
[JsonSerializable(typeof(ReciprocityResponse))]
[JsonSerializable(typeof(CommunityResponse))]
[JsonSerializable(typeof(LeaderboardResponse))]
[JsonSerializable(typeof(PairsResponse))]
[JsonSerializable(typeof(CommunityWeeklyResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(SubscriptionRequest))]
[JsonSerializable(typeof(SubscriptionResponse))]
[JsonSerializable(typeof(PersonSubscriptionResponse))]
[JsonSerializable(typeof(ReplayRequestBody))]
[JsonSerializable(typeof(ReplayResult))]
[JsonSerializable(typeof(ImportRequestBody))]
[JsonSerializable(typeof(ImportAccepted))]
[JsonSerializable(typeof(ImportStatus))]
[JsonSerializable(typeof(PersonRequest))]
[JsonSerializable(typeof(PersonResponse))]
[JsonSerializable(typeof(SuggestionsResponse))]
[JsonSerializable(typeof(PersonEngagementResponse))]
[JsonSerializable(typeof(PersonReciprocityResponse))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
public sealed partial class EngageJsonContext : JsonSerializerContext;
