using System.Text.Json;
using Engage.Domain.Import;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.Import;

/// <summary>One platform's history: checks a target, and runs one step of an import at a time.</summary>
public interface IHistoryImporter
{
    string Source { get; }

    /// <summary>Null when <paramref name="target"/> is well-formed for this platform, else what is wrong with it.</summary>
    string? CheckTarget(string target);

    /// <summary>The first step of an import of <paramref name="target"/>.</summary>
    ImportStep First(string importId, string target, DateTimeOffset? since);

    Task<ImportPage> RunAsync(ImportStep step, CancellationToken ct);
}

/// <summary>What the importers share: reading JSON responses and normalizing history items with the webhook source.</summary>
public abstract class HistoryImporterBase(WebhookSource source, ILogger logger)
{
    protected WebhookSource WebhookSource => source;

    /// <summary>The JSON of a successful response; 4xx other than rate limits fail the import, 5xx that survived the retries are thrown for the queue to retry.</summary>
    protected static async Task<JsonDocument> ReadAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                if (status >= 500)
                {
                    throw new HttpRequestException($"{what}: {status} {response.ReasonPhrase}", null, response.StatusCode);
                }

                throw new PlatformRefusedException($"{what}: {status} {response.ReasonPhrase}");
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 128 });
        }
    }

    /// <summary>The interactions of <paramref name="items"/> at or after <paramref name="since"/>; an item the source cannot read is skipped and logged.</summary>
    protected (List<Interaction> Interactions, int Skipped) Normalize(IEnumerable<HistoryItem> items, DateTimeOffset? since)
    {
        var interactions = new List<Interaction>();
        var skipped = 0;
        foreach (var item in items)
        {
            try
            {
                interactions.AddRange(item.NormalizeWith(source).Interactions.Where(i => since is null || i.OccurredAt >= since));
            }
            catch (PayloadException e)
            {
                skipped++;
                logger.LogWarning("A {Source} history item could not be mapped: {Reason}", source.Name, e.Message);
            }
        }

        return (interactions, skipped);
    }

    /// <summary>The query parameter <paramref name="name"/> of the <c>rel="next"</c> link of a <c>Link</c> header (GitHub, Mastodon).</summary>
    protected static string? NextLinkParameter(HttpResponseMessage response, string name)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        foreach (var part in string.Join(",", values).Split(','))
        {
            var sections = part.Split(';');
            if (sections.Length < 2 || !sections.Skip(1).Any(s => s.Trim().Replace(" ", "", StringComparison.Ordinal) is "rel=\"next\"" or "rel=next"))
            {
                continue;
            }

            var url = sections[0].Trim().TrimStart('<').TrimEnd('>');
            var query = url.IndexOf('?') is var q and >= 0 ? url[(q + 1)..] : "";
            foreach (var pair in query.Split('&'))
            {
                var eq = pair.IndexOf('=');
                if (eq > 0 && Uri.UnescapeDataString(pair[..eq]) == name)
                {
                    return Uri.UnescapeDataString(pair[(eq + 1)..]);
                }
            }
        }

        return null;
    }
}
