using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Engage.Domain.Import;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.Import;

/// <summary>
/// GitHub history of one repository (<c>owner/repo</c>), in four stages, each paged by the <c>Link</c> header:
/// issues (<c>/issues?state=all&amp;since=</c>, which also lists pull requests by their issue id), pull requests
/// (<c>/pulls?state=all</c>, their own ids), conversation comments (<c>/issues/comments?since=</c>) and review
/// comments (<c>/pulls/comments?since=</c>), then discussions with their comments, replies and accepted answers
/// through GraphQL (newest first, by <c>endCursor</c>). A comment's parent (issue id and author) comes from what the earlier
/// stages recorded, or from one <c>GET</c> of the issue or pull request when it was not listed.
/// </summary>
public sealed partial class GitHubImporter(IGitHubApi api, IGitHubApi graphQL, ImportStore store, GitHub source, ILogger<GitHubImporter> logger)
    : HistoryImporterBase(source, logger), IHistoryImporter
{
    public string Source => "github";

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")]
    private static partial Regex RepoPattern();

    public string? CheckTarget(string target) =>
        RepoPattern().IsMatch(target) ? null : "A github target is a repository, owner/repo.";

    public ImportStep First(string importId, string target, DateTimeOffset? since) => new(importId, Source, target, since, "issues", "1");

    public async Task<ImportPage> RunAsync(ImportStep step, CancellationToken ct)
    {
        var (owner, repo) = Split(step.Target);
        var page = step.Stage == "discussions" ? 0 : int.Parse(step.Cursor ?? "1", NumberStyles.None, CultureInfo.InvariantCulture);
        var since = step.Since?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return step.Stage switch
        {
            "issues" => await IssuesAsync(step, await api.Issues(owner, repo, since, page, ct), ct),
            "pulls" => await PullsAsync(step, await api.Pulls(owner, repo, page, ct), ct),
            "issue-comments" => await CommentsAsync(step, await api.IssueComments(owner, repo, since, page, ct), "issue", ct),
            "review-comments" => await CommentsAsync(step, await api.ReviewComments(owner, repo, since, page, ct), "pull", ct),
            "discussions" => await DiscussionsAsync(step, owner, repo, ct),
            _ => throw new PlatformRefusedException($"Unknown github import stage '{step.Stage}'."),
        };
    }

    private async Task<ImportPage> IssuesAsync(ImportStep step, HttpResponseMessage response, CancellationToken ct)
    {
        var next = NextLinkParameter(response, "page");
        using var json = await ReadAsync(response, $"GET issues page {step.Cursor}", ct);
        var items = new List<HistoryItem>();
        var parents = new List<(string Kind, int Number, GitHubParent Parent)>();
        foreach (var issue in json.RootElement.EnumerateArray())
        {
            // Pull requests are listed here by their issue id, which their conversation comments refer to.
            if (issue.Long("number") is { } number && GitHubParent.Of(issue) is { } parent)
            {
                parents.Add(("issue", (int)number, parent));
            }

            if (issue.At("pull_request") is null)
            {
                items.Add(GitHubHistory.Issue(issue));
            }
        }

        await store.RememberParentsAsync(step.ImportId, parents, ct);
        var (interactions, skipped) = Normalize(items, step.Since);
        return new ImportPage(interactions, [next is null ? step.Next("pulls", "1") : step.Next("issues", next)], skipped);
    }

    private async Task<ImportPage> PullsAsync(ImportStep step, HttpResponseMessage response, CancellationToken ct)
    {
        var next = NextLinkParameter(response, "page");
        using var json = await ReadAsync(response, $"GET pulls page {step.Cursor}", ct);
        var items = new List<HistoryItem>();
        var parents = new List<(string Kind, int Number, GitHubParent Parent)>();
        var older = false;
        foreach (var pull in json.RootElement.EnumerateArray())
        {
            if (pull.Long("number") is { } number && GitHubParent.Of(pull) is { } parent)
            {
                parents.Add(("pull", (int)number, parent));
            }

            items.Add(GitHubHistory.PullRequest(pull));
            older |= step.Since is { } since && pull.Time("created_at") < since;
        }

        await store.RememberParentsAsync(step.ImportId, parents, ct);
        var (interactions, skipped) = Normalize(items, step.Since);
        // Newest first and no since filter: the first pull request older than since ends the stage.
        return new ImportPage(interactions, [next is null || older ? step.Next("issue-comments", "1") : step.Next("pulls", next)], skipped);
    }

    private async Task<ImportPage> CommentsAsync(ImportStep step, HttpResponseMessage response, string parentKind, CancellationToken ct)
    {
        var next = NextLinkParameter(response, "page");
        using var json = await ReadAsync(response, $"GET {step.Stage} page {step.Cursor}", ct);
        var urlField = parentKind == "issue" ? "issue_url" : "pull_request_url";
        var comments = json.RootElement.EnumerateArray().Select(c => c.Clone()).ToList();
        var numbers = comments.Select(c => GitHubHistory.NumberFromUrl(c.Str(urlField))).OfType<int>().Distinct().ToList();
        var parents = await ParentsAsync(step, parentKind, numbers, ct);

        var items = new List<HistoryItem>();
        var skipped = 0;
        foreach (var comment in comments)
        {
            if (GitHubHistory.NumberFromUrl(comment.Str(urlField)) is { } n && parents.TryGetValue(n, out var parent))
            {
                items.Add(parentKind == "issue" ? GitHubHistory.IssueComment(comment, parent) : GitHubHistory.ReviewComment(comment, parent));
            }
            else
            {
                skipped++;
            }
        }

        var (interactions, unreadable) = Normalize(items, step.Since);
        ImportStep? following = next is not null ? step.Next(step.Stage, next)
            : step.Stage == "issue-comments" ? step.Next("review-comments", "1")
            : step.Next("discussions", "");
        return new ImportPage(interactions, following is null ? [] : [following], skipped + unreadable);
    }

    /// <summary>Parents recorded by the issues and pulls stages; one GET each for the rest (an issue updated before since, say).</summary>
    private async Task<Dictionary<int, GitHubParent>> ParentsAsync(ImportStep step, string kind, IReadOnlyList<int> numbers, CancellationToken ct)
    {
        var known = await store.ParentsAsync(step.ImportId, kind, numbers, ct);
        var (owner, repo) = Split(step.Target);
        var fetched = new List<(string Kind, int Number, GitHubParent Parent)>();
        foreach (var number in numbers.Where(n => !known.ContainsKey(n)))
        {
            var response = kind == "issue" ? await api.Issue(owner, repo, number, ct) : await api.Pull(owner, repo, number, ct);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                response.Dispose();
                logger.LogWarning("GitHub {Kind} {Number} of {Repository} is gone: its comments are skipped", kind, number, step.Target);
                continue;
            }

            using var json = await ReadAsync(response, $"GET {kind} {number}", ct);
            if (GitHubParent.Of(json.RootElement) is { } parent)
            {
                known[number] = parent;
                fetched.Add((kind, number, parent));
            }
        }

        await store.RememberParentsAsync(step.ImportId, fetched, ct);
        return known;
    }

    private const string DiscussionsQuery = """
        query($owner: String!, $name: String!, $after: String) {
          repository(owner: $owner, name: $name) {
            discussions(first: 25, after: $after, orderBy: {field: CREATED_AT, direction: DESC}) {
              pageInfo { hasNextPage endCursor }
              nodes {
                databaseId title body createdAt author { login __typename } answer { databaseId }
                comments(first: 50) { nodes {
                  databaseId body createdAt author { login __typename }
                  replies(first: 50) { nodes { databaseId body createdAt author { login __typename } } }
                } }
              }
            }
          }
        }
        """;

    /// <summary>One page of discussions (GraphQL), each with its comments, their replies and the accepted answer, in the webhooks' REST shapes.</summary>
    private async Task<ImportPage> DiscussionsAsync(ImportStep step, string owner, string repo, CancellationToken ct)
    {
        var query = new System.Text.Json.Nodes.JsonObject
        {
            ["query"] = DiscussionsQuery,
            ["variables"] = new System.Text.Json.Nodes.JsonObject { ["owner"] = owner, ["name"] = repo, ["after"] = string.IsNullOrEmpty(step.Cursor) ? null : step.Cursor },
        };
        using var json = await ReadAsync(await graphQL.GraphQL(query, ct), "GraphQL discussions", ct);
        if (json.RootElement.At("errors") is { ValueKind: JsonValueKind.Array } errors && errors.GetArrayLength() > 0)
        {
            throw new PlatformRefusedException($"GraphQL discussions: {errors[0].Str("message")}");
        }

        var connection = json.RootElement.At("data", "repository", "discussions");
        var items = new List<HistoryItem>();
        var older = false;
        foreach (var node in connection?.Array("nodes") ?? [])
        {
            older |= step.Since is { } since && node.Time("createdAt") < since;
            var discussion = Rest(node, null);
            discussion["title"] = node.Str("title");
            items.Add(GitHubHistory.Discussion(discussion));
            var answerId = node.Long("answer", "databaseId");
            foreach (var comment in node.Array("comments", "nodes"))
            {
                var rest = Rest(comment, null);
                items.Add(GitHubHistory.DiscussionComment(discussion.DeepClone().AsObject(), rest));
                if (comment.Long("databaseId") == answerId)
                {
                    items.Add(GitHubHistory.DiscussionAnswered(discussion.DeepClone().AsObject(), rest.DeepClone().AsObject()));
                }

                foreach (var reply in comment.Array("replies", "nodes"))
                {
                    var restReply = Rest(reply, comment.Long("databaseId"));
                    items.Add(GitHubHistory.DiscussionComment(discussion.DeepClone().AsObject(), restReply));
                    if (reply.Long("databaseId") == answerId)
                    {
                        items.Add(GitHubHistory.DiscussionAnswered(discussion.DeepClone().AsObject(), restReply.DeepClone().AsObject()));
                    }
                }
            }
        }

        var (interactions, skipped) = Normalize(items, step.Since);
        var more = connection?.Bool("pageInfo", "hasNextPage") == true && !older ? connection?.Str("pageInfo", "endCursor") : null;
        return new ImportPage(interactions, more is null ? [] : [step with { Cursor = more }], skipped);
    }

    /// <summary>A GraphQL discussion, comment or reply in the REST shape the webhooks carry (<c>id</c>, <c>user</c>, <c>created_at</c>, <c>parent_id</c>).</summary>
    private static System.Text.Json.Nodes.JsonObject Rest(JsonElement node, long? parentId) => new()
    {
        ["id"] = node.Long("databaseId"),
        ["body"] = node.Str("body"),
        ["created_at"] = node.Str("createdAt"),
        ["parent_id"] = parentId,
        ["user"] = node.Str("author", "login") is { } login
            ? new System.Text.Json.Nodes.JsonObject { ["login"] = login, ["type"] = node.Str("author", "__typename") == "Bot" ? "Bot" : "User" }
            : null,
    };

    private static (string Owner, string Repo) Split(string target) =>
        target.Split('/') is [var owner, var repo] ? (owner, repo) : throw new PlatformRefusedException("A github target is owner/repo.");
}
