using System.Text.Json;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;
using Engage.Tests.Support;

namespace Engage.Tests.Sources;

public sealed class MastodonSignatureTests
{
    private const string Secret = "test-mastodon-secret";
    private readonly Mastodon _source = new();

    [Fact]
    public void Verify_SignedFixture_Accepts()
    {
        var body = PlatformSigners.Fixture("mastodon", "status_created_reply.json");
        Assert.Null(_source.Verify(PlatformSigners.Request(body, PlatformSigners.Headers("mastodon", body, Secret)), ["older", Secret], DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Verify_HexSignatureOfKnownInput_MatchesIndependentHmac()
    {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"): the example value of Wikipedia's HMAC article.
        const string body = "The quick brown fox jumps over the lazy dog";
        var header = new Dictionary<string, string> { [Mastodon.SignatureHeader] = "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8" };
        Assert.Null(_source.Verify(PlatformSigners.Request(body, header), ["key"], DateTimeOffset.UtcNow));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256=")]
    [InlineData("sha1=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")]
    [InlineData("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd9")]
    public void Verify_MissingMalformedOrWrongSignature_Is401(string? header)
    {
        const string body = "The quick brown fox jumps over the lazy dog";
        var headers = header is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [Mastodon.SignatureHeader] = header };
        Assert.Equal(401, _source.Verify(PlatformSigners.Request(body, headers), ["key"], DateTimeOffset.UtcNow)?.Status);
    }

    [Fact]
    public void DeliveryId_IsSha256HexOfBody()
    {
        const string body = """{"event":"account.created"}""";
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body))),
            _source.DeliveryId(PlatformSigners.Request(body, new Dictionary<string, string>()), doc.RootElement));
    }
}

public sealed class MastodonNormalizeTests
{
    private static Normalized Normalize(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return new Mastodon().Normalize(PlatformSigners.Request(json, new Dictionary<string, string>()), doc.RootElement);
    }

    private static Interaction Single(string fixture) => Assert.Single(Normalize(PlatformSigners.Fixture("mastodon", fixture)).Interactions);

    [Fact]
    public void Normalize_AccountFlaggedBot_IsKeptAndFlagged_WithItsDisplayName()
    {
        var person = Single("status_created_post.json");
        Assert.False(person.ActorIsBot);
        Assert.Equal("Bob", person.ActorName);

        var json = PlatformSigners.Fixture("mastodon", "status_created_post.json");
        var at = json.IndexOf("\"bot\": false", StringComparison.Ordinal);
        var bot = Assert.Single(Normalize(json[..at] + "\"bot\": true" + json[(at + "\"bot\": false".Length)..]).Interactions);

        Assert.True(bot.ActorIsBot);
        Assert.Equal((person.Id, person.Kind, person.Actor, person.Text), (bot.Id, bot.Kind, bot.Actor, bot.Text));
    }

