using System.Text;
using Engage.Functions.Ingest;

namespace Engage.Tests.Webhooks;

/// <summary>A whole delivery on the queue (decision 1131): its raw body comes back byte for byte, and a body too large for a message is not put in one.</summary>
public sealed class DeliveryMessageTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("{\"events\":[{\"id\":\"a\",\"text\":\"caf\u00e9 \\\"quoted\\\" <b>&</b> \\u00e9\"}]}")]
    [InlineData("[1, 2,\n 3]")]
    [InlineData(" {\"padded\":true}\n")]
    [InlineData("\ufeff{\"bom\":true}")]
    public void CreateThenRead_GivesTheBodyBack_ByteForByte_WithItsEnvelope(string text)
    {
        var body = Encoding.UTF8.GetBytes(text);
        var json = DeliveryMessage.Create("standard", "d-1", "standard/2026/11/20/d-1.json", At, body, "e30");

        Assert.NotNull(json);
        var message = new BinaryData(json);
        Assert.True(DeliveryMessage.Is(message));
        var (envelope, read) = DeliveryMessage.Read(message);
        Assert.Equal(body, read);
        Assert.Equal(("standard", "d-1", "standard/2026/11/20/d-1.json", "e30"), (envelope.Source, envelope.DeliveryId, envelope.Archive, envelope.Headers));
        Assert.Equal(At, envelope.ReceivedAt);
    }

    [Fact]
    public void ABodyOverTheMessageBudget_IsNotQueuedWhole()
    {
        var body = Encoding.UTF8.GetBytes("{\"text\":\"" + new string('x', IngestMessage.MaxJsonBytes) + "\"}");

        Assert.Null(DeliveryMessage.Create("standard", "d-2", "standard/2026/11/20/d-2.json", At, body, "e30"));
    }

    [Fact]
    public void OtherMessages_AreNotDeliveries()
    {
        var json = new IngestMessage { Source = "standard", DeliveryId = "d", Interactions = [] }.ToJson();

        Assert.False(DeliveryMessage.Is(new BinaryData(json)));
    }
}
