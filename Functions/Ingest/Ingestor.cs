using Azure.Storage.Queues.Models;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Signals;
using Engage.Functions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Ingest;

public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>Delay before a reply whose parent is unknown looks for it again.</summary>
    public TimeSpan PendingParentDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Must equal host.json <c>extensions.queues.maxDequeueCount</c>: the last dequeue falls back instead of failing.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;
}

/// <summary>Raised when a parent is not yet in the items index: the queue redelivers the message later.</summary>
public sealed class ParentNotYetKnownException(string parentId)
    : Exception($"Parent item '{parentId}' is not in the items index yet; the message will be retried.");

/// <summary>
/// Writes the items index and one fact per (affected user, interaction). Inserts only: a
/// duplicate is success, so any redelivery or replay is harmless.
/// </summary>
public sealed class Ingestor(
    FactStore store,
    EngageStorage storage,
    SignalClassifier classifier,
    WebhookArchive archive,
    IOptions<IngestOptions> options,
    Telemetry.EngageMetrics metrics,
    ILogger<Ingestor> logger)
{
    public async Task HandleAsync(QueueMessage message, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        var ingest = IngestMessage.Parse(message.Body.ToString());
        if (ingest.Type == IngestMessage.PendingParentType && ingest.Pending is { } pending)
        {
            await ResolvePendingAsync(pending, ingest.ThreadRootAuthor, (int)message.DequeueCount, ct);
            return;
        }

        if (ingest.Archive is { } archived)
        {
            // Who the archived body names, so an erasure finds it without reading the archive (decision 0901); before the facts, so facts imply an index row.
            await archive.IndexAsync(archived, ingest.Interactions, ct);
        }

        foreach (var interaction in ingest.Interactions)
        {
            try
            {
                await IngestAsync(interaction, ct);
            }
            catch (Azure.RequestFailedException e) when (e.Status == 400)
            {
                // Storage refuses this one row for good (intake checks InteractionLimits, so this is a
                // gap in those checks): the rest of the message must not be lost with it.
                logger.LogError(e, "Storage refused interaction {InteractionId} from {Source} delivery {DeliveryId}; it is skipped", interaction.Id, ingest.Source, ingest.DeliveryId);
            }
        }

        metrics.Ingested(ingest.Source ?? "unknown", ingest.Interactions.Count);
        logger.LogInformation("Ingested {Count} interactions from {Source}", ingest.Interactions.Count, ingest.Source);
    }

    public async Task IngestAsync(Interaction interaction, CancellationToken ct)
    {
        var parent = interaction.InReplyTo?.Id is { } parentId ? await store.GetItemAsync(parentId, ct) : null;
        var signals = classifier.Classify(new SignalInput(
            interaction.Text,
            interaction.Kind,
            interaction.Mentions,
            ParentIsQuestion: parent?.Question ?? false,
            SelfReply: interaction.Kind == InteractionKind.Reply && (interaction.InReplyTo?.Author ?? parent?.Author) == interaction.Actor,
            Accepted: interaction.Accepted)) & ~SignalSet.Answer;

        if (interaction.Kind is not (InteractionKind.Reaction or InteractionKind.Follow))
        {
            await store.InsertItemAsync(new ItemInfo(interaction.Id, interaction.Actor, interaction.Kind,
                (signals & SignalSet.Question) != 0, interaction.OccurredAt, interaction.ActorHandle), ct);
        }

        var facts = Fact.For(interaction, signals, parent);
        await store.InsertAsync(facts, ct);

        if (interaction.NeedsParentAuthor && parent is null)
        {
            // Only this one give waits for the parent; the actor's fact is already stored.
            var pending = new IngestMessage
            {
                Type = IngestMessage.PendingParentType,
                Pending = facts[0],
                ThreadRootAuthor = interaction.ThreadRootAuthor,
            };
            await storage.Interactions.SendMessageAsync(pending.ToJson(), options.Value.PendingParentDelay, cancellationToken: ct);
        }
    }

    private async Task ResolvePendingAsync(Fact actorFact, string? threadRootAuthor, int dequeueCount, CancellationToken ct)
    {
        var parentId = actorFact.InReplyToId!;
        var parent = await store.GetItemAsync(parentId, ct);
        string? author = parent?.Author;
        if (author is null)
        {
            if (dequeueCount < options.Value.MaxDequeueCount)
            {
                throw new ParentNotYetKnownException(parentId);
            }

            author = threadRootAuthor;
            if (author is null)
            {
                logger.LogWarning("Parent {ParentId} of {InteractionId} never arrived and no thread root is known: its give is dropped", parentId, actorFact.InteractionId);
                return;
            }

            logger.LogInformation("Parent {ParentId} of {InteractionId} never arrived: the give goes to the thread root's author", parentId, actorFact.InteractionId);
        }

        // Found: the actor's row resolves through the items index at read time; only the target row is new.
        // Fallback: the actor's row cannot, so a row of its own records where the give went.
        var resolved = actorFact with { InReplyToAuthor = author, ParentIsQuestion = parent?.Question ?? actorFact.ParentIsQuestion, RootFallback = parent is null };
        var facts = new List<Fact> { resolved };
        if (author != actorFact.Actor)
        {
            facts.Add(resolved with { UserId = author });
        }

        await store.InsertAsync(facts, ct);
    }
}
