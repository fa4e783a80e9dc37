namespace Engage.Functions.Digests;

/// <summary>The body of <c>PUT /api/users/{userId}/subscription</c>; <c>cadence</c> defaults to weekly, <c>timeZone</c> to UTC.</summary>
public sealed record SubscriptionRequest(string? Email, string? Cadence, string? TimeZone);

/// <summary>A subscription as <c>GET</c> and <c>PUT /api/users/{userId}/subscription</c> answer it.</summary>
public sealed record SubscriptionResponse(string UserId, string Email, string Cadence, string TimeZone, DateTimeOffset UpdatedAt)
{
    public static SubscriptionResponse Of(Subscription s) => new(s.UserId, s.Email, s.Cadence, s.TimeZone, s.UpdatedAt);
}

/// <summary>A person's subscription as <c>GET</c> and <c>PUT /api/people/{personId}/subscription</c> answer it: one digest over every identity.</summary>
public sealed record PersonSubscriptionResponse(string PersonId, string Email, string Cadence, string TimeZone, DateTimeOffset UpdatedAt)
{
    public static PersonSubscriptionResponse Of(Subscription s) => new(s.UserId, s.Email, s.Cadence, s.TimeZone, s.UpdatedAt);
}
