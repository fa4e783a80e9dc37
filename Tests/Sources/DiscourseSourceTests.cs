using System.Text.Json;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;
using Engage.Tests.Support;

namespace Engage.Tests.Sources;

public sealed class DiscourseSignatureTests
{
    // Discourse's own vector (spec/jobs/emit_web_hook_event_spec.rb): the ping body signed with this secret.
    private const string VectorSecret = "my_lovely_secret_for_web_hook";
    private const string VectorBody = """{"ping":"OK"}""";
    private const string VectorSignature = "sha256=162f107f6b5022353274eb1a7197885cfd35744d8d08e5bcea025d309386b7d6";

    private readonly Discourse _source = new();

    private static WebhookRequest Request(string body, string? signature) => PlatformSigners.Request(body,
        signature is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [Discourse.SignatureHeader] = signature });

    [Fact]
    public void Signer_PublishedVector_ProducesPublishedSignature()
    {
        Assert.Equal(VectorSignature, PlatformSigners.HexSha256(VectorSecret, VectorBody));
        Assert.Equal(VectorBody, PlatformSigners.Fixture("discourse", "ping.json"));
    }

    [Fact]
    public void Verify_PublishedVector_Accepts()
    {
        Assert.Null(_source.Verify(Request(VectorBody, VectorSignature), ["rotated-out", VectorSecret], DateTimeOffset.UtcNow));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("162f107f6b5022353274eb1a7197885cfd35744d8d08e5bcea025d309386b7d6")]
    [InlineData("sha1=162f107f6b5022353274eb1a7197885cfd35744d8d08e5bcea025d309386b7d6")]
    [InlineData("sha256=162f107f6b5022353274eb1a7197885cfd35744d8d08e5bcea025d309386b7d7")]
    [InlineData("sha256=nothex")]
    public void Verify_MissingMalformedOrWrongSignature_Is401(string? signature)
    {
        Assert.Equal(401, _source.Verify(Request(VectorBody, signature), [VectorSecret], DateTimeOffset.UtcNow)?.Status);
    }

    [Fact]
    public void DeliveryId_IsTheEventIdHeader()
    {
        using var doc = JsonDocument.Parse(VectorBody);
        var request = PlatformSigners.Request(VectorBody, new Dictionary<string, string> { [Discourse.EventIdHeader] = "158765" });
        Assert.Equal("158765", _source.DeliveryId(request, doc.RootElement));
    }
}

public sealed class DiscourseNormalizeTests
{
    private const string Host = "forum.example.org";

    private static Normalized Normalize(string json, string eventName = "post_created", string instance = "https://forum.example.org")
    {
        using var doc = JsonDocument.Parse(json);
        var headers = PlatformSigners.Headers("discourse", json, "s", discourseEvent: eventName, discourseInstance: instance);
        return new Discourse().Normalize(PlatformSigners.Request(json, headers), doc.RootElement);
    }

    private static Interaction Single(string fixture, string eventName = "post_created") =>
        Assert.Single(Normalize(PlatformSigners.Fixture("discourse", fixture), eventName).Interactions);

