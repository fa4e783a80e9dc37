using Engage.Domain.Sources;

namespace Engage.Tests.Sources;

public sealed class GitHubMarkdownTests
{
    [Theory]
    [InlineData("Thanks @alice!", "alice")]
    [InlineData("@alice and @Bob-Smith, see this", "alice,Bob-Smith")]
    [InlineData("cc @alice @ALICE @Alice", "alice")]
    [InlineData("(@alice) [@bob] @carol: @dan, @erin.", "alice,bob,carol,dan,erin")]
    [InlineData("mail me at a@b.com or alice.smith@example.org", "")]
    [InlineData("ping @octo-org/reviewers about it", "")]
    [InlineData("federated @alice@mastodon.social", "")]
    [InlineData("not a login: @-alice @alice_bob", "")]
    [InlineData("trailing hyphen @alice- works", "alice")]
    [InlineData("in code `@alice` but not @bob", "bob")]
    [InlineData("double ``code with ` and @alice`` then @carol", "carol")]
    [InlineData("unclosed ` backtick @alice", "alice")]
    [InlineData("```\n@alice in a fence\n```\n@bob after it", "bob")]
    [InlineData("~~~~ sh\n@alice\n~~~\n@carol still inside\n~~~~\n@bob", "bob")]
    [InlineData("> @alice said so\n@bob agrees", "bob")]
    [InlineData("<!-- template: mention @maintainers -->\n@bob", "bob")]
    [InlineData("<!-- unclosed comment @alice", "")]
    [InlineData("a39 @abcdefghijabcdefghijabcdefghijabcdefghi ok", "abcdefghijabcdefghijabcdefghijabcdefghi")]
    [InlineData("a40 @abcdefghijabcdefghijabcdefghijabcdefghij too long", "")]
    [InlineData("https://github.com/@alice is a path", "")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Mentions_Markdown_FindsTheLoginsGitHubWouldLink(string? markdown, string expected)
    {
        var logins = GitHubMarkdown.Mentions(markdown);
        Assert.Equal(expected.Length == 0 ? [] : expected.Split(','), logins);
    }

    [Theory]
    [InlineData("> quoted question?\n\nMy answer.", "My answer.")]
    [InlineData("<!-- Describe your change -->\nFixes the cache.", "Fixes the cache.")]
    [InlineData("```\n> not a quote inside a fence\n```", "```\n> not a quote inside a fence\n```")]
    [InlineData("  \r\n ", null)]
    [InlineData("> only a quote", null)]
    [InlineData(null, null)]
    public void OwnText_Markdown_DropsQuotesAndHtmlComments(string? markdown, string? expected)
    {
        Assert.Equal(expected, GitHubMarkdown.OwnText(markdown));
    }
}
