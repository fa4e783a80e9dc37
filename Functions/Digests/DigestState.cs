using Azure;
using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Functions.Storage;

namespace Engage.Functions.Digests;

/// <summary>
/// Table <c>digests</c> (PK = userId, RK = ISO week): at most one digest per user and week. A sender
/// claims the week before sending and marks it sent after; a redelivered or duplicate message finds
/// the claim and sends nothing twice.
/// </summary>
public sealed class DigestState(EngageStorage storage, TimeProvider clock)
{
    public const string Sending = "sending";
    public const string Sent = "sent";

    /// <summary>A claim older than this belongs to a sender that died; another message may take it over.</summary>
    public static readonly TimeSpan StaleClaim = TimeSpan.FromMinutes(15);

    public enum Claim
    {
        /// <summary>This message may send.</summary>
        Granted,

        /// <summary>Already sent this week.</summary>
        AlreadySent,

        /// <summary>Another message is sending it right now.</summary>
        Busy,
    }

    public async Task<Claim> ClaimAsync(string userId, string week, string requestId, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        var entity = new TableEntity(FactKeys.Escape(userId), week)
        {
            ["State"] = Sending,
            ["RequestId"] = requestId,
            ["ClaimedAt"] = clock.GetUtcNow(),
        };
        try
        {
            await storage.Digests.AddEntityAsync(entity, ct);
            return Claim.Granted;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var existing = (await storage.Digests.GetEntityAsync<TableEntity>(entity.PartitionKey, week, cancellationToken: ct)).Value;
            if (existing.GetString("State") == Sent)
            {
                return Claim.AlreadySent;
            }

            if (existing.GetString("RequestId") == requestId)
            {
                return Claim.Granted; // our own earlier attempt failed: the queue's retry carries on
            }

            if (clock.GetUtcNow() - (existing.GetDateTimeOffset("ClaimedAt") ?? default) < StaleClaim)
            {
                return Claim.Busy;
            }

            try
            {
                // Take the stale claim over; the ETag makes two takers race safely (single entity, so If-Match holds on Azurite too).
                await storage.Digests.UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Replace, ct);
                return Claim.Granted;
            }
            catch (RequestFailedException race) when (race.Status == 412)
            {
                return Claim.Busy;
            }
        }
    }

    public async Task MarkSentAsync(string userId, string week, string requestId, string providerId, CancellationToken ct) =>
        await storage.Digests.UpsertEntityAsync(new TableEntity(FactKeys.Escape(userId), week)
        {
            ["State"] = Sent,
            ["RequestId"] = requestId,
            ["ProviderMessageId"] = providerId,
            ["SentAt"] = clock.GetUtcNow(),
        }, TableUpdateMode.Replace, ct);
}
