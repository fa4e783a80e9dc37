using Engage.Domain.Interactions;
using Engage.Domain.Signals;
using SignalFlags = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.Signals;

public sealed class SignalClassifierTests
{
    // The rules alone: each rule is a feature of the shipped classifier and decides thanks by itself (docs/signals.md).
    private readonly SignalClassifier classifier = new(new SignalLexicon(), null);

    private SignalFlags Reply(string text) => classifier.Classify(new SignalInput(text, InteractionKind.Reply));

    private SignalFlags Post(string text) => classifier.Classify(new SignalInput(text, InteractionKind.Post));

    // ---- question -------------------------------------------------------------------------------

    [Theory]
    [InlineData("Does this work on Windows?")]
    [InlineData("I upgraded to the new version. Is the old config still read?")]
    [InlineData("Any ideas ?")]
    [InlineData("Has anyone seen this error before?? 😅")]
    [InlineData("Hi all, can anyone help me with the proxy settings.")]
    [InlineData("How do I reset my password")]
    [InlineData("So, is there a way to export the data")]
    [InlineData("@maintainer any ETA")]
    [InlineData("¿Cómo se configura el proxy?")]
    [InlineData("这个怎么配置？")]
    [InlineData("كيف أغير الإعدادات؟")]
    public void Classify_QuestionSentenceOrInterrogativeOpening_SetsQuestion(string text)
    {
        // Act
        var signals = Reply(text);

        // Assert
        Assert.True(signals.HasFlag(SignalFlags.Question), text);
    }

    [Theory]
    [InlineData("See https://example.com/search?q=engage for the results.")]
    [InlineData("Use `git status --short?` in the hook.")]
    [InlineData("Try this:\n\n```\nif (x?.Length > 0) return y ?? z;\n```\n")]
    [InlineData("Add this to the config:\n\n    opt = value ? a : b\n\nThat's all.")]
    [InlineData("> Does anyone know how to fix this?\n\nI have the same setup here.")]
    [InlineData("On Mon, 5 Aug 2002, Ana wrote:\n> Why is it slow?\n\nIt's the cache.")]
    [InlineData("It's a GL(?) interface to nethack.")]
    [InlineData("He asked me \"why?\" and I laughed.")]
    [InlineData("How to reproduce:\n1. Open the app\n2. Click save")]
    public void Classify_QuestionMarkInUrlCodeQuoteOrSpeech_DoesNotSetQuestion(string text)
    {
        // Act
        var signals = Reply(text);

        // Assert
        Assert.False(signals.HasFlag(SignalFlags.Question), text);
    }

    [Theory]
    [InlineData("Who doesn't love a good cup of coffee?")]
    [InlineData("Why not?")]
    [InlineData("That release was great, wasn't it?")]
    [InlineData("This is the best framework, right?")]
    [InlineData("You are not still using that old server, are you?")]
    [InlineData("Wouldn't it be nice if builds were instant?")]
    [InlineData("Why do we cache everything? Because the network is slow.")]
    [InlineData("Who knew?")]
    public void Classify_RhetoricalQuestion_DoesNotSetQuestion(string text)
    {
        // Act
        var signals = Reply(text);

        // Assert
        Assert.False(signals.HasFlag(SignalFlags.Question), text);
    }

    [Fact]
    public void Classify_StatementOpeningWithWhat_DoesNotSetQuestion()
    {
        // Act
        var signals = Reply("What's funny is that the old version never had this bug.");

        // Assert
        Assert.False(signals.HasFlag(SignalFlags.Question));
    }

    // ---- thanks ---------------------------------------------------------------------------------

    [Theory]
    [InlineData("Thanks, that fixed it!")]
    [InlineData("thx")]
    [InlineData("ty!")]
    [InlineData("Much appreciated!")]
    [InlineData("Thank you VERY much! You are GOOD.")]
    [InlineData("Thanks for the quick reply! One more question: does it work on ARM?")]
    [InlineData("Merci beaucoup !")]
    [InlineData("谢谢")]
    public void Classify_ThanksInReply_SetsThanks(string text)
    {
        // Act
        var signals = Reply(text);

        // Assert
        Assert.True(signals.HasFlag(SignalFlags.Thanks), text);
    }

