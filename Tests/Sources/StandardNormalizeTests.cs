using System.Text;
using System.Text.Json;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;

namespace Engage.Tests.Sources;

public sealed class StandardNormalizeTests
{
    // The example delivery of docs/api.md.
    private const string Example = """
        {"events":[{"id":"forum:991","kind":"reply","actor":"forum:alice","actorHandle":"alice",
          "occurredAt":"2026-11-20T10:00:00Z","inReplyTo":{"id":"forum:990","author":"forum:bob"},
          "mentions":["forum:carol"],"text":"Thanks @bob, here is what worked for me…"},
         {"id":"forum:992","kind":"repost","actor":"forum:dan","occurredAt":"2026-11-20T10:05:00Z",
          "subject":{"id":"forum:990","author":"forum:bob"}},
         {"id":"forum:993","kind":"follow","actor":"forum:dan","occurredAt":"2026-11-20T10:06:00Z",
          "subject":{"author":"forum:alice"}}]}
        """;

    private static Normalized Normalize(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var request = new WebhookRequest("POST", new Dictionary<string, string>(), new Dictionary<string, string>(), Encoding.UTF8.GetBytes(json));
        return new Standard().Normalize(request, doc.RootElement);
    }

    [Fact]
    public void Normalize_ApiExample_ReadsEveryField()
    {
        var result = Normalize(Example);

        Assert.Equal(3, result.Interactions.Count);
        var reply = result.Interactions[0];
        Assert.Equal("forum:991", reply.Id);
        Assert.Equal(InteractionKind.Reply, reply.Kind);
        Assert.Equal("forum:alice", reply.Actor);
        Assert.Equal("alice", reply.ActorHandle);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), reply.OccurredAt);
        Assert.Equal(new ItemRef("forum:990", "forum:bob"), reply.InReplyTo);
        Assert.Equal(["forum:carol"], reply.Mentions);
        Assert.Equal(["forum:bob", "forum:carol"], reply.KnownGiveTargets());

        var repost = result.Interactions[1];
        Assert.Equal(InteractionKind.Repost, repost.Kind);
        Assert.Equal(new ItemRef("forum:990", "forum:bob"), repost.Subject);
        Assert.Equal(["forum:bob"], repost.KnownGiveTargets());

        var follow = result.Interactions[2];
        Assert.Equal(InteractionKind.Follow, follow.Kind);
        Assert.Equal("forum:alice", follow.Subject?.Author);
    }

    [Fact]
    public void Normalize_MentionsOfActorAndDuplicates_AreDropped()
    {
        var result = Normalize("""{"events":[{"id":"f:1","kind":"post","actor":"f:a","occurredAt":"2026-11-20T10:00:00Z","mentions":["f:a","f:b","f:b"]}]}""");
        Assert.Equal(["f:b"], result.Interactions[0].Mentions);
    }

    [Fact]
    public void Normalize_RepostWithMentionsAndText_KeepsNeither()
    {
        var result = Normalize("""{"events":[{"id":"f:1","kind":"repost","actor":"f:a","occurredAt":"2026-11-20T10:00:00Z","subject":{"id":"f:0","author":"f:b"},"mentions":["f:c"],"text":"RT"}]}""");
        Assert.Empty(result.Interactions[0].Mentions);
        Assert.Null(result.Interactions[0].Text);
    }

    [Fact]
    public void Normalize_OffsetTime_IsConvertedToUtc()
    {
        var result = Normalize("""{"events":[{"id":"f:1","kind":"post","actor":"f:a","occurredAt":"2026-11-20T12:00:00+02:00"}]}""");
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), result.Interactions[0].OccurredAt);
        Assert.Equal(TimeSpan.Zero, result.Interactions[0].OccurredAt.Offset);
    }

    [Fact]
    public void Normalize_NoEvents_IsIgnoredWithReason()
    {
        var result = Normalize("""{"events":[]}""");
        Assert.Empty(result.Interactions);
        Assert.NotNull(result.Ignored);
    }

    [Theory]
    [InlineData("""{"nope":1}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""{"events":[{"id":"f:1","kind":"shout","actor":"f:a","occurredAt":"2026-11-20T10:00:00Z"}]}""")]
    [InlineData("""{"events":[{"id":"f:1","kind":"1","actor":"f:a","occurredAt":"2026-11-20T10:00:00Z"}]}""")]
    [InlineData("""{"events":[{"id":"f:1","kind":"post","actor":"f a/b","occurredAt":"2026-11-20T10:00:00Z"}]}""")]
    [InlineData("""{"events":[{"id":"f:1","kind":"post","actor":"f:a","occurredAt":"yesterday"}]}""")]
    [InlineData("""{"events":[{"id":"f:1","kind":"reply","actor":"f:a","occurredAt":"2026-11-20T10:00:00Z"}]}""")]
    [InlineData("""{"events":[{"id":"f:1","kind":"reaction","actor":"f:a","occurredAt":"2026-11-20T10:00:00Z","subject":{"id":"f:0"}}]}""")]
    [InlineData("""{"events":[{"id":null,"kind":"post","actor":"f:a","occurredAt":"2026-11-20T10:00:00Z"}]}""")]
    [InlineData("""{"events":[{"id":"f:1","kind":"post","actor":"f:a","occurredAt":"2026-11-20T10:00:00Z","mentions":[42]}]}""")]
    [InlineData("""{"events":["post"]}""")]
    public void Normalize_MalformedEvent_ThrowsPayloadException(string json)
    {
        Assert.Throws<PayloadException>(() => Normalize(json));
    }

    [Fact]
    public void Normalize_MoreThan500Events_ThrowsPayloadException()
    {
        var events = string.Join(",", Enumerable.Range(0, 501).Select(i => $$"""{"id":"f:{{i}}","kind":"post","actor":"f:a","occurredAt":"2026-11-20T10:00:00Z"}"""));
        Assert.Throws<PayloadException>(() => Normalize($$"""{"events":[{{events}}]}"""));
    }
}
