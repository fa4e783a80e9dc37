using Refit;

namespace Engage.Functions.Import;

// The platforms' REST APIs, as far as history import reads them. Every call returns the raw response: the
// importers read pagination from headers (Link) and bodies (cursors) and parse the JSON themselves.

/// <summary>GitHub REST v3 (issues, pulls, comments) and GraphQL (discussions).</summary>
public interface IGitHubApi
{
    [Get("/repos/{owner}/{repo}/issues?state=all&sort=created&direction=asc&per_page=100")]
    Task<HttpResponseMessage> Issues(string owner, string repo, string? since, int page, CancellationToken ct);

    [Get("/repos/{owner}/{repo}/pulls?state=all&sort=created&direction=desc&per_page=100")]
    Task<HttpResponseMessage> Pulls(string owner, string repo, int page, CancellationToken ct);

    [Get("/repos/{owner}/{repo}/issues/comments?sort=created&direction=asc&per_page=100")]
    Task<HttpResponseMessage> IssueComments(string owner, string repo, string? since, int page, CancellationToken ct);

    [Get("/repos/{owner}/{repo}/pulls/comments?sort=created&direction=asc&per_page=100")]
    Task<HttpResponseMessage> ReviewComments(string owner, string repo, string? since, int page, CancellationToken ct);

    [Get("/repos/{owner}/{repo}/issues/{number}")]
    Task<HttpResponseMessage> Issue(string owner, string repo, int number, CancellationToken ct);

    [Get("/repos/{owner}/{repo}/pulls/{number}")]
    Task<HttpResponseMessage> Pull(string owner, string repo, int number, CancellationToken ct);

    /// <summary>GraphQL (discussions have no REST listing). The client's base address is the GraphQL root.</summary>
    [Post("/graphql")]
    Task<HttpResponseMessage> GraphQL([Body] System.Text.Json.Nodes.JsonObject query, CancellationToken ct);
}

/// <summary>Mastodon REST v1.</summary>
public interface IMastodonApi
{
    [Get("/api/v1/accounts/lookup")]
    Task<HttpResponseMessage> LookupAccount(string acct, CancellationToken ct);

    [Get("/api/v1/accounts/{id}/statuses?limit=40")]
    Task<HttpResponseMessage> AccountStatuses(string id, [AliasAs("max_id")] string? maxId, CancellationToken ct);

    [Get("/api/v1/timelines/tag/{tag}?limit=40")]
    Task<HttpResponseMessage> TagTimeline(string tag, [AliasAs("max_id")] string? maxId, CancellationToken ct);

    [Get("/api/v1/statuses/{id}/context")]
    Task<HttpResponseMessage> Context(string id, CancellationToken ct);
}

/// <summary>Discourse REST (the JSON twins of its pages).</summary>
public interface IDiscourseApi
{
    [Get("/latest.json?order=created")]
    Task<HttpResponseMessage> Latest(int page, CancellationToken ct);

    [Get("/c/{slug}/{id}.json")]
    Task<HttpResponseMessage> Category(string slug, long id, int page, CancellationToken ct);

    [Get("/t/{id}.json")]
    Task<HttpResponseMessage> Topic(long id, CancellationToken ct);

    [Get("/t/{id}/posts.json")]
    Task<HttpResponseMessage> TopicPosts(long id, [Query(CollectionFormat.Multi), AliasAs("post_ids[]")] IEnumerable<long> postIds, CancellationToken ct);
}

/// <summary>Slack Web API (Tier 3 for history and replies: about 50 calls a minute).</summary>
public interface ISlackApi
{
    [Get("/auth.test")]
    Task<HttpResponseMessage> AuthTest(CancellationToken ct);

    [Get("/conversations.history?limit=200")]
    Task<HttpResponseMessage> History(string channel, string? oldest, string? cursor, CancellationToken ct);

    [Get("/conversations.replies?limit=200")]
    Task<HttpResponseMessage> Replies(string channel, string ts, string? cursor, CancellationToken ct);
}
