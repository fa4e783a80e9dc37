using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engage.Domain.Import;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;
using Engage.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Engage.Tests.Import;

/// <summary>DevHost with an Azurite of its own and import settings pointing at a mock platform; restartable on the same store.</summary>
public sealed class ImportHost(string gitHubBaseUrl) : IAsyncDisposable
{
    private readonly AzuriteProcess _azurite = AzuriteProcess.Start();

    public DevHostFixture Host { get; private set; } = null!;
    public HttpClient Client => Host.Client;

    /// <summary>More settings for the host (applied at every start).</summary>
    public Dictionary<string, string?> Overrides { get; } = [];

    public async Task StartAsync()
    {
        Host = new DevHostFixture();
        foreach (var (key, value) in Overrides)
        {
            Host.Overrides[key] = value;
        }

        Host.Overrides["AzureWebJobsStorage"] = _azurite.ConnectionString;
        Host.Overrides["Import:GitHub:BaseUrl"] = gitHubBaseUrl;
        Host.Overrides["Import:GitHub:Token"] = "test-github-token";
        Host.Overrides["Import:RetryDelay"] = "00:00:00.050";
        // A message a stopped host was working on comes back after its lease (the Functions host's is minutes).
        Host.Overrides["AzureFunctionsJobHost:extensions:queues:Lease"] = "00:00:03";
        await Host.InitializeAsync();
    }

    /// <summary>Stops DevHost (whatever it was doing) and starts a new one on the same storage.</summary>
    public async Task RestartAsync()
    {
        await Host.DisposeAsync();
        await StartAsync();
    }

    public async Task<string> StartImportAsync(string source, string target)
    {
        using var response = await Client.PostAsJsonAsync("/api/ops/import", new { source, target });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("importId").GetString()!;
    }

    public async Task<JsonElement> StatusAsync(string importId) =>
        await Client.GetFromJsonAsync<JsonElement>($"/api/ops/import/{importId}");

    public async Task<JsonElement> WaitDoneAsync(string importId)
    {
        var status = await Eventually.Until(() => StatusAsync(importId), s => s.GetProperty("status").GetString() != "running", TimeSpan.FromSeconds(120));
        Assert.Equal("done", status.GetProperty("status").GetString());
        await Host.DrainAsync(TimeSpan.FromSeconds(60));
        return status;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _azurite.Dispose();
    }
}

/// <summary>
/// History import of a recorded GitHub repository (requests/requests: 32 issues, 7 pull requests, 46 conversation
/// comments, 1 review comment) from a real HTTP server, through the queue, into the store.
/// </summary>
public sealed class ImportEndToEndTests
{
    private const string Repository = "requests/requests";
    private static readonly DateTimeOffset AsOf = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<RecordedGitHubObject> Recorded = RecordedGitHubObject.Load();

    /// <summary>The interactions the recorded objects stand for, mapped independently of the importer's paging (comments whose parent the recording lacks are left out, as the importer must).</summary>
    private static List<Interaction> Expected()
    {
        var mine = Recorded.Where(o => o.Repository == Repository).ToList();
        var issues = mine.Where(o => o.Kind == "issue").ToDictionary(o => o.Object.GetProperty("number").GetInt32(), o => GitHubParent.Of(o.Object)!);
        var pulls = mine.Where(o => o.Kind == "pull_request").ToDictionary(o => o.Object.GetProperty("number").GetInt32(), o => GitHubParent.Of(o.Object)!);
        var items = new List<HistoryItem>();
        foreach (var o in mine)
        {
            switch (o.Kind)
            {
                case "issue":
                    items.Add(GitHubHistory.Issue(o.Object));
                    break;
                case "pull_request":
                    items.Add(GitHubHistory.PullRequest(o.Object));
                    break;
                case "issue_comment" when issues.TryGetValue(GitHubHistory.NumberFromUrl(o.Object.GetProperty("issue_url").GetString()) ?? 0, out var issue):
                    items.Add(GitHubHistory.IssueComment(o.Object, issue));
                    break;
                case "pr_review_comment" when pulls.TryGetValue(GitHubHistory.NumberFromUrl(o.Object.GetProperty("pull_request_url").GetString()) ?? 0, out var pull):
                    items.Add(GitHubHistory.ReviewComment(o.Object, pull));
                    break;
            }
        }

        return items.SelectMany(i => i.NormalizeWith(new GitHub()).Interactions).ToList();
    }