    [Theory]
    [InlineData("Thanks @alice for the review!")]
    [InlineData("Thank you all for coming to the meetup.")]
    [InlineData("Thanks to Jane Doe for the patch.")]
    [InlineData("Fix the FTBFS on arm64 (thanks to Jane Doe)")]
    [InlineData("Big thanks to everyone who tested the beta")]
    [InlineData("Thanks Steve!")]
    [InlineData("Kudos to @ana for the fix")]
    public void Classify_AddressedThanksInPost_SetsThanks(string text)
    {
        // Act
        var signals = Post(text);

        // Assert
        Assert.True(signals.HasFlag(SignalFlags.Thanks), text);
    }

    [Theory]
    [InlineData("Thanks to the new cache, the build is faster.")]
    [InlineData("thanks to X, the build is faster")]
    [InlineData("Thanks to Docker, deploys take a minute.")]
    [InlineData("The build is much faster thanks to improved caching.")]
    [InlineData("No thanks, I'll pass.")]
    [InlineData("No, thanks.")]
    [InlineData("Dropped the dependency, no thanks to the upstream maintainers.")]
    [InlineData("How do I configure the proxy? Thanks in advance")]
    [InlineData("How do I configure the proxy?\n\nThanks,\nPat")]
    [InlineData("Any help would be appreciated.")]
    [InlineData("I'd appreciate it if someone could look at this.")]
    [InlineData("I didn't really appreciate the tone of that thread.")]
    [InlineData("Is there a way to do this? Thanks for any help!")]
    public void Classify_CausalNegatedOrAnticipatoryThanks_DoesNotSetThanks(string text)
    {
        // Act
        var signals = Reply(text);

        // Assert
        Assert.False(signals.HasFlag(SignalFlags.Thanks), text);
    }

    [Fact]
    public void Classify_ThanksToMention_SetsThanks()
    {
        // Act
        var signals = Post("Thanks to @khaledhosny, actually this is his work :)");

        // Assert
        Assert.True(signals.HasFlag(SignalFlags.Thanks));
    }

    [Fact]
    public void Classify_UnaddressedThanksClosingPost_DoesNotSetThanks()
    {
        // Act
        var signals = Post("The build fails on ARM with the attached log.\n\nThanks,\nKen");

        // Assert
        Assert.False(signals.HasFlag(SignalFlags.Thanks));
    }

    // ---- recommendation -------------------------------------------------------------------------

    [Theory]
    [InlineData("You should follow @ana, she writes about Rust.")]
    [InlineData("Check out this talk by @bob")]
    [InlineData("Great work by @carol on the release!")]
    [InlineData("Shout-out to <@U024BE7LH> for the help today")]
    [InlineData("@dave knows this area well, hire him")]
    [InlineData("I highly recommend @erin's course")]
    [InlineData("you should talk to my colleague @frank about it")]
    [InlineData("Kudos to @gary@fosstodon.org for the write-up")]
    [InlineData("#FF @alice @bob @carol, great folks to follow")]
    [InlineData("@hana is worth following if you care about queues")]
    [InlineData("For Bicep questions @ivan comes highly recommended")]
    public void Classify_MentionWithRecommendingWords_SetsRecommendation(string text)
    {
        // Act
        var signals = Post(text);

        // Assert
        Assert.True(signals.HasFlag(SignalFlags.Recommendation), text);
    }

    [Theory]
    [InlineData("You should check out the docs")]
    [InlineData("cli: zstdcat: follow symlinks by @vejnar (#1604)")]
    [InlineData("Follow the steps by @frank in the wiki")]
    [InlineData("@gina can you look at this?")]
    [InlineData("I recommend mailing admin@example.com")]
    [InlineData("Thanks to @bob for the patch")]
    [InlineData("#FF is my favourite hashtag")]
    [InlineData("@jo the steps are easy to follow")]
    public void Classify_NoMentionOrNoRecommendingWords_DoesNotSetRecommendation(string text)
    {
        // Act
        var signals = Post(text);

        // Assert
        Assert.False(signals.HasFlag(SignalFlags.Recommendation), text);
    }

