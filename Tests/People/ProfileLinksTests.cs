using Engage.Domain.Sources;

namespace Engage.Tests.People;

public sealed class ProfileLinksTests
{
    [Theory]
    [InlineData("AnaL", null, new[] { "x:anal" })]
    [InlineData("@AnaL", "https://twitter.com/AnaL", new[] { "x:anal" })]
    [InlineData(null, "x.com/ana_codes/", new[] { "x:ana_codes" })]
    [InlineData(null, "https://www.twitter.com/ana", new[] { "x:ana" })]
    [InlineData("ana", "https://ana.dev", new[] { "x:ana" })]
    public void ProfileLinks_NameXHandles(string? twitter, string? blog, string[] expected) =>
        Assert.Equal(expected, PlatformText.ProfileLinks(twitter, blog));

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData("not a handle!", "https://x.com/ana/status/1")]
    [InlineData(null, "https://example.com/x.com/ana")]
    public void ProfileLinks_NothingUsable_IsNull(string? twitter, string? blog) => Assert.Null(PlatformText.ProfileLinks(twitter, blog));

    [Theory]
    [InlineData("  Ana Lima ", "Ana Lima")]
    [InlineData("   ", null)]
    [InlineData(null, null)]
    public void DisplayName_IsTrimmed(string? name, string? expected) => Assert.Equal(expected, PlatformText.DisplayName(name));
}
