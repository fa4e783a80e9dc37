using Azure;
using Azure.Data.Tables;
using Engage.Functions.Storage;
using Engage.Tests.Support;

namespace Engage.Tests.Storage;

/// <summary>Group commit by partition (decision 1213) against Azurite: every row stored once, each caller told about its own rows.</summary>
public sealed class PartitionWriterTests : IAsyncLifetime
{
    private readonly TableClient _table = new TableServiceClient(TestStorage.ConnectionString).GetTableClient(TestStorage.UniqueName("tpw"));

    public async Task InitializeAsync() => await _table.CreateIfNotExistsAsync();

    public async Task DisposeAsync() => await _table.DeleteAsync();

    private (TableClient, TableEntity, Func<CancellationToken, Task>) Insert(string partition, string row)
    {
        var entity = new TableEntity(partition, row) { ["Value"] = row };
        return (_table, entity, async ct =>
        {
            try
            {
                await _table.AddEntityAsync(entity, ct);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Already there: success, as for every insert of the store.
            }
        });
    }

    private async Task<List<string>> RowsAsync(string partition)
    {
        var rows = new List<string>();
        await foreach (var e in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}")))
        {
            rows.Add(e.RowKey);
        }

        return rows;
    }

    [Fact]
    public async Task WriteAsync_ManyCallersOnePartition_EveryRowStoredOnce()
    {
        var writer = new PartitionWriter(TableTransactionActionType.Add);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(caller =>
            writer.WriteAsync(Enumerable.Range(0, 15).Select(n => Insert(n % 2 == 0 ? "p:even" : "p:odd", $"c{caller:D2}-r{n:D2}")), CancellationToken.None)));

        Assert.All(results.SelectMany(r => r), Assert.Null);
        Assert.Equal(20 * 8, (await RowsAsync("p:even")).Count);
        Assert.Equal(20 * 7, (await RowsAsync("p:odd")).Count);
    }

    [Fact]
    public async Task WriteAsync_ARowAlreadyThereAndTheSameRowTwice_AllSucceed()
    {
        var writer = new PartitionWriter(TableTransactionActionType.Add);
        await _table.AddEntityAsync(new TableEntity("p:a", "there"));

        var results = await writer.WriteAsync([Insert("p:a", "there"), Insert("p:a", "new"), Insert("p:a", "new"), Insert("p:a", "other")], CancellationToken.None);

        Assert.All(results, Assert.Null);
        Assert.Equal(["new", "other", "there"], (await RowsAsync("p:a")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_ARowStorageRefuses_OnlyThatRowReportsAnError()
    {
        var writer = new PartitionWriter(TableTransactionActionType.Add);
        var refused = Insert("p:b", "refused");
        refused.Item2["Value"] = new string('x', 70_000); // over the 64 KiB a string property may hold

        var results = await writer.WriteAsync([Insert("p:b", "one"), refused, Insert("p:b", "two")], CancellationToken.None);

        Assert.Null(results[0]);
        Assert.NotNull(results[1]);
        Assert.Null(results[2]);
        Assert.Equal(["one", "two"], (await RowsAsync("p:b")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_Upserts_ReplaceWhatIsThere()
    {
        var writer = new PartitionWriter(TableTransactionActionType.UpsertReplace);
        await _table.AddEntityAsync(new TableEntity("p:c", "one") { ["Value"] = "old" });
        var row = new TableEntity("p:c", "one") { ["Value"] = "new" };

        var results = await writer.WriteAsync([(_table, row, ct => _table.UpsertEntityAsync(row, TableUpdateMode.Replace, ct)), Insert("p:c", "two")], CancellationToken.None);

        Assert.All(results, Assert.Null);
        Assert.Equal("new", (await _table.GetEntityAsync<TableEntity>("p:c", "one")).Value.GetString("Value"));
    }
}
