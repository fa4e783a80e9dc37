using System.Text;
using Engage.Domain.Interactions;
using Engage.Domain.Sources;
using Engage.Functions.Ingest;

namespace Engage.Tests.Ingest;

public sealed class IngestMessageTests
{
    private static Interaction Big(string id, int mentions, int handleLength, string text) => new()
    {
        Id = id,
        Kind = InteractionKind.Post,
        Actor = "t:a",
        OccurredAt = DateTimeOffset.UnixEpoch,
        Text = text,
        Mentions = Enumerable.Range(0, mentions).Select(n => $"t:{n}-{new string('m', 240)}").ToList(),
        MentionHandles = Enumerable.Range(0, mentions).ToDictionary(n => $"t:{n}-{new string('m', 240)}", _ => new string('h', handleLength)),
    };

    [Fact]
    public void Pack_ManyItems_EveryMessageFitsTheQueue()
    {
        var items = Enumerable.Range(0, 300).Select(n => Big($"t:{n}", 5, 10, new string('é', 4000))).ToList();

        var messages = IngestMessage.Pack("standard", "d", items);

        Assert.True(messages.Count > 1);
        Assert.All(messages, m => Assert.True(Encoding.UTF8.GetByteCount(m) <= IngestMessage.MaxJsonBytes));
        Assert.Equal(300, messages.Sum(m => IngestMessage.Parse(m).Interactions.Count));
    }

    [Fact]
    public void Pack_OneItemTooLargeEvenWithoutText_ThrowsPayloadException()
    {
        var huge = Big("t:huge", 100, 256, "text");

        Assert.Throws<PayloadException>(() => IngestMessage.Pack("standard", "d", [huge]));
    }

    [Fact]
    public void Pack_LongEscapedText_IsShortenedUntilItFits()
    {
        var item = Big("t:1", 0, 0, string.Concat(Enumerable.Repeat("\u0001€", 2000)));

        var message = Assert.Single(IngestMessage.Pack("standard", "d", [item]));

        Assert.True(Encoding.UTF8.GetByteCount(message) <= IngestMessage.MaxJsonBytes);
        Assert.NotEmpty(IngestMessage.Parse(message).Interactions[0].Text!);
    }
}
