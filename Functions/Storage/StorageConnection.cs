using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Engage.Functions.Storage;

/// <summary>
/// Reads the <c>AzureWebJobsStorage</c> setting in either of the host's two shapes: a connection
/// string (locally, Azurite) or identity-based (<c>__credential</c>, <c>__clientId</c> and
/// <c>__blobServiceUri</c> / <c>__queueServiceUri</c> / <c>__tableServiceUri</c>, or <c>__accountName</c>).
/// </summary>
public sealed record StorageConnection(
    string? ConnectionString,
    Uri? BlobServiceUri,
    Uri? QueueServiceUri,
    Uri? TableServiceUri,
    string? Credential,
    string? ClientId)
{
    public const string SettingName = "AzureWebJobsStorage";

    public bool UsesIdentity => ConnectionString is null;

    public static StorageConnection From(IConfiguration configuration, string name = SettingName)
    {
        var section = configuration.GetSection(name);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new StorageConnection(section.Value, null, null, null, null, null);
        }

        var account = section["accountName"];
        Uri? Service(string key, string kind) =>
            section[key] is { Length: > 0 } uri ? new Uri(uri)
            : account is { Length: > 0 } ? new Uri($"https://{account}.{kind}.core.windows.net")
            : null;

        var connection = new StorageConnection(
            null,
            Service("blobServiceUri", "blob"),
            Service("queueServiceUri", "queue"),
            Service("tableServiceUri", "table"),
            section["credential"],
            section["clientId"]);
        if (connection.BlobServiceUri is null || connection.QueueServiceUri is null || connection.TableServiceUri is null)
        {
            throw new InvalidOperationException(
                $"Setting '{name}' is missing: give a connection string, or '{name}__blobServiceUri', '{name}__queueServiceUri' and '{name}__tableServiceUri' (or '{name}__accountName') with '{name}__credential'.");
        }

        return connection;
    }

    public TokenCredential CreateCredential() =>
        string.Equals(Credential, "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(ClientId is { Length: > 0 } id ? ManagedIdentityId.FromUserAssignedClientId(id) : ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ClientId });

    /// <summary>Fail fast: a storage outage must become a 503 in seconds, not after ~30 s of retries.</summary>
    private static T Tune<T>(T options) where T : ClientOptions
    {
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(20);
        return options;
    }

    public TableServiceClient CreateTableServiceClient() => UsesIdentity
        ? new TableServiceClient(TableServiceUri!, CreateCredential(), Tune(new TableClientOptions()))
        : new TableServiceClient(ConnectionString!, Tune(new TableClientOptions()));

    public QueueServiceClient CreateQueueServiceClient()
    {
        // The Functions host reads queue messages as base64 (host.json messageEncoding).
        var options = Tune(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        return UsesIdentity
            ? new QueueServiceClient(QueueServiceUri, CreateCredential(), options)
            : new QueueServiceClient(ConnectionString, options);
    }

    public BlobServiceClient CreateBlobServiceClient() => UsesIdentity
        ? new BlobServiceClient(BlobServiceUri, CreateCredential(), Tune(new BlobClientOptions()))
        : new BlobServiceClient(ConnectionString, Tune(new BlobClientOptions()));
}
