using Azure.Identity;
using Engage.Functions.Storage;
using Microsoft.Extensions.Configuration;

namespace Engage.Tests.Infra;

/// <summary>
/// <see cref="StorageConnection.From"/> reads <c>AzureWebJobsStorage</c> in the shapes the Functions host
/// accepts: a connection string locally, identity-based settings in Azure (what infra/main.bicep sets).
/// Constructing the clients makes no network call.
/// </summary>
public sealed class StorageConnectionTests
{
    private const string ClientId = "6f1c2a57-0c4e-4a43-9d4b-2f1a5f0c7e11";

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();

    [Fact]
    public void From_ConnectionString_UsesItWithoutIdentity()
    {
        var configuration = Configuration(("AzureWebJobsStorage", "UseDevelopmentStorage=true"));

        var connection = StorageConnection.From(configuration);

        Assert.False(connection.UsesIdentity);
        Assert.Equal("UseDevelopmentStorage=true", connection.ConnectionString);
        Assert.Null(connection.BlobServiceUri);
        Assert.Null(connection.QueueServiceUri);
        Assert.Null(connection.TableServiceUri);
        Assert.Equal("devstoreaccount1", connection.CreateBlobServiceClient().AccountName);
        Assert.Equal("devstoreaccount1", connection.CreateQueueServiceClient().AccountName);
        Assert.Equal("devstoreaccount1", connection.CreateTableServiceClient().AccountName);
        Assert.Equal(10000, connection.CreateBlobServiceClient().Uri.Port);
    }

    /// <summary>
    /// The documented connection-string format with an endpoint per service (what the bench and tests give when
    /// blob, queue and table are served by separate Azurite processes): each client goes to its own endpoint.
    /// </summary>
    [Fact]
    public void From_ConnectionStringWithAnEndpointPerService_SendsEachClientToItsEndpoint()
    {
        const string connectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + "BlobEndpoint=http://127.0.0.1:41001/devstoreaccount1;QueueEndpoint=http://127.0.0.1:41002/devstoreaccount1;"
            + "TableEndpoint=http://127.0.0.1:41003/devstoreaccount1;";

        var connection = StorageConnection.From(Configuration(("AzureWebJobsStorage", connectionString)));

        Assert.False(connection.UsesIdentity);
        Assert.Equal(new Uri("http://127.0.0.1:41001/devstoreaccount1"), connection.CreateBlobServiceClient().Uri);
        Assert.Equal(new Uri("http://127.0.0.1:41002/devstoreaccount1"), connection.CreateQueueServiceClient().Uri);
        Assert.Equal(new Uri("http://127.0.0.1:41003/devstoreaccount1"), connection.CreateTableServiceClient().Uri);
        Assert.Equal("devstoreaccount1", connection.CreateBlobServiceClient().AccountName);
        Assert.Equal("devstoreaccount1", connection.CreateQueueServiceClient().AccountName);
        Assert.Equal("devstoreaccount1", connection.CreateTableServiceClient().AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:41002/devstoreaccount1/interactions"), connection.CreateQueueServiceClient().GetQueueClient("interactions").Uri);
    }

    [Fact]
    public void From_IdentitySettings_UsesServiceUrisAndTheUserAssignedIdentity()
    {
        var configuration = Configuration(
            ("AzureWebJobsStorage:credential", "managedidentity"),
            ("AzureWebJobsStorage:clientId", ClientId),
            ("AzureWebJobsStorage:blobServiceUri", "https://stengage.blob.core.windows.net/"),
            ("AzureWebJobsStorage:queueServiceUri", "https://stengage.queue.core.windows.net/"),
            ("AzureWebJobsStorage:tableServiceUri", "https://stengage.table.core.windows.net/"));

        var connection = StorageConnection.From(configuration);

        Assert.True(connection.UsesIdentity);
        Assert.Null(connection.ConnectionString);
        Assert.Equal("managedidentity", connection.Credential);
        Assert.Equal(ClientId, connection.ClientId);
        Assert.Equal(new Uri("https://stengage.blob.core.windows.net/"), connection.BlobServiceUri);
        Assert.Equal(new Uri("https://stengage.queue.core.windows.net/"), connection.QueueServiceUri);
        Assert.Equal(new Uri("https://stengage.table.core.windows.net/"), connection.TableServiceUri);
        Assert.IsType<ManagedIdentityCredential>(connection.CreateCredential());
        Assert.Equal(connection.BlobServiceUri, connection.CreateBlobServiceClient().Uri);
        Assert.Equal(connection.QueueServiceUri, connection.CreateQueueServiceClient().Uri);
        Assert.Equal("stengage", connection.CreateTableServiceClient().AccountName);
    }

    [Fact]
    public void From_AccountNameOnly_DerivesThePublicCloudServiceUris()
    {
        var configuration = Configuration(("AzureWebJobsStorage:accountName", "stengage"));

        var connection = StorageConnection.From(configuration);

        Assert.True(connection.UsesIdentity);
        Assert.Equal(new Uri("https://stengage.blob.core.windows.net"), connection.BlobServiceUri);
        Assert.Equal(new Uri("https://stengage.queue.core.windows.net"), connection.QueueServiceUri);
        Assert.Equal(new Uri("https://stengage.table.core.windows.net"), connection.TableServiceUri);
        Assert.Null(connection.Credential);
        Assert.IsType<DefaultAzureCredential>(connection.CreateCredential());
        Assert.Equal("stengage", connection.CreateQueueServiceClient().AccountName);
        Assert.Equal("stengage", connection.CreateTableServiceClient().AccountName);
        Assert.Equal("stengage", connection.CreateBlobServiceClient().AccountName);
    }

    [Fact]
    public void From_ExplicitUriAndAccountName_PrefersTheExplicitUri()
    {
        var configuration = Configuration(
            ("AzureWebJobsStorage:accountName", "stengage"),
            ("AzureWebJobsStorage:queueServiceUri", "https://queues.example.test/"));

        var connection = StorageConnection.From(configuration);

        Assert.Equal(new Uri("https://queues.example.test/"), connection.QueueServiceUri);
        Assert.Equal(new Uri("https://stengage.blob.core.windows.net"), connection.BlobServiceUri);
    }

    [Fact]
    public void From_IdentityWithoutAllServiceUris_FailsNamingTheSettings()
    {
        var configuration = Configuration(
            ("AzureWebJobsStorage:credential", "managedidentity"),
            ("AzureWebJobsStorage:blobServiceUri", "https://stengage.blob.core.windows.net/"));

        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.From(configuration));

        Assert.Contains("AzureWebJobsStorage__queueServiceUri", error.Message, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsStorage__accountName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_NothingSet_Fails()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.From(Configuration()));

        Assert.Contains("'AzureWebJobsStorage'", error.Message, StringComparison.Ordinal);
    }
}
