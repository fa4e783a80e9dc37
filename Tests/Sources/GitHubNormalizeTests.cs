using System.Text.Json.Nodes;
using Engage.Domain.Interactions;
using Engage.Tests.Support;

namespace Engage.Tests.Sources;

/// <summary>The mapping's decisions (docs/sources.md), on published payloads edited to show each case.</summary>
public sealed class GitHubNormalizeTests
{
    private static JsonObject Example(string group) =>
        JsonNode.Parse(GitHubExamples.All.First(e => e.Group == group).Json)!.AsObject();

    private static Interaction Single(string gitHubEvent, JsonObject payload) =>
        Assert.Single(GitHubDelivery.Normalize(gitHubEvent, payload.ToJsonString()).Interactions);

    private static void SetUser(JsonObject payload, string path, string login, string type = "User")
    {
        var node = path.Split('.').Aggregate((JsonNode)payload, (n, name) => n[name]!);
        node["login"] = login;
        node["type"] = type;
    }

    [Fact]
    public void IssuesOpened_IsPostWithTitleAndBody_ByIssueAuthor()
    {
        var payload = Example("issues.opened");
        payload["issue"]!["title"] = "Build fails on ARM";
        payload["issue"]!["body"] = "How do I fix this? cc @Alice-B and @alice-b, @Codertocat";

        var post = Single("issues", payload);

        Assert.Equal("github:issue:444500041", post.Id);
        Assert.Equal(InteractionKind.Post, post.Kind);
        Assert.Equal("github:codertocat", post.Actor);
        Assert.Equal("Codertocat", post.ActorHandle);
        Assert.Equal("Build fails on ARM\n\nHow do I fix this? cc @Alice-B and @alice-b, @Codertocat", post.Text);
        Assert.Equal(["github:alice-b"], post.Mentions);
        Assert.Equal("Alice-B", post.MentionHandles!["github:alice-b"]);
        Assert.Null(post.InReplyTo);
    }

    [Fact]
    public void PullRequestOpened_WithoutBody_IsPostWithTitleOnly()
    {
        var payload = Example("pull_request.opened");
        payload["pull_request"]!["body"] = null;

        var post = Single("pull_request", payload);

        Assert.Equal("github:pull_request:279147437", post.Id);
        Assert.Equal("Update the README with new information.", post.Text);
    }

    [Fact]
    public void IssueComment_OnPullRequest_RepliesToItsIssueIdWithAuthorFromPayload()
    {
        var payload = Example("issue_comment.created");
        payload["issue"]!["pull_request"] = new JsonObject { ["url"] = "https://api.github.com/repos/Codertocat/Hello-World/pulls/1" };
        SetUser(payload, "issue.user", "PR-Author");
        SetUser(payload, "comment.user", "Reviewer");

        var reply = Single("issue_comment", payload);

        Assert.Equal("github:issue_comment:492700400", reply.Id);
        Assert.Equal(InteractionKind.Reply, reply.Kind);
        Assert.Equal("github:reviewer", reply.Actor);
        Assert.Equal(new ItemRef("github:issue:444500041", "github:pr-author"), reply.InReplyTo);
        Assert.False(reply.NeedsParentAuthor);
        Assert.Equal(["github:pr-author"], reply.KnownGiveTargets());
    }

    [Fact]
    public void ReviewComment_InReplyToAnotherComment_ParentResolvedByIndex_ThreadRootIsPullRequestAuthor()
    {
        var payload = Example("pull_request_review_comment.created");
        payload["comment"]!["in_reply_to_id"] = 284312000;
        SetUser(payload, "comment.user", "helper");

        var reply = Single("pull_request_review_comment", payload);

        Assert.Equal("github:pull_request_review_comment:284312630", reply.Id);
        Assert.Equal(new ItemRef("github:pull_request_review_comment:284312000", null), reply.InReplyTo);
        Assert.True(reply.NeedsParentAuthor);
        Assert.Equal("github:codertocat", reply.ThreadRootAuthor);
    }

