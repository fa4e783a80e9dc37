using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;
using Engage.Tests.Support;

namespace Engage.Tests.Sources;

/// <summary>
/// Every payload GitHub publishes (npm <c>@octokit/webhooks-examples</c>), grouped by event and action:
/// the mapped ones give the interaction docs/sources.md describes, read here straight from the JSON;
/// every other one is ignored with a reason.
/// </summary>
public sealed class GitHubExamplesTests
{
    /// <summary>What docs/sources.md says an example maps to, read from the payload independently of the normalizer.</summary>
    private sealed record Expected(string Id, InteractionKind Kind, string Actor, DateTimeOffset At, string? TargetId, string? TargetAuthor, bool Accepted = false);

    private static JsonElement Get(JsonElement e, params string[] path)
    {
        foreach (var p in path)
        {
            e = e.GetProperty(p);
        }

        return e;
    }

    private static string User(JsonElement e, params string[] path) => "github:" + Get(e, [.. path, "login"]).GetString()!.ToLowerInvariant();
    private static string Num(JsonElement e, params string[] path) => Get(e, path).GetInt64().ToString(CultureInfo.InvariantCulture);
    private static DateTimeOffset At(JsonElement e, params string[] path) => DateTimeOffset.Parse(Get(e, path).GetString()!, CultureInfo.InvariantCulture);
    private static bool IsNull(JsonElement e, params string[] path) => !e.TryGetProperty(path[0], out var v) || (path.Length == 1 ? v.ValueKind == JsonValueKind.Null : IsNull(v, path[1..]));

    private static Expected Opened(JsonElement p, string field) =>
        new($"github:{field}:{Num(p, field, "id")}", InteractionKind.Post, User(p, field, "user"), At(p, field, "created_at"), null, null);

    private static Expected DiscussionReply(JsonElement p, string field) => IsNull(p, field, "parent_id")
        ? new($"github:discussion_comment:{Num(p, field, "id")}", InteractionKind.Reply, User(p, field, "user"), At(p, field, "created_at"),
            $"github:discussion:{Num(p, "discussion", "id")}", User(p, "discussion", "user"), field == "answer")
        : new($"github:discussion_comment:{Num(p, field, "id")}", InteractionKind.Reply, User(p, field, "user"), At(p, field, "created_at"),
            $"github:discussion_comment:{Num(p, field, "parent_id")}", null, field == "answer");

    private static Expected Star(JsonElement p, DateTimeOffset at) =>
        new($"github:star:{Num(p, "repository", "id")}:{Get(p, "sender", "login").GetString()!.ToLowerInvariant()}", InteractionKind.Reaction,
            User(p, "sender"), at, $"github:repository:{Num(p, "repository", "id")}", User(p, "repository", "owner"));

    private static readonly Dictionary<string, Func<JsonElement, Expected?>> Mapped = new(StringComparer.Ordinal)
    {
        ["issues.opened"] = p => Opened(p, "issue"),
        ["pull_request.opened"] = p => Opened(p, "pull_request"),
        ["discussion.created"] = p => Opened(p, "discussion"),
        ["issue_comment.created"] = p => new($"github:issue_comment:{Num(p, "comment", "id")}", InteractionKind.Reply, User(p, "comment", "user"),
            At(p, "comment", "created_at"), $"github:issue:{Num(p, "issue", "id")}", User(p, "issue", "user")),
        ["pull_request_review_comment.created"] = p => IsNull(p, "comment", "in_reply_to_id")
            ? new($"github:pull_request_review_comment:{Num(p, "comment", "id")}", InteractionKind.Reply, User(p, "comment", "user"),
                At(p, "comment", "created_at"), $"github:pull_request:{Num(p, "pull_request", "id")}", User(p, "pull_request", "user"))
            : new($"github:pull_request_review_comment:{Num(p, "comment", "id")}", InteractionKind.Reply, User(p, "comment", "user"),
                At(p, "comment", "created_at"), $"github:pull_request_review_comment:{Num(p, "comment", "in_reply_to_id")}", null),
        ["pull_request_review.submitted"] = p =>
            !IsNull(p, "review", "body") && Get(p, "review", "body").GetString()!.Trim().Length > 0
                ? new($"github:review:{Num(p, "review", "id")}", InteractionKind.Reply, User(p, "review", "user"), At(p, "review", "submitted_at"),
                    $"github:pull_request:{Num(p, "pull_request", "id")}", User(p, "pull_request", "user"))
                : Get(p, "review", "state").GetString() == "approved"
                    ? new($"github:review:{Num(p, "review", "id")}", InteractionKind.Reaction, User(p, "review", "user"), At(p, "review", "submitted_at"),
                        $"github:pull_request:{Num(p, "pull_request", "id")}", User(p, "pull_request", "user"))
                    : null,
        ["discussion_comment.created"] = p => DiscussionReply(p, "comment"),
        ["discussion.answered"] = p => DiscussionReply(p, "answer"),
        ["star.created"] = p => Star(p, At(p, "starred_at")),
        ["watch.started"] = p => Star(p, At(p, "repository", "updated_at")),
        ["fork"] = p => new($"github:fork:{Num(p, "forkee", "id")}", InteractionKind.Repost, User(p, "sender"), At(p, "forkee", "created_at"),
            $"github:repository:{Num(p, "repository", "id")}", User(p, "repository", "owner")),
    };

