using Azure.Storage.Queues.Models;
using Engage.Domain.Interactions;
using Engage.Functions.Ingest;
using Engage.Functions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Import;

/// <summary>
/// Runs one <see cref="ImportStep"/> from queue <c>imports</c>: fetch the page, put its interactions on queue
/// <c>interactions</c> (the same messages a webhook delivery makes, so ingestion and its idempotence are
/// shared), schedule the steps after it, mark it done. A crash anywhere leaves the message to be run again;
/// everything it wrote is keyed, so running it twice counts nothing twice.
/// </summary>
public sealed class ImportWorker(
    IEnumerable<IHistoryImporter> importers,
    ImportStore store,
    EngageStorage storage,
    IOptions<ImportOptions> options,
    TimeProvider clock,
    ILogger<ImportWorker> logger)
{
    /// <summary>The host's maxDequeueCount (host.json): the step's last try records the failure on the import.</summary>
    public const int MaxDequeueCount = 5;

    public IHistoryImporter? Find(string source) => importers.FirstOrDefault(i => i.Source == source);

    public async Task HandleAsync(QueueMessage message, CancellationToken ct)
    {
        var step = ImportStep.Parse(message.MessageText);
        if (await store.HasFailedAsync(step.ImportId, ct))
        {
            logger.LogInformation("Import {ImportId} has failed; step {Stage} is dropped", step.ImportId, step.Stage);
            return;
        }

        var importer = Find(step.Source) ?? throw new InvalidOperationException($"No importer for source '{step.Source}'.");
        ImportPage page;
        try
        {
            page = await importer.RunAsync(step, ct);
        }
        catch (PlatformRateLimitedException e)
        {
            var wait = e.RetryAt - clock.GetUtcNow();
            wait = wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait > options.Value.MaxRateLimitWait ? options.Value.MaxRateLimitWait : wait;
            // The same step again, later: no dequeue is spent on the platform asking us to wait.
            await storage.Queue(StorageNames.ImportsQueue).SendMessageAsync(step.ToJson(), visibilityTimeout: wait, cancellationToken: ct);
            logger.LogInformation("Import {ImportId}: {Platform} asked to wait; step {Stage} runs again in {Wait}", step.ImportId, e.Platform, step.Stage, wait);
            return;
        }
        catch (PlatformRefusedException e)
        {
            await store.FailAsync(step.ImportId, e.Message, ct);
            logger.LogWarning("Import {ImportId} failed: {Reason}", step.ImportId, e.Message);
            return;
        }
        catch (Exception e) when (message.DequeueCount >= MaxDequeueCount && e is not OperationCanceledException)
        {
            await store.FailAsync(step.ImportId, $"{step.Stage} {step.Cursor}: {e.Message}", ct);
            throw;
        }

        var now = clock.GetUtcNow();
        var accepted = new List<Interaction>(page.Interactions.Count);
        foreach (var interaction in page.Interactions)
        {
            if (InteractionLimits.Problem(interaction, now) is { } problem)
            {
                logger.LogWarning("Import {ImportId}: interaction {InteractionId} refused: {Problem}", step.ImportId, interaction.Id, problem);
            }
            else
            {
                accepted.Add(interaction);
            }
        }

        foreach (var json in IngestMessage.Pack(step.Source, $"import:{step.ImportId}", accepted))
        {
            await storage.Interactions.SendMessageAsync(json, ct);
        }

        foreach (var next in await store.ScheduleAsync(page.Next, ct))
        {
            await storage.Queue(StorageNames.ImportsQueue).SendMessageAsync(next.ToJson(), ct);
        }

        await store.CompleteAsync(step, accepted.Count, page.Skipped + page.Interactions.Count - accepted.Count, ct);
        logger.LogInformation("Import {ImportId}: {Source} {Stage} {Cursor} gave {Count} interactions", step.ImportId, step.Source, step.Stage, step.Cursor, accepted.Count);
    }
}
