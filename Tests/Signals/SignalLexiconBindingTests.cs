using Engage.Domain.Interactions;
using Engage.Domain.Signals;
using Microsoft.Extensions.Configuration;
using SignalFlags = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.Signals;

public sealed class SignalLexiconBindingTests
{
    [Fact]
    public void Bind_SignalsSection_AddsToDefaultListsAndSetsThresholds()
    {
        // Arrange
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Signals:LowContent:0"] = "bazinga",
                ["Signals:LinkOnlyMinWords"] = "2",
            })
            .Build();
        var lexicon = new SignalLexicon();

        // Act
        configuration.GetSection("Signals").Bind(lexicon);
        var classifier = new SignalClassifier(lexicon, null);

        // Assert
        Assert.Contains("bazinga", lexicon.LowContent);
        Assert.Contains("+1", lexicon.LowContent);
        Assert.Equal(2, lexicon.LinkOnlyMinWords);
        Assert.True(classifier.Classify(new SignalInput("Bazinga!", InteractionKind.Reply)).HasFlag(SignalFlags.LowContent));
        Assert.False(classifier.Classify(new SignalInput("Read my new essay https://example.com/e", InteractionKind.Post)).HasFlag(SignalFlags.LinkOnly));
    }
}