    /// <summary>How many examples of package 7.6.1 map to an interaction, by event and action (docs/sources.md).</summary>
    private static readonly Dictionary<string, int> MappedCounts = new(StringComparer.Ordinal)
    {
        ["issues.opened"] = 4,
        ["pull_request.opened"] = 4,
        ["discussion.created"] = 2,
        ["issue_comment.created"] = 5,
        ["pull_request_review_comment.created"] = 3,
        ["discussion_comment.created"] = 2,
        ["discussion.answered"] = 1,
        ["star.created"] = 2,
        ["watch.started"] = 3,
        ["fork"] = 3,
    };

    public static TheoryData<string> Groups()
    {
        var data = new TheoryData<string>();
        foreach (var group in GitHubExamples.All.Select(e => e.Group).Distinct().Order(StringComparer.Ordinal))
        {
            data.Add(group);
        }

        return data;
    }

    [Fact]
    public void Package_ApiGitHubCom_Has329Examples()
    {
        Assert.Equal(329, GitHubExamples.All.Count);
        Assert.Equal(58, GitHubExamples.All.Select(e => e.Event).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void Normalize_EveryExampleOfGroup_MapsAsDocumentedOrIsIgnored(string group)
    {
        var examples = GitHubExamples.All.Where(e => e.Group == group).ToList();
        Assert.NotEmpty(examples);
        foreach (var example in examples)
        {
            var payload = example.Parse();
            var expected = Mapped.TryGetValue(group, out var map) ? map(payload) : null;

            var result = GitHubDelivery.Normalize(example.Event, example.Json);

            if (expected is null)
            {
                Assert.Empty(result.Interactions);
                Assert.False(string.IsNullOrEmpty(result.Ignored), $"{example}: an ignored delivery says why");
                Assert.Contains(group, result.Ignored, StringComparison.Ordinal);
                continue;
            }

            Assert.Null(result.Ignored);
            var interaction = Assert.Single(result.Interactions);
            Assert.Equal(expected.Id, interaction.Id);
            Assert.Equal(expected.Kind, interaction.Kind);
            Assert.Equal(expected.Actor, interaction.Actor);
            Assert.Equal(expected.At, interaction.OccurredAt);
            Assert.Equal(expected.Accepted, interaction.Accepted);
            var target = interaction.Kind == InteractionKind.Reply ? interaction.InReplyTo : interaction.Subject;
            Assert.Equal(expected.TargetId, target?.Id);
            Assert.Equal(expected.TargetAuthor, target?.Author);
            Assert.True(UserIds.IsValid(interaction.Actor), interaction.Actor);
            Assert.DoesNotContain(interaction.Actor, interaction.Mentions);
            if (interaction.Kind is InteractionKind.Post or InteractionKind.Reply)
            {
                Assert.False(string.IsNullOrEmpty(interaction.Text), $"{example}: posts and replies keep their text");
            }
            else
            {
                Assert.Null(interaction.Text);
                Assert.Empty(interaction.Mentions);
            }
        }
    }

    [Fact]
    public void Normalize_AllExamples_MappedCountsByEventAndActionAreAsDocumented()
    {
        var mapped = GitHubExamples.All
            .Where(e => GitHubDelivery.Normalize(e.Event, e.Json).Interactions.Count > 0)
            .GroupBy(e => e.Group)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        Assert.Equal(MappedCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal), mapped.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        Assert.Equal(29, mapped.Values.Sum());
    }

    [Fact]
    public void Normalize_PullRequestReviewExamples_WithoutBodyAreIgnoredWithReason()
    {
        foreach (var example in GitHubExamples.All.Where(e => e.Group == "pull_request_review.submitted"))
        {
            var result = GitHubDelivery.Normalize(example.Event, example.Json);
            Assert.Empty(result.Interactions);
            Assert.Contains("without a body", result.Ignored, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string> GhesVersions()
    {
        var data = new TheoryData<string>();
        foreach (var version in GitHubExamples.Versions().Where(v => v != GitHubExamples.DotCom))
        {
            data.Add(version);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GhesVersions))]
    public void Normalize_EnterpriseServerExamples_MapOrIgnoreWithoutError(string version)
    {
        var examples = GitHubExamples.Load(version);
        Assert.NotEmpty(examples);
        foreach (var example in examples)
        {
            var result = GitHubDelivery.Normalize(example.Event, example.Json);
            Assert.True(result.Interactions.Count == 1 || (result.Interactions.Count == 0 && result.Ignored is not null), example.ToString());
        }
    }

    public static TheoryData<string> MappedGroups()
    {
        var data = new TheoryData<string>();
        foreach (var group in MappedCounts.Keys.Order(StringComparer.Ordinal))
        {
            data.Add(group);
        }

        data.Add("pull_request_review.submitted");
        return data;
    }

    /// <summary>
    /// Every scalar of the first example of a mapped group (to depth 3), and every object the mapping
    /// reads, replaced by null, a number, a string, an array and an empty object: the source answers
    /// with interactions, an ignore or a <see cref="PayloadException"/> (400), never anything else (500).
    /// </summary>
    [Theory]
    [MemberData(nameof(MappedGroups))]
    public void Normalize_MalformedVariantsOfMappedExamples_NeverThrowAnythingButPayloadException(string group)
    {
        var example = GitHubExamples.All.First(e => e.Group == group);
        var root = JsonNode.Parse(example.Json)!.AsObject();
        var paths = new List<string[]>();
        Collect(root, [], paths);
        JsonNode?[] replacements = [null, JsonValue.Create(42), JsonValue.Create("x"), new JsonArray(), new JsonObject()];
        var variants = 0;
        foreach (var path in paths)
        {
            foreach (var replacement in replacements)
            {
                var copy = root.DeepClone().AsObject();
                var parent = path[..^1].Aggregate((JsonNode)copy, (node, name) => node[name]!);
                parent[path[^1]] = replacement?.DeepClone();
                var json = copy.ToJsonString();
                try
                {
                    var result = GitHubDelivery.Normalize(example.Event, json);
                    Assert.True(result.Interactions.Count > 0 || result.Ignored is not null, $"{example} {string.Join('.', path)}");
                }
                catch (PayloadException e)
                {
                    Assert.False(string.IsNullOrEmpty(e.Message));
                }

                variants++;
            }
        }

        Assert.True(variants > 100, $"only {variants} variants");
    }

    private static void Collect(JsonObject node, string[] prefix, List<string[]> paths)
    {
        foreach (var (name, value) in node)
        {
            string[] path = [.. prefix, name];
            if (value is JsonObject child)
            {
                paths.Add(path);
                if (path.Length < 3)
                {
                    Collect(child, path, paths);
                }
            }
            else
            {
                paths.Add(path);
            }
        }
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"a string\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("""{"action":"opened","issue":null}""")]
    [InlineData("""{"action":"opened","issue":{"id":1,"user":{"login":"a"},"created_at":"not a time"}}""")]
    [InlineData("""{"action":"opened","issue":{"id":"x","user":{"login":"a"},"created_at":"2024-01-01T00:00:00Z"}}""")]
    [InlineData("""{"action":"opened","issue":{"id":1,"user":{"login":""},"created_at":"2024-01-01T00:00:00Z"}}""")]
    public void Normalize_IssuesOpenedMalformed_IsPayloadExceptionOrIgnored(string json)
    {
        try
        {
            var result = GitHubDelivery.Normalize("issues", json);
            Assert.Empty(result.Interactions);
            Assert.NotNull(result.Ignored);
        }
        catch (PayloadException e)
        {
            Assert.False(string.IsNullOrEmpty(e.Message));
        }
    }
}
