using System.Text.Json;
using System.Text.RegularExpressions;
using Engage.Domain.Import;
using Engage.Domain.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Import;

/// <summary>
/// Mastodon history: an account's statuses (<c>server/@account</c>) or a hashtag timeline (<c>server/#tag</c>),
/// newest first, paged by <c>max_id</c> (the <c>Link</c> header's next, else the page's oldest id), each status
/// with its thread (<c>/api/v1/statuses/:id/context</c>) where it has one. Favourites are not imported: the API
/// names who favourited but not when (docs/decisions/1003).
/// </summary>
public sealed partial class MastodonImporter(PlatformClients clients, IOptions<ImportOptions> options, Mastodon source, ILogger<MastodonImporter> logger)
    : HistoryImporterBase(source, logger), IHistoryImporter
{
    public string Source => "mastodon";

    [GeneratedRegex(@"^(?:(?<scheme>https?)://)?(?<server>[A-Za-z0-9.-]+(?::\d{1,5})?)/(?<kind>[@#])(?<name>[A-Za-z0-9_.@-]{1,100})$")]
    private static partial Regex TargetPattern();

    public string? CheckTarget(string target) =>
        TargetPattern().IsMatch(target) ? null : "A mastodon target is server/@account or server/#tag (e.g. fosstodon.org/@ana).";

    public ImportStep First(string importId, string target, DateTimeOffset? since) =>
        new(importId, Source, target, since, TargetPattern().Match(target).Groups["kind"].Value == "#" ? "tag" : "account");

    public async Task<ImportPage> RunAsync(ImportStep step, CancellationToken ct)
    {
        var m = TargetPattern().Match(step.Target);
        var baseUrl = options.Value.Mastodon.BaseUrl is { Length: > 0 } configured ? configured
            : $"{(m.Groups["scheme"].Success ? m.Groups["scheme"].Value : "https")}://{m.Groups["server"].Value}";
        var api = clients.Mastodon(baseUrl);
        var name = m.Groups["name"].Value;
        var server = m.Groups["server"].Value.ToLowerInvariant();
        switch (step.Stage)
        {
            case "account":
                using (var account = await ReadAsync(await api.LookupAccount(name, ct), $"lookup @{name}", ct))
                {
                    var id = account.RootElement.Str("id") ?? throw new PlatformRefusedException($"@{name} has no id.");
                    return new ImportPage([], [step.Next("statuses", $"{id}|")]);
                }

            case "statuses":
                var (accountId, maxId) = SplitCursor(step.Cursor);
                return await PageAsync(step, api, server, await api.AccountStatuses(accountId, maxId, ct), next => $"{accountId}|{next}", ct);

            case "tag":
                return await PageAsync(step, api, server, await api.TagTimeline(name, step.Cursor, ct), next => next, ct);

            default:
                throw new PlatformRefusedException($"Unknown mastodon import stage '{step.Stage}'.");
        }
    }

    private async Task<ImportPage> PageAsync(ImportStep step, IMastodonApi api, string server, HttpResponseMessage response, Func<string, string> cursor, CancellationToken ct)
    {
        var linkNext = NextLinkParameter(response, "max_id");
        using var json = await ReadAsync(response, $"{step.Stage} page", ct);
        var statuses = json.RootElement.EnumerateArray().Select(s => s.Clone()).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<HistoryItem>();
        foreach (var status in statuses)
        {
            if (status.Str("id") is { } id && seen.Add(id))
            {
                items.Add(MastodonHistory.Status(status, server));
            }

            var threaded = status.Str("in_reply_to_id") is not null || status.Long("replies_count") is > 0;
            if (threaded && status.Str("id") is { } statusId && status.At("reblog") is not { ValueKind: JsonValueKind.Object })
            {
                using var context = await ReadAsync(await api.Context(statusId, ct), $"context of {statusId}", ct);
                foreach (var related in context.RootElement.Array("ancestors").Concat(context.RootElement.Array("descendants")))
                {
                    if (related.Str("id") is { } relatedId && seen.Add(relatedId))
                    {
                        items.Add(MastodonHistory.Status(related, server));
                    }
                }
            }
        }

        var (interactions, skipped) = Normalize(items, step.Since);
        var oldest = statuses.LastOrDefault();
        var done = statuses.Count == 0 || (step.Since is { } since && oldest.Time("created_at") < since);
        var next = linkNext ?? oldest.Str("id");
        return new ImportPage(interactions, done || next is null ? [] : [step with { Cursor = cursor(next) }], skipped);
    }

    private static (string AccountId, string? MaxId) SplitCursor(string? cursor) =>
        cursor?.Split('|') is [var account, var max] ? (account, max.Length == 0 ? null : max) : throw new PlatformRefusedException("Malformed mastodon cursor.");
}
