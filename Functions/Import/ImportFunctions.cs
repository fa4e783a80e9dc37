using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage.Queues.Models;
using Engage.Functions.Http;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Import;

/// <summary><c>POST /api/ops/import</c>, <c>GET /api/ops/import/{importId}</c> and the <c>imports</c> queue (docs/decisions/1001).</summary>
public sealed partial class ImportFunctions(ImportWorker worker, ImportStore store, EngageStorage storage, TimeProvider clock)
{
    [GeneratedRegex("^imp_[a-z0-9]{1,40}$")]
    private static partial Regex ImportIdPattern();

    [Function("StartImport")]
    [Consumes(typeof(ImportRequestBody), "application/json")]
    public async Task<Accepted<ImportAccepted>> Start(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "ops/import")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ImportRequestBody? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(request.Body, EngageJsonContext.Default.ImportRequestBody, cancellationToken);
        }
        catch (JsonException e)
        {
            throw Problems.BadRequest($"The body is not an import request such as {{\"source\":\"github\",\"target\":\"owner/repo\",\"since\":\"2026-01-01T00:00:00Z\"}}: {e.Message}");
        }

        if (body?.Source is not { } source || worker.Find(source) is not { } importer)
        {
            throw Problems.BadRequest("source must be one of github, discourse, mastodon, slack.");
        }

        if (body.Target is not { Length: > 0 and <= 300 } target)
        {
            throw Problems.BadRequest("target is required (at most 300 characters).");
        }

        if (importer.CheckTarget(target) is { } wrong)
        {
            throw Problems.BadRequest(wrong);
        }

        DateTimeOffset? since = null;
        if (body.Since is { } text)
        {
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                || parsed.Year < 2000 || parsed > clock.GetUtcNow())
            {
                throw Problems.BadRequest("since must be an ISO-8601 time after 2000-01-01 and not in the future.");
            }

            since = parsed.ToUniversalTime();
        }

        var importId = $"imp_{clock.GetUtcNow():yyyyMMddHHmmss}{Guid.NewGuid():N}"[..34].ToLowerInvariant();
        var first = importer.First(importId, target, since);
        await store.CreateAsync(first, clock.GetUtcNow(), cancellationToken);
        await storage.Queue(StorageNames.ImportsQueue).SendMessageAsync(first.ToJson(), cancellationToken);
        return TypedResults.Accepted($"/api/ops/import/{importId}", new ImportAccepted(importId));
    }

    [Function("ImportStatus")]
    public async Task<Results<Ok<ImportStatus>, ProblemHttpResult>> Status(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "ops/import/{importId}")] HttpRequest request,
        string importId,
        CancellationToken cancellationToken)
    {
        if (!ImportIdPattern().IsMatch(importId))
        {
            throw Problems.BadRequest("importId is malformed.");
        }

        return await store.StatusAsync(importId, cancellationToken) is { } status
            ? TypedResults.Ok(status)
            : Problems.NotFound($"No import {importId}.");
    }

    [Function("Import")]
    public Task Run(
        [QueueTrigger(StorageNames.ImportsQueue, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        worker.HandleAsync(message, cancellationToken);
}
