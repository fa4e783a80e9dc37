using System.Globalization;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Engage.Domain.Sources;
using Engage.Functions.Storage;
using Engage.Functions.Webhooks;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.Ops;

public sealed record Requeued(int Interactions, int Digests);

/// <summary>The answer of <c>POST /api/ops/replay</c>.</summary>
public sealed record ReplayResult(int Bodies, int Interactions, int Failed, Requeued Requeued);

/// <summary>
/// <c>POST /api/ops/replay</c>: sends archived bodies through the delivery pipeline again (after a normalizer
/// or classifier change; <see cref="DeliveryPipeline.ReplayAsync"/>) and puts poison messages back on their queues. Harmless to repeat: ingestion is idempotent by key, digests by week.
/// Signatures are not checked again: a body is archived only after its signature was verified.
/// </summary>
public sealed class Replayer(SourceRegistry sources, DeliveryPipeline pipeline, EngageStorage storage, WebhookArchive archive, ILogger<Replayer> logger)
{
    private const int Degree = 8;

    /// <summary>Names of the sources whose archives can be replayed (every registered source, enabled or not).</summary>
    public IEnumerable<string> Sources => sources.All.Select(s => s.Name);

    public async Task<ReplayResult> ReplayAsync(ReplayRequest request, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        int bodies = 0, interactions = 0, failed = 0;
        foreach (var source in sources.All.Where(s => request.Source is null || s.Name == request.Source))
        {
            var names = new List<string>();
            foreach (var month in request.Months())
            {
                await foreach (var blob in storage.Webhooks.GetBlobsAsync(new GetBlobsOptions { Prefix = $"{source.Name}/{month}" }, ct))
                {
                    if (ArchiveDay(blob.Name) is { } day && request.Covers(day))
                    {
                        names.Add(blob.Name);
                    }
                }
            }

            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = Degree, CancellationToken = ct }, async (name, token) =>
            {
                var enqueued = await ReplayBodyAsync(source, name, token);
                Interlocked.Increment(ref bodies);
                if (enqueued is { } count)
                {
                    Interlocked.Add(ref interactions, count);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            });
        }

        var requeued = new Requeued(
            await RequeueAsync(storage.Interactions, storage.Queue(storage.Names.Interactions + "-poison"), ct),
            await RequeueAsync(storage.Queue(StorageNames.DigestsQueue), storage.Queue(StorageNames.DigestsQueue + "-poison"), ct));
        logger.LogInformation(
            "Replayed {Bodies} archived bodies of {Source} from {From} to {To}: {Interactions} interactions enqueued, {Failed} failed; {RequeuedInteractions} interaction and {RequeuedDigests} digest messages taken back from poison",
            bodies, request.Source ?? "all sources", request.From, request.To, interactions, failed, requeued.Interactions, requeued.Digests);
        return new ReplayResult(bodies, interactions, failed, requeued);
    }

    /// <summary>The day in <c>{source}/{yyyy}/{MM}/{dd}/{deliveryId}.json</c>; null for a name of another shape.</summary>
    internal static DateOnly? ArchiveDay(string name)
    {
        var parts = name.Split('/');
        return parts.Length == 5
            && DateOnly.TryParseExact($"{parts[1]}-{parts[2]}-{parts[3]}", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                ? day
                : null;
    }

    /// <summary>Normalizes one archived body and enqueues its interactions; null when it cannot be normalized (logged).</summary>
    private async Task<int?> ReplayBodyAsync(WebhookSource source, string name, CancellationToken ct)
    {
        IReadOnlyList<Engage.Domain.Interactions.Interaction> interactions;
        try
        {
            // A body an erasure rewrote is read back as its remaining interactions (decision 0901).
            if (await archive.ReadAsync(source, name, ct) is not { } read)
            {
                return 0;
            }

            interactions = read.Interactions;
        }
        catch (Exception e) when (!EngageStorage.IsUnavailable(e) && e is not OperationCanceledException)
        {
            // Whatever a normalizer throws, one body must not stop the replay of the others; a fix and another replay recover it.
            logger.LogError(e, "Archived body {Blob} could not be normalized by the {Source} source", name, source.Name);
            return null;
        }

        var deliveryId = Path.GetFileNameWithoutExtension(name);
        // The limits are checked as of the end of the day of receipt (the archive's date), as intake checked them then.
        var receivedAt = new DateTimeOffset(ArchiveDay(name)!.Value.ToDateTime(TimeOnly.MaxValue), TimeSpan.Zero);
        var outcome = await pipeline.ReplayAsync(source.Name, interactions, deliveryId, name, receivedAt, ct);
        if (outcome is DeliveryOutcome.Accepted accepted)
        {
            return accepted.Interactions;
        }

        // One body must not stop the replay of the others; a fix and another replay recover it.
        logger.LogError("Archived body {Blob} could not be replayed by the {Source} source: {Outcome}", name, source.Name, outcome);
        return null;
    }

    /// <summary>
    /// Moves the messages of <paramref name="poison"/> back to <paramref name="queue"/>: send, then delete,
    /// so a crash in between duplicates a message rather than losing it. At most as many as the poison
    /// queue held at the start, so messages that fail again and come back are not moved round and round.
    /// </summary>
    private static async Task<int> RequeueAsync(QueueClient queue, QueueClient poison, CancellationToken ct)
    {
        var budget = (await poison.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
        var moved = 0;
        while (moved < budget)
        {
            var batch = (await poison.ReceiveMessagesAsync(Math.Min(32, budget - moved), TimeSpan.FromMinutes(5), ct)).Value;
            if (batch.Length == 0)
            {
                break;
            }

            foreach (var message in batch)
            {
                await queue.SendMessageAsync(message.Body, cancellationToken: ct);
                await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
                moved++;
            }
        }

        return moved;
    }
}
