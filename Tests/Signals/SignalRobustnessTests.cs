using System.Text;
using Engage.Domain.Interactions;
using Engage.Domain.Signals;
using SignalFlags = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.Signals;

public sealed class SignalRobustnessTests
{
    private const int OneMiB = 1024 * 1024;

    private readonly SignalClassifier classifier = new(new SignalLexicon());

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n\t ")]
    public void Classify_NullEmptyOrBlankText_ReturnsNone(string? text)
    {
        // Act
        var signals = classifier.Classify(new SignalInput(text, InteractionKind.Reply));

        // Assert
        Assert.Equal(SignalFlags.None, signals);
    }

    [Theory]
    [InlineData("これはテストです。よろしくお願いします")]
    [InlineData("مرحبا بالجميع، هذا اختبار")]
    [InlineData("\u200F\u202Bשלום\u202C\u200E")]
    [InlineData("👩‍👩‍👧‍👦🏳️‍🌈👍🏽")]
    [InlineData("e\u0301\u0301\u0301 z\u0336a\u0336l\u0336g\u0336o\u0336")]
    [InlineData("\uD83D lone high and lone low \uDE00 surrogates")]
    [InlineData("@@@ ### ``` > >> http:// www. .com ?? !! [1] (?) :-) <@> #")]
    [InlineData("```\nunterminated fence ? http://x")]
    public void Explain_NonEnglishOrMalformedText_DoesNotThrowAndSpansAreInRange(string text)
    {
        foreach (var kind in new[] { InteractionKind.Post, InteractionKind.Reply, InteractionKind.Quote })
        {
            // Act
            var explanation = classifier.Explain(new SignalInput(text, kind));

            // Assert
            Assert.False(explanation.Signals.HasFlag(SignalFlags.Answer));
            Assert.All(explanation.Reasons, reason => Assert.True(reason.Start >= 0 && reason.Start + reason.Length <= text.Length));
        }
    }

    [Fact]
    public void Classify_EmojiOnlyReply_SetsLowContentOnly()
    {
        // Act
        var signals = classifier.Classify(new SignalInput("🎉🎉🎉", InteractionKind.Reply));

        // Assert
        Assert.Equal(SignalFlags.LowContent, signals);
    }

    public static TheoryData<string, string> HugeTexts()
    {
        var mixed = new StringBuilder();
        while (mixed.Length < OneMiB)
        {
            mixed.Append("> quoted? line\nThanks @ana! Does it take 250 ms? see https://example.com/a?b=c #tag 👍 `code?` 1. x\n    indented code\n");
        }

        return new TheoryData<string, string>
        {
            { "letters", new string('a', OneMiB) },
            { "question marks", new string('?', OneMiB) },
            { "dots", new string('.', OneMiB) },
            { "domain-like", string.Concat(Enumerable.Repeat("a.", OneMiB / 2)) },
            { "digits and dots", string.Concat(Enumerable.Repeat("1.", OneMiB / 2)) },
            { "at signs", new string('@', OneMiB) },
            { "colons", new string(':', OneMiB) },
            { "backticks", new string('`', OneMiB) },
            { "emoji", string.Concat(Enumerable.Repeat("😀", OneMiB / 2)) },
            { "newlines", new string('\n', OneMiB) },
            { "mixed", mixed.ToString(0, OneMiB) },
        };
    }

    [Theory]
    [MemberData(nameof(HugeTexts))]
    public void Explain_OneMebibyteText_DoesNotThrowAndSpansAreInRange(string name, string text)
    {
        // Act (cost is measured in bench/, `signals`, not asserted here)
        var explanation = classifier.Explain(new SignalInput(text, InteractionKind.Reply));

        // Assert
        Assert.All(explanation.Reasons, reason => Assert.True(reason.Start >= 0 && reason.Start + reason.Length <= text.Length, name));
    }

    [Theory]
    [MemberData(nameof(HugeTexts))]
    public void Explain_OneMebibyteTextWithoutLengthCap_DoesNotThrow(string name, string text)
    {
        // Arrange: read the whole mebibyte.
        var uncapped = new SignalClassifier(new SignalLexicon { MaxTextLength = int.MaxValue });

        // Act
        var post = uncapped.Explain(new SignalInput(text, InteractionKind.Post));
        var reply = uncapped.Explain(new SignalInput(text, InteractionKind.Reply));

        // Assert
        Assert.All(post.Reasons.Concat(reply.Reasons), reason => Assert.True(reason.Start + reason.Length <= text.Length, name));
    }
}