    [Fact]
    public void ReviewComment_FirstOfThread_RepliesToPullRequest()
    {
        var reply = Single("pull_request_review_comment", Example("pull_request_review_comment.created"));

        Assert.Equal(new ItemRef("github:pull_request:279147437", "github:codertocat"), reply.InReplyTo);
        Assert.Equal("Maybe you should use more emoji on this line.", reply.Text);
    }

    [Fact]
    public void ReviewSubmitted_WithBody_IsReplyToPullRequestAuthor()
    {
        var payload = Example("pull_request_review.submitted");
        payload["review"]!["body"] = "Looks good, but why not cache it? @octocat measured 40% faster";
        SetUser(payload, "review.user", "reviewer");

        var reply = Single("pull_request_review", payload);

        Assert.Equal("github:review:237895671", reply.Id);
        Assert.Equal(InteractionKind.Reply, reply.Kind);
        Assert.Equal(new ItemRef("github:pull_request:279147437", "github:codertocat"), reply.InReplyTo);
        Assert.Equal(["github:octocat"], reply.Mentions);
        Assert.Equal(new DateTimeOffset(2019, 5, 15, 15, 20, 38, TimeSpan.Zero), reply.OccurredAt);
    }

    [Fact]
    public void ReviewSubmitted_ApprovedWithoutBody_IsReactionToPullRequest()
    {
        var payload = Example("pull_request_review.submitted");
        payload["review"]!["state"] = "approved";
        SetUser(payload, "review.user", "reviewer");

        var reaction = Single("pull_request_review", payload);

        Assert.Equal(InteractionKind.Reaction, reaction.Kind);
        Assert.Equal(new ItemRef("github:pull_request:279147437", "github:codertocat"), reaction.Subject);
        Assert.Null(reaction.InReplyTo);
        Assert.Null(reaction.Text);
    }

    [Fact]
    public void DiscussionComment_WithParent_RepliesToParentComment_ThreadRootIsDiscussionAuthor()
    {
        var payload = Example("discussion_comment.created");
        payload["comment"]!["parent_id"] = 544000;

        var reply = Single("discussion_comment", payload);

        Assert.Equal("github:discussion_comment:544078", reply.Id);
        Assert.Equal(new ItemRef("github:discussion_comment:544000", null), reply.InReplyTo);
        Assert.Equal("github:codertocat", reply.ThreadRootAuthor);
    }

    [Fact]
    public void DiscussionAnswered_IsAcceptanceWithTheAnswerCommentsIdTimeAndParent()
    {
        var payload = Example("discussion.answered");

        var accepted = Single("discussion", payload);

        // The same id, time and parent as the answer's own discussion_comment.created: one interaction, now accepted.
        Assert.Equal("github:discussion_comment:550561", accepted.Id);
        Assert.Equal(InteractionKind.Reply, accepted.Kind);
        Assert.True(accepted.Accepted);
        Assert.Equal("github:dan2wik", accepted.Actor);
        Assert.Equal(new DateTimeOffset(2021, 3, 30, 23, 16, 42, TimeSpan.Zero), accepted.OccurredAt);
        Assert.Equal(new ItemRef("github:discussion:3299614", "github:codertocat"), accepted.InReplyTo);

        var comment = Example("discussion_comment.created");
        comment["comment"] = payload["answer"]!.DeepClone();
        comment["discussion"] = payload["discussion"]!.DeepClone();
        var created = Single("discussion_comment", comment);
        Assert.Equal(
            (created.Id, created.Kind, created.Actor, created.OccurredAt, created.InReplyTo, created.Text, created.ThreadRootAuthor, false),
            (accepted.Id, accepted.Kind, accepted.Actor, accepted.OccurredAt, accepted.InReplyTo, accepted.Text, accepted.ThreadRootAuthor, created.Accepted));
    }

