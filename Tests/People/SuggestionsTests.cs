using Engage.Domain.People;

namespace Engage.Tests.People;

public sealed class SuggestionsTests
{
    private static readonly (string, string)[] Handles =
    [
        ("github:ana", "ana"),
        ("x:123", "Ana"),
        ("slack:T1.U9", "ana.lima"),
        ("mastodon:m.example.7", "ana_lima"),
        ("github:bob", "bob"),
        ("discourse:forum.example.org.bob", "bob"),
        ("github:cy", "cy"),
        ("github:cy2", "cy"),         // same platform: not a suggestion
    ];

    [Fact]
    public void SameHandleOnTwoPlatforms_IsSuggestedWithReasonAndConfidence()
    {
        var s = Suggestions.From(Handles, _ => null, 50);

        Assert.Equal(3, s.Count);
        Assert.Equal(["discourse:forum.example.org.bob", "github:bob"], s[0].Identities);
        Assert.Equal("same handle on discourse and github", s[0].Reason);
        Assert.Equal(["github:ana", "x:123"], s[1].Identities);
        Assert.Equal("same handle on github and x", s[1].Reason);
        Assert.Equal(0.8, s[1].Confidence);
        Assert.Equal(["mastodon:m.example.7", "slack:T1.U9"], s[2].Identities);
        Assert.Equal("similar handles on mastodon and slack", s[2].Reason);
        Assert.Equal(0.5, s[2].Confidence);
    }

    [Fact]
    public void AlreadyLinked_IsNotSuggestedAgain()
    {
        var s = Suggestions.From(Handles, id => id is "github:ana" or "x:123" ? "ana" : null, 50);

        Assert.DoesNotContain(s, x => x.Identities.Contains("github:ana"));
        Assert.Equal(2, s.Count);
    }

    [Fact]
    public void Top_LimitsTheList() => Assert.Single(Suggestions.From(Handles, _ => null, 1));

    [Fact]
    public void ProfileNamingTheXHandle_IsTheMostConfident()
    {
        (string, string)[] handles = [("github:octo-ana", "octo-ana"), ("x:777", "ana_codes"), ("x:778", "someone")];
        IdentityProfile[] profiles = [new("github:octo-ana", null, ["x:ana_codes"])];

        var s = Assert.Single(Suggestions.From(handles, _ => null, 50, profiles));

        Assert.Equal(["github:octo-ana", "x:777"], s.Identities);
        Assert.Equal(Suggestions.ProfileLink, s.Confidence);
        Assert.Contains("@ana_codes", s.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SameDisplayName_OfTwoWords_IsSuggested_ButNotOneWordOrACommonName()
    {
        IdentityProfile[] profiles =
        [
            new("mastodon:m.example.1", "Ana Lima", []),
            new("discourse:forum.example.org.al", "  ana  LIMA ", []),     // case and spacing do not matter
            new("x:9", "Ana", []),                                         // one word: says too little
            new("mastodon:m.example.2", "Ana", []),
            new("github:j1", "John Smith", []), new("x:j2", "John Smith", []),
            new("mastodon:m.example.j3", "John Smith", []), new("discourse:f.j4", "John Smith", []), new("slack:T1.J5", "John Smith", []),
            new("github:jose", "José Núñez", []), new("x:jose", "Jose Nunez", []), // accents do not matter
        ];

        var s = Suggestions.From([], _ => null, 50, profiles);

        Assert.Equal(2, s.Count);
        Assert.All(s, x => Assert.Equal(Suggestions.SameName, x.Confidence));
        Assert.Equal(["discourse:forum.example.org.al", "mastodon:m.example.1"], s[0].Identities);
        Assert.Equal("same display name on discourse and mastodon", s[0].Reason);
        Assert.Equal(["github:jose", "x:jose"], s[1].Identities);
    }

    [Fact]
    public void SameHandle_CoversTheSameDisplayName_OnlyOneSuggestion()
    {
        var s = Assert.Single(Suggestions.From([("github:ana", "ana"), ("x:1", "ana")], _ => null, 50,
            [new IdentityProfile("github:ana", "Ana Lima", []), new IdentityProfile("x:1", "Ana Lima", [])]));
        Assert.Equal(Suggestions.SameHandle, s.Confidence);
    }

    [Theory]
    [InlineData("github:dependabot_bot_", "bot-github.dependabot_bot_")]
    [InlineData("slack:T1.B0HELPER", "bot-slack.T1.B0HELPER")]
    [InlineData("mastodon:m.example.1009", "bot-mastodon.m.example.1009")]
    public void ForBot_IsReadable(string userId, string personId) => Assert.Equal(personId, PersonIds.ForBot(userId));

    [Fact]
    public void ForBot_AmbiguousOrLong_IsHashed_AndStaysValidAndDistinct()
    {
        var a = PersonIds.ForBot("standard:a:b");
        var b = PersonIds.ForBot("standard:a.b");
        var long1 = PersonIds.ForBot("discourse:" + new string('x', 120));

        Assert.NotEqual(a, b);
        Assert.All(new[] { a, b, long1 }, id => Assert.True(PersonIds.IsValid(id), id));
        Assert.StartsWith("bot-", long1, StringComparison.Ordinal);
    }
}
