using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Functions.Storage;

namespace Engage.Functions.Digests;

public sealed record Subscription(string UserId, string Email, string Cadence, string TimeZone, DateTimeOffset UpdatedAt)
{
    public const string Weekly = "weekly";
    public const string Off = "off";
}

/// <summary>Table <c>subscriptions</c>: PK = userId, RK = <c>digest</c>.</summary>
public sealed class SubscriptionStore(EngageStorage storage)
{
    private const string Row = "digest";

    public async Task<Subscription?> GetAsync(string userId, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        var row = await storage.Subscriptions.GetEntityIfExistsAsync<TableEntity>(FactKeys.Escape(userId), Row, cancellationToken: ct);
        return row.HasValue && row.Value is { } e ? ToSubscription(e) : null;
    }

    public async Task PutAsync(Subscription subscription, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        await storage.Subscriptions.UpsertEntityAsync(new TableEntity(FactKeys.Escape(subscription.UserId), Row)
        {
            ["UserId"] = subscription.UserId,
            ["Email"] = subscription.Email,
            ["Cadence"] = subscription.Cadence,
            ["TimeZone"] = subscription.TimeZone,
            ["UpdatedAt"] = subscription.UpdatedAt,
        }, TableUpdateMode.Replace, ct);
    }

    /// <summary>True when there was a subscription to delete.</summary>
    public async Task<bool> DeleteAsync(string userId, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        var existing = await GetAsync(userId, ct);
        await storage.Subscriptions.DeleteEntityAsync(FactKeys.Escape(userId), Row, cancellationToken: ct);
        return existing is not null;
    }

    public async IAsyncEnumerable<Subscription> WeeklyAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        await foreach (var e in storage.Subscriptions.QueryAsync<TableEntity>(e => e.RowKey == Row, cancellationToken: ct))
        {
            var s = ToSubscription(e);
            if (s.Cadence == Subscription.Weekly)
            {
                yield return s;
            }
        }
    }

    private static Subscription ToSubscription(TableEntity e) => new(
        e.GetString("UserId"), e.GetString("Email"), e.GetString("Cadence"), e.GetString("TimeZone"), e.GetDateTimeOffset("UpdatedAt") ?? default);
}