    [Fact]
    public void StarAndWatch_OfTheSameUserAndRepository_AreOneReactionToTheOwner()
    {
        var star = Single("star", Example("star.created"));
        var watch = Single("watch", Example("watch.started"));

        Assert.Equal(InteractionKind.Reaction, star.Kind);
        Assert.Equal(star.Id, watch.Id);
        Assert.Equal(new ItemRef("github:repository:186853002", "github:codertocat"), star.Subject);
        Assert.Equal(star.OccurredAt, watch.OccurredAt);
    }

    [Fact]
    public void Fork_IsRepostOfRepositoryBySender()
    {
        var payload = Example("fork");
        SetUser(payload, "sender", "Forker");

        var repost = Single("fork", payload);

        Assert.Equal(InteractionKind.Repost, repost.Kind);
        Assert.Equal("github:fork:186853261", repost.Id);
        Assert.Equal("github:forker", repost.Actor);
        Assert.Equal(new ItemRef("github:repository:186853002", "github:codertocat"), repost.Subject);
        Assert.Empty(repost.Mentions);
    }

    [Theory]
    [InlineData("issues.opened", "issue.user")]
    [InlineData("issue_comment.created", "comment.user")]
    [InlineData("pull_request_review_comment.created", "comment.user")]
    [InlineData("discussion.answered", "answer.user")]
    [InlineData("star.created", "sender")]
    [InlineData("fork", "sender")]
    public void BotActor_IsKeptAndFlagged(string group, string userPath)
    {
        // Decision 1141 (superseding 0103's "a bot never acts"): the interaction is kept and flagged, and ingestion makes the identity a bot person.
        var payload = Example(group);
        SetUser(payload, userPath, "dependabot[bot]", "Bot");

        var interaction = Single(group.Split('.')[0], payload);

        Assert.True(interaction.ActorIsBot);
        Assert.Equal("github:dependabot_bot_", interaction.Actor);
    }

    [Fact]
    public void PersonActor_IsNotFlagged_AndImportedProfileFieldsAreRead()
    {
        var payload = Example("issue_comment.created");
        var user = payload["comment"]!["user"]!.AsObject();
        Assert.False(Single("issue_comment", payload).ActorIsBot);

        user["name"] = "  Ana Lima ";
        user["twitter_username"] = "AnaL";
        user["blog"] = "https://x.com/ana_codes";
        var interaction = Single("issue_comment", payload);

        Assert.Equal("Ana Lima", interaction.ActorName);
        Assert.Equal(["x:anal", "x:ana_codes"], interaction.ActorLinks);
    }

    [Fact]
    public void ReplyToBotAuthoredIssue_IsKept_AndGivesToTheBotAccount()
    {
        var payload = Example("issue_comment.created");
        SetUser(payload, "issue.user", "renovate[bot]", "Bot");

        var reply = Single("issue_comment", payload);

        Assert.Equal("github:renovate_bot_", reply.InReplyTo!.Author);
        Assert.True(UserIds.IsValid(reply.InReplyTo.Author));
    }

    [Theory]
    [InlineData("issues", "labeled", "issues.labeled is not an interaction")]
    [InlineData("issue_comment", "edited", "issue_comment.edited is not an interaction")]
    [InlineData("discussion", "unanswered", "discussion.unanswered is not an interaction")]
    [InlineData("push", null, "push is not an interaction")]
    public void OtherEvents_AreIgnoredWithReason(string gitHubEvent, string? action, string reason)
    {
        var example = GitHubExamples.All.First(e => e.Event == gitHubEvent && e.Action == action);

        var result = GitHubDelivery.Normalize(example.Event, example.Json);

        Assert.Empty(result.Interactions);
        Assert.Equal(reason, result.Ignored);
    }

    [Fact]
    public void EventHeader_IsReadCaseInsensitively()
    {
        var example = GitHubExamples.All.First(e => e.Group == "issues.opened");
        Assert.Single(GitHubDelivery.Normalize("Issues", example.Json).Interactions);
    }
}
