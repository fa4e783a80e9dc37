using System.Text.Json;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;
using Engage.Tests.Support;

namespace Engage.Tests.Sources;

public sealed class XSignatureTests
{
    private const string Secret = "test-x-secret";
    private readonly X _source = new();

    [Fact]
    public void CrcResponseToken_PublishedVector_MatchesResponseToken()
    {
        Assert.Equal("sha256=O5hJl2njQRIa4vsumZ+3oom9ECR5m3aQLRZkPoYelp0=", X.CrcResponseToken("apiSecret", "test token"));
    }

    [Fact]
    public void Get_CrcToken_AnswersJsonResponseTokenWithFirstSecret()
    {
        var request = new WebhookRequest("GET", new Dictionary<string, string>(), new Dictionary<string, string> { ["crc_token"] = "test token" }, ReadOnlyMemory<byte>.Empty);

        var reply = _source.Get(request, ["apiSecret", "older-secret"]);

        var json = Assert.IsType<WebhookReply>(reply);
        Assert.Equal(200, json.Status);
        Assert.Equal("application/json", json.ContentType);
        using var doc = JsonDocument.Parse(json.Body);
        Assert.Equal("sha256=O5hJl2njQRIa4vsumZ+3oom9ECR5m3aQLRZkPoYelp0=", doc.RootElement.GetProperty("response_token").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Get_MissingOrEmptyCrcToken_Is400Rejection(string? token)
    {
        var query = token is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["crc_token"] = token };
        var reply = _source.Get(new WebhookRequest("GET", new Dictionary<string, string>(), query, ReadOnlyMemory<byte>.Empty), [Secret]);

        Assert.Equal(400, Assert.IsType<WebhookRejection>(reply).Status);
    }

    [Fact]
    public void Verify_SignedBody_Accepts()
    {
        const string body = """{"for_user_id":"1","tweet_create_events":[]}""";
        Assert.Null(_source.Verify(PlatformSigners.Request(body, PlatformSigners.Headers("x", body, Secret)), [Secret], DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Verify_AnyConfiguredSecret_Accepts()
    {
        const string body = """{"for_user_id":"1"}""";
        Assert.Null(_source.Verify(PlatformSigners.Request(body, PlatformSigners.Headers("x", body, "new")), ["old", "new"], DateTimeOffset.UtcNow));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256=")]
    [InlineData("sha256=not base64!")]
    [InlineData("sha1=O5hJl2njQRIa4vsumZ+3oom9ECR5m3aQLRZkPoYelp0=")]
    [InlineData("sha256=O5hJl2njQRIa4vsumZ+3oom9ECR5m3aQLRZkPoYelp0=")]
    public void Verify_MissingMalformedOrWrongSignature_Is401(string? header)
    {
        var headers = header is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [X.SignatureHeader] = header };
        var rejection = _source.Verify(PlatformSigners.Request("{}", headers), [Secret], DateTimeOffset.UtcNow);
        Assert.Equal(401, rejection?.Status);
    }

    [Fact]
    public void Verify_TamperedBody_Is401()
    {
        var headers = PlatformSigners.Headers("x", """{"a":1}""", Secret);
        Assert.Equal(401, _source.Verify(PlatformSigners.Request("""{"a":2}""", headers), [Secret], DateTimeOffset.UtcNow)?.Status);
    }

    [Fact]
    public void DeliveryId_IsSha256HexOfBody()
    {
        const string body = """{"for_user_id":"1"}""";
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body))),
            _source.DeliveryId(PlatformSigners.Request(body, new Dictionary<string, string>()), doc.RootElement));
    }
}

public sealed class XNormalizeTests
{
    private static Normalized Normalize(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return new X().Normalize(PlatformSigners.Request(json, new Dictionary<string, string>()), doc.RootElement);
    }

    private static Interaction Single(string fixture) => Assert.Single(Normalize(PlatformSigners.Fixture("x", fixture)).Interactions);

