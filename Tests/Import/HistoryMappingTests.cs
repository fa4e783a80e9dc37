using System.Text.Json;
using Engage.Domain.Import;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;
using Engage.Tests.Support;

namespace Engage.Tests.Import;

/// <summary>
/// The key property of history import: an item imported from a platform's API becomes exactly the interaction its
/// webhook makes (same id, actor, parent, time, text, mentions), so seeing it both ways counts it once.
/// Each case takes a real webhook payload, pulls out the object the REST API would return, and compares.
/// </summary>
public sealed class HistoryMappingTests
{
    private static string Canonical(Normalized normalized) =>
        JsonSerializer.Serialize(normalized.Interactions, new JsonSerializerOptions { WriteIndented = false });

    private static Normalized Webhook(WebhookSource source, string json, Dictionary<string, string> headers)
    {
        using var doc = JsonDocument.Parse(json);
        return source.Normalize(new WebhookRequest("POST", headers, new Dictionary<string, string>(), System.Text.Encoding.UTF8.GetBytes(json)), doc.RootElement);
    }

    public static TheoryData<string> GitHubGroups => new() { "issues.opened", "pull_request.opened", "issue_comment.created", "pull_request_review_comment.created" };

    [Theory]
    [MemberData(nameof(GitHubGroups))]
    public void GitHub_RestObjectOfEveryExample_MapsToTheWebhooksInteraction(string group)
    {
        var examples = GitHubExamples.All.Where(e => e.Group == group).ToList();
        Assert.NotEmpty(examples);
        var compared = 0;
        foreach (var example in examples)
        {
            var payload = example.Parse();
            var fromWebhook = Webhook(new GitHub(), example.Json, new() { [GitHub.EventHeader] = example.Event });
            var item = group switch
            {
                "issues.opened" => GitHubHistory.Issue(payload.GetProperty("issue")),
                "pull_request.opened" => GitHubHistory.PullRequest(payload.GetProperty("pull_request")),
                "issue_comment.created" => GitHubHistory.IssueComment(payload.GetProperty("comment"), GitHubParent.Of(payload.GetProperty("issue"))!),
                _ => GitHubHistory.ReviewComment(payload.GetProperty("comment"), GitHubParent.Of(payload.GetProperty("pull_request"))!),
            };

            Assert.Equal(Canonical(fromWebhook), Canonical(item.NormalizeWith(new GitHub())));
            compared += fromWebhook.Interactions.Count;
        }

        Assert.True(compared > 0, $"no {group} example carried an interaction");
    }

    [Theory]
    [InlineData("status_created_post.json")]
    [InlineData("status_created_reply.json")]
    [InlineData("status_created_reblog.json")]
    [InlineData("status_created_quote.json")]
    public void Mastodon_StatusObject_MapsToTheWebhooksInteraction(string fixture)
    {
        var json = PlatformSigners.Fixture("mastodon", fixture);
        using var doc = JsonDocument.Parse(json);
        var fromWebhook = Webhook(new Mastodon(), json, []);
        Assert.NotEmpty(fromWebhook.Interactions);
        Assert.Equal(Canonical(fromWebhook), Canonical(MastodonHistory.Status(doc.RootElement.GetProperty("object")).NormalizeWith(new Mastodon())));
    }

    [Theory]
    [InlineData("thread_parent.json")]
    [InlineData("thread_reply.json")]
    [InlineData("message_mentions.json")]
    public void Slack_HistoryMessage_MapsToTheWebhooksInteraction(string fixture)
    {
        var json = PlatformSigners.Fixture("slack", fixture);
        using var doc = JsonDocument.Parse(json);
        var e = doc.RootElement.GetProperty("event");
        // conversations.history returns the message without its channel and type: the importer adds them back.
        var message = JsonSerializer.SerializeToElement(e.EnumerateObject().Where(p => p.Name is not ("channel" or "type")).ToDictionary(p => p.Name, p => p.Value));
        var fromWebhook = Webhook(new Slack(), json, []);
        Assert.NotEmpty(fromWebhook.Interactions);
        var bot = doc.RootElement.TryGetProperty("authorizations", out var a) ? a.EnumerateArray().Where(x => x.GetProperty("is_bot").GetBoolean()).Select(x => x.GetProperty("user_id").GetString()).FirstOrDefault() : null;
        var item = SlackHistory.Message(doc.RootElement.GetProperty("team_id").GetString()!, e.GetProperty("channel").GetString()!, message, bot);
        Assert.Equal(Canonical(fromWebhook), Canonical(item.NormalizeWith(new Slack())));
    }

    [Theory]
    [InlineData("post_created_topic.json")]
    [InlineData("post_created_reply.json")]
    [InlineData("post_created_topic_reply.json")]
    public void Discourse_TopicPost_MapsToTheWebhooksInteraction(string fixture)
    {
        var json = PlatformSigners.Fixture("discourse", fixture);
        using var doc = JsonDocument.Parse(json);
        const string forum = "https://forum.example.org";
        var fromWebhook = Webhook(new Discourse(), json, new()
        {
            [Discourse.EventHeader] = "post_created",
            [Discourse.InstanceHeader] = forum,
        });
        Assert.NotEmpty(fromWebhook.Interactions);
        Assert.Equal(Canonical(fromWebhook), Canonical(DiscourseHistory.Post(forum, doc.RootElement.GetProperty("post")).NormalizeWith(new Discourse())));
    }

    [Fact]
    public void Discourse_PostWithoutRaw_TakesItsTextFromCooked()
    {
        using var doc = JsonDocument.Parse("""
            {"id":7,"username":"ana","created_at":"2026-11-20T10:00:00Z","post_number":2,"topic_id":55,"post_type":1,"user_id":3,
             "cooked":"<p>Thanks <a class=\"mention\" href=\"/u/bo\">@bo</a>, that fixed it</p>"}
            """);
        var interaction = Assert.Single(DiscourseHistory.Post("https://forum.example.org", doc.RootElement).NormalizeWith(new Discourse()).Interactions);
        Assert.Equal(InteractionKind.Reply, interaction.Kind);
        Assert.Equal(["discourse:forum.example.org.bo"], interaction.Mentions);
        Assert.Contains("that fixed it", interaction.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://api.github.com/repos/o/r/issues/1347", 1347)]
    [InlineData("https://api.github.com/repos/o/r/pulls/12/", 12)]
    [InlineData("https://api.github.com/repos/o/r/issues/x", null)]
    [InlineData("", null)]
    public void NumberFromUrl_ReadsTheTrailingNumber(string url, int? expected) =>
        Assert.Equal(expected, GitHubHistory.NumberFromUrl(url));
}
