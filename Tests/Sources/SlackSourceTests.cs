using System.Globalization;
using System.Text;
using System.Text.Json;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;
using Engage.Tests.Support;

namespace Engage.Tests.Sources;

public sealed class SlackSignatureTests
{
    // Slack's worked example in "Verifying requests from Slack".
    private const string ExampleSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string ExampleTimestamp = "1531420618";
    private const string ExampleBody = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    private const string ExampleSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static readonly DateTimeOffset ExampleTime = DateTimeOffset.FromUnixTimeSeconds(1531420618);

    private const string Secret = "test-slack-secret";
    private readonly Slack _source = new();

    private static WebhookRequest Request(string body, string? timestamp, string? signature, string? retry = null)
    {
        var headers = new Dictionary<string, string>();
        if (timestamp is not null)
        {
            headers[Slack.TimestampHeader] = timestamp;
        }

        if (signature is not null)
        {
            headers[Slack.SignatureHeader] = signature;
        }

        if (retry is not null)
        {
            headers["X-Slack-Retry-Num"] = retry;
        }

        return PlatformSigners.Request(body, headers);
    }

    [Fact]
    public void Sign_SlackDocumentedExample_ProducesPublishedSignature()
    {
        Assert.Equal(ExampleSignature, Slack.Sign(ExampleSecret, ExampleTimestamp, Encoding.UTF8.GetBytes(ExampleBody)));
    }

    [Fact]
    public void Verify_SlackDocumentedExample_AcceptsAtItsTime()
    {
        Assert.Null(_source.Verify(Request(ExampleBody, ExampleTimestamp, ExampleSignature), [ExampleSecret], ExampleTime.AddSeconds(30)));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Verify_TimestampMoreThanFiveMinutesAway_Is401(int offsetSeconds)
    {
        var rejection = _source.Verify(Request(ExampleBody, ExampleTimestamp, ExampleSignature), [ExampleSecret], ExampleTime.AddSeconds(-offsetSeconds));
        Assert.Equal(401, rejection?.Status);
    }

    [Theory]
    [InlineData(null, ExampleSignature)]
    [InlineData(ExampleTimestamp, null)]
    [InlineData("", ExampleSignature)]
    [InlineData("soon", ExampleSignature)]
    [InlineData("-1531420618", ExampleSignature)]
    [InlineData("99999999999999999999", ExampleSignature)]
    [InlineData(ExampleTimestamp, "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")]
    [InlineData(ExampleTimestamp, "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")]
    [InlineData(ExampleTimestamp, "v0=zz")]
    [InlineData("1531420619", ExampleSignature)]
    public void Verify_MissingMalformedOrWrongHeaders_Is401(string? timestamp, string? signature)
    {
        var rejection = _source.Verify(Request(ExampleBody, timestamp, signature), [ExampleSecret], ExampleTime);
        Assert.Equal(401, rejection?.Status);
    }

    [Fact]
    public void Verify_RetryOfSignedDelivery_Accepts()
    {
        const string body = """{"type":"event_callback"}""";
        var now = DateTimeOffset.UtcNow;
        var ts = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        Assert.Null(_source.Verify(Request(body, ts, PlatformSigners.Slack(Secret, now.ToUnixTimeSeconds(), body), retry: "1"), ["old", Secret], now));
    }

    [Fact]
    public void Handshake_UrlVerification_AnswersChallengeAsText()
    {
        var body = PlatformSigners.Fixture("slack", "url_verification.json");
        using var doc = JsonDocument.Parse(body);

        var reply = _source.Handshake(Request(body, null, null), doc.RootElement);

        var text = Assert.IsType<WebhookReply>(reply);
        Assert.Equal(200, text.Status);
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", text.Body);
        Assert.StartsWith("text/plain", text.ContentType, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"url_verification"}""")]
    [InlineData("""{"type":"url_verification","challenge":42}""")]
    [InlineData("""{"type":"url_verification","challenge":""}""")]
    public void Handshake_UrlVerificationWithoutChallenge_Is400(string body)
    {
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(400, Assert.IsType<WebhookRejection>(_source.Handshake(Request(body, null, null), doc.RootElement)).Status);
    }

    [Fact]
    public void Handshake_EventCallback_IsNotAHandshake()
    {
        var body = PlatformSigners.Fixture("slack", "app_mention.json");
        using var doc = JsonDocument.Parse(body);
        Assert.Null(_source.Handshake(Request(body, null, null), doc.RootElement));
    }

    [Fact]
    public void DeliveryId_IsEnvelopeEventId_OrTheBodyHashWithoutOne()
    {
        var body = PlatformSigners.Fixture("slack", "app_mention.json");
        using var doc = JsonDocument.Parse(body);
        Assert.Equal("Ev08MFMKH6", _source.DeliveryId(Request(body, null, null), doc.RootElement));

        const string limited = """{"token":"x","type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820,"api_app_id":"A1"}""";
        using var limitedDoc = JsonDocument.Parse(limited);
        Assert.Equal(64, _source.DeliveryId(Request(limited, null, null), limitedDoc.RootElement).Length);
    }
}

public sealed class SlackNormalizeTests
{
    private static Normalized Normalize(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return new Slack().Normalize(PlatformSigners.Request(json, new Dictionary<string, string>()), doc.RootElement);
    }

    private static Interaction Single(string fixture) => Assert.Single(Normalize(PlatformSigners.Fixture("slack", fixture)).Interactions);

    [Fact]
    public void Normalize_AppMention_IsPostKeyedByTeamChannelAndTs()
    {
        var post = Single("app_mention.json");

        Assert.Equal("slack:TXXXXXXXX.C0LAN2Q65.1515449522.000016", post.Id);
        Assert.Equal(InteractionKind.Post, post.Kind);
        Assert.Equal("slack:TXXXXXXXX.U061F7AUR", post.Actor);
        Assert.Equal(["slack:TXXXXXXXX.U0LAN0Z89"], post.Mentions);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1515449522000).AddTicks(160), post.OccurredAt);
        Assert.Null(post.InReplyTo);
    }

