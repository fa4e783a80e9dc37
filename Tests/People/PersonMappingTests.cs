using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.People;
using Engage.Domain.Scoring;
using Engage.Tests.Scoring;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.People;

public sealed class PersonMappingTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
    private static readonly Window Window = new(AsOf, TimeSpan.FromDays(30));
    private static readonly ScoringOptions Options = new();

    private static Resolved Reply(string id, string actor, string parentAuthor, double daysAgo, Sig signals = Sig.None) => new()
    {
        Id = id, Kind = InteractionKind.Reply, Actor = actor, OccurredAt = AsOf.AddDays(-daysAgo), ParentId = "p-" + id, ParentAuthor = parentAuthor, Signals = signals,
    };

    private static Resolved Post(string id, string actor, double daysAgo, Sig signals = Sig.None, params string[] mentions) => new()
    {
        Id = id, Kind = InteractionKind.Post, Actor = actor, OccurredAt = AsOf.AddDays(-daysAgo), Signals = signals, Mentions = mentions,
    };

    private static readonly Resolved[] Community =
    [
        Post("q", "slack:T.bob", 5, Sig.Question),
        Reply("a", "slack:T.ana", "slack:T.bob", 4, Sig.Answer),
        Post("p", "x:9", 3),
        Reply("r", "x:carl", "x:9", 2),
        Reply("self", "github:ana", "slack:T.ana", 2),                                      // ana to herself, across platforms
        Post("m", "github:ana", 1, Sig.None, "x:9", "x:carl"),                              // mentions her own X identity and carl
        new Resolved { Id = "rx", Kind = InteractionKind.Reaction, Actor = "x:9", OccurredAt = AsOf.AddDays(-1), SubjectId = "a", SubjectAuthor = "slack:T.ana" },
    ];

    private static string? Ana(string id) => id is "slack:T.ana" or "x:9" or "github:ana" ? "ana" : null;

    [Fact]
    public void MergedEngagement_CountsEveryIdentitysActionsOnce()
    {
        var merged = EngagementFold.Fold("ana", PersonMapping.Map(Community, Ana), "Ana", Window, Options);

        // answer 6·D(4) + post (broadcast, 0) + self-reply scored as a post (broadcast, 0) + post with a mention 2·D(1) + reaction 0.5·D(1).
        static double D(double days) => Math.Pow(2, -days / 30);
        Assert.Equal((6 * D(4)) + (2 * D(1)) + (0.5 * D(1)), merged.Score, 12);
        Assert.Equal(2, merged.Counts.Post);
        Assert.Equal(2, merged.Counts.Reply);
        Assert.Equal(1, merged.Counts.MentionsMade);
    }

    [Fact]
    public void MergedReciprocity_GivesBetweenOnesOwnIdentitiesCountForNothing()
    {
        var r = ReciprocityFold.Fold("ana", PersonMapping.Map(Community, Ana), _ => null, Window, Options);

        Assert.Equal(["slack:T.bob", "x:carl"], r.Counterparts.Select(c => c.UserId).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(r.Counterparts, c => c.UserId is "ana" or "slack:T.ana" or "x:9" or "github:ana");
        Assert.Equal(2, r.Given.Count);      // the answer to bob, the mention of carl
        Assert.Equal(1, r.Received.Count);   // carl's reply to her X post
        Assert.Null(r.ReplyRate);            // carl's reply is an ask, 2 days old: not due yet
    }

    [Fact]
    public void NoLinks_EveryIdentityKeepsItsOwnFigures()
    {
        var unmapped = PersonMapping.Map(Community, _ => null);

        foreach (var user in new[] { "slack:T.ana", "x:9", "github:ana" })
        {
            Assert.Equal(Json(EngagementFold.Fold(user, Community, null, Window, Options)), Json(EngagementFold.Fold(user, unmapped, null, Window, Options)));
            Assert.Equal(Json(ReciprocityFold.Fold(user, Community, _ => null, Window, Options)), Json(ReciprocityFold.Fold(user, unmapped, _ => null, Window, Options)));
        }

        // Per identity, the cross-identity gives are there: github:ana gave to slack:T.ana and x:9.
        var github = ReciprocityFold.Fold("github:ana", Community, _ => null, Window, Options);
        Assert.Contains(github.Counterparts, c => c.UserId == "slack:T.ana");
        Assert.Contains(github.Counterparts, c => c.UserId == "x:9");
    }

    [Fact]
    public void Counterparts_AreNamedByPersonWhereLinked()
    {
        string? Links(string id) => Ana(id) ?? (id is "x:carl" or "github:carl" ? "carl" : null);
        var r = ReciprocityFold.Fold("ana", PersonMapping.Map(Community, Links), _ => null, Window, Options);

        Assert.Equal(["carl", "slack:T.bob"], r.Counterparts.Select(c => c.UserId).Order(StringComparer.Ordinal));
        Assert.True(PersonIds.IsPerson("carl"));
        Assert.False(PersonIds.IsPerson("x:carl"));
    }

    [Theory]
    [InlineData("ana", true)]
    [InlineData("Ana_Lima-2.0", true)]
    [InlineData("", false)]
    [InlineData("github:ana", false)]
    [InlineData("ana lima", false)]
    [InlineData("a/b", false)]
    public void PersonIds_Validate(string id, bool valid) => Assert.Equal(valid, PersonIds.IsValid(id));

    private static string Json(object o) => System.Text.Json.JsonSerializer.Serialize(o);
}
