using Azure;
using Azure.Data.Tables;
using Engage.Domain.Import;
using Engage.Functions.Storage;

namespace Engage.Functions.Import;

/// <summary>
/// Table <c>imports</c>, one partition per import: the import row (<c>import</c>), one progress row per step
/// (<c>step:…</c>: scheduled, then done with its interaction count), and the GitHub parents the stages
/// recorded (<c>gh:{issue|pull}:{number}</c>). Every write is an upsert of a row of its own, so a step
/// that runs twice changes nothing, and the status is a read of the partition.
/// </summary>
public sealed class ImportStore(EngageStorage storage)
{
    private const string ImportRow = "import";
    private TableClient Table => storage.Imports;

    public async Task CreateAsync(ImportStep first, DateTimeOffset now, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        await Table.UpsertEntityAsync(new TableEntity(first.ImportId, ImportRow)
        {
            ["Source"] = first.Source,
            ["Target"] = first.Target,
            ["Since"] = first.Since,
            ["CreatedAt"] = now,
        }, TableUpdateMode.Merge, ct);
        await ScheduleAsync([first], ct);
    }

    /// <summary>Marks steps as scheduled (a step already done stays done); returns those not done yet.</summary>
    public async Task<IReadOnlyList<ImportStep>> ScheduleAsync(IReadOnlyList<ImportStep> steps, CancellationToken ct)
    {
        var pending = new List<ImportStep>();
        foreach (var step in steps)
        {
            try
            {
                await Table.AddEntityAsync(new TableEntity(step.ImportId, step.Key) { ["Stage"] = step.Stage, ["State"] = "scheduled" }, ct);
                pending.Add(step);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                var existing = await Table.GetEntityAsync<TableEntity>(step.ImportId, step.Key, ["State"], ct);
                if (existing.Value.GetString("State") != "done")
                {
                    pending.Add(step);
                }
            }
        }

        return pending;
    }

    public Task CompleteAsync(ImportStep step, int interactions, int skipped, CancellationToken ct) =>
        Table.UpsertEntityAsync(new TableEntity(step.ImportId, step.Key)
        {
            ["Stage"] = step.Stage,
            ["State"] = "done",
            ["Interactions"] = interactions,
            ["Skipped"] = skipped,
        }, TableUpdateMode.Replace, ct);

    public Task FailAsync(string importId, string error, CancellationToken ct) =>
        Table.UpsertEntityAsync(new TableEntity(importId, ImportRow) { ["Error"] = error.Length > 2000 ? error[..2000] : error }, TableUpdateMode.Merge, ct);

    /// <summary>The import's status: counts summed over its steps; running while any step is scheduled and not done.</summary>
    public async Task<ImportStatus?> StatusAsync(string importId, CancellationToken ct)
    {
        await storage.EnsureReadyAsync(ct);
        TableEntity? head = null;
        int pages = 0, interactions = 0, open = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {importId} and RowKey ge {ImportRow} and RowKey lt {"step;"}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            if (row.RowKey == ImportRow)
            {
                head = row;
            }
            else if (row.GetString("State") == "done")
            {
                pages++;
                interactions += row.GetInt32("Interactions") ?? 0;
            }
            else
            {
                open++;
            }
        }

        if (head is null)
        {
            return null;
        }

        var error = head.GetString("Error");
        var status = error is not null ? "failed" : open > 0 ? "running" : "done";
        return new ImportStatus(importId, head.GetString("Source") ?? "", head.GetString("Target") ?? "", status, pages, interactions, error);
    }

    public async Task<bool> HasFailedAsync(string importId, CancellationToken ct)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(importId, ImportRow, ["Error"], ct);
        return row.HasValue && row.Value!.GetString("Error") is not null;
    }

    public async Task RememberParentsAsync(string importId, IReadOnlyList<(string Kind, int Number, GitHubParent Parent)> parents, CancellationToken ct)
    {
        // One partition, at most 100 operations per transaction (Table Storage's limit).
        foreach (var chunk in parents.DistinctBy(p => (p.Kind, p.Number)).Chunk(100))
        {
            await Table.SubmitTransactionAsync(chunk.Select(p => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity(importId, ParentKey(p.Kind, p.Number))
                {
                    ["Id"] = p.Parent.Id,
                    ["Login"] = p.Parent.Login,
                    ["Type"] = p.Parent.Type,
                })), ct);
        }
    }

    public async Task<Dictionary<int, GitHubParent>> ParentsAsync(string importId, string kind, IReadOnlyList<int> numbers, CancellationToken ct)
    {
        var found = new Dictionary<int, GitHubParent>();
        foreach (var number in numbers)
        {
            var row = await Table.GetEntityIfExistsAsync<TableEntity>(importId, ParentKey(kind, number), cancellationToken: ct);
            if (row.HasValue && row.Value!.GetInt64("Id") is { } id && row.Value.GetString("Login") is { } login)
            {
                found[number] = new GitHubParent(id, login, row.Value.GetString("Type"));
            }
        }

        return found;
    }

    private static string ParentKey(string kind, int number) => $"gh:{kind}:{number.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
