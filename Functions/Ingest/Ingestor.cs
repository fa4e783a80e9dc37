using Azure.Storage.Queues;
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
    ITextClassifier classifier,
    WebhookArchive archive,
    IOptions<IngestOptions> options,
    Telemetry.EngageMetrics metrics,
    People.IdentityRecorder identities,
    WaitingReplyMarks marks,
    ILogger<Ingestor> logger)
{
    /// <summary>Interactions of one message in flight at once (each is a chain of a few dependent round trips).</summary>
    private const int ParallelInteractions = 8;

    public async Task HandleAsync(QueueMessage message, CancellationToken ct)
    {
        await using var touched = store.Arrivals.Collect(); // the message's arrival row, after its facts (decision 1201)
        await storage.EnsureReadyAsync(ct);
        IngestMessage ingest;
        if (DeliveryMessage.Is(message.Body))
        {
            // A whole delivery: archived (blob, created once) before anything of it is ingested (decision 1131).
            var (envelope, body) = DeliveryMessage.Read(message.Body);
            var interactions = await archive.ArchiveDeliveryAsync(envelope.Source ?? "", envelope.Archive!, body, envelope.Headers, ct);
            ingest = envelope with { Type = IngestMessage.InteractionsType, Interactions = interactions.Select(i => IngestMessage.Fit(i).Item).ToList() };
        }
        else
        {
            ingest = IngestMessage.Parse(message.Body.ToString());
        }

        if (ingest.Type == IngestMessage.PendingParentType && ingest.Pending is { } pending)
        {
            await ResolvePendingAsync(pending, ingest.ThreadRootAuthor, (int)message.DequeueCount, ct);
            return;
        }

        if (ingest.Archive is { } archived)
        {
            // Who the archived body names, so an erasure finds it without reading the archive (decision 0901); before the facts, so facts imply an index row.
            var indexed = await archive.IndexAsync(archived, ingest.Interactions, ct);

            // Then whether any of them was erased since the delivery was received, while it waited on the queue (decision 1132).
            if (await archive.ErasedSinceAsync(WebhookArchive.Named(ingest.Interactions), ingest.ReceivedAt, ct) is { Count: > 0 } erased)
            {
                ingest = ingest with { Interactions = await archive.EraseQueuedAsync(archived, indexed, ingest.ReceivedAt, ingest.Interactions, erased, ct) };
            }
        }

        var parked = 0;
        var batch = store.Collect();

        // The interactions of a message run concurrently, in rounds: an interaction whose parent (or an earlier copy
        // of itself) is in the same message runs in a later round than it, so it finds the parent's item as when the
        // message ran in order; the others do not depend on each other (decision 1211).
        foreach (var round in IngestRounds.Of(ingest.Interactions))
        {
            // Each round in three steps: the interactions read their parents and are classified concurrently; then
            // the round's items rows are written together, a transaction per shard (decision 1271); then each
            // interaction goes on concurrently with its replies look-up, registration and facts.
            var prepared = new Prepared?[round.Count];
            parked += await ForEachAsync(ingest, Enumerable.Range(0, round.Count), async (k, token) => prepared[k] = await PrepareAsync(round[k], token),
                k => round[k], ct);
            var ready = prepared.Where(p => p is not null).Select(p => p!).ToList();
            var items = ready.Where(p => p.Item is not null).ToList();
            var stored = items.Count == 0 ? [] : await store.AddItemsAsync([.. items.Select(p => p.Item!)], ct);
            var outcome = new Dictionary<Prepared, (FactStore.StoredItem? Item, Exception? Error)>(ReferenceEqualityComparer.Instance);
            for (var k = 0; k < items.Count; k++)
            {
                outcome[items[k]] = stored[k];
            }

            parked += await ForEachAsync(ingest, ready, async (p, token) =>
            {
                var (item, refused) = outcome.GetValueOrDefault(p);
                if (refused is not null)
                {
                    throw refused; // an items row storage refused alone: this interaction is parked on its own
                }

                await FinishAsync(p, item, token);
            }, p => p.Interaction, ct);
        }

        // The message's fact rows, written together: one transaction per partition (FactStore.Collect). A row
        // storage refuses makes the rows of that batch go one by one, each interaction parked on its own.
        foreach (var failed in (await batch.FlushAsync(ct)).DistinctBy(f => f.Fact.InteractionId))
        {
            if (ingest.Interactions.FirstOrDefault(i => i.Id == failed.Fact.InteractionId) is { } interaction)
            {
                await ParkAsync(ingest, interaction, failed.Error, ct);
                parked++;
            }
        }

        // Here the message is processed: every interaction of it is stored or parked (what follows only reports).
        metrics.Ingested(ingest.Source ?? "unknown", ingest.Interactions.Count - parked);
        logger.LogInformation("Ingested {Count} interactions from {Source} delivery {DeliveryId}, {Parked} parked",
            ingest.Interactions.Count - parked, ingest.Source, ingest.DeliveryId, parked);
    }

    /// <summary>
    /// Runs <paramref name="step"/> on the elements concurrently. A failure that a retry would only repeat (a bug, a
    /// row storage refuses) parks that element's interaction on its own and the rest of the message goes on.
    /// Transient storage errors are not caught: they fail the whole message, which is retried (inserts are
    /// idempotent, so that is safe).
    /// </summary>
    /// <returns>How many were parked.</returns>
    private async Task<int> ForEachAsync<T>(IngestMessage ingest, IEnumerable<T> elements, Func<T, CancellationToken, Task> step, Func<T, Interaction> interactionOf,
        CancellationToken ct)
    {
        var parked = 0;
        await Parallel.ForEachAsync(elements, new ParallelOptions { MaxDegreeOfParallelism = ParallelInteractions, CancellationToken = ct }, async (element, token) =>
        {
            try
            {
                await step(element, token);
            }
            catch (Exception e) when (!EngageStorage.IsUnavailable(e) && e is not OperationCanceledException)
            {
                await ParkAsync(ingest, interactionOf(element), e, token);
                Interlocked.Increment(ref parked);
            }
        });
        return parked;
    }

    /// <summary>The poison queue of <c>interactions</c>, where a parked interaction waits for a fix and a replay.</summary>
    public QueueClient Parked => storage.Queue(storage.Names.Interactions + "-poison");

    /// <summary>
    /// Puts one interaction on the poison queue as a message of its own, with the error, so that
    /// <c>POST /api/ops/replay</c> moves it back to <c>interactions</c> once the cause is fixed.
    /// </summary>
    private async Task ParkAsync(IngestMessage ingest, Interaction interaction, Exception error, CancellationToken ct)
    {
        var reason = $"{error.GetType().Name}: {error.Message}";
        var message = new IngestMessage
        {
            Source = ingest.Source,
            DeliveryId = ingest.DeliveryId,
            Interactions = [interaction],
            Error = reason.Length > IngestMessage.MaxErrorChars ? reason[..IngestMessage.MaxErrorChars] : reason,
        };
        await Parked.SendMessageAsync(message.ToJson(), ct);
        logger.LogError(error, "Interaction {InteractionId} of {Source} delivery {DeliveryId} failed and is parked on {Queue}; the rest of its message is stored",
            interaction.Id, ingest.Source, ingest.DeliveryId, Parked.Name);
    }

    /// <summary>What an interaction's ingest knows before its items row is written: its parent, signals, item and version.</summary>
    private sealed record Prepared(Interaction Interaction, ItemInfo? Parent, SignalSet Signals, string? Version, ItemInfo? Item);

    /// <summary>One interaction on its own (tools and tests): its items row alone, then the rest as in a message.</summary>
    public async Task IngestAsync(Interaction interaction, CancellationToken ct)
    {
        var prepared = await PrepareAsync(interaction, ct);
        var stored = prepared.Item is { } item ? await store.AddItemAsync(item, ct) : null;
        await FinishAsync(prepared, stored, ct);
    }

    /// <summary>The identity recorded, the parent read, the text classified: the items row to write, if any.</summary>
    private async Task<Prepared> PrepareAsync(Interaction interaction, CancellationToken ct)
    {
        await identities.RecordAsync(interaction, ct); // bot flag and profile, once per identity per process (decisions 1141, 1144)
        var parent = interaction.InReplyTo?.Id is { } parentId ? await store.GetItemAsync(parentId, ct) : null;
        var (signals, version) = Classify(interaction, parent);
        var item = interaction.Kind is InteractionKind.Reaction or InteractionKind.Follow ? null
            : new ItemInfo(interaction.Id, interaction.Actor, interaction.Kind, (signals & SignalSet.Question) != 0, interaction.OccurredAt, interaction.ActorHandle) { ClassifierVersion = version };
        return new Prepared(interaction, parent, signals, version, item);
    }

    /// <summary>After the items row (<paramref name="stored"/>, as written): the replies that waited for it, the registration, the facts.</summary>
    private async Task FinishAsync(Prepared prepared, FactStore.StoredItem? stored, CancellationToken ct)
    {
        var (interaction, parent, signals, version, _) = prepared;
        if (stored is { Item: var item, WasThere: var wasThere })
        {
            // Replies that came first (or know an older classification of this item) take its columns now (decision 1121).
            // A row there before the insert (a waiting reply's mark, a redelivery, a replay) says where to look; a new
            // row means no reply waits, once the parents of replies registered before the marks are marked (decision 1251)
            // and the items rows of before the shards are in them (decision 1271).
            if (wasThere || !marks.Ready || !store.ItemShards.Ready)
            {
                await store.MergeIntoRepliesAsync(item, ct);
            }
        }

        var facts = Fact.For(interaction, signals, parent).Select(f => f with { ClassifierVersion = version }).ToList();
        // Registered before the facts are written, and the parent read again after: a parent arriving meanwhile
        // either finds the registration or is found by the second read (decision 1121).
        await store.RegisterReplyAsync(facts[0], interaction.ThreadRootAuthor, parent, ct);
        await store.InsertAsync(facts, ct);
        if (parent is null && interaction.InReplyTo?.Id is { } lateId && await store.GetItemAsync(lateId, ct) is { } late)
        {
            await store.MergeParentAsync(facts[0], late, interaction.ThreadRootAuthor, ct);
            parent = late;
        }

        if (interaction.NeedsParentAuthor && parent is null)
        {
            // Only the thread-root fallback waits on the queue: the parent's arrival, however late, writes its give itself.
            var pending = new IngestMessage
            {
                Type = IngestMessage.PendingParentType,
                Pending = facts[0],
                ThreadRootAuthor = interaction.ThreadRootAuthor,
            };
            await storage.Interactions.SendMessageAsync(pending.ToJson(), options.Value.PendingParentDelay, cancellationToken: ct);
        }
    }

    /// <summary>
    /// The text signals and the classifier version that read them. Whatever the classifier throws, the
    /// interaction is still stored, without text signals and without a version (logged): a replay after
    /// the classifier is fixed fills them in.
    /// </summary>
    private (SignalSet Signals, string? Version) Classify(Interaction interaction, ItemInfo? parent)
    {
        try
        {
            var signals = classifier.Classify(new SignalInput(
                interaction.Text,
                interaction.Kind,
                interaction.Mentions,
                ParentIsQuestion: parent?.Question ?? false,
                SelfReply: interaction.Kind == InteractionKind.Reply && (interaction.InReplyTo?.Author ?? parent?.Author) == interaction.Actor,
                Accepted: interaction.Accepted)) & ~SignalSet.Answer;
            return (signals, classifier.Version);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "The text classifier failed on interaction {InteractionId}: it is stored without text signals", interaction.Id);
            return (SignalSet.None, null);
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

        if (parent is not null)
        {
            // Found: the same merge the parent's arrival runs (idempotent): every copy gets the parent's columns.
            await store.MergeParentAsync(actorFact, parent, threadRootAuthor, ct);
            return;
        }

        // Fallback: the actor's row cannot resolve, so a row of its own records where the give went. Should the
        // parent still arrive, its merge gives these rows the real parent's columns (decision 1121).
        var resolved = actorFact with { InReplyToAuthor = author, RootFallback = true };
        var facts = new List<Fact> { resolved };
        if (author != actorFact.Actor)
        {
            facts.Add(resolved with { UserId = author });
        }

        await store.InsertAsync(facts, ct);
        if (await store.GetItemAsync(parentId, ct) is { } late)
        {
            await store.MergeParentAsync(actorFact, late, threadRootAuthor, ct);
        }
    }
}
