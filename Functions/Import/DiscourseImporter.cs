using System.Globalization;
using System.Text.RegularExpressions;
using Engage.Domain.Import;
using Engage.Domain.Sources;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.Import;

/// <summary>
/// Discourse history: the topics of the forum (<c>/latest.json?order=created</c>) or of a category
/// (<c>{forum}/c/{slug}/{id}</c>), a page of topics per step, then one step per topic that reads all its posts
/// (<c>/t/{id}.json</c>, the rest of its stream 20 at a time through <c>/t/{id}/posts.json</c>). Likes are not
/// imported: the topic API gives their count, not who liked (docs/decisions/1003).
/// </summary>
public sealed partial class DiscourseImporter(PlatformClients clients, Discourse source, ILogger<DiscourseImporter> logger)
    : HistoryImporterBase(source, logger), IHistoryImporter
{
    private const int PostsPerRequest = 20;

    public string Source => "discourse";

    [GeneratedRegex(@"^(?<base>https?://[A-Za-z0-9.-]+(?::\d{1,5})?)(?:/c/(?<slug>[A-Za-z0-9_-]{1,100})/(?<id>\d{1,10}))?/?$")]
    private static partial Regex TargetPattern();

    public string? CheckTarget(string target) =>
        TargetPattern().IsMatch(target) ? null : "A discourse target is the forum's base URL (https://forum.example.org), or a category (https://forum.example.org/c/slug/12).";

    public ImportStep First(string importId, string target, DateTimeOffset? since) => new(importId, Source, target, since, "topics", "0");

    public async Task<ImportPage> RunAsync(ImportStep step, CancellationToken ct)
    {
        var m = TargetPattern().Match(step.Target);
        var forum = m.Groups["base"].Value;
        var api = clients.Discourse(forum);
        return step.Stage switch
        {
            "topics" => await TopicsAsync(step, m, api, ct),
            "topic" => await TopicAsync(step, forum, api, ct),
            _ => throw new PlatformRefusedException($"Unknown discourse import stage '{step.Stage}'."),
        };
    }

    private static async Task<ImportPage> TopicsAsync(ImportStep step, Match target, IDiscourseApi api, CancellationToken ct)
    {
        var page = int.Parse(step.Cursor ?? "0", NumberStyles.None, CultureInfo.InvariantCulture);
        var response = target.Groups["slug"].Success
            ? await api.Category(target.Groups["slug"].Value, long.Parse(target.Groups["id"].Value, CultureInfo.InvariantCulture), page, ct)
            : await api.Latest(page, ct);
        using var json = await ReadAsync(response, $"topics page {page}", ct);
        var topics = json.RootElement.Array("topic_list", "topics").ToList();
        var next = new List<ImportStep>();
        var older = false;
        foreach (var topic in topics)
        {
            // Newest first: a topic created before since ends the listing (its later posts were bumps of an old topic).
            if (step.Since is { } since && (topic.Time("created_at") ?? DateTimeOffset.MaxValue) < since)
            {
                older = true;
                continue;
            }

            if (topic.Long("id") is { } id)
            {
                next.Add(step.Next("topic", id.ToString(CultureInfo.InvariantCulture)));
            }
        }

        if (!older && topics.Count > 0 && json.RootElement.Str("topic_list", "more_topics_url") is not null)
        {
            next.Add(step with { Cursor = (page + 1).ToString(CultureInfo.InvariantCulture) });
        }

        return new ImportPage([], next);
    }

    private async Task<ImportPage> TopicAsync(ImportStep step, string forum, IDiscourseApi api, CancellationToken ct)
    {
        var topicId = long.Parse(step.Cursor ?? "", NumberStyles.None, CultureInfo.InvariantCulture);
        var items = new List<HistoryItem>();
        var have = new HashSet<long>();
        List<long> stream;
        using (var topic = await ReadAsync(await api.Topic(topicId, ct), $"topic {topicId}", ct))
        {
            foreach (var post in topic.RootElement.Array("post_stream", "posts"))
            {
                items.Add(DiscourseHistory.Post(forum, post));
                if (post.Long("id") is { } id)
                {
                    have.Add(id);
                }
            }

            stream = topic.RootElement.Array("post_stream", "stream").Select(e => e.TryGetInt64(out var id) ? id : -1).Where(id => id > 0).ToList();
        }

        foreach (var chunk in stream.Where(id => !have.Contains(id)).Chunk(PostsPerRequest))
        {
            using var posts = await ReadAsync(await api.TopicPosts(topicId, chunk, ct), $"posts of topic {topicId}", ct);
            items.AddRange(posts.RootElement.Array("post_stream", "posts").Select(p => DiscourseHistory.Post(forum, p)));
        }

        var (interactions, skipped) = Normalize(items, step.Since);
        return new ImportPage(interactions, [], skipped);
    }
}