    [Fact]
    public void Normalize_AppMentionAndMessageOfTheSameText_AreOneInteraction()
    {
        var mention = PlatformSigners.Fixture("slack", "app_mention.json");
        var message = mention
            .Replace("\"type\": \"app_mention\"", "\"type\": \"message\"", StringComparison.Ordinal)
            .Replace("Ev08MFMKH6", "Ev08MFMKZZ", StringComparison.Ordinal);

        Assert.Equal(Single("app_mention.json"), Assert.Single(Normalize(message).Interactions), InteractionComparer.Instance);
    }

    [Fact]
    public void Normalize_ThreadParent_IsPost()
    {
        var post = Single("thread_parent.json");
        Assert.Equal(InteractionKind.Post, post.Kind);
        Assert.Equal("slack:TXXXXXXXX.C0LAN2Q65.1493305433.915644", post.Id);
    }

    [Fact]
    public void Normalize_ThreadReply_IsReplyToThreadRootAndItsAuthor()
    {
        var reply = Single("thread_reply.json");

        Assert.Equal(InteractionKind.Reply, reply.Kind);
        Assert.Equal("slack:TXXXXXXXX.C0LAN2Q65.1493305444.920992", reply.Id);
        Assert.Equal("slack:TXXXXXXXX.U5678", reply.Actor);
        Assert.Equal(new ItemRef("slack:TXXXXXXXX.C0LAN2Q65.1493305433.915644", "slack:TXXXXXXXX.U1234"), reply.InReplyTo);
        Assert.Equal("slack:TXXXXXXXX.U1234", reply.ThreadRootAuthor);
        Assert.Equal("foo", reply.Text);
    }

    [Fact]
    public void Normalize_ThreadReplyWithoutParentUserId_LeavesTheAuthorToTheItemsIndex()
    {
        var json = PlatformSigners.Fixture("slack", "thread_reply.json").Replace("\"parent_user_id\": \"U1234\",", "", StringComparison.Ordinal);
        var reply = Assert.Single(Normalize(json).Interactions);

        Assert.Equal(new ItemRef("slack:TXXXXXXXX.C0LAN2Q65.1493305433.915644", null), reply.InReplyTo);
        Assert.True(reply.NeedsParentAuthor);
    }

    [Fact]
    public void Normalize_MessageWithMentions_ReadsUserMentionsButNotTheAppsBot()
    {
        var post = Single("message_mentions.json");

        Assert.Equal("slack:T0TEAM0001.U0ALICE001", post.Actor);
        Assert.Equal(["slack:T0TEAM0001.U0BOB00002", "slack:T0TEAM0001.U0CAROL003"], post.Mentions);
        Assert.Contains("9 to 2 minutes & ", post.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_ReactionAdded_IsReactionToItemUser()
    {
        var reaction = Single("reaction_added.json");

        Assert.Equal(InteractionKind.Reaction, reaction.Kind);
        Assert.Equal("slack:T0TEAM0001.U0ALICE001", reaction.Actor);
        Assert.Equal(new ItemRef("slack:T0TEAM0001.C0CHAN0001.1700000000.000100", "slack:T0TEAM0001.U0BOB00002"), reaction.Subject);
        Assert.Equal("slack:T0TEAM0001.C0CHAN0001.1700000000.000100.reaction.U0ALICE001.thumbsup", reaction.Id);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000360).AddTicks(2000), reaction.OccurredAt);
    }

    [Fact]
    public void Normalize_ReactionToWebhookMessage_HasNoAuthorToGiveTo()
    {
        var json = PlatformSigners.Fixture("slack", "reaction_added.json").Replace("\"item_user\": \"U0BOB00002\",", "", StringComparison.Ordinal);
        var reaction = Assert.Single(Normalize(json).Interactions);

        Assert.Null(reaction.Subject?.Author);
        Assert.Empty(reaction.KnownGiveTargets());
    }

