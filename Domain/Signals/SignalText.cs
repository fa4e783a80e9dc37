using System.Globalization;
using System.Text.RegularExpressions;

namespace Engage.Domain.Signals;

internal enum WordKind
{
    Word,
    Mention,
    Hashtag,
}

/// <summary>A word of the actor's prose: <see cref="Norm"/> is lower-cased with surrounding punctuation removed.</summary>
internal readonly record struct Word(int Start, int Length, string Norm, WordKind Kind, int Sentence, int Line)
{
    public int End => Start + Length;
}

/// <summary>A sentence of the actor's prose, as a range of <see cref="SignalText.Words"/>.</summary>
internal readonly record struct Sentence(int Start, int Length, int FirstWord, int WordCount)
{
    public int End => Start + Length;

    public int EndWord => FirstWord + WordCount;
}

internal readonly record struct Range(int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>
/// One text split into the views the rules read, all of the same length so that every span points
/// into the original text:
/// <list type="bullet">
/// <item><see cref="Own"/>: the actor's own text. Other people's text is blanked: Markdown block quotes
/// (<c>&gt; …</c>) and the attribution line of a reply written by e-mail ("On Monday, Ana wrote:").</item>
/// <item><see cref="Prose"/>: <see cref="Own"/> without code (``` fences, <c>`inline`</c>, indented lines that
/// look like code), links, e-mail addresses and emoji.</item>
/// </list>
/// Every pass is a single scan (or a regex with bounded quantifiers and a timeout), so cost is linear in
/// the length, which is capped by <see cref="SignalLexicon.MaxTextLength"/>.
/// </summary>
internal sealed partial class SignalText
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(250);

    private SignalText(string original, string own)
    {
        Original = original;
        Own = own;
    }

    public string Original { get; }

    public string Own { get; }

    public string Prose { get; private set; } = string.Empty;

    public List<Range> Links { get; } = [];

    public List<Range> Emoji { get; } = [];

    public List<Range> Emails { get; } = [];

    public List<Range> Code { get; } = [];

    public List<Sentence> Sentences { get; } = [];

    public List<Word> Words { get; } = [];

    /// <summary>Number of non-empty prose lines.</summary>
    public int ProseLines { get; private set; }

    public string Slice(int start, int length) => Original.Substring(start, length);

    public static SignalText Analyze(string text, SignalLexicon lexicon, IReadOnlySet<string> tlds)
    {
        if (text.Length > lexicon.MaxTextLength && lexicon.MaxTextLength > 0)
        {
            var cut = lexicon.MaxTextLength;
            if (char.IsHighSurrogate(text[cut - 1]))
            {
                cut--;
            }

            text = text[..cut];
        }

        var own = text.ToCharArray();
        var codeMask = new bool[text.Length];
        var code = new List<Range>();
        MarkOwnAndCode(text, own, codeMask, code, lexicon);

        var prose = (char[])own.Clone();
        for (var i = 0; i < prose.Length; i++)
        {
            if (codeMask[i] && prose[i] != '\n')
            {
                prose[i] = ' ';
            }
            else if (IsInvisible(prose[i]))
            {
                prose[i] = ' ';
            }
        }

        BlankInlineCode(prose, code);
        var result = new SignalText(text, new string(own));
        result.Code.AddRange(code);
        result.FindLinks(own, prose, tlds);
        result.FindEmoji(prose);
        result.Prose = new string(prose);
        result.SplitSentencesAndWords();
        return result;
    }

    // ---- own text and code ----------------------------------------------------------------------

    private static void MarkOwnAndCode(string text, char[] own, bool[] codeMask, List<Range> code, SignalLexicon lexicon)
    {
        var lines = new List<Range>();
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == '\n')
            {
                lines.Add(new Range(start, i - start));
                start = i + 1;
            }
        }

        bool inFence = false, previousCode = false, previousBlank = true;
        for (var l = 0; l < lines.Count; l++)
        {
            var line = lines[l];
            var content = text.AsSpan(line.Start, line.Length);
            var trimmed = content.Trim();
            var blankThis = false;
            var codeThis = false;

            if (trimmed.IsEmpty)
            {
                // A blank line changes no state but ends an indented code block.
                previousCode = inFence;
                previousBlank = true;
                continue;
            }

            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
            {
                inFence = !inFence;
                codeThis = true;
            }
            else if (inFence)
            {
                codeThis = true;
            }
            else if (IsQuoteLine(content))
            {
                blankThis = true;
            }
            else if (EndsWithAny(trimmed, lexicon.AttributionMarkers))
            {
                blankThis = true;
                if (l > 0 && !IsBlank(text, lines[l - 1]))
                {
                    var previous = text.AsSpan(lines[l - 1].Start, lines[l - 1].Length).Trim();
                    if ((previous.StartsWith("On ", StringComparison.Ordinal) || previous.StartsWith("At ", StringComparison.Ordinal)
                        || previous.StartsWith("Le ", StringComparison.Ordinal) || previous.StartsWith("Am ", StringComparison.Ordinal))
                        && !previous.EndsWith(".", StringComparison.Ordinal))
                    {
                        Blank(own, lines[l - 1]);
                    }
                }
            }
            else if (IsIndentedCode(content, trimmed, previousBlank || previousCode))
            {
                codeThis = true;
            }

            if (blankThis)
            {
                Blank(own, line);
            }

            if (codeThis && line.Length > 0)
            {
                code.Add(line);
                for (var i = line.Start; i < line.End; i++)
                {
                    codeMask[i] = true;
                }
            }

            previousCode = codeThis;
            previousBlank = trimmed.IsEmpty;
        }
    }

    /// <summary>Markdown block quotes ("&gt; …", any depth): someone else's words.</summary>
    private static bool IsQuoteLine(ReadOnlySpan<char> line)
    {
        var t = line.TrimStart();
        return !t.IsEmpty && t[0] == '>';
    }

    /// <summary>
    /// Markdown's indented code (4 spaces or a tab after a blank line or more code). Mail often indents
    /// prose, so an indented line is code only when it reads like code: short without closing punctuation,
    /// or dense with symbols.
    /// </summary>
    private static bool IsIndentedCode(ReadOnlySpan<char> content, ReadOnlySpan<char> trimmed, bool afterBlankOrCode)
    {
        if (!afterBlankOrCode || trimmed.IsEmpty || !(content.StartsWith("    ", StringComparison.Ordinal) || content.StartsWith("\t", StringComparison.Ordinal)))
        {
            return false;
        }

        int words = 1, symbols = 0, nonSpace = 0;
        for (var i = 0; i < trimmed.Length; i++)
        {
            var c = trimmed[i];
            if (char.IsWhiteSpace(c))
            {
                if (i > 0 && !char.IsWhiteSpace(trimmed[i - 1]))
                {
                    words++;
                }

                continue;
            }

            nonSpace++;
            if ("{}[]()<>=;$%#@\\/|*&^~`_+:".Contains(c, StringComparison.Ordinal))
            {
                symbols++;
            }
        }

        var last = trimmed[^1];
        return symbols * 10 > nonSpace || (words < 4 && last is not ('.' or '?' or '!' or ',' or ':'));
    }

    private static bool EndsWithAny(ReadOnlySpan<char> trimmed, List<string> markers)
    {
        foreach (var marker in markers)
        {
            if (trimmed.EndsWith(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsBlank(string text, Range line) => text.AsSpan(line.Start, line.Length).Trim().IsEmpty;

    private static void Blank(char[] chars, Range range)
    {
        for (var i = range.Start; i < range.End; i++)
        {
            if (chars[i] != '\n')
            {
                chars[i] = ' ';
            }
        }
    }

    private static bool IsInvisible(char c) =>
        c is '\u200B' or '\u200C' or '\u200E' or '\u200F' or '\uFEFF' or '\u00AD' or '\r' or '\t' or '\f' or '\v'
        || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');

    private static void BlankInlineCode(char[] prose, List<Range> code)
    {
        var open = -1;
        for (var i = 0; i < prose.Length; i++)
        {
            if (prose[i] == '\n')
            {
                open = -1;
            }
            else if (prose[i] == '`')
            {
                if (open < 0)
                {
                    open = i;
                }
                else
                {
                    code.Add(new Range(open, i - open + 1));
                    Blank(prose, new Range(open, i - open + 1));
                    open = -1;
                }
            }
        }
    }

    // ---- links ----------------------------------------------------------------------------------

    /// <summary>
    /// Links are found token by token (whitespace-separated) in the own text, code included: a URL with a
    /// scheme, <c>www.…</c>, or a bare domain on a known TLD (example.com/path). E-mail addresses are not
    /// links. Links and e-mail addresses are blanked from the prose.
    /// </summary>
    private void FindLinks(char[] own, char[] prose, IReadOnlySet<string> tlds)
    {
        var i = 0;
        while (i < own.Length)
        {
            while (i < own.Length && char.IsWhiteSpace(own[i]))
            {
                i++;
            }

            var start = i;
            while (i < own.Length && !char.IsWhiteSpace(own[i]))
            {
                i++;
            }

            if (i > start)
            {
                ClassifyToken(own, prose, start, i, tlds);
            }
        }
    }

    private void ClassifyToken(char[] own, char[] prose, int start, int end, IReadOnlySet<string> tlds)
    {
        var token = new ReadOnlySpan<char>(own, start, end - start);
        var scheme = IndexOfScheme(token);
        if (scheme >= 0)
        {
            var linkStart = start + scheme;
            var linkEnd = TrimLinkEnd(own, linkStart, end);
            AddLink(prose, linkStart, linkEnd);
            return;
        }

        // Trim wrappers: (<"'[ and trailing punctuation.
        var s = start;
        while (s < end && "(<\"'[*_“‘«".Contains(own[s], StringComparison.Ordinal))
        {
            s++;
        }

        if (s >= end || own[s] == '@')
        {
            return;
        }

        var at = Array.IndexOf(own, '@', s, end - s);
        if (at > s)
        {
            // Trimming may end before the '@' ("d’@ISTAART" trims to "d"): then there is no domain part at all.
            var e = TrimLinkEnd(own, s, end);
            if (e > at && Array.IndexOf(own, '.', at, e - at) > at)
            {
                // An e-mail address or message id: neither a link nor a mention.
                Emails.Add(new Range(s, e - s));
                Blank(prose, new Range(s, e - s));
            }

            return;
        }

        var linkEndBare = TrimLinkEnd(own, s, end);
        if (linkEndBare - s is > 3 and < 2048 && IsBareDomainLink(own, s, linkEndBare, tlds))
        {
            AddLink(prose, s, linkEndBare);
        }
    }

    private void AddLink(char[] prose, int start, int end)
    {
        if (end <= start)
        {
            return;
        }

        Links.Add(new Range(start, end - start));
        Blank(prose, new Range(start, end - start));
    }

    private static int IndexOfScheme(ReadOnlySpan<char> token)
    {
        var http = token.IndexOf("http://", StringComparison.OrdinalIgnoreCase);
        var https = token.IndexOf("https://", StringComparison.OrdinalIgnoreCase);
        var ftp = token.IndexOf("ftp://", StringComparison.OrdinalIgnoreCase);
        var www = token.IndexOf("www.", StringComparison.OrdinalIgnoreCase);
        var best = -1;
        foreach (var candidate in (ReadOnlySpan<int>)[http, https, ftp])
        {
            if (candidate >= 0 && (best < 0 || candidate < best))
            {
                best = candidate;
            }
        }

        if (best < 0 && www >= 0 && (www == 0 || !char.IsLetterOrDigit(token[www - 1])) && token.Length > www + 5)
        {
            best = www;
        }

        return best;
    }

    private static int TrimLinkEnd(char[] chars, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            if (chars[i] is '<' or '>' or '|' or '"' or '`' or '”' or '’' or '»' || (chars[i] == ']' && i > start))
            {
                end = i;
                break;
            }
        }

        while (end > start && ".,;:!?')*_".Contains(chars[end - 1], StringComparison.Ordinal))
        {
            end--;
        }

        return end;
    }

    /// <summary>label(.label)*.tld(:port)?(/path)? with a known TLD, whole token.</summary>
    private static bool IsBareDomainLink(char[] chars, int start, int end, IReadOnlySet<string> tlds)
    {
        var hostEnd = start;
        while (hostEnd < end && chars[hostEnd] is not ('/' or ':' or '?' or '#'))
        {
            hostEnd++;
        }

        if (hostEnd < end && chars[hostEnd] == ':' && !(hostEnd + 1 < end && (char.IsAsciiDigit(chars[hostEnd + 1]) || chars[hostEnd + 1] == '/')))
        {
            return false;
        }

        var host = new ReadOnlySpan<char>(chars, start, hostEnd - start);
        var lastDot = host.LastIndexOf('.');
        if (lastDot <= 0 || lastDot == host.Length - 1)
        {
            return false;
        }

        var labelLength = 0;
        foreach (var c in host)
        {
            if (c == '.')
            {
                if (labelLength == 0)
                {
                    return false;
                }

                labelLength = 0;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c == '-')
            {
                labelLength++;
            }
            else
            {
                return false;
            }
        }

        var tld = host[(lastDot + 1)..].ToString().ToLowerInvariant();
        return tlds.Contains(tld) && char.IsAsciiLetterOrDigit(host[0]);
    }

    // ---- emoji ----------------------------------------------------------------------------------

    [GeneratedRegex(@"(?<![\w:])(?::[-']?[)(\]\[DPpOo/\\|*3]|;-?[)(DPp]|8-[)D]|<3|\^_\^|[xX]D|:[a-z0-9_+-]{1,30}:|<(?:[gG]|grin|wink|smile|sigh)>|8<|>8)(?![\w])", RegexOptions.CultureInvariant, 250)]
    private static partial Regex EmoticonPattern();

    /// <summary>Pictographs (symbol characters, supplementary-plane symbols, joiners, variation selectors, skin tones), ASCII emoticons and :shortcodes:.</summary>
    private void FindEmoji(char[] prose)
    {
        var i = 0;
        while (i < prose.Length)
        {
            var start = i;
            while (i < prose.Length && IsEmojiAt(prose, i, out var width))
            {
                i += width;
            }

            if (i > start)
            {
                Emoji.Add(new Range(start, i - start));
                Blank(prose, new Range(start, i - start));
            }
            else
            {
                i++;
            }
        }

        var text = new string(prose);
        try
        {
            foreach (Match match in EmoticonPattern().Matches(text))
            {
                Emoji.Add(new Range(match.Index, match.Length));
                Blank(prose, new Range(match.Index, match.Length));
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // Bounded work: emoticons found so far are kept, the rest of a pathological text is read as words.
        }
    }

    private static bool IsEmojiAt(char[] chars, int i, out int width)
    {
        var c = chars[i];
        width = 1;
        if (char.IsHighSurrogate(c) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
        {
            width = 2;
            var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, chars[i + 1]));
            return category is UnicodeCategory.OtherSymbol or UnicodeCategory.ModifierSymbol;
        }

        if (c is '\u200D' or '\uFE0F' or '\uFE0E' or '\u20E3')
        {
            return true;
        }

        return CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.OtherSymbol && c > '\u00FF';
    }

    // ---- sentences and words ------------------------------------------------------------------

    private void SplitSentencesAndWords()
    {
        var p = Prose;
        var n = p.Length;
        var sentenceStart = -1;
        var line = 0;
        var lineHasWords = false;
        var i = 0;
        while (i < n)
        {
            var c = p[i];
            if (c == '\n')
            {
                if (lineHasWords)
                {
                    ProseLines++;
                }

                if (sentenceStart >= 0 && IsLineBreakBoundary(p, i))
                {
                    EndSentence(sentenceStart, i);
                    sentenceStart = -1;
                }

                line++;
                lineHasWords = false;
                i++;
                continue;
            }

            if (IsTerminal(c))
            {
                var j = i;
                while (j < n && (IsTerminal(p[j]) || IsClosing(p[j])))
                {
                    j++;
                }

                var isDecimal = c == '.' && j == i + 1 && j < n && char.IsLetterOrDigit(p[j]);
                if (!isDecimal && (j == n || char.IsWhiteSpace(p[j])))
                {
                    if (sentenceStart < 0)
                    {
                        sentenceStart = i;
                    }

                    EndSentence(sentenceStart, j);
                    sentenceStart = -1;
                    i = j;
                    continue;
                }

                if (sentenceStart < 0)
                {
                    sentenceStart = i;
                }

                i = j;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (sentenceStart < 0)
            {
                sentenceStart = i;
            }

            // A word: up to a separator.
            var wordStart = i;
            while (i < n && !IsWordSeparator(p, i))
            {
                i++;
            }

            if (i == wordStart)
            {
                i++;
                continue;
            }

            AddWord(wordStart, i, line);
            lineHasWords = true;
        }

        if (lineHasWords)
        {
            ProseLines++;
        }

        if (sentenceStart >= 0)
        {
            EndSentence(sentenceStart, n);
        }
    }

    private int firstWordOfSentence;

    private void EndSentence(int start, int end)
    {
        while (end > start && char.IsWhiteSpace(Prose[end - 1]))
        {
            end--;
        }

        var count = Words.Count - firstWordOfSentence;
        if (end > start)
        {
            for (var w = firstWordOfSentence; w < Words.Count; w++)
            {
                Words[w] = Words[w] with { Sentence = Sentences.Count };
            }

            Sentences.Add(new Sentence(start, end - start, firstWordOfSentence, count));
        }

        firstWordOfSentence = Words.Count;
    }

    /// <summary>A line break ends a sentence at a blank line, after a line ending in ':' or a short greeting line ("Hi,"), or before a list item.</summary>
    private static bool IsLineBreakBoundary(string p, int newline)
    {
        var next = newline + 1;
        while (next < p.Length && p[next] is ' ' or '\t')
        {
            next++;
        }

        if (next >= p.Length || p[next] == '\n')
        {
            return true;
        }

        if (p[next] is '-' or '*' or '•' && next + 1 < p.Length && p[next + 1] == ' ')
        {
            return true;
        }

        var digits = next;
        while (digits < p.Length && char.IsAsciiDigit(p[digits]))
        {
            digits++;
        }

        if (digits > next && digits < p.Length && p[digits] is '.' or ')' && digits + 1 < p.Length && p[digits + 1] == ' ')
        {
            return true;
        }

        var lineStart = p.LastIndexOf('\n', newline - 1 < 0 ? 0 : newline - 1) + 1;
        var line = p.AsSpan(lineStart, newline - lineStart).Trim();
        if (line.IsEmpty)
        {
            return false;
        }

        if (line[^1] == ':')
        {
            return true;
        }

        var words = 1;
        foreach (var ch in line)
        {
            if (ch == ' ')
            {
                words++;
            }
        }

        return words <= 3 && line[^1] is ',' or '!';
    }

    private static bool IsTerminal(char c) => c is '.' or '!' or '?' or '…' or '。' or '？' or '！' or '؟';

    private static bool IsClosing(char c) => c is ')' or ']' or '"' or '”' or '’' or '\'' or '»' or '*' or '_';

    private static bool IsWordSeparator(string p, int i)
    {
        var c = p[i];
        if (char.IsWhiteSpace(c) || IsTerminal(c) && c != '.')
        {
            return true;
        }

        switch (c)
        {
            case ',' or ';' or '(' or ')' or '[' or ']' or '{' or '}' or '"' or '“' or '”' or '«' or '»' or '|' or '<' or '>' or '=' or '*' or ':' or '、' or '，' or '،':
                return true;
            case '.':
                var next = i + 1 < p.Length ? p[i + 1] : ' ';
                var previous = i > 0 ? p[i - 1] : ' ';
                return char.IsWhiteSpace(next) || next == '.' || previous == '.' || IsTerminal(next) || IsClosing(next);
            case '-':
                return i + 1 < p.Length && p[i + 1] == '-';
            default:
                return false;
        }
    }

    private void AddWord(int start, int end, int line)
    {
        var s = start;
        var e = end;
        while (s < e && IsTrimmable(Prose[s], leading: true, Prose, s, e))
        {
            s++;
        }

        while (e > s && IsTrimmable(Prose[e - 1], leading: false, Prose, s, e))
        {
            e--;
        }

        // A footnote marker glued to a word ("Link[1]") is split off by the '[' separator already.
        if (e <= s)
        {
            return;
        }

        var norm = Prose.Substring(s, e - s).Replace('’', '\'').ToLowerInvariant();
        var kind = WordKind.Word;
        if (norm.Length > 1 && norm[0] == '@' && (char.IsLetterOrDigit(norm[1]) || norm[1] == '_'))
        {
            kind = WordKind.Mention;
        }
        else if (norm.Length > 1 && norm[0] == '#' && char.IsLetter(norm[1]))
        {
            kind = WordKind.Hashtag;
        }

        Words.Add(new Word(s, e - s, norm, kind, -1, line));
    }

    private static bool IsTrimmable(char c, bool leading, string p, int s, int e)
    {
        if (c == '-' && leading && s + 1 < e && char.IsAsciiDigit(p[s + 1]))
        {
            return false;
        }

        return c is '.' or '\'' or '’' or '‘' or '_' or '~' or '`' or '-' or '/' or '\\' or '&' or ';' or '¿' or '¡';
    }
}