    private static int ExpectedPages()
    {
        var mine = Recorded.Where(o => o.Repository == Repository).ToList();
        // One page per listing, and the (empty) discussions page.
        return new[] { "issue", "pull_request", "issue_comment", "pr_review_comment" }.Sum(k => GitHubApiMock.PageCount(mine.Count(o => o.Kind == k))) + 1;
    }

    /// <summary>Every actor's engagement and reciprocity over the whole history, as JSON text: the figures two stores must agree on.</summary>
    private static async Task<SortedDictionary<string, string>> FiguresAsync(HttpClient client, IEnumerable<string> users)
    {
        var figures = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var user in users.Distinct())
        {
            var q = $"asOf={AsOf:yyyy-MM-ddTHH:mm:ssZ}&window=P36500D";
            var engagement = await client.GetStringAsync($"/api/users/{user}/engagement?{q}");
            var reciprocity = await client.GetStringAsync($"/api/users/{user}/reciprocity?{q}");
            figures[user] = engagement + "\n" + reciprocity;
        }

        return figures;
    }

    private static async Task<int> AuthoredAsync(HttpClient client, string user)
    {
        var e = await client.GetFromJsonAsync<JsonElement>($"/api/users/{user}/engagement?asOf={AsOf:yyyy-MM-ddTHH:mm:ssZ}&window=P36500D");
        var counts = e.GetProperty("counts");
        return counts.GetProperty("post").GetInt32() + counts.GetProperty("reply").GetInt32();
    }

    [Fact]
    public async Task Import_RecordedRepository_PagesToTheEndAndCountsEveryItemOnce()
    {
        using var github = new GitHubApiMock(Repository, Recorded);
        await using var host = new ImportHost(github.Url);
        await host.StartAsync();

        var status = await host.WaitDoneAsync(await host.StartImportAsync("github", Repository));

        var expected = Expected();
        Assert.Equal(ExpectedPages(), status.GetProperty("pages").GetInt32());
        Assert.Equal(expected.Count, status.GetProperty("interactions").GetInt32());
        Assert.True(expected.Count >= 60, $"only {expected.Count} interactions: the fixture lost its comments");
        foreach (var actor in expected.GroupBy(i => i.Actor))
        {
            Assert.Equal(actor.Count(), await AuthoredAsync(host.Client, actor.Key));
        }

        // The last page of every listing was asked for, and nothing beyond it.
        Assert.Equal(1, github.Requests($"/repos/{Repository}/issues", 4));
        Assert.Equal(0, github.Requests($"/repos/{Repository}/issues", 5));
        Assert.All(github.Server.LogEntries, e => Assert.Equal("Bearer test-github-token", e.RequestMessage.Headers!["Authorization"].ToString()));
    }

    [Fact]
    public async Task Import_RateLimitedThenServerError_WaitsRetriesAndCompletes()
    {
        using var github = new GitHubApiMock(Repository, Recorded);
        // Page 2 of the issues: GitHub's primary rate limit first (403, remaining 0, reset in 2 s), then the page.
        var reset = DateTimeOffset.UtcNow.AddSeconds(2).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        github.Server.Given(Request.Create().WithPath($"/repos/{Repository}/issues").WithParam("page", "2").UsingGet())
            .AtPriority(1).InScenario("rate-limit").WillSetStateTo("waited")
            .RespondWith(Response.Create().WithStatusCode(403).WithHeader("X-RateLimit-Remaining", "0").WithHeader("X-RateLimit-Reset", reset)
                .WithBody("{\"message\":\"API rate limit exceeded\"}"));
        // Page 1 of the pull requests: a server error first, retried by the resilience handler.
        github.Server.Given(Request.Create().WithPath($"/repos/{Repository}/pulls").WithParam("page", "1").UsingGet())
            .AtPriority(1).InScenario("server-error").WillSetStateTo("recovered")
            .RespondWith(Response.Create().WithStatusCode(500).WithBody("{\"message\":\"Server Error\"}"));
        await using var host = new ImportHost(github.Url);
        await host.StartAsync();

        var status = await host.WaitDoneAsync(await host.StartImportAsync("github", Repository));

        Assert.Equal(Expected().Count, status.GetProperty("interactions").GetInt32());
        Assert.Equal(2, github.Requests($"/repos/{Repository}/issues", 2));
        Assert.Equal(2, github.Requests($"/repos/{Repository}/pulls", 1));
    }

    [Fact]
    public async Task Import_HostRestartedMidImport_ResumesAndCountsEveryItemOnce()
    {
        using var github = new GitHubApiMock(Repository, Recorded, delay: TimeSpan.FromMilliseconds(400));
        await using var host = new ImportHost(github.Url);
        await host.StartAsync();
        var importId = await host.StartImportAsync("github", Repository);
        await Eventually.Until(() => host.StatusAsync(importId), s => s.GetProperty("pages").GetInt32() >= 3, TimeSpan.FromSeconds(60));

        await host.RestartAsync();
        var status = await host.WaitDoneAsync(importId);

        var expected = Expected();
        Assert.Equal(ExpectedPages(), status.GetProperty("pages").GetInt32());
        Assert.Equal(expected.Count, status.GetProperty("interactions").GetInt32());
        foreach (var actor in expected.GroupBy(i => i.Actor))
        {
            Assert.Equal(actor.Count(), await AuthoredAsync(host.Client, actor.Key));
        }
    }

    [Fact]
    public async Task ImportAndWebhooks_InEitherOrder_GiveTheFiguresOfEitherAlone()
    {
        using var github = new GitHubApiMock(Repository, Recorded);
        var expected = Expected();
        var users = expected.Select(i => i.Actor).Concat(expected.SelectMany(i => i.KnownGiveTargets())).Distinct().ToList();

        // The import alone.
        SortedDictionary<string, string> alone;
        await using (var host = new ImportHost(github.Url))
        {
            await host.StartAsync();
            await host.WaitDoneAsync(await host.StartImportAsync("github", Repository));
            alone = await FiguresAsync(host.Client, users);
        }

        // Webhooks for every other item first, then the import, then webhooks for the rest (and a few again).
        var deliveries = WebhookDeliveries().ToList();
        await using (var host = new ImportHost(github.Url))
        {
            await host.StartAsync();
            foreach (var (name, body) in deliveries.Where((_, i) => i % 2 == 0))
            {
                await PostAsync(host.Client, name, body);
            }

            await host.WaitDoneAsync(await host.StartImportAsync("github", Repository));
            foreach (var (name, body) in deliveries.Where((_, i) => i % 2 == 1 || i % 5 == 0))
            {
                await PostAsync(host.Client, name, body);
            }

            await host.Host.DrainAsync(TimeSpan.FromSeconds(60));
            var both = await FiguresAsync(host.Client, users);
            Assert.Equal(alone, both);
        }
    }

    /// <summary>The webhook deliveries GitHub would have sent for the recorded issues and their comments.</summary>
    private static IEnumerable<(string Event, string Body)> WebhookDeliveries()
    {
        var mine = Recorded.Where(o => o.Repository == Repository).ToList();
        var issues = mine.Where(o => o.Kind == "issue").ToDictionary(o => o.Object.GetProperty("number").GetInt32(), o => o.Object);
        var repository = new JsonObject { ["id"] = 1362490, ["full_name"] = Repository };
        foreach (var o in mine)
        {
            if (o.Kind == "issue")
            {
                yield return ("issues", new JsonObject { ["action"] = "opened", ["issue"] = JsonNode.Parse(o.Object.GetRawText()), ["repository"] = repository.DeepClone() }.ToJsonString());
            }
            else if (o.Kind == "issue_comment" && issues.TryGetValue(GitHubHistory.NumberFromUrl(o.Object.GetProperty("issue_url").GetString()) ?? 0, out var issue))
            {
                yield return ("issue_comment", new JsonObject
                {
                    ["action"] = "created",
                    ["issue"] = JsonNode.Parse(issue.GetRawText()),
                    ["comment"] = JsonNode.Parse(o.Object.GetRawText()),
                    ["repository"] = repository.DeepClone(),
                }.ToJsonString());
            }
        }
    }

    private static async Task PostAsync(HttpClient client, string gitHubEvent, string body)
    {
        using var request = GitHubSigner.Request(body, gitHubEvent);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Import_Discussions_ComeThroughGraphQLWithRepliesAndTheAcceptedAnswer()
    {
        // The shape of GitHub's GraphQL answer for repository.discussions (docs.github.com, "Using the GraphQL API for Discussions").
        const string discussions = """
            {"data":{"repository":{"discussions":{"pageInfo":{"hasNextPage":false,"endCursor":"Y3Vyc29yOjE="},"nodes":[
              {"databaseId":5001,"title":"How do I cache dependencies?","body":"Builds take 10 minutes, what do you use?","createdAt":"2025-05-01T10:00:00Z",
               "author":{"login":"Ana","__typename":"User"},"answer":{"databaseId":6001},
               "comments":{"nodes":[
                 {"databaseId":6001,"body":"Use actions/cache keyed on the lock file: it cut ours to 2 minutes.","createdAt":"2025-05-01T11:00:00Z",
                  "author":{"login":"bo","__typename":"User"},
                  "replies":{"nodes":[{"databaseId":6002,"body":"Thanks @bo, that worked!","createdAt":"2025-05-01T12:00:00Z","author":{"login":"Ana","__typename":"User"}}]}},
                 {"databaseId":6003,"body":"Automated reminder","createdAt":"2025-05-02T11:00:00Z","author":{"login":"helper","__typename":"Bot"},"replies":{"nodes":[]}}]}}]}}}}
            """;
        using var github = new GitHubApiMock("octo/discuss", [], discussions: discussions);
        await using var host = new ImportHost(github.Url);
        await host.StartAsync();

        var status = await host.WaitDoneAsync(await host.StartImportAsync("github", "octo/discuss"));

        // The discussion, the answer, ana's reply, the acceptance and the bot's comment (kept, its identity a bot person: decision 1141).
        Assert.Equal(5, status.GetProperty("interactions").GetInt32());
        const string q = "asOf=2025-05-03T00:00:00Z&window=P30D";
        var bo = await host.Client.GetFromJsonAsync<JsonElement>($"/api/users/github:bo/engagement?{q}");
        Assert.Equal(1, bo.GetProperty("counts").GetProperty("reply").GetInt32());
        Assert.Equal(1, bo.GetProperty("counts").GetProperty("answer").GetInt32());
        Assert.True(bo.GetProperty("score").GetDouble() >= 5, "an accepted answer scores 10 points (decayed)");
        var ana = (await host.Client.GetFromJsonAsync<JsonElement>($"/api/users/github:ana/engagement?{q}")).GetProperty("counts");
        Assert.Equal(1, ana.GetProperty("post").GetInt32());
        Assert.Equal(1, ana.GetProperty("thanks").GetInt32());
        Assert.Single(github.Server.LogEntries, e => e.RequestMessage.Path == "/graphql");
    }

    [Theory]
    [InlineData("""{"source":"gitlab","target":"a/b"}""")]
    [InlineData("""{"source":"github","target":"not a repo"}""")]
    [InlineData("""{"source":"mastodon","target":"fosstodon.org/ana"}""")]
    [InlineData("""{"source":"slack","target":"general"}""")]
    [InlineData("""{"source":"discourse","target":"forum.example.org"}""")]
    [InlineData("""{"source":"github"}""")]
    [InlineData("not json")]
    public async Task StartImport_MalformedRequest_Is400ProblemJson(string body)
    {
        using var github = new GitHubApiMock(Repository, []);
        await using var host = new ImportHost(github.Url);
        await host.StartAsync();
        using var response = await host.Client.PostAsync("/api/ops/import", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ImportStatus_UnknownOrMalformedId_Is404Or400()
    {
        using var github = new GitHubApiMock(Repository, []);
        await using var host = new ImportHost(github.Url);
        await host.StartAsync();
        using var unknown = await host.Client.GetAsync("/api/ops/import/imp_0000");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var malformed = await host.Client.GetAsync("/api/ops/import/BAD-ID");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task Import_RepositoryThePlatformDoesNotKnow_Fails()
    {
        using var github = new GitHubApiMock(Repository, []);
        await using var host = new ImportHost(github.Url);
        await host.StartAsync();
        var importId = await host.StartImportAsync("github", "nobody/nothing");
        var status = await Eventually.Until(() => host.StatusAsync(importId), s => s.GetProperty("status").GetString() != "running", TimeSpan.FromSeconds(60));
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Contains("404", status.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