    [Fact]
    public void Normalize_TopicFirstPost_IsPostWhoseIdIsTheTopicsFirstPostId()
    {
        var post = Single("post_created_topic.json");

        Assert.Equal(InteractionKind.Post, post.Kind);
        Assert.Equal(Discourse.PostId(Host, "1234", "1"), post.Id);
        Assert.Equal("discourse:forum.example.org.post:1234:1", post.Id);
        Assert.Equal("discourse:forum.example.org.bob", post.Actor);
        Assert.Equal("Bob", post.ActorHandle);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero), post.OccurredAt);
        Assert.Equal(["discourse:forum.example.org.carol"], post.Mentions);
    }

    [Fact]
    public void Normalize_ReplyToPost_NamesParentAndAuthor_AndReadsOnlyTheAuthorsOwnWords()
    {
        var reply = Single("post_created_reply.json");

        Assert.Equal(InteractionKind.Reply, reply.Kind);
        Assert.Equal("discourse:forum.example.org.post:1234:2", reply.Id);
        Assert.Equal("discourse:forum.example.org.alice", reply.Actor);
        Assert.Equal(new ItemRef("discourse:forum.example.org.post:1234:1", "discourse:forum.example.org.bob"), reply.InReplyTo);
        // @carol is inside Bob's quote, @not_a_mention inside code, alice@example.org is an address.
        Assert.Equal(["discourse:forum.example.org.dan.smith"], reply.Mentions);
        Assert.Equal("dan.smith", reply.MentionHandles!["discourse:forum.example.org.dan.smith"]);
        Assert.DoesNotContain("How do I cache them", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("not_a_mention", reply.Text, StringComparison.Ordinal);
        Assert.StartsWith("Use the restore cache step", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_ReplyToTheTopic_AnswersPostOneWhoseAuthorTheItemsIndexKnows()
    {
        var reply = Single("post_created_topic_reply.json");

        Assert.Equal(InteractionKind.Reply, reply.Kind);
        Assert.Equal(new ItemRef("discourse:forum.example.org.post:1234:1", null), reply.InReplyTo);
        Assert.True(reply.NeedsParentAuthor);
    }

    [Fact]
    public void Normalize_PostLiked_IsReactionToThePostsAuthorKeyedByPostAndLiker()
    {
        var like = Single("post_liked.json", "post_liked");

        Assert.Equal(InteractionKind.Reaction, like.Kind);
        Assert.Equal("discourse:forum.example.org.like:1234:2:bob", like.Id);
        Assert.Equal("discourse:forum.example.org.bob", like.Actor);
        Assert.Equal(new ItemRef("discourse:forum.example.org.post:1234:2", "discourse:forum.example.org.alice"), like.Subject);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), like.OccurredAt);
    }

    [Fact]
    public void Normalize_RedeliveryWithANewEventId_IsTheSameInteraction()
    {
        var json = PlatformSigners.Fixture("discourse", "post_created_reply.json");
        Assert.Equal(Assert.Single(Normalize(json).Interactions), Assert.Single(Normalize(json).Interactions), InteractionComparer.Instance);
    }

    [Theory]
    [InlineData("ping.json", "ping", "ping")]
    [InlineData("post_edited.json", "post_edited", "post_edited")]
    [InlineData("post_created_small_action.json", "post_created", "small-action")]
    [InlineData("post_created_system.json", "post_created", "system user")]
    [InlineData("post_created_topic.json", "topic_created", "topic_created")]
    public void Normalize_NotAnInteraction_IsIgnoredWithReason(string fixture, string eventName, string reason)
    {
        var result = Normalize(PlatformSigners.Fixture("discourse", fixture), eventName);
        Assert.Empty(result.Interactions);
        Assert.Contains(reason, result.Ignored, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://Forum.Example.org/", "forum.example.org")]
    [InlineData("https://forum.example.org:8443", "forum.example.org")]
    [InlineData("forum.example.org", "forum.example.org")]
    public void Normalize_InstanceHeader_GivesTheHostOfUserIds(string instance, string host)
    {
        var post = Assert.Single(Normalize(PlatformSigners.Fixture("discourse", "post_created_topic.json"), instance: instance).Interactions);
        Assert.Equal($"discourse:{host}.bob", post.Actor);
    }

    [Theory]
    [InlineData("Ünïcödé", "discourse:h.example._fc_n_ef_c_f6_d_e9_")]
    [InlineData("名前", "discourse:h.example._540d__524d_")]
    [InlineData("Dan.Smith-2_x", "discourse:h.example.dan.smith-2_x")]
    public void UserId_LowerCasesAndKeepsNonLatinNamesDistinct(string username, string expected)
    {
        Assert.Equal(expected, Discourse.UserId("h.example", username));
        Assert.True(UserIds.IsValid(Discourse.UserId("h.example", username)));
    }

    [Theory]
    [InlineData("[quote=\"a, post:1\"]outer [quote]@inner[/quote] @outer[/quote] @mine", "@mine")]
    [InlineData("> @quoted line\n@mine", "@mine")]
    [InlineData("`@code` @mine", "@mine")]
    [InlineData("```\n@fenced\n``` @mine", "@mine")]
    public void OwnText_DropsQuotesAndCode(string raw, string own)
    {
        Assert.Equal(own, Discourse.OwnText(raw));
    }

    [Theory]
    [InlineData("""[1]""", "post_created")]
    [InlineData("""{}""", "post_created")]
    [InlineData("""{"post":null}""", "post_created")]
    [InlineData("""{"post":"text"}""", "post_created")]
    [InlineData("""{"post":{"topic_id":"1","post_number":1,"username":"a"}}""", "post_created")]
    [InlineData("""{"post":{"topic_id":1.5,"post_number":1,"username":"a","created_at":"2026-11-20T09:00:00Z"}}""", "post_created")]
    [InlineData("""{"post":{"topic_id":1,"post_number":1,"username":"a b","created_at":"2026-11-20T09:00:00Z"}}""", "post_created")]
    [InlineData("""{"post":{"topic_id":1,"post_number":1,"username":["a"],"created_at":"2026-11-20T09:00:00Z"}}""", "post_created")]
    [InlineData("""{"like":{"post":{"topic_id":1,"post_number":1,"username":"a","created_at":"2026-11-20T09:00:00Z"},"user":null}}""", "post_liked")]
    [InlineData("""{"like":[]}""", "post_liked")]
    public void Normalize_MalformedPayload_ThrowsPayloadException(string json, string eventName)
    {
        Assert.Throws<PayloadException>(() => Normalize(json, eventName));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://")]
    [InlineData("not a host/")]
    public void Normalize_MissingOrUnusableInstance_ThrowsPayloadException(string? instance)
    {
        var json = PlatformSigners.Fixture("discourse", "post_created_topic.json");
        using var doc = JsonDocument.Parse(json);
        var headers = PlatformSigners.Headers("discourse", json, "s");
        headers.Remove(Discourse.InstanceHeader);
        if (instance is not null)
        {
            headers[Discourse.InstanceHeader] = instance;
        }

        Assert.Throws<PayloadException>(() => new Discourse().Normalize(PlatformSigners.Request(json, headers), doc.RootElement));
    }

    [Fact]
    public void Normalize_HugeRawAndOddReplyFields_StillReadsThePost()
    {
        var raw = new string('a', 300_000) + " @bob @Bob @" + new string('x', 80);
        var json = $$$"""{"post":{"topic_id":1,"post_number":3,"username":"alice","created_at":"2026-11-20T09:00:00Z","raw":"{{{raw}}}","reply_to_post_number":"two","reply_to_user":{"username":null},"post_type":"x","user_id":"y"}}""";
        var reply = Assert.Single(Normalize(json).Interactions);

        Assert.Equal(InteractionKind.Reply, reply.Kind);
        Assert.Equal(new ItemRef("discourse:forum.example.org.post:1:1", null), reply.InReplyTo);
        Assert.Equal(["discourse:forum.example.org.bob"], reply.Mentions);
    }
}
