using Engage.Domain.Digests;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.Digests;

public sealed class DigestComposerTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private const string Me = "t:me";

    private static string? Handle(string id) => id.StartsWith("t:", StringComparison.Ordinal) ? id[2..] : null;

    private static Digest Compose(params Resolved[] interactions) =>
        DigestComposer.Compose(Me, interactions, Handle, AsOf, London, new ScoringOptions());

    private static Resolved Post(string id, string actor, double daysAgo, Sig signals = Sig.None, params string[] mentions) => new()
    {
        Id = id, Kind = InteractionKind.Post, Actor = actor, OccurredAt = AsOf.AddDays(-daysAgo), Signals = signals, Mentions = mentions,
    };

    private static Resolved Reply(string id, string actor, string parentId, string parentAuthor, double daysAgo, Sig signals = Sig.None) => new()
    {
        Id = id, Kind = InteractionKind.Reply, Actor = actor, OccurredAt = AsOf.AddDays(-daysAgo), ParentId = parentId, ParentAuthor = parentAuthor, Signals = signals,
    };

    private static Resolved Repost(string id, string actor, string subjectAuthor, double daysAgo) => new()
    {
        Id = id, Kind = InteractionKind.Repost, Actor = actor, OccurredAt = AsOf.AddDays(-daysAgo), SubjectId = "s", SubjectAuthor = subjectAuthor,
    };

    [Fact]
    public void Compose_EmptyMonth_IsShortAndHonest()
    {
        var d = Compose(Post("old", Me, 45, Sig.Question));

        Assert.True(d.IsEmpty);
        Assert.Empty(d.Owed);
        Assert.Empty(d.OpenQuestions);
        Assert.Null(d.BestConversation);
        Assert.Null(d.ConversationShare);
        var html = DigestRenderer.Html(d, "https://x.test/u");
        Assert.Contains("A quiet month", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Conversation vs broadcast", html, StringComparison.Ordinal);
        Assert.DoesNotContain("People to thank", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Score 0.0", DigestRenderer.Text(d, "https://x.test/u"), StringComparison.Ordinal);
        Assert.Contains("Reply to one post", d.Suggestion, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_Broadcaster_IsToldToConverse()
    {
        var d = Compose(
            Post("l1", Me, 1, Sig.LinkOnly),
            Post("l2", Me, 2, Sig.LinkOnly),
            Repost("r1", Me, "t:someone", 3),
            Reply("x", Me, "p", "t:other", 4));

        Assert.False(d.IsEmpty);
        Assert.Equal(1, d.ConversationActions);
        Assert.Equal(3, d.BroadcastActions);
        Assert.Equal(0.25, d.ConversationShare);
        Assert.StartsWith("Ask a question or reply to someone", d.Suggestion, StringComparison.Ordinal);
        Assert.Contains("3 of your 4 posts", d.Suggestion, StringComparison.Ordinal);
        Assert.Contains("25% conversation, 75% broadcast", DigestRenderer.Text(d, "u"), StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_GenerousHelper_OwesNobodyAndGetsARecommendationIdea()
    {
        var d = Compose(
            Post("q1", "t:ann", 5, Sig.Question),
            Reply("a1", Me, "q1", "t:ann", 4, Sig.Answer),
            Reply("t1", "t:ann", "a1", Me, 3, Sig.Thanks),
            Reply("a2", Me, "t1", "t:ann", 3),
            Post("q2", "t:bob", 2, Sig.Question),
            Reply("a3", Me, "q2", "t:bob", 1, Sig.Answer));

        Assert.Empty(d.Owed);
        Assert.Empty(d.OpenQuestions);
        Assert.Equal("t:ann", d.BestConversation?.With.UserId);
        Assert.Equal(2, d.BestConversation?.FromYou);
        Assert.Equal(1, d.BestConversation?.FromThem);
        Assert.Equal(1.0, d.ConversationShare);
        Assert.StartsWith("Recommend @ann", d.Suggestion, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_OwedByMany_ListsTopThreeWithWhatTheyDid()
    {
        var d = Compose(
            Post("q", Me, 10, Sig.Question),
            Reply("a1", "t:ann", "q", Me, 9, Sig.Answer),
            Reply("a2", "t:bob", "q", Me, 8, Sig.Answer | Sig.Evidence),
            Post("rec", "t:cat", 7, Sig.Recommendation, Me),
            Reply("a4", "t:dan", "q", Me, 6),
            Post("m", "t:eve", 5, Sig.None, Me));

        Assert.Equal(["t:bob", "t:ann", "t:dan"], d.Owed.Select(o => o.Person.UserId));
        Assert.Equal("answered your question on 15 Nov", d.Owed[0].Deeds.Single().Text);
        Assert.Equal("@bob", d.Owed[0].Person.Name);
        Assert.StartsWith("Thank @bob: they answered your question on 15 Nov", d.Suggestion, StringComparison.Ordinal);
        var html = DigestRenderer.Html(d, "https://x.test/u");
        Assert.Contains("People to thank", html, StringComparison.Ordinal);
        Assert.Contains("@dan", html, StringComparison.Ordinal);
        Assert.DoesNotContain("@cat", html, StringComparison.Ordinal); // cat's recommendation (3·decay) is owed too, but fourth: top 3 only
        Assert.DoesNotContain("@eve", html, StringComparison.Ordinal); // a mention is not help
    }

    [Fact]
    public void Compose_QuestionToMe_IsAnOpenQuestionNotSomeoneToThank()
    {
        var d = Compose(
            Post("ask", "t:fay", 1, Sig.Question, Me),
            Post("rec", "t:cy", 1, Sig.Recommendation, Me),
            Post("thx", "t:ada", 1, Sig.Thanks, Me));

        Assert.Equal(["t:fay"], d.OpenQuestions.Select(q => q.From.UserId));
        var owed = Assert.Single(d.Owed);
        Assert.Equal("t:cy", owed.Person.UserId);
        Assert.Equal("recommended you on 22 Nov", owed.Deeds.Single().Text);
        Assert.DoesNotContain("@fay", DigestRenderer.Text(d, "u").Split("PEOPLE TO THANK").Last().Split("QUESTIONS").First(), StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_OnlyBroadcast_ScoresZeroButCountsTheActions()
    {
        var d = Compose(Post("l1", Me, 1, Sig.LinkOnly), Repost("r1", Me, "t:someone", 2), Post("p", Me, 3));

        Assert.Equal(0, d.Score);
        Assert.Equal(3, d.BroadcastActions);
        Assert.StartsWith("Ask a question or reply to someone", d.Suggestion, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_OpenQuestion_ComesFirst()
    {
        var d = Compose(
            Post("p", Me, 3),
            Reply("q", "t:fay", "p", Me, 2, Sig.Question));

        var q = Assert.Single(d.OpenQuestions);
        Assert.Equal("t:fay", q.From.UserId);
        Assert.Equal(2, q.DaysWaiting);
        Assert.Equal("Answer @fay's question from 21 Nov: it has waited 2 days for you.", d.Suggestion);
    }

    [Fact]
    public void Compose_ScoreChange_ComparesWithThePreviousThirtyDays()
    {
        var d = Compose(Post("now", Me, 1, Sig.Question), Post("before", Me, 40, Sig.Question));

        Assert.Equal(4 * Math.Pow(2, -1.0 / 30), d.Score, 9);
        Assert.Equal(4 * Math.Pow(2, -10.0 / 30), d.PreviousScore, 9);
        Assert.Contains("up ", DigestRenderer.Text(d, "u"), StringComparison.Ordinal);
    }

    [Fact]
    public void Html_HasNoScriptsNorRemoteImagesAndEscapesNames()
    {
        var d = DigestComposer.Compose(Me, [Post("q", Me, 10, Sig.Question), Reply("a", "t:<script>", "q", Me, 9, Sig.Answer)],
            id => id == Me ? "me" : "<script>alert(1)</script>", AsOf, London, new ScoringOptions());

        var html = DigestRenderer.Html(d, "https://x.test/unsubscribe?token=a&b");

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("token=a&amp;b", html, StringComparison.Ordinal);
    }
}
