using System.Text.Json.Serialization;
using Engage.Domain.Scoring;

namespace Engage.Functions.Scores;

/// <summary><c>GET /api/users/{userId}/engagement</c>.</summary>
public sealed record EngagementResponse(
    string UserId,
    string? Handle,
    DateTimeOffset AsOf,
    string Window,
    double Score,
    string Level,
    double? BroadcastRatio,
    double? ConversationRatio,
    Counts Counts,
    IReadOnlyList<BreakdownLine> Breakdown,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PersonId = null);

/// <summary><c>GET /api/users/{userId}/reciprocity</c>.</summary>
public sealed record ReciprocityResponse(
    string UserId,
    string? Handle,
    DateTimeOffset AsOf,
    string Window,
    Flow Given,
    Flow Received,
    double ReciprocatedStrength,
    double? ReciprocityIndex,
    double? ReplyRate,
    string? MedianReplyLatency,
    IReadOnlyList<Counterpart> Counterparts,
    IReadOnlyList<Owed> Owed,
    IReadOnlyList<OpenQuestion> OpenQuestions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PersonId = null);

/// <summary><c>GET /api/community</c>.</summary>
public sealed record CommunityResponse(
    DateTimeOffset AsOf,
    string Window,
    int Users,
    int Interactions,
    double? Reciprocity,
    double? Rho,
    double? BroadcastShare,
    int OpenQuestions);

/// <summary><c>GET /api/leaderboard</c>: <see cref="AsOf"/> is null until the first projection.</summary>
public sealed record LeaderboardResponse(DateTimeOffset? AsOf, string By, IReadOnlyList<LeaderboardEntry> Entries);

/// <summary><c>GET /api/health</c> when storage answers.</summary>
public sealed record HealthResponse(string Status, string Storage);
