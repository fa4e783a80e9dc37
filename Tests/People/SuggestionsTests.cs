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
}