    [Fact]
    public void Normalize_StatusCreated_IsPostWithInstanceQualifiedIdsAndMentions()
    {
        var post = Single("status_created_post.json");

        Assert.Equal(InteractionKind.Post, post.Kind);
        Assert.Equal("mastodon:mastodon.example.113500000000000001", post.Id);
        Assert.Equal("mastodon:mastodon.example.109413", post.Actor);
        Assert.Equal("bob", post.ActorHandle);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero), post.OccurredAt);
        // The remote account's id is this server's id for it, so it is qualified with this server's host (decision 0201).
        Assert.Equal(["mastodon:mastodon.example.110200"], post.Mentions);
        Assert.Equal("carol@fosstodon.org", post.MentionHandles!["mastodon:mastodon.example.110200"]);
        Assert.Equal("Our CI builds take 9 minutes. How do I cache them? @carol did you try this?", post.Text);
    }

    [Fact]
    public void Normalize_Reply_IsReplyToStatusAndAccount_WithHtmlAsText()
    {
        var reply = Single("status_created_reply.json");

        Assert.Equal(InteractionKind.Reply, reply.Kind);
        Assert.Equal("mastodon:mastodon.example.109412", reply.Actor);
        Assert.Equal(new ItemRef("mastodon:mastodon.example.113500000000000001", "mastodon:mastodon.example.109413"), reply.InReplyTo);
        Assert.Equal(["mastodon:mastodon.example.109413", "mastodon:mastodon.example.110200"], reply.Mentions);
        Assert.Equal("@bob Use the restore cache step: it took ours from 9 to 2 minutes & thanks @carol!\nDetails: https://example.org/ci-cache", reply.Text);
    }

    [Fact]
    public void Normalize_Reblog_IsRepostOfTheRebloggedStatusWithoutTextOrMentions()
    {
        var repost = Single("status_created_reblog.json");

        Assert.Equal(InteractionKind.Repost, repost.Kind);
        Assert.Equal("mastodon:mastodon.example.113500000000000003", repost.Id);
        Assert.Equal("mastodon:mastodon.example.109412", repost.Actor);
        Assert.Equal(new ItemRef("mastodon:mastodon.example.113500000000000001", "mastodon:mastodon.example.109413"), repost.Subject);
        Assert.Empty(repost.Mentions);
        Assert.Null(repost.Text);
    }

    [Fact]
    public void Normalize_AcceptedQuote_IsQuoteOfTheQuotedStatus()
    {
        var quote = Single("status_created_quote.json");

        Assert.Equal(InteractionKind.Quote, quote.Kind);
        Assert.Equal(new ItemRef("mastodon:mastodon.example.113500000000000001", "mastodon:mastodon.example.109413"), quote.Subject);
        Assert.Equal("The clearest question about CI caching this week", quote.Text);
    }

    [Theory]
    [InlineData("pending")]
    [InlineData("revoked")]
    public void Normalize_QuoteNotAccepted_IsAPost(string state)
    {
        var json = PlatformSigners.Fixture("mastodon", "status_created_quote.json").Replace("\"state\": \"accepted\"", $"\"state\": \"{state}\"", StringComparison.Ordinal);
        Assert.Equal(InteractionKind.Post, Assert.Single(Normalize(json).Interactions).Kind);
    }

    [Fact]
    public void Normalize_ShallowQuote_IsQuoteWithUnknownAuthor()
    {
        var json = """
            {"event":"status.created","created_at":"2026-11-20T12:00:00Z","object":{"id":"7","created_at":"2026-11-20T12:00:00Z",
             "account":{"id":"1","acct":"a","url":"https://m.example/@a"},"content":"<p>see</p>",
             "quote":{"state":"accepted","quoted_status_id":"5"}}}
            """;
        Assert.Equal(new ItemRef("mastodon:m.example.5", null), Assert.Single(Normalize(json).Interactions).Subject);
    }

    [Theory]
    [InlineData("""{"id":"1","acct":"a","url":"https://Social.Example/@a"}""", "social.example")]
    [InlineData("""{"id":"1","acct":"a","url":null,"uri":"https://social.example/users/a"}""", "social.example")]
    [InlineData("""{"id":"1","acct":"a@social.example"}""", "social.example")]
    public void Normalize_InstanceComesFromUrlThenUriThenAcct(string account, string host)
    {
        var json = $$$"""{"event":"status.created","created_at":"2026-11-20T12:00:00Z","object":{"id":"7","created_at":"2026-11-20T12:00:00Z","account":{{{account}}},"content":"hi"}}""";
        Assert.Equal($"mastodon:{host}.1", Assert.Single(Normalize(json).Interactions).Actor);
    }

    [Theory]
    [InlineData("status_updated.json", "status.updated")]
    [InlineData("account_created.json", "account.created")]
    public void Normalize_OtherEvents_AreIgnoredWithReason(string fixture, string reason)
    {
        var result = Normalize(PlatformSigners.Fixture("mastodon", fixture));
        Assert.Empty(result.Interactions);
        Assert.Contains(reason, result.Ignored, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[]""")]
    [InlineData("""{}""")]
    [InlineData("""{"event":null}""")]
    [InlineData("""{"event":"status.created"}""")]
    [InlineData("""{"event":"status.created","object":"status"}""")]
    [InlineData("""{"event":"status.created","object":{"id":"1","created_at":"2026-11-20T12:00:00Z"}}""")]
    [InlineData("""{"event":"status.created","object":{"id":"1","created_at":"2026-11-20T12:00:00Z","account":{"id":"1"}}}""")]
    [InlineData("""{"event":"status.created","object":{"id":"1","created_at":"2026-11-20T12:00:00Z","account":{"id":"1","url":"javascript:alert(1)"}}}""")]
    [InlineData("""{"event":"status.created","object":{"id":"1/2","created_at":"2026-11-20T12:00:00Z","account":{"id":"1","url":"https://m.example/@a"}}}""")]
    [InlineData("""{"event":"status.created","object":{"id":"1","created_at":"soon","account":{"id":"1","url":"https://m.example/@a"}}}""")]
    [InlineData("""{"event":"status.created","object":{"id":"1","created_at":"2026-11-20T12:00:00Z","account":{"id":null,"url":"https://m.example/@a"}}}""")]
    [InlineData("""{"event":"status.created","object":{"id":"1","created_at":"2026-11-20T12:00:00Z","account":{"id":"1","url":"https://m.example/@a"},"reblog":{"id":[]}}}""")]
    public void Normalize_MalformedPayload_ThrowsPayloadException(string json)
    {
        Assert.Throws<PayloadException>(() => Normalize(json));
    }

    [Fact]
    public void Normalize_HugeContentAndOddFields_StillReadsTheStatus()
    {
        var content = "<p>" + new string('<', 200_000) + new string('a', 100_000) + "</p>";
        var json = $$$"""
            {"event":"status.created","created_at":"x","object":{"id":"9","created_at":"2026-11-20T12:00:00Z",
             "account":{"id":"1","url":"https://m.example/@a"},"content":"{{{content}}}","spoiler_text":42,
             "in_reply_to_id":{},"mentions":[null,"x",{"id":"2","acct":"b"},{"id":"1"},{"id":"2"},{"id":"bad id"}],"quote":{"state":"accepted"}
            }}
            """;
        var post = Assert.Single(Normalize(json).Interactions);

        Assert.Equal(InteractionKind.Post, post.Kind);
        Assert.Equal(["mastodon:m.example.2"], post.Mentions);
        Assert.EndsWith(new string('a', 100_000), post.Text, StringComparison.Ordinal);
    }
}
