using Azure.Storage.Queues.Models;
using Engage.Functions.Storage;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Ingest;

public sealed class IngestFunction(Ingestor ingestor)
{
    [Function("Ingest")]
    public Task Run(
        [QueueTrigger(StorageNames.InteractionsQueue, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        ingestor.HandleAsync(message, cancellationToken);
}