    [Theory]
    [InlineData("group_join.json", "group_join")]
    [InlineData("message_changed.json", "message_changed")]
    [InlineData("url_verification.json", "url_verification")]
    public void Normalize_NotPeopleTalking_IsIgnoredWithReason(string fixture, string reason)
    {
        var result = Normalize(PlatformSigners.Fixture("slack", fixture));
        Assert.Empty(result.Interactions);
        Assert.Contains(reason, result.Ignored, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_BotMessage_IsKeptAsTheBotsPost_Flagged()
    {
        // Decision 1141 (superseding 0203's bot exclusion): a bot_message acts as its bot id, flagged, named by its username.
        var post = Assert.Single(Normalize(PlatformSigners.Fixture("slack", "bot_message.json")).Interactions);

        Assert.Equal("slack:TXXXXXXXX.BB12033", post.Actor);
        Assert.Equal("github", post.ActorHandle);
        Assert.True(post.ActorIsBot);
        Assert.Equal(InteractionKind.Post, post.Kind);
    }

    [Fact]
    public void Normalize_MessageWithBotIdAndUser_IsTheBotUsers_Flagged()
    {
        var post = Assert.Single(Normalize("""{"type":"event_callback","team_id":"T1","event":{"type":"message","subtype":null,"bot_id":"B1","user":"U1","channel":"C1","ts":"1.2"}}""").Interactions);

        Assert.Equal("slack:T1.U1", post.Actor);
        Assert.True(post.ActorIsBot);
    }

    [Theory]
    [InlineData("thread_broadcast")]
    [InlineData("file_share")]
    [InlineData("me_message")]
    public void Normalize_TalkingSubtypes_AreCounted(string subtype)
    {
        var json = PlatformSigners.Fixture("slack", "thread_reply.json").Replace("\"type\": \"message\",", $"\"type\": \"message\", \"subtype\": \"{subtype}\",", StringComparison.Ordinal);
        Assert.Equal(InteractionKind.Reply, Assert.Single(Normalize(json).Interactions).Kind);
    }

    [Theory]
    [InlineData("""[1]""")]
    [InlineData("""{"type":"event_callback","event":{"type":"message"}}""")]
    [InlineData("""{"type":"event_callback","team_id":"T1"}""")]
    [InlineData("""{"type":"event_callback","team_id":"T1","event":"message"}""")]
    [InlineData("""{"type":"event_callback","team_id":"T 1/../x","event":{}}""")]
    [InlineData("""{"type":"event_callback","team_id":null,"event":{"type":"message"}}""")]
    public void Normalize_MalformedEnvelope_ThrowsPayloadException(string json)
    {
        Assert.Throws<PayloadException>(() => Normalize(json));
    }

    [Theory]
    [InlineData("""{"type":"app_rate_limited","team_id":"T1"}""")]
    [InlineData("""{"type":null}""")]
    [InlineData("""{"type":"event_callback","team_id":"T1","event":{"type":"channel_created"}}""")]
    [InlineData("""{"type":"event_callback","team_id":"T1","event":{"type":42}}""")]
    [InlineData("""{"type":"event_callback","team_id":"T1","event":{"type":"message","user":"U1","channel":"C1"}}""")]
    [InlineData("""{"type":"event_callback","team_id":"T1","event":{"type":"message","user":"U1","channel":"C1","ts":"yesterday"}}""")]
    [InlineData("""{"type":"event_callback","team_id":"T1","event":{"type":"message","user":["U1"],"channel":"C1","ts":"1.2"}}""")]
    [InlineData("""{"type":"event_callback","team_id":"T1","event":{"type":"message","user":"U1","channel":"C1","ts":"99999999999999.1"}}""")]
    [InlineData("""{"type":"event_callback","team_id":"T1","event":{"type":"reaction_added","user":"U1","item":{"type":"file","file":"F1"},"event_ts":"1.2"}}""")]
    [InlineData("""{"type":"event_callback","team_id":"T1","event":{"type":"reaction_added","user":"U1","item":{"type":"message","channel":"C1","ts":"1.1"},"reaction":null,"event_ts":"1.2"}}""")]
    [InlineData("""{"type":"event_callback","team_id":"T1","event":{"type":"reaction_added","user":"U1","item":"message","event_ts":"1.2"}}""")]
    public void Normalize_MalformedOrUninterestingEvent_IsIgnoredWithReason(string json)
    {
        var result = Normalize(json);
        Assert.Empty(result.Interactions);
        Assert.False(string.IsNullOrEmpty(result.Ignored));
    }

    [Fact]
    public void Normalize_HugeTextAndOddThreadTs_StillReadsTheMessage()
    {
        var text = new string('a', 300_000) + " <@U2> <@U2|dup> <@not-a-user>";
        var json = $$$"""{"type":"event_callback","team_id":"T1","event":{"type":"message","user":"U1","channel":"C1","ts":"1.2","thread_ts":{"x":1},"parent_user_id":7,"text":"{{{text}}}"}}""";
        var post = Assert.Single(Normalize(json).Interactions);

        Assert.Equal(InteractionKind.Post, post.Kind);
        Assert.Equal(["slack:T1.U2"], post.Mentions);
    }
}
