using System.Globalization;
using System.Text.Json;
using Engage.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Engage.Tests.Import;

/// <summary>One recorded GitHub REST object (Tests/Fixtures/github-history): which repository, what kind, the object unchanged.</summary>
public sealed record RecordedGitHubObject(string Repository, string Kind, JsonElement Object)
{
    public static IReadOnlyList<RecordedGitHubObject> Load() =>
        File.ReadLines(RepoPaths.Of("Tests", "Fixtures", "github-history", "objects.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(r => new RecordedGitHubObject(r.GetProperty("repository").GetString()!, r.GetProperty("kind").GetString()!, r.GetProperty("object").Clone()))
            .ToList();

    public string CreatedAt => Object.GetProperty("created_at").GetString()!;
}

/// <summary>
/// A real HTTP server (WireMock.Net) answering GitHub's REST routes with recorded objects, arranged in pages of
/// <see cref="PageSize"/> with <c>Link: &lt;…&amp;page=N&gt;; rel="next"</c> as GitHub sends them: issues and comments
/// oldest first, pull requests newest first. Issues and pull requests are also served one by one.
/// </summary>
public sealed class GitHubApiMock : IDisposable
{
    public const int PageSize = 10;

    public WireMockServer Server { get; } = WireMockServer.Start();
    public string Url => Server.Url!;

    public const string NoDiscussions = """{"data":{"repository":{"discussions":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]}}}}""";

    public GitHubApiMock(string repository, IReadOnlyList<RecordedGitHubObject> objects, TimeSpan? delay = null, string discussions = NoDiscussions)
    {
        Server.Given(Request.Create().WithPath("/graphql").UsingPost()).AtPriority(20).RespondWith(Json(discussions));
        var mine = objects.Where(o => o.Repository == repository).ToList();
        Pages(repository, "issues", mine.Where(o => o.Kind == "issue").OrderBy(o => o.CreatedAt, StringComparer.Ordinal), delay);
        Pages(repository, "pulls", mine.Where(o => o.Kind == "pull_request").OrderByDescending(o => o.CreatedAt, StringComparer.Ordinal), delay);
        Pages(repository, "issues/comments", mine.Where(o => o.Kind == "issue_comment").OrderBy(o => o.CreatedAt, StringComparer.Ordinal), delay);
        Pages(repository, "pulls/comments", mine.Where(o => o.Kind == "pr_review_comment").OrderBy(o => o.CreatedAt, StringComparer.Ordinal), delay);
        foreach (var item in mine.Where(o => o.Kind is "issue" or "pull_request"))
        {
            var path = $"/repos/{repository}/{(item.Kind == "issue" ? "issues" : "pulls")}/{item.Object.GetProperty("number").GetInt32()}";
            Server.Given(Request.Create().WithPath(path).UsingGet()).RespondWith(Json(item.Object.GetRawText()));
        }
    }

    /// <summary>How many requests asked for <paramref name="path"/> (and <c>page</c>, when given).</summary>
    public int Requests(string path, int? page = null) =>
        Server.LogEntries.Count(e => e.RequestMessage.Path == path
            && (page is null || (e.RequestMessage.Query?.TryGetValue("page", out var p) == true && p.ToString() == page.Value.ToString(CultureInfo.InvariantCulture))));

    public static int PageCount(int items) => Math.Max(1, (items + PageSize - 1) / PageSize);

    private void Pages(string repository, string route, IEnumerable<RecordedGitHubObject> items, TimeSpan? delay)
    {
        var chunks = items.Chunk(PageSize).ToList();
        if (chunks.Count == 0)
        {
            chunks.Add([]);
        }

        var path = $"/repos/{repository}/{route}";
        for (var i = 0; i < chunks.Count; i++)
        {
            var page = i + 1;
            var response = Json("[" + string.Join(",", chunks[i].Select(o => o.Object.GetRawText())) + "]");
            if (page < chunks.Count)
            {
                response = response.WithHeader("Link", $"<{Url}{path}?per_page=100&page={page + 1}>; rel=\"next\", <{Url}{path}?per_page=100&page={chunks.Count}>; rel=\"last\"");
            }

            if (delay is { } d)
            {
                response = response.WithDelay(d);
            }

            Server.Given(Request.Create().WithPath(path).WithParam("page", page.ToString(CultureInfo.InvariantCulture)).UsingGet())
                .AtPriority(10)
                .RespondWith(response);
        }
    }

    public static IResponseBuilder Json(string body) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json; charset=utf-8").WithBody(body);

    public void Dispose() => Server.Stop();
}
