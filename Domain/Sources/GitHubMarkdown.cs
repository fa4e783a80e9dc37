using System.Text;
using System.Text.RegularExpressions;

namespace Engage.Domain.Sources;

/// <summary>
/// Reads GitHub-flavoured Markdown bodies the way the mapping needs them: the author's own text
/// (quoted lines and HTML comments removed) and the <c>@login</c> mentions GitHub would link.
/// </summary>
public static partial class GitHubMarkdown
{
    /// <summary>GitHub logins: alphanumerics and single hyphens, not starting or ending with one, at most 39 characters.</summary>
    public const int MaxLoginLength = 39;

    // HTML comments: issue and pull request templates are full of them ("<!-- cc @maintainers -->").
    [GeneratedRegex("<!--.*?(-->|$)", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex HtmlComment();

    // Opening or closing fence: up to three spaces, then ``` or ~~~ (three or more).
    [GeneratedRegex("^ {0,3}(?<fence>`{3,}|~{3,})", RegexOptions.CultureInvariant)]
    private static partial Regex Fence();

    // Quoted lines (quote reply): someone else's words.
    [GeneratedRegex("^ {0,3}>", RegexOptions.CultureInvariant)]
    private static partial Regex Quote();

    // "@login" not glued to a word, an e-mail address, a path or another mention. What follows is checked
    // in code: "/" is a team mention (@org/team), "@" a federated handle (@user@host).
    [GeneratedRegex(@"(?<![A-Za-z0-9_.+\-/@`])@(?<login>[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9]))*)(?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex Mention();

    /// <summary>
    /// The author's own words: the body without HTML comments and without quoted (<c>&gt;</c>) lines,
    /// trimmed; null when nothing is left.
    /// </summary>
    public static string? OwnText(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown))
        {
            return null;
        }

        var kept = new StringBuilder(markdown.Length);
        foreach (var (line, _) in Lines(HtmlComment().Replace(markdown, "")))
        {
            kept.Append(line).Append('\n');
        }

        var text = kept.ToString().Trim();
        return text.Length == 0 ? null : text;
    }

    /// <summary>
    /// Logins mentioned with <c>@login</c>, as written, distinct (case-insensitively), in order of
    /// appearance. Not counted: code spans and fenced code, quoted lines, HTML comments, e-mail
    /// addresses, team mentions (<c>@org/team</c>: a team is not a person and the payload does not
    /// name its members), and anything longer than a login can be.
    /// </summary>
    public static IReadOnlyList<string> Mentions(string? markdown)
    {
        if (string.IsNullOrEmpty(markdown) || !markdown.Contains('@', StringComparison.Ordinal))
        {
            return [];
        }

        var found = new List<string>();
        foreach (var (line, inCode) in Lines(HtmlComment().Replace(markdown, "")))
        {
            if (inCode || !line.Contains('@', StringComparison.Ordinal))
            {
                continue;
            }

            var plain = WithoutCodeSpans(line);
            foreach (Match m in Mention().Matches(plain))
            {
                var login = m.Groups["login"].Value;
                var end = m.Index + m.Length;
                var glued = end < plain.Length && plain[end] is '/' or '@';
                if (!glued && login.Length <= MaxLoginLength
                    && !found.Exists(f => string.Equals(f, login, StringComparison.OrdinalIgnoreCase)))
                {
                    found.Add(login);
                }
            }
        }

        return found;
    }

    /// <summary>Lines that are not quoted, each with whether it lies inside a fenced code block (fences included).</summary>
    private static IEnumerable<(string Line, bool InCode)> Lines(string markdown)
    {
        string? open = null;
        foreach (var raw in markdown.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var fence = Fence().Match(line);
            if (open is null && fence.Success)
            {
                open = fence.Groups["fence"].Value;
                yield return (line, true);
            }
            else if (open is not null)
            {
                // A closing fence: the same character, at least as long, nothing after it.
                if (fence.Success && fence.Groups["fence"].Value[0] == open[0] && fence.Groups["fence"].Length >= open.Length
                    && line[(fence.Index + fence.Length)..].Trim().Length == 0)
                {
                    open = null;
                }

                yield return (line, true);
            }
            else if (!Quote().IsMatch(line))
            {
                yield return (line, false);
            }
        }
    }

    /// <summary>Blanks inline code spans (a run of backticks up to the next run of the same length).</summary>
    private static string WithoutCodeSpans(string line)
    {
        if (!line.Contains('`', StringComparison.Ordinal))
        {
            return line;
        }

        var sb = new StringBuilder(line.Length);
        var i = 0;
        while (i < line.Length)
        {
            if (line[i] != '`')
            {
                sb.Append(line[i++]);
                continue;
            }

            var run = RunLength(line, i);
            var close = FindRun(line, i + run, run);
            if (close < 0)
            {
                // No closing run: the backticks are literal.
                sb.Append('`', run);
                i += run;
                continue;
            }

            sb.Append(' ');
            i = close + run;
        }

        return sb.ToString();
    }

    private static int RunLength(string s, int at)
    {
        var n = 0;
        while (at + n < s.Length && s[at + n] == '`')
        {
            n++;
        }

        return n;
    }

    private static int FindRun(string s, int from, int length)
    {
        for (var i = from; i < s.Length;)
        {
            if (s[i] != '`')
            {
                i++;
                continue;
            }

            var run = RunLength(s, i);
            if (run == length)
            {
                return i;
            }

            i += run;
        }

        return -1;
    }
}
