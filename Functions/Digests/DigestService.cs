using System.Globalization;
using Engage.Domain.Digests;
using Engage.Domain.People;
using Person = Engage.Domain.People.Person;
using Engage.Functions.People;
using Engage.Domain.Scoring;
using Engage.Functions.Storage;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Digests;

/// <summary>
/// Reads a user's two months of facts, composes the digest (Domain) and renders it as an email. A personId
/// (no <c>:</c>) composes one digest over every identity of the person, mapped at read time (docs/decisions/1142).
/// </summary>
public sealed class DigestService(
    FactStore facts,
    PeopleStore people,
    PersonReader reader,
    IOptions<ScoringOptions> scoring,
    IOptions<DigestOptions> digest,
    IOptions<UnsubscribeOptions> unsubscribe)
{
    public async Task<Digest> ComposeAsync(string userId, DateTimeOffset asOf, TimeZoneInfo zone, CancellationToken ct)
    {
        var window = new Window(asOf, 2 * Digest.Period);
        if (PersonIds.IsPerson(userId))
        {
            // A person unlinked since subscribing has no identities left: an empty digest, as for a user with no facts.
            var person = await people.GetAsync(userId, ct) ?? new Person(userId, null, PersonRoles.Member, []);
            var read = await reader.ReadAsync(person, window, ct);
            return DigestComposer.Compose(userId, read.Interactions, id => id == userId ? null : read.NameOf(id), asOf, zone, scoring.Value);
        }

        var (rows, interactions) = await facts.ReadResolvedAsync(userId, window, ct);
        return DigestComposer.Compose(userId, interactions, new HandleBook(rows).Of, asOf, zone, scoring.Value);
    }

    public string UnsubscribeUrl(string userId, DateTimeOffset now)
    {
        var token = UnsubscribeToken.Create(userId, now + unsubscribe.Value.TokenLifetime, unsubscribe.Value.SigningKey);
        return $"{digest.Value.PublicBaseUrl.TrimEnd('/')}/api/unsubscribe?token={Uri.EscapeDataString(token)}";
    }

    public EmailMessage Email(Digest d, Subscription subscription, DateTimeOffset now)
    {
        var url = UnsubscribeUrl(d.User.UserId, now);
        return new EmailMessage(
            subscription.Email,
            DigestRenderer.Subject(d),
            DigestRenderer.Html(d, url),
            DigestRenderer.Text(d, url),
            new Dictionary<string, string>
            {
                // RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the URL.
                ["List-Unsubscribe"] = $"<{url}>",
                ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
            });
    }

    /// <summary>IANA zone ids only (what a subscriber's profile holds), e.g. Europe/London.</summary>
    public static TimeZoneInfo? FindZone(string? id) =>
        id is { Length: > 0 and < 64 } && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId ? zone : null;

    /// <summary>ISO 8601 week of an instant in UTC, e.g. <c>2026-W48</c>: the unit of "at most one digest".</summary>
    public static string IsoWeek(DateTimeOffset at) =>
        string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(at.UtcDateTime)}-W{ISOWeek.GetWeekOfYear(at.UtcDateTime):00}");
}
