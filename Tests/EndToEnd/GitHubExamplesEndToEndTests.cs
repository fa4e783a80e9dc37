using System.Globalization;
using System.Net;
using System.Text.Json;
using Engage.Functions.Scores;
using Engage.Functions.Webhooks;
using Engage.Tests.Support;

namespace Engage.Tests.EndToEnd;

/// <summary>
/// A DevHost on an Azurite of its own: every published example is posted to it, and the per-user counts
/// are checked against counts derived from the payloads. The examples' users (Codertocat…) are the same
/// in every run, and queue <c>interactions</c> is shared by every DevHost on one Azurite, hence the
/// dedicated storage.
/// </summary>
public sealed class GitHubExamplesFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;
    private readonly Lazy<Task<IReadOnlyList<Posted>>> _posted;

    public GitHubExamplesFixture() => _posted = new(PostAllAsync);

    public DevHostFixture Host { get; } = new();

    public sealed record Posted(GitHubExample Example, string Delivery, HttpStatusCode Status, string Body);

    /// <summary>Every api.github.com example, posted once each (signed, fresh delivery id), in package order.</summary>
    public Task<IReadOnlyList<Posted>> PostedAsync() => _posted.Value;

    public async Task InitializeAsync()
    {
        _azurite = TestStorage.StartDedicated();
        Host.Overrides["AzureWebJobsStorage"] = _azurite.ConnectionString;
        await Host.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        if (_azurite is not null)
        {
            _azurite.Dispose();
        }
    }

    private async Task<IReadOnlyList<Posted>> PostAllAsync()
    {
        var posted = new List<Posted>();
        foreach (var example in GitHubExamples.All)
        {
            var delivery = Guid.NewGuid().ToString();
            using var response = await Host.Client.SendAsync(GitHubSigner.Request(example.Json, example.Event, delivery));
            posted.Add(new Posted(example, delivery, response.StatusCode, await response.Content.ReadAsStringAsync()));
        }

        return posted;
    }
}

public sealed class GitHubExamplesEndToEndTests(GitHubExamplesFixture fixture) : IClassFixture<GitHubExamplesFixture>
{
    private const string Read = "asOf=2026-01-01T00:00:00Z&window=P3650D";
    private static readonly string[] Kinds = ["post", "reply", "repost", "quote", "reaction", "follow"];

    [Fact]
    public async Task AllExamples_PostedSigned_AreAccepted()
    {
        var posted = await fixture.PostedAsync();

        Assert.Equal(GitHubExamples.All.Count, posted.Count);
        var failures = posted.Where(p => (int)p.Status is < 200 or > 299).Select(p => $"{p.Example}: {(int)p.Status} {p.Body}").ToList();
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        foreach (var p in posted)
        {
            var body = Accepted(p.Body);
            Assert.Equal(HttpStatusCode.Accepted, p.Status);
            Assert.Equal(p.Delivery, body.DeliveryId);
            Assert.True(body.Interactions > 0 || body.Ignored is not null, $"{p.Example}: 0 interactions and no reason");
        }

        Assert.Equal(29, posted.Count(p => Accepted(p.Body).Interactions > 0));
    }

    [Fact]
    public async Task AllExamples_PerUserCounts_EqualThoseDerivedFromThePayloads()
    {
        await fixture.PostedAsync();
        var expected = ExpectedCounts();
        Assert.Equal(["codertocat", "dan2wik", "octocoders"], expected.Keys.Order(StringComparer.Ordinal));

        foreach (var (login, counts) in expected)
        {
            var actual = await Eventually.Until(() => CountsAsync(login), c => c is not null && Matches(c.Value, counts), TimeSpan.FromSeconds(90));
            Assert.True(actual is not null, $"github:{login} is unknown");
            foreach (var (name, count) in counts)
            {
                Assert.True(count == actual.Value.GetProperty(name).GetInt32(), $"github:{login} {name}: expected {count}, got {actual.Value.GetProperty(name).GetInt32()}");
            }
        }

        // Users that appear only in ignored events, or only as the target of a give, authored nothing.
        var owner = await CountsAsync("octo-org");
        Assert.True(owner is null || Kinds.All(k => owner.Value.GetProperty(k).GetInt32() == 0));
    }