    [Fact]
    public void Normalize_Reply_IsReplyToUserWithAllMentionsAndOwnText()
    {
        var reply = Single("tweet_reply.json");

        Assert.Equal("x:1050118621198921728", reply.Id);
        Assert.Equal(InteractionKind.Reply, reply.Kind);
        Assert.Equal("x:6253282", reply.Actor);
        Assert.Equal("exampledev", reply.ActorHandle);
        Assert.Equal(new ItemRef("x:1050118601234567890", "x:2244994945"), reply.InReplyTo);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1539202764000), reply.OccurredAt);
        // Every entry of user_mentions is a mention, the leading @handles included (docs/scoring.md).
        Assert.Equal(["x:2244994945", "x:6253282000"], reply.Mentions);
        Assert.Equal("TwitterDev", reply.MentionHandles!["x:2244994945"]);
        // The text is the tweet's own words: display_text_range leaves out the leading @handles.
        Assert.Equal("How do I register a webhook for the Account Activity API?", reply.Text);
        Assert.Equal(["x:2244994945", "x:6253282000"], reply.KnownGiveTargets());
    }

    [Fact]
    public void Normalize_TruncatedTweet_ReadsExtendedTweetTextAndEntities()
    {
        var post = Single("tweet_extended.json");

        Assert.Equal(InteractionKind.Post, post.Kind);
        Assert.StartsWith("Our new guide to webhooks is out.", post.Text, StringComparison.Ordinal);
        Assert.Contains("@exampledev and @andypiper for reviewing it!", post.Text, StringComparison.Ordinal);
        Assert.Equal(["x:6253282", "x:786491"], post.Mentions);
    }

    [Fact]
    public void Normalize_QuoteTweet_IsQuoteOfQuotedTweetWithoutQuotedMentions()
    {
        var quote = Single("tweet_quote.json");

        Assert.Equal(InteractionKind.Quote, quote.Kind);
        Assert.Equal(new ItemRef("x:1050310000000000001", "x:2244994945"), quote.Subject);
        Assert.Empty(quote.Mentions);
        Assert.Equal("This is the clearest write-up of webhook retries I have read", quote.Text);
        Assert.Null(quote.InReplyTo);
    }

    [Fact]
    public void Normalize_QuoteWithOnlyQuotedStatusId_IsQuoteWithUnknownAuthor()
    {
        var json = PlatformSigners.Fixture("x", "tweet_quote.json").Replace("\"quoted_status\": {", "\"quoted_status_removed\": {", StringComparison.Ordinal);
        var quote = Assert.Single(Normalize(json).Interactions);

        Assert.Equal(InteractionKind.Quote, quote.Kind);
        Assert.Equal(new ItemRef("x:1050310000000000001", null), quote.Subject);
    }

    [Fact]
    public void Normalize_Retweet_IsRepostWithoutTextOrMentions()
    {
        var repost = Single("tweet_retweet.json");

        Assert.Equal(InteractionKind.Repost, repost.Kind);
        Assert.Equal("x:1050340000000000003", repost.Id);
        Assert.Equal("x:786491", repost.Actor);
        Assert.Equal(new ItemRef("x:1050310000000000001", "x:2244994945"), repost.Subject);
        Assert.Empty(repost.Mentions);
        Assert.Null(repost.Text);
    }

    [Fact]
    public void Normalize_RetweetOfQuoteThatIsAlsoAReply_RepostWins()
    {
        var json = """
            {"for_user_id":"1","tweet_create_events":[{"id_str":"30","created_at":"Wed Oct 10 20:19:24 +0000 2018",
              "user":{"id_str":"3"},"in_reply_to_status_id_str":"20","in_reply_to_user_id_str":"2","is_quote_status":true,
              "quoted_status_id_str":"10","retweeted_status":{"id_str":"25","user":{"id_str":"4"}},"text":"RT @x: hi"}]}
            """;
        var repost = Assert.Single(Normalize(json).Interactions);
        Assert.Equal(InteractionKind.Repost, repost.Kind);
        Assert.Equal(new ItemRef("x:25", "x:4"), repost.Subject);
    }

    [Fact]
    public void Normalize_QuoteThatIsAlsoAReply_QuoteWins()
    {
        var json = """
            {"for_user_id":"1","tweet_create_events":[{"id_str":"30","created_at":"Wed Oct 10 20:19:24 +0000 2018",
              "user":{"id_str":"3"},"in_reply_to_status_id_str":"20","in_reply_to_user_id_str":"2","is_quote_status":true,
              "quoted_status_id_str":"10","text":"look at this"}]}
            """;
        Assert.Equal(InteractionKind.Quote, Assert.Single(Normalize(json).Interactions).Kind);
    }

    [Fact]
    public void Normalize_CreatedAtWithoutTimestampMs_ParsesXDate()
    {
        var json = """{"tweet_create_events":[{"id_str":"30","created_at":"Wed Oct 10 20:19:24 +0000 2018","user":{"id_str":"3"},"text":"hello"}]}""";
        Assert.Equal(new DateTimeOffset(2018, 10, 10, 20, 19, 24, TimeSpan.Zero), Assert.Single(Normalize(json).Interactions).OccurredAt);
    }

    [Fact]
    public void Normalize_Favorite_IsReactionToTweetAuthorKeyedByLikerAndTweet()
    {
        var like = Single("favorite_events.json");

        Assert.Equal(InteractionKind.Reaction, like.Kind);
        Assert.Equal("x:fav:6253282:977900000000000001", like.Id);
        Assert.Equal("x:6253282", like.Actor);
        Assert.Equal(new ItemRef("x:977900000000000001", "x:2244994945"), like.Subject);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1522082006140), like.OccurredAt);
    }

    [Fact]
    public void Normalize_FollowEvents_FollowIsFollowAndUnfollowIsIgnored()
    {
        var follow = Single("follow_events.json");

        Assert.Equal(InteractionKind.Follow, follow.Kind);
        Assert.Equal("x:6253282", follow.Actor);
        Assert.Equal(new ItemRef(null, "x:2244994945"), follow.Subject);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1517588749178), follow.OccurredAt);
    }

    [Fact]
    public void Normalize_DirectMessages_IsIgnoredWithReason()
    {
        var result = Normalize(PlatformSigners.Fixture("x", "direct_message_events.json"));

        Assert.Empty(result.Interactions);
        Assert.Contains("direct_message_events", result.Ignored, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_SameTweetForTwoSubscribers_IsTheSameInteraction()
    {
        var forBob = PlatformSigners.Fixture("x", "tweet_reply.json");
        var forAlice = forBob.Replace("\"for_user_id\": \"2244994945\"", "\"for_user_id\": \"6253282000\"", StringComparison.Ordinal);
        Assert.NotEqual(forBob, forAlice);

        Assert.Equal(Assert.Single(Normalize(forBob).Interactions), Assert.Single(Normalize(forAlice).Interactions), InteractionComparer.Instance);
    }

    [Theory]
    [InlineData("""[1,2]""")]
    [InlineData("""42""")]
    [InlineData("""null""")]
    public void Normalize_BodyNotAnObject_ThrowsPayloadException(string json)
    {
        Assert.Throws<PayloadException>(() => Normalize(json));
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"for_user_id":"1","tweet_create_events":null}""")]
    [InlineData("""{"tweet_create_events":"nope"}""")]
    [InlineData("""{"tweet_create_events":[1,"two",null,[]]}""")]
    [InlineData("""{"tweet_create_events":[{"id_str":"1"}]}""")]
    [InlineData("""{"tweet_create_events":[{"id_str":"1","user":{"id_str":"2"},"created_at":"yesterday"}]}""")]
    [InlineData("""{"tweet_create_events":[{"id_str":"1; drop","user":{"id_str":"2"},"timestamp_ms":"1539202764000"}]}""")]
    [InlineData("""{"tweet_create_events":[{"id_str":"1","user":{"id_str":"2"},"timestamp_ms":"-5"}]}""")]
    [InlineData("""{"tweet_create_events":[{"id_str":"1","user":{"id_str":"2"},"timestamp_ms":"99999999999999999999999"}]}""")]
    [InlineData("""{"tweet_create_events":[{"id":1.5e300,"user":{"id":true},"timestamp_ms":{}}]}""")]
    [InlineData("""{"tweet_create_events":[{"id_str":"1","user":{"id_str":"2"},"timestamp_ms":"1539202764000","retweeted_status":{"id_str":null}}]}""")]
    [InlineData("""{"favorite_events":[{"favorited_status":"x","user":{"id_str":"2"}}]}""")]
    [InlineData("""{"follow_events":[{"type":"follow","source":{"id":"1"},"target":null,"created_timestamp":"1517588749178"}]}""")]
    public void Normalize_MalformedEvents_IgnoredWithReasonNeverThrows(string json)
    {
        var result = Normalize(json);
        Assert.Empty(result.Interactions);
        Assert.False(string.IsNullOrEmpty(result.Ignored));
    }

    [Fact]
    public void Normalize_HugeTextAndOddFields_StillReadsTheTweet()
    {
        var text = new string('a', 300_000);
        var json = $$"""
            {"tweet_create_events":[{"id_str":"1","user":{"id_str":"2","screen_name":null},"timestamp_ms":1539202764000,"text":"{{text}}",
              "display_text_range":[5,"x"],"entities":{"user_mentions":[{"id_str":"99999999999999999999999"},{"id_str":"3"},"junk",null]},
              "in_reply_to_status_id_str":{},"is_quote_status":"yes"}]}
            """;
        var tweet = Assert.Single(Normalize(json).Interactions);

        Assert.Equal(InteractionKind.Post, tweet.Kind);
        Assert.Equal(text, tweet.Text);
        Assert.Equal(["x:3"], tweet.Mentions);
    }
}

/// <summary>Interactions hold lists: compare them by their JSON.</summary>
public sealed class InteractionComparer : IEqualityComparer<Interaction>
{
    public static readonly InteractionComparer Instance = new();

    public bool Equals(Interaction? x, Interaction? y) => JsonSerializer.Serialize(x) == JsonSerializer.Serialize(y);

    public int GetHashCode(Interaction obj) => JsonSerializer.Serialize(obj).GetHashCode(StringComparison.Ordinal);
}
