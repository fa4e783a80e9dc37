using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Storage;

/// <summary>
/// The app's tables, queues and container. Creates them once, on first use, so a fresh Azurite
/// works without set-up; in Azure the Bicep template has already created them.
/// </summary>
public sealed class EngageStorage(
    TableServiceClient tables,
    QueueServiceClient queues,
    BlobServiceClient blobs,
    IOptions<StorageNames> names,
    ILogger<EngageStorage> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ready;

    public StorageNames Names { get; } = names.Value;
    public TableServiceClient TableService => tables;
    public TableClient Facts => tables.GetTableClient(Names.Facts);
    public TableClient Items => tables.GetTableClient(Names.Items);
    public TableClient Scores => tables.GetTableClient(Names.Scores);
    public TableClient Community => tables.GetTableClient(Names.Community);
    public TableClient Subscriptions => tables.GetTableClient(Names.Subscriptions);
    public TableClient Digests => tables.GetTableClient(Names.Digests);
    public TableClient People => tables.GetTableClient(Names.People);
    public TableClient Identities => tables.GetTableClient(Names.Identities);
    public TableClient Profiles => tables.GetTableClient(Names.Profiles);
    public TableClient Imports => tables.GetTableClient(Names.Imports);
    public TableClient ArchiveUsers => tables.GetTableClient(Names.ArchiveUsers);
    public TableClient ArchiveIndex => tables.GetTableClient(Names.ArchiveIndex);
    public TableClient Replies => tables.GetTableClient(Names.Replies);
    public TableClient Erasures => tables.GetTableClient(Names.Erasures);
    public TableClient Arrivals => tables.GetTableClient(Names.Arrivals);
    public QueueClient Interactions => queues.GetQueueClient(Names.Interactions);
    public QueueClient Queue(string name) => queues.GetQueueClient(name);
    public BlobContainerClient Webhooks => blobs.GetBlobContainerClient(Names.Webhooks);

    /// <summary>Creates what is missing, once per process; a failure is retried on the next call.</summary>
    public async ValueTask EnsureReadyAsync(CancellationToken ct)
    {
        if (_ready)
        {
            return;
        }

        await _gate.WaitAsync(ct);
        try
        {
            if (_ready)
            {
                return;
            }

            foreach (var table in Names.Tables)
            {
                await tables.CreateTableIfNotExistsAsync(table, ct);
            }

            foreach (var queue in new[] { Names.Interactions, StorageNames.DigestsQueue, StorageNames.ImportsQueue })
            {
                await queues.GetQueueClient(queue).CreateIfNotExistsAsync(cancellationToken: ct);
                await queues.GetQueueClient(queue + "-poison").CreateIfNotExistsAsync(cancellationToken: ct);
            }

            await Webhooks.CreateIfNotExistsAsync(cancellationToken: ct);
            _ready = true;
            logger.LogInformation("Storage ready: tables {Tables}", string.Join(", ", Names.Tables));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// True when storage answers: one metadata read of the <c>interactions</c> queue (no table query, nothing
    /// that grows with the data). Called by the cached health check, not per probe.
    /// </summary>
    public async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            await EnsureReadyAsync(ct);
            await Interactions.GetPropertiesAsync(ct);
            return true;
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            logger.LogWarning("Storage did not answer: {Message}", e.Message);
            return false;
        }
    }

    /// <summary>Errors that mean "storage is not reachable or not answering", as opposed to a bug.</summary>
    public static bool IsUnavailable(Exception e) => e switch
    {
        RequestFailedException { Status: 0 or >= 500 } => true,
        HttpRequestException or TimeoutException or TaskCanceledException => true,
        AggregateException a => a.InnerExceptions.All(IsUnavailable),
        _ => e.InnerException is { } inner && IsUnavailable(inner),
    };
}