    [Fact]
    public async Task AllExamples_PostedAgainUnderTheirDeliveryIds_ChangeNoCount()
    {
        var posted = await fixture.PostedAsync();
        var expected = ExpectedCounts();
        foreach (var (login, counts) in expected)
        {
            await Eventually.Until(() => CountsAsync(login), c => c is not null && Matches(c.Value, counts), TimeSpan.FromSeconds(90));
        }

        foreach (var p in posted.Where(p => Accepted(p.Body).Interactions > 0))
        {
            using var again = await fixture.Host.Client.SendAsync(GitHubSigner.Request(p.Example.Json, p.Example.Event, p.Delivery));
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        foreach (var (login, counts) in expected)
        {
            var actual = await CountsAsync(login);
            Assert.True(actual is not null && Matches(actual.Value, counts), $"github:{login}: {actual}");
        }
    }

    private static WebhookAccepted Accepted(string body) => JsonSerializer.Deserialize<WebhookAccepted>(body, Api.Strict)!;

    /// <summary>The user's counts, as written (so they can be read by the names the payloads give), or null when unknown.</summary>
    private async Task<JsonElement?> CountsAsync(string login)
    {
        using var response = await fixture.Host.Client.GetAsync($"/api/users/github:{login}/engagement?{Read}");
        return response.IsSuccessStatusCode
            ? JsonSerializer.SerializeToElement((await response.ReadAsync<EngagementResponse>()).Counts, Api.Strict)
            : null;
    }

    private static bool Matches(JsonElement actual, Dictionary<string, int> expected) =>
        expected.All(kv => actual.GetProperty(kv.Key).GetInt32() == kv.Value);

    /// <summary>
    /// Counts per lower-cased login read straight from the payloads: distinct items per structural kind
    /// (the examples repeat the same objects; a repeat is a redelivery and counts once), and accepted
    /// answers. A star and a watch of the same repository by the same user are one star.
    /// </summary>
    private static Dictionary<string, Dictionary<string, int>> ExpectedCounts()
    {
        var items = new Dictionary<string, Dictionary<string, HashSet<string>>>(StringComparer.Ordinal);
        void Add(string login, string kind, string id)
        {
            login = login.ToLowerInvariant();
            if (!items.TryGetValue(login, out var kinds))
            {
                items[login] = kinds = Kinds.Append("answer").ToDictionary(k => k, _ => new HashSet<string>(StringComparer.Ordinal));
            }

            kinds[kind].Add(id);
        }

        static string S(JsonElement e, params string[] path) => path.Aggregate(e, (x, p) => x.GetProperty(p)) is var v && v.ValueKind == JsonValueKind.Number
            ? v.GetInt64().ToString(CultureInfo.InvariantCulture)
            : v.GetString() ?? "";

        foreach (var example in GitHubExamples.All)
        {
            var p = example.Parse();
            switch (example.Group)
            {
                case "issues.opened":
                case "pull_request.opened":
                case "discussion.created":
                    var field = example.Event == "issues" ? "issue" : example.Event;
                    Add(S(p, field, "user", "login"), "post", $"{field}:{S(p, field, "id")}");
                    break;
                case "issue_comment.created":
                case "pull_request_review_comment.created":
                case "discussion_comment.created":
                    Add(S(p, "comment", "user", "login"), "reply", $"{example.Event}:{S(p, "comment", "id")}");
                    break;
                case "pull_request_review.submitted" when S(p, "review", "body").Trim().Length > 0:
                    Add(S(p, "review", "user", "login"), "reply", $"review:{S(p, "review", "id")}");
                    break;
                case "discussion.answered":
                    Add(S(p, "answer", "user", "login"), "reply", $"discussion_comment:{S(p, "answer", "id")}");
                    Add(S(p, "answer", "user", "login"), "answer", $"discussion_comment:{S(p, "answer", "id")}");
                    break;
                case "star.created":
                case "watch.started":
                    Add(S(p, "sender", "login"), "reaction", $"star:{S(p, "repository", "id")}");
                    break;
                case "fork":
                    Add(S(p, "sender", "login"), "repost", $"fork:{S(p, "forkee", "id")}");
                    break;
            }
        }

        return items.ToDictionary(u => u.Key, u => u.Value.ToDictionary(k => k.Key, k => k.Value.Count), StringComparer.Ordinal);
    }
}