    [Fact]
    public void Classify_StructuredMentionWithoutHandleInText_SetsRecommendation()
    {
        // Arrange
        var input = new SignalInput("Go follow her, she knows everything about queues", InteractionKind.Post, ["x:783214"]);

        // Act
        var signals = classifier.Classify(input);

        // Assert
        Assert.True(signals.HasFlag(SignalFlags.Recommendation));
    }

    // ---- evidence -------------------------------------------------------------------------------

    [Theory]
    [InlineData("It takes 250 ms on my machine")]
    [InlineData("CPU dropped by 30%")]
    [InlineData("Upgrading to 1.2.3 fixed it")]
    [InlineData("Same with v2.0.1 here")]
    [InlineData("See https://example.com/issue/1")]
    [InlineData("The fix is on example.com/blog/fix")]
    [InlineData("Fixed in #123")]
    [InlineData("We have 320 GB for the same price")]
    public void Classify_ReplyWithData_SetsEvidence(string text)
    {
        // Act
        var signals = Reply(text);

        // Assert
        Assert.True(signals.HasFlag(SignalFlags.Evidence), text);
    }

    [Theory]
    [InlineData("1. Open settings\n2. Click save\n3) Restart")]
    [InlineData("I tried it on 2024-05-01 at 10:30")]
    [InlineData("Since March 3rd it works, see my post of 7/26.")]
    [InlineData("Back in 2019 it worked fine")]
    [InlineData("+1")]
    [InlineData("It ran fine on Win98 and i686, with my 3c509 card.")]
    [InlineData("Edit setup.py and Conf.pm, then mail admin@example.com")]
    [InlineData("> It takes 250 ms\n\nI don't believe it.")]
    [InlineData("Meet at 4 pm?")]
    public void Classify_ReplyWithoutData_DoesNotSetEvidence(string text)
    {
        // Act
        var signals = Reply(text);

        // Assert
        Assert.False(signals.HasFlag(SignalFlags.Evidence), text);
    }

    [Theory]
    [InlineData(InteractionKind.Post)]
    [InlineData(InteractionKind.Quote)]
    public void Classify_DataOutsideReply_DoesNotSetEvidence(InteractionKind kind)
    {
        // Act
        var signals = classifier.Classify(new SignalInput("We measured 250 ms and 30% less CPU, details at https://example.com/report", kind));

        // Assert
        Assert.False(signals.HasFlag(SignalFlags.Evidence));
    }

    // ---- lowContent ---------------------------------------------------------------------------

    [Theory]
    [InlineData("+1")]
    [InlineData("me too")]
    [InlineData("Same here.")]
    [InlineData("Great post!")]
    [InlineData("lol")]
    [InlineData("👍👍")]
    [InlineData("🔥")]
    [InlineData(":+1:")]
    [InlineData("+1 this is the way")]
    [InlineData("This.")]
    [InlineData("Yawn.\n\nR")]
    [InlineData("This is a really good change! :+1:")]
    [InlineData("Can confirm, happens to me too.")]
    [InlineData("cc @carol")]
    [InlineData("100%")]
    [InlineData("Well said.")]
    public void Classify_ShortReactionWithoutSubstance_SetsLowContent(string text)
    {
        // Act
        var signals = Reply(text);

        // Assert
        Assert.True(signals.HasFlag(SignalFlags.LowContent), text);
    }

    [Theory]
    [InlineData("Same, does it happen on Linux too?")]
    [InlineData("Me too, version 2.3.1 crashes on start")]
    [InlineData("Great post! I tried the same approach with Postgres and it halved our latency.")]
    [InlineData("Done")]
    [InlineData("Use the --force flag.")]
    [InlineData("+1 https://example.com/same-bug")]
    public void Classify_ShortReplyWithSubstance_DoesNotSetLowContent(string text)
    {
        // Act
        var signals = Reply(text);

        // Assert
        Assert.False(signals.HasFlag(SignalFlags.LowContent), text);
    }

    // ---- linkOnly -------------------------------------------------------------------------------

