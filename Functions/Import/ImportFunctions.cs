using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage.Queues.Models;
using Engage.Functions.Http;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Import;

/// <summary><c>POST /api/ops/import</c>, <c>GET /api/ops/import/{importId}</c> and the <c>imports</c> queue.</summary>
public sealed partial class ImportFunctions(ImportWorker worker, ImportStore store, EngageStorage storage, TimeProvider clock)
{
    [GeneratedRegex("^imp_[a-z0-9]{1,40}$")]
    private static partial Regex ImportIdPattern();

    [Function("StartImport")]
    public async Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/import")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ImportRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<ImportRequest>(request.Body, EngageJson.Options, cancellationToken);
        }
        catch (JsonException e)
        {
            return Problems.BadRequest($"The body is not an import request such as {{\"source\":\"github\",\"target\":\"owner/repo\",\"since\":\"2026-01-01T00:00:00Z\"}}: {e.Message}");
        }

        if (body?.Source is not { } source || worker.Find(source) is not { } importer)
        {
            return Problems.BadRequest("source must be one of github, discourse, mastodon, slack.");
        }

        if (body.Target is not { Length: > 0 and <= 300 } target || importer.CheckTarget(target) is { } wrong)
        {
            return Problems.BadRequest(body.Target is { Length: > 0 and <= 300 } t ? importer.CheckTarget(t)! : "target is required (at most 300 characters).");
        }

        if (body.Since is { } since && (since.Year < 2000 || since > clock.GetUtcNow()))
        {
            return Problems.BadRequest("since must be an ISO-8601 time after 2000-01-01 and not in the future.");
        }

        var importId = $"imp_{clock.GetUtcNow():yyyyMMddHHmmss}{Guid.NewGuid():N}"[..34].ToLowerInvariant();
        var first = importer.First(importId, target, body.Since?.ToUniversalTime());
        return await Problems.WhenStorageAnswersAsync(request, async () =>
        {
            await store.CreateAsync(first, clock.GetUtcNow(), cancellationToken);
            await storage.Queue(StorageNames.ImportsQueue).SendMessageAsync(first.ToJson(), cancellationToken);
            return Problems.Json(new ImportAccepted(importId), 202);
        }, "Storage did not answer; nothing was started.");
    }

    [Function("ImportStatus")]
    public async Task<IActionResult> Status(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/import/{importId}")] HttpRequest request,
        string importId,
        CancellationToken cancellationToken)
    {
        if (!ImportIdPattern().IsMatch(importId))
        {
            return Problems.BadRequest("importId is malformed.");
        }

        return await Problems.WhenStorageAnswersAsync(request, async () =>
            await store.StatusAsync(importId, cancellationToken) is { } status
                ? Problems.Json(status)
                : Problems.NotFound($"No import {importId}."));
    }

    [Function("Import")]
    public Task Run(
        [QueueTrigger(StorageNames.ImportsQueue, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        worker.HandleAsync(message, cancellationToken);
}
