using Engage.Domain.Interactions;
using Engage.Domain.Signals;
using Xunit.Abstractions;

namespace Engage.Tests.Signals;

/// <summary>The shipped classifier (rules + committed linear head) on the guide's deciding examples, and its explanations.</summary>
public sealed class ShippedClassifierTests(ITestOutputHelper output)
{
    private readonly SignalClassifier classifier = new(new SignalLexicon());

    [Theory]
    [InlineData("Post", "Huge thanks to @ana for the fix!", SignalSet.Thanks)]
    [InlineData("Reply", "thank you for the fix", SignalSet.Thanks)]
    [InlineData("Reply", "anyone know how to pin a version", SignalSet.Question)]
    [InlineData("Reply", "How do I pin a version in the lock file?", SignalSet.Question)]
    [InlineData("Reply", "+1", SignalSet.LowContent)]
    [InlineData("Reply", "lol", SignalSet.LowContent)]
    [InlineData("Reply", "😍😍", SignalSet.LowContent)]
    [InlineData("Post", "Canada prosecutors say fraud at heart of extradition case https://t.co/0p5LLVFZbd", SignalSet.LinkOnly)]
    [InlineData("Post", "check this out https://example.com/post", SignalSet.LinkOnly)]
    public void Classify_GuideExample_SetsSignal(string kind, string text, SignalSet expected)
    {
        // Act
        var explanation = classifier.Explain(new SignalInput(text, Enum.Parse<InteractionKind>(kind)));

        // Assert
        output.WriteLine(string.Join("\n", explanation.Reasons.Select(r => $"{r.Signal}: {r.Rule} [{r.Text}]")));
        Assert.True(explanation.Signals.HasFlag(expected), $"{expected} not set: {explanation.Signals}");
    }

    [Theory]
    [InlineData("Post", "thanks to the new cache builds are faster", SignalSet.Thanks)]
    [InlineData("Post", "Thanks in advance for any help, how do I pin a version?", SignalSet.Thanks)]
    [InlineData("Reply", "I pinned it with a lock file and the build passes again on 3.12.", SignalSet.LowContent)]
    [InlineData("Reply", "check this out https://example.com/post", SignalSet.LinkOnly)]
    [InlineData("Post", "We moved the nightly builds to the new runners, so the queue is gone for good.", SignalSet.LinkOnly)]
    public void Classify_GuideCounterExample_DoesNotSetSignal(string kind, string text, SignalSet unexpected)
    {
        // Act
        var explanation = classifier.Explain(new SignalInput(text, Enum.Parse<InteractionKind>(kind)));

        // Assert
        output.WriteLine(string.Join("\n", explanation.Reasons.Select(r => $"{r.Signal}: {r.Rule} [{r.Text}]")));
        Assert.False(explanation.Signals.HasFlag(unexpected), $"{unexpected} set: {explanation.Signals}");
    }

    [Fact]
    public void Explain_EverySetSignal_HasAReasonWithRuleOrTopFeaturesAndASpanInTheText()
    {
        // Arrange
        const string text = "Huge thanks to @ana for the fix! Does anyone know how to pin a version?";

        // Act
        var explanation = classifier.Explain(new SignalInput(text, InteractionKind.Post));

        // Assert
        Assert.True(explanation.Signals.HasFlag(SignalSet.Question) && explanation.Signals.HasFlag(SignalSet.Thanks), explanation.Signals.ToString());
        foreach (var signal in SignalModel.Modelled.Where(s => explanation.Signals.HasFlag(s)))
        {
            var reason = Assert.Single(explanation.Reasons, r => r.Signal == signal && r.Rule.Length > 0);
            Assert.Equal(text.Substring(reason.Start, reason.Length), reason.Text);
        }

        var question = explanation.Reasons.First(r => r.Signal == SignalSet.Question);
        Assert.StartsWith("model p=", question.Rule, StringComparison.Ordinal); // the linear head decides question
        Assert.Contains("question.mark", question.Rule, StringComparison.Ordinal); // with the rule that fired as its top feature
        Assert.Equal("thanks.to-person", explanation.Reasons.First(r => r.Signal == SignalSet.Thanks).Rule); // thanks: the rules alone
    }

    [Fact]
    public void ClassifierVersion_IsADatedVersion()
    {
        Assert.Matches(@"^\d{4}\.\d{1,2}\.\d+$", SignalClassifier.ClassifierVersion);
    }
}