    [Theory]
    [InlineData(InteractionKind.Post, "https://example.com/article")]
    [InlineData(InteractionKind.Post, "Check this out https://example.com #rust @ana 🚀")]
    [InlineData(InteractionKind.Quote, "👀 example.com/path")]
    [InlineData(InteractionKind.Post, "http://www.newsisfree.com/click/-2,8421991,1717/\n\n(orange-today.co)")]
    [InlineData(InteractionKind.Post, "Apols if this has been posted before:\n\nhttp://www.example.org/quiz.html\n\nRob")]
    public void Classify_PostOrQuoteThatIsLittleMoreThanALink_SetsLinkOnly(InteractionKind kind, string text)
    {
        // Act
        var signals = classifier.Classify(new SignalInput(text, kind));

        // Assert
        Assert.True(signals.HasFlag(SignalFlags.LinkOnly), text);
    }

    [Theory]
    [InlineData(InteractionKind.Post, "I wrote about how we cut our build times in half by caching dependencies: https://example.com/post")]
    [InlineData(InteractionKind.Reply, "https://example.com/article")]
    [InlineData(InteractionKind.Post, "Just for your information, I have an apt-repository for RH 7.3 at http://example.org")]
    [InlineData(InteractionKind.Post, "No link here at all")]
    public void Classify_LinkWithOwnWordsOrNotAPost_DoesNotSetLinkOnly(InteractionKind kind, string text)
    {
        // Act
        var signals = classifier.Classify(new SignalInput(text, kind));

        // Assert
        Assert.False(signals.HasFlag(SignalFlags.LinkOnly), text);
    }

    // ---- structure ------------------------------------------------------------------------------

    [Fact]
    public void Classify_AcceptedReplyToQuestion_NeverSetsAnswer()
    {
        // Arrange
        var input = new SignalInput("Use the --force flag, it works in 2.1.", InteractionKind.Reply, ParentIsQuestion: true, Accepted: true);

        // Act
        var signals = classifier.Classify(input);

        // Assert
        Assert.False(signals.HasFlag(SignalFlags.Answer));
    }

    [Theory]
    [InlineData(InteractionKind.Repost)]
    [InlineData(InteractionKind.Reaction)]
    [InlineData(InteractionKind.Follow)]
    public void Classify_KindWithoutOwnText_ReturnsNone(InteractionKind kind)
    {
        // Act
        var signals = classifier.Classify(new SignalInput("Thanks! Does this work? https://example.com", kind));

        // Assert
        Assert.Equal(SignalFlags.None, signals);
    }

    [Fact]
    public void Explain_EverySignal_GivesRuleAndMatchingSpan()
    {
        // Arrange
        const string Text = "Thanks @ana! Does it run in 250 ms? Kudos to @bob, see https://example.com/x";

        // Act
        var explanation = classifier.Explain(new SignalInput(Text, InteractionKind.Reply));

        // Assert
        Assert.Equal(SignalFlags.Thanks | SignalFlags.Question | SignalFlags.Evidence | SignalFlags.Recommendation, explanation.Signals);
        Assert.All(explanation.Reasons, reason =>
        {
            Assert.Equal(Text.Substring(reason.Start, reason.Length), reason.Text);
            Assert.StartsWith(reason.Signal switch
            {
                SignalFlags.Question => "question.",
                SignalFlags.Thanks => "thanks.",
                SignalFlags.Evidence => "evidence.",
                SignalFlags.Recommendation => "recommendation.",
                _ => "?",
            }, reason.Rule, StringComparison.Ordinal);
        });
        Assert.Contains(explanation.Reasons, r => r.Signal == SignalFlags.Evidence && r.Text == "250");
        Assert.Contains(explanation.Reasons, r => r.Signal == SignalFlags.Evidence && r.Text == "https://example.com/x");
        Assert.Contains(explanation.Reasons, r => r.Signal == SignalFlags.Question && r.Text == "Does it run in 250 ms?");
    }

    [Fact]
    public void Classify_ConfiguredLexicon_IsUsed()
    {
        // Arrange
        var lexicon = new SignalLexicon();
        lexicon.LowContent.Add("based and engaged");
        var custom = new SignalClassifier(lexicon, null);

        // Act
        var signals = custom.Classify(new SignalInput("Based and engaged", InteractionKind.Reply));

        // Assert
        Assert.True(signals.HasFlag(SignalFlags.LowContent));
    }
}
