using System.Globalization;
using System.Text.RegularExpressions;
using Engage.Domain.Interactions;

namespace Engage.Domain.Signals;

/// <summary>
/// Text signals (docs/signals.md) over the actor's own text, in two layers. First a declarative rule table over a
/// markup-aware tokenizer; every word list is in <see cref="SignalLexicon"/>. Then a linear head
/// (<see cref="SignalModel"/>, logistic regression per signal over words, word pairs, the shape of the text and
/// the rules that fired) decides question, joins the rules for recommendation, lowContent and linkOnly, and leaves
/// thanks to the rules, as chosen by cross-validation. <see cref="Explain"/> returns, per signal, the rule and span,
/// or the model's probability and its top-weighted features. <see cref="SignalSet.Answer"/> is never set here: it
/// depends on the parent and is decided by the fold.
/// <para>
/// <b>Own text.</b> Markdown block quotes ("&gt; …") and an e-mail reply's attribution line ("On Monday, Ana wrote:")
/// are someone else's words and are ignored. Code (``` fences, `inline`, indented lines that read like code) is
/// ignored for every rule but evidence. Links, e-mail addresses, @mentions (also Slack <c>&lt;@U123&gt;</c> and Mastodon
/// <c>@a@b.social</c>), #hashtags and emoji are recognised before words are read. Only the first
/// <see cref="SignalLexicon.MaxTextLength"/> characters are read; any text, any script, never throws.
/// </para>
/// <para>The rules below are what each rule feature means.</para>
/// <para>
/// <b>question</b>: a sentence ending in <c>?</c> (also <c>？</c>, <c>؟</c>) that is not a <c>?</c> inside a URL,
/// code or quoted line, not "(?)" (doubt), not followed by a closing quote (a quoted question: <c>"why?"</c>);
/// or a sentence opening with an interrogative (<see cref="SignalLexicon.QuestionOpeners"/>, after a lead-in
/// such as "so," or "Hi all,") that does not end in "!" or ":" ("How to reproduce:" is a heading).
/// Rhetorical questions do not count: a whole sentence from <see cref="SignalLexicon.RhetoricalQuestions"/>
/// ("why not?", "who knew?", "right?"), an opening from <see cref="SignalLexicon.RhetoricalOpeners"/> ("who
/// doesn't love X?", "wouldn't it be nice…?"), a tag question closing a statement ("…, isn't it?",
/// "…, right?"), and a question the author answers at once ("Why? Because …").
/// </para>
/// <para>
/// <b>thanks</b>: a word from <see cref="SignalLexicon.Thanks"/> that is addressed to someone: any thanks in
/// a reply or quote (addressed to the parent's author); in a post, only with an addressee in the same
/// sentence: a mention, "you all"/"everyone", a name right after the word on the same line ("Thanks
/// Steve!"), "thanks to Ana", or "thanks for the patch". Not thanks: "no thanks" (and "no thanks to X");
/// anticipatory thanks ("thanks in advance", "TIA", "thanks for any help", appreciation asked for: "any
/// help would be appreciated"), and a bare "Thanks"/"Thanks for helping" closing a message after its last
/// question (it thanks for an answer not yet given); causal "thanks to": "thanks to the new cache, builds are
/// faster" — "thanks to X" is gratitude only when X is a person (a mention, "you", "everyone", a
/// capitalised name not followed by ", &lt;clause&gt;") or is followed by "for …".
/// </para>
/// <para>
/// <b>recommendation</b>: a mention of another user (in the text, or <see cref="SignalInput.Mentions"/>
/// when the platform strips handles from the text) with a recommending phrase: right before the mention
/// for <see cref="SignalLexicon.RecommendationsDirect"/> ("follow @ana", "kudos to @bo", "you should talk to
/// my colleague @cy"), within <see cref="SignalLexicon.RecommendationWindow"/> words for
/// <see cref="SignalLexicon.RecommendationsNear"/> ("check out this talk by @ana"), or before
/// him/her/them after the mention ("@ana knows this, hire her"). "follow symlinks by @ana" is not.
/// </para>
/// <para>
/// <b>evidence</b> (replies only): a link (URL, www., bare domain on a known TLD), a reference (#123), a
/// percentage, or a number with meaning: a measurement, count, version or amount. Not evidence: list
/// markers ("1."/"2)" at a line start), footnote markers ([1]), dates and times (2002-08-29, 7/26, 11:45,
/// "Aug 29", "4 pm"), a year alone (1900–2099), ordinals (3rd), "+1", and digits inside words or
/// identifiers (Win98, i686, 3c509, file-0.1.rpm).
/// </para>
/// <para>
/// <b>lowContent</b>: at most <see cref="SignalLexicon.LowContentMaxWords"/> words, no question, link,
/// number or code, and either only emoji/punctuation/mentions, or a reaction from
/// <see cref="SignalLexicon.LowContent"/> ("+1", "me too", "great post!", "lol") with at most
/// <see cref="SignalLexicon.LowContentMaxExtraWords"/> other meaningful word (stop words and a sign-off name
/// do not count): "+1 this is the way" is low content.
/// </para>
/// <para>
/// <b>linkOnly</b> (posts and quotes): a link, and fewer than <see cref="SignalLexicon.LinkOnlyMinWords"/>
/// meaningful words beside it once mentions, hashtags, emoji, filler ("check this out", "via") and stop
/// words are removed.
/// </para>
/// </summary>
public sealed partial class SignalClassifier
{
    /// <summary>
    /// Version of the classifier's behaviour, recorded beside stored signals so that a later classifier can tell
    /// which facts to reclassify. Change it whenever the same text may classify differently.
    /// </summary>
    public const string ClassifierVersion = "2026.11.2";

    private readonly SignalLexicon lexicon;
    private readonly HashSet<string> tlds;
    private readonly PhraseSet questionOpeners;
    private readonly PhraseSet rhetoricalQuestions;
    private readonly PhraseSet rhetoricalOpeners;
    private readonly PhraseSet tagQuestions;
    private readonly PhraseSet thanks;
    private readonly PhraseSet anticipatory;
    private readonly PhraseSet anticipatoryObjects;
    private readonly PhraseSet appreciationRequests;
    private readonly PhraseSet thanksToPersons;
    private readonly HashSet<string> determiners;
    private readonly HashSet<string> negations;
    private readonly PhraseSet recommendDirect;
    private readonly PhraseSet recommendNear;
    private readonly PhraseSet recommendAfter;
    private readonly HashSet<string> recommendHashtags;
    private readonly HashSet<string> recommendFillers;
    private readonly PhraseSet lowContent;
    private readonly PhraseSet linkFiller;
    private readonly HashSet<string> stopWords;
    private readonly HashSet<string> dateWords;
    private readonly HashSet<string> leadIns;

    private readonly SignalModel? model;

    /// <summary>The classifier with the committed linear head (<see cref="SignalModel.Default"/>).</summary>
    public SignalClassifier(SignalLexicon lexicon)
        : this(lexicon, SignalModel.Default)
    {
    }

    /// <summary>The classifier with <paramref name="model"/> as its linear head; with null the rules decide alone.</summary>
    public SignalClassifier(SignalLexicon lexicon, SignalModel? model)
    {
        ArgumentNullException.ThrowIfNull(lexicon);
        this.lexicon = lexicon;
        this.model = model;
        tlds = Set(lexicon.LinkTlds);
        questionOpeners = new PhraseSet(lexicon.QuestionOpeners);
        rhetoricalQuestions = new PhraseSet(lexicon.RhetoricalQuestions);
        rhetoricalOpeners = new PhraseSet(lexicon.RhetoricalOpeners);
        tagQuestions = new PhraseSet(lexicon.TagQuestions);
        thanks = new PhraseSet(lexicon.Thanks);
        anticipatory = new PhraseSet(lexicon.AnticipatoryThanks);
        anticipatoryObjects = new PhraseSet(lexicon.AnticipatoryThanksObjects);
        appreciationRequests = new PhraseSet(lexicon.AppreciationRequests);
        thanksToPersons = new PhraseSet(lexicon.ThanksToPersons);
        determiners = Set(lexicon.Determiners);
        negations = Set(lexicon.ThanksNegations);
        recommendDirect = new PhraseSet(lexicon.RecommendationsDirect);
        recommendNear = new PhraseSet(lexicon.RecommendationsNear);
        recommendAfter = new PhraseSet(lexicon.RecommendationsAfter);
        recommendHashtags = Set(lexicon.RecommendationHashtags);
        recommendFillers = Set(lexicon.RecommendationFillers);
        lowContent = new PhraseSet(lexicon.LowContent);
        linkFiller = new PhraseSet(lexicon.LinkFiller);
        stopWords = Set(lexicon.StopWords);
        dateWords = Set(lexicon.DateWords);
        leadIns = Set(lexicon.QuestionLeadIns);
    }

    public SignalSet Classify(SignalInput input) => Explain(input).Signals;

    /// <summary>The signals of <paramref name="input"/> with, for each, the rules that set it and the matched text.</summary>
    public SignalExplanation Explain(SignalInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Text is not { Length: > 0 } raw || string.IsNullOrWhiteSpace(raw)
            || input.Kind is InteractionKind.Repost or InteractionKind.Reaction or InteractionKind.Follow)
        {
            return SignalExplanation.None;
        }

        var text = SignalText.Analyze(raw, lexicon, tlds);
        var reasons = RuleReasons(text, input);
        if (model is not null)
        {
            reasons = ModelReasons(text, input, reasons, model);
        }

        var signals = SignalSet.None;
        foreach (var reason in reasons)
        {
            signals |= reason.Signal;
        }

        return new SignalExplanation(signals, reasons);
    }

    /// <summary>The features the linear head reads for <paramref name="input"/> (empty for texts the classifier skips).</summary>
    public IReadOnlyCollection<string> Features(SignalInput input, SignalFeatureSet set)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Text is not { Length: > 0 } raw || input.Kind is InteractionKind.Repost or InteractionKind.Reaction or InteractionKind.Follow)
        {
            return [];
        }

        var text = SignalText.Analyze(raw, lexicon, tlds);
        return Features(text, input, RuleReasons(text, input), set);
    }

    private List<SignalReason> RuleReasons(SignalText text, SignalInput input)
    {
        var reasons = new List<SignalReason>();
        var questionSentences = FindQuestions(text, reasons);
        FindThanks(text, input.Kind, questionSentences, reasons);
        FindRecommendations(text, input.Mentions, reasons);
        var data = FindData(text);
        if (input.Kind == InteractionKind.Reply)
        {
            reasons.AddRange(data.Take(3));
        }

        // Naming people to follow or hire has substance, however short: never lowContent.
        var recommends = reasons.Exists(r => r.Signal == SignalSet.Recommendation);
        if (!recommends && questionSentences.Count == 0 && data.Count == 0 && text.Code.Count == 0)
        {
            FindLowContent(text, reasons);
        }
        else if (!recommends && questionSentences.Count == 0 && text.Code.Count == 0 && text.Links.Count == 0 && text.Words.Count <= 2)
        {
            // A bare "100%" or "this 100%" agrees; it brings no data.
            var before = reasons.Count;
            FindLowContent(text, reasons);
            if (reasons.Count > before)
            {
                reasons.RemoveAll(r => r.Signal == SignalSet.Evidence);
            }
        }

        if (input.Kind is InteractionKind.Post or InteractionKind.Quote)
        {
            FindLinkOnly(text, reasons);
        }

        return reasons;
    }

    private static HashSet<string> Set(IEnumerable<string> words) => new(words.Select(PhraseSet.Normalize), StringComparer.Ordinal);

    private static SignalReason Reason(SignalText text, SignalSet signal, string rule, int start, int end)
    {
        var length = Math.Min(end - start, 280);
        return new SignalReason(signal, rule, start, length, text.Slice(start, length));
    }

    // ---- question -------------------------------------------------------------------------------

    private List<int> FindQuestions(SignalText text, List<SignalReason> reasons)
    {
        var found = new List<int>();
        var words = text.Words;
        for (var s = 0; s < text.Sentences.Count; s++)
        {
            var sentence = text.Sentences[s];
            var rule = EndsWithQuestionMark(text, sentence) ? "question.mark" : null;
            var first = SkipLeadIn(text, sentence);
            if (rule is null && questionOpeners.MatchAt(words, first, sentence.EndWord) > 0 && !EndsWith(text, sentence, '!') && !EndsWith(text, sentence, ':'))
            {
                rule = "question.opener";
            }

            if (rule is null || IsRhetorical(text, s, first))
            {
                continue;
            }

            found.Add(s);
            reasons.Add(Reason(text, SignalSet.Question, rule, sentence.Start, sentence.End));
        }

        return found;
    }

    private static bool EndsWithQuestionMark(SignalText text, Sentence sentence)
    {
        var p = text.Prose;
        var end = sentence.End;
        var i = end - 1;
        while (i >= sentence.Start && p[i] is ')' or ']' or '*' or '_' or ' ' or '.' or '!')
        {
            if (p[i] == ')' && i > sentence.Start && p[i - 1] == '?' && i - 2 >= sentence.Start && p[i - 2] == '(')
            {
                return false; // "(?)": doubt, not a question
            }

            i--;
        }

        if (i < sentence.Start || p[i] is not ('?' or '？' or '؟'))
        {
            return false;
        }

        // A question mark right before a closing quote belongs to quoted speech: He asked "why?".
        var after = i + 1;
        while (after < end && p[after] is '?' or '!')
        {
            after++;
        }

        if (after < end && p[after] is '"' or '”' or '’' or '\'' or '»')
        {
            return false;
        }

        var q = i;
        while (q > sentence.Start && p[q - 1] is '?' or '!')
        {
            q--;
        }

        return !(q > sentence.Start && p[q - 1] == '(');
    }

    private static bool EndsWith(SignalText text, Sentence sentence, char c)
    {
        var i = sentence.End - 1;
        while (i >= sentence.Start && text.Prose[i] is ')' or ']' or '*' or '_' or ' ')
        {
            i--;
        }

        return i >= sentence.Start && text.Prose[i] == c;
    }

    /// <summary>Index of the first word after lead-ins ("so", "btw", "@ana") and a short vocative ("Hi all,").</summary>
    private int SkipLeadIn(SignalText text, Sentence sentence)
    {
        var words = text.Words;
        var first = sentence.FirstWord;
        for (var k = sentence.FirstWord; k < Math.Min(sentence.EndWord, sentence.FirstWord + 4); k++)
        {
            var w = words[k];
            if (w.End < text.Prose.Length && text.Prose[w.End] == ',' && k + 1 < sentence.EndWord)
            {
                first = k + 1;
                break;
            }
        }

        while (first < sentence.EndWord - 1 && (leadIns.Contains(words[first].Norm) || words[first].Kind == WordKind.Mention))
        {
            first++;
        }

        return first;
    }

    private bool IsRhetorical(SignalText text, int s, int first)
    {
        var sentence = text.Sentences[s];
        var words = text.Words;
        if (sentence.WordCount == 0)
        {
            return false;
        }

        if (rhetoricalQuestions.IsWhole(Join(words, sentence.FirstWord, sentence.EndWord)) || rhetoricalQuestions.IsWhole(Join(words, first, sentence.EndWord)))
        {
            return true;
        }

        if (rhetoricalOpeners.MatchAt(words, first, sentence.EndWord) > 0)
        {
            return true;
        }

        // Tag question: "…, isn't it?" / "…, right?" after a statement.
        var comma = text.Prose.LastIndexOf(',', sentence.End - 1, sentence.Length);
        if (comma > sentence.Start)
        {
            var tagStart = sentence.FirstWord;
            while (tagStart < sentence.EndWord && words[tagStart].Start < comma)
            {
                tagStart++;
            }

            if (tagStart > sentence.FirstWord && sentence.EndWord - tagStart is > 0 and <= 4 && tagQuestions.IsWhole(Join(words, tagStart, sentence.EndWord)))
            {
                return true;
            }
        }

        // Answered at once by the author: "Why am I doing this? Because …".
        if (s + 1 < text.Sentences.Count)
        {
            var next = text.Sentences[s + 1];
            if (next.WordCount > 0 && words[next.FirstWord].Norm is "because" or "cause" or "'cause")
            {
                return true;
            }
        }

        return false;
    }

    private static string Join(List<Word> words, int from, int to)
    {
        if (from >= to)
        {
            return string.Empty;
        }

        return string.Join(' ', words.Skip(from).Take(to - from).Where(w => w.Kind == WordKind.Word).Select(w => w.Norm));
    }

    // ---- thanks ---------------------------------------------------------------------------------

    private void FindThanks(SignalText text, InteractionKind kind, List<int> questionSentences, List<SignalReason> reasons)
    {
        var words = text.Words;
        var lastQuestion = questionSentences.Count > 0 ? questionSentences[^1] : -1;
        foreach (var sentence in text.Sentences)
        {
            var i = sentence.FirstWord;
            while (i < sentence.EndWord)
            {
                var length = thanks.MatchAt(words, i, sentence.EndWord);
                if (length == 0)
                {
                    i++;
                    continue;
                }

                var rule = ThanksRule(text, kind, sentence, i, length, lastQuestion);
                if (rule is not null)
                {
                    reasons.Add(Reason(text, SignalSet.Thanks, rule, words[i].Start, words[i + length - 1].End));
                    return;
                }

                i += length;
            }
        }
    }

    /// <summary>The rule that makes the thanks words at [i, i+length) thanks, or null when they are not.</summary>
    private string? ThanksRule(SignalText text, InteractionKind kind, Sentence sentence, int i, int length, int lastQuestion)
    {
        var words = text.Words;
        var end = sentence.EndWord;
        var after = i + length;

        // "no thanks", "no, thanks", "no thanks to X".
        if (i > sentence.FirstWord && negations.Contains(words[i - 1].Norm))
        {
            return null;
        }

        // Appreciation asked for, not given: "any help would be appreciated", "I'd appreciate", "to appreciate".
        if (appreciationRequests.Covers(words, Math.Max(sentence.FirstWord, i - 5), after, i, end))
        {
            return null;
        }

        // Anticipatory: "thanks in advance", "thank you so much in advance", "thanks for any help".
        var next = after;
        while (next < end && words[next].Norm is "so" or "much" or "a" or "lot" or "very" or "again" or "all" or "guys" or "everyone" or "folks" or "you")
        {
            next++;
        }

        if (anticipatory.MatchAt(words, next, end) > 0 || anticipatory.MatchAt(words, after, end) > 0)
        {
            return null;
        }

        var forIndex = -1;
        for (var k = after; k < Math.Min(end, after + 4); k++)
        {
            if (words[k].Norm == "for")
            {
                forIndex = k;
                break;
            }
        }

        // A closing "Thanks" (or "thanks for helping") after the message's last question thanks for an answer not yet given.
        var sentenceIndex = words[i].Sentence;
        if (lastQuestion >= 0 && sentenceIndex > lastQuestion)
        {
            var bare = forIndex < 0 && CountOtherWords(words, after, end) <= 2;
            var forHelp = forIndex >= 0 && anticipatoryObjects.MatchAt(words, forIndex + 1, end) > 0;
            if (bare || forHelp)
            {
                return null;
            }
        }

        // "thanks to X" (also "thanks again to X"): gratitude when X is a person or "for …" follows, otherwise causal.
        var to = after;
        while (to < end && to < after + 3 && words[to].Norm is "again" or "so" or "very" or "much" or "a" or "lot" or "also")
        {
            to++;
        }

        if (to < end && words[to].Norm == "to")
        {
            return ThanksToIsGratitude(text, sentence, to + 1) ? "thanks.to-person" : null;
        }

        if (kind is InteractionKind.Reply or InteractionKind.Quote)
        {
            return "thanks.reply";
        }

        // A post's thanks needs an addressee in the same sentence.
        for (var k = sentence.FirstWord; k < end; k++)
        {
            if (words[k].Kind == WordKind.Mention)
            {
                return "thanks.mention";
            }
        }

        if (after < end && thanksToPersons.MatchAt(words, after, end) > 0)
        {
            return "thanks.addressed";
        }

        if (forIndex >= 0 && forIndex + 1 < end && anticipatoryObjects.MatchAt(words, forIndex + 1, end) == 0)
        {
            return "thanks.for";
        }

        if (after < end && words[after].Line == words[i + length - 1].Line && StartsUpper(text, words[after]) && !determiners.Contains(words[after].Norm))
        {
            return "thanks.name";
        }

        return null;
    }

    private static int CountOtherWords(List<Word> words, int from, int to)
    {
        var count = 0;
        for (var k = from; k < to; k++)
        {
            if (words[k].Kind == WordKind.Word && words[k].Norm is not ("you" or "again" or "much" or "so" or "a" or "lot" or "very" or "all" or "guys" or "everyone" or "folks"))
            {
                count++;
            }
        }

        return count;
    }

    private bool ThanksToIsGratitude(SignalText text, Sentence sentence, int x)
    {
        var words = text.Words;
        var end = sentence.EndWord;
        if (x >= end)
        {
            return false;
        }

        if (words[x].Kind == WordKind.Mention)
        {
            return true;
        }

        for (var k = x; k < Math.Min(end, x + 4); k++)
        {
            if (thanksToPersons.MatchAt(words, k, end) > 0)
            {
                return true;
            }
        }

        for (var k = x; k < Math.Min(end, x + 10); k++)
        {
            if (words[k].Norm == "for")
            {
                return true;
            }
        }

        if (!StartsUpper(text, words[x]) || determiners.Contains(words[x].Norm))
        {
            return false;
        }

        // A capitalised name: gratitude, unless a clause follows it ("Thanks to Docker, builds are faster").
        var last = x;
        while (last + 1 < end && (StartsUpper(text, words[last + 1]) || words[last + 1].Norm is "and" or "of" or "de" or "van" or "von"))
        {
            last++;
        }

        var w = words[last];
        var comma = w.End < text.Prose.Length && text.Prose[w.End] == ',';
        return !(comma && last + 2 < end);
    }

    private static bool StartsUpper(SignalText text, Word word)
    {
        var c = text.Original[word.Start];
        return char.IsUpper(c) || (char.IsLetter(c) && !char.IsLower(c));
    }

    // ---- recommendation ------------------------------------------------------------------------

    private void FindRecommendations(SignalText text, IReadOnlyList<string>? mentions, List<SignalReason> reasons)
    {
        var words = text.Words;
        var anyMentionInText = words.Any(w => w.Kind == WordKind.Mention);
        var structuredMentions = mentions is { Count: > 0 };
        if (!anyMentionInText && !structuredMentions)
        {
            return;
        }

        foreach (var sentence in text.Sentences)
        {
            var end = sentence.EndWord;
            if (RecommendedBefore(words, sentence.FirstWord, end) is { } found)
            {
                reasons.Add(Reason(text, SignalSet.Recommendation, found.Rule, words[found.From].Start, words[found.To].End));
                return;
            }

            for (var i = sentence.FirstWord; i < end; i++)
            {
                var direct = recommendDirect.MatchAt(words, i, end);
                var near = direct > 0 ? 0 : recommendNear.MatchAt(words, i, end);
                var length = Math.Max(direct, near);
                if (length == 0)
                {
                    continue;
                }

                var after = i + length;
                int? mention = null;
                if (direct > 0)
                {
                    var k = after;
                    while (k < end && k < after + 3 && recommendFillers.Contains(words[k].Norm))
                    {
                        k++;
                    }

                    if (k < end && words[k].Kind == WordKind.Mention)
                    {
                        mention = k;
                    }
                }
                else
                {
                    for (var k = after; k < Math.Min(end, after + lexicon.RecommendationWindow + 1); k++)
                    {
                        if (words[k].Kind == WordKind.Mention)
                        {
                            mention = k;
                            break;
                        }
                    }
                }

                var pronoun = after < end && words[after].Norm is "him" or "her" or "them";
                if (mention is null && pronoun)
                {
                    var earlier = false;
                    for (var k = sentence.FirstWord; k < i; k++)
                    {
                        earlier |= words[k].Kind == WordKind.Mention;
                    }

                    if (earlier || (!anyMentionInText && structuredMentions))
                    {
                        mention = after;
                    }
                }

                if (mention is { } m)
                {
                    reasons.Add(Reason(text, SignalSet.Recommendation, direct > 0 ? "recommendation.direct" : "recommendation.near", words[i].Start, words[m].End));
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Recommendations whose mention comes first: a #FollowFriday-style hashtag with a mention in the same
    /// sentence, or a mention followed within <see cref="SignalLexicon.RecommendationWindow"/> words by a
    /// phrase of <see cref="SignalLexicon.RecommendationsAfter"/> ("@ana is worth following").
    /// </summary>
    private (int From, int To, string Rule)? RecommendedBefore(IReadOnlyList<Word> words, int first, int end)
    {
        int? hashtag = null, firstMention = null;
        for (var i = first; i < end; i++)
        {
            if (words[i].Kind == WordKind.Hashtag && recommendHashtags.Contains(words[i].Norm))
            {
                hashtag ??= i;
            }

            if (words[i].Kind == WordKind.Mention)
            {
                firstMention ??= i;
            }
        }

        if (hashtag is { } h && firstMention is { } fm)
        {
            return (Math.Min(h, fm), Math.Max(h, fm), "recommendation.hashtag");
        }

        for (var i = first; i < end; i++)
        {
            if (words[i].Kind != WordKind.Mention)
            {
                continue;
            }

            for (var k = i + 1; k < Math.Min(end, i + lexicon.RecommendationWindow + 2); k++)
            {
                if (recommendAfter.MatchAt(words, k, end) is var length and > 0)
                {
                    return (i, k + length - 1, "recommendation.after");
                }
            }
        }

        return null;
    }

    // ---- evidence -------------------------------------------------------------------------------

    [GeneratedRegex(@"\d+(?:[.,]\d+)*", RegexOptions.CultureInvariant, 250)]
    private static partial Regex NumberPattern();

    /// <summary>Links, references, percentages and meaningful numbers of the own text (code included).</summary>
    private List<SignalReason> FindData(SignalText text)
    {
        var found = new List<SignalReason>();
        foreach (var link in text.Links)
        {
            found.Add(Reason(text, SignalSet.Evidence, "evidence.link", link.Start, link.End));
        }

        var view = text.Own.ToCharArray();
        foreach (var range in text.Links.Concat(text.Emails).Concat(text.Emoji))
        {
            for (var i = range.Start; i < range.End; i++)
            {
                view[i] = ' ';
            }
        }

        var s = new string(view);
        try
        {
            foreach (Match m in NumberPattern().Matches(s))
            {
                var rule = NumberRule(s, m.Index, m.Index + m.Length);
                if (rule is not null)
                {
                    var end = rule == "evidence.percentage" ? s.IndexOf('%', m.Index + m.Length) + 1 : m.Index + m.Length;
                    found.Add(Reason(text, SignalSet.Evidence, rule, rule == "evidence.reference" ? m.Index - 1 : m.Index, end));
                    if (found.Count >= 6)
                    {
                        break;
                    }
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // Bounded work on a pathological text: what was found so far stands.
        }

        return found;
    }

    private string? NumberRule(string s, int start, int end)
    {
        var n = s.Length;
        var prev = start > 0 ? s[start - 1] : ' ';
        var prev2 = start > 1 ? s[start - 2] : ' ';
        var next = end < n ? s[end] : ' ';
        var value = s.AsSpan(start, end - start);

        if (prev == '#')
        {
            return start > 1 && char.IsLetterOrDigit(prev2) ? null : "evidence.reference";
        }

        if (char.IsLetter(prev))
        {
            // "v1.2.3" is a version; "Win98", "i686" are names.
            var versionPrefix = prev is 'v' or 'V' && !char.IsLetterOrDigit(prev2) && value.Contains('.');
            if (!versionPrefix)
            {
                return null;
            }
        }

        if (prev is '_' or '.' or '/' or ':' or '+' or '\\' or '@' or '&' || (prev == '-' && (char.IsLetterOrDigit(prev2) || prev2 == '-')))
        {
            return null;
        }

        if (prev == '[' && next == ']')
        {
            return null;
        }

        // Times and dates: 11:45, 7/26/2002, 2002-08-29.
        if (next is ':' or '/' && end + 1 < n && char.IsAsciiDigit(s[end + 1]))
        {
            return null;
        }

        if (next == '-' && end + 1 < n && char.IsAsciiDigit(s[end + 1]) && value.Length == 4)
        {
            return null;
        }

        // Letters right after: a unit (200MB, 8x, 90Mbps) unless digits follow (3c509) or it is an ordinal or am/pm.
        var k = end;
        while (k < n && char.IsLetter(s[k]))
        {
            k++;
        }

        if (k > end)
        {
            if (k < n && char.IsAsciiDigit(s[k]))
            {
                return null;
            }

            var suffix = s.Substring(end, k - end).ToLowerInvariant();
            if (suffix is "st" or "nd" or "rd" or "th" or "am" or "pm")
            {
                return null;
            }
        }

        var q = end;
        while (q < n && s[q] == ' ')
        {
            q++;
        }

        if (q < n && s[q] == '%')
        {
            return "evidence.percentage";
        }

        if (k == end && value.Length == 4 && !value.ContainsAny('.', ',')
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is >= 1900 and <= 2099)
        {
            return null;
        }

        // List markers: "1." / "2)" / "3 -" opening a line.
        var lineStart = start;
        while (lineStart > 0 && s[lineStart - 1] is ' ' or '\t')
        {
            lineStart--;
        }

        if ((lineStart == 0 || s[lineStart - 1] == '\n') && next is '.' or ')' or '-' && (end + 1 >= n || s[end + 1] is ' ' or '\t' or '\n'))
        {
            return null;
        }

        if (IsDateWord(s, start, end))
        {
            return null;
        }

        return "evidence.number";
    }

    private bool IsDateWord(string s, int start, int end)
    {
        // The word right before or after the number.
        var b = start - 1;
        while (b >= 0 && s[b] is ' ' or ',')
        {
            b--;
        }

        var bEnd = b + 1;
        while (b >= 0 && (char.IsLetter(s[b]) || s[b] == '.'))
        {
            b--;
        }

        if (bEnd > b + 1 && dateWords.Contains(PhraseSet.Normalize(s[(b + 1)..bEnd])))
        {
            return true;
        }

        var a = end;
        while (a < s.Length && s[a] is ' ' or ',')
        {
            a++;
        }

        var aStart = a;
        while (a < s.Length && (char.IsLetter(s[a]) || s[a] == '.' || s[a] == '\''))
        {
            a++;
        }

        return a > aStart && dateWords.Contains(PhraseSet.Normalize(s[aStart..a]));
    }

    // ---- lowContent / linkOnly -----------------------------------------------------------------

    private void FindLowContent(SignalText text, List<SignalReason> reasons)
    {
        if (text.Links.Count > 0)
        {
            return;
        }

        var words = text.Words;
        var content = words.Where(w => w.Kind == WordKind.Word && w.Norm.Any(char.IsLetterOrDigit)).ToList();
        if (content.Count > lexicon.LowContentMaxWords)
        {
            return;
        }

        if (content.Count == 0)
        {
            var span = FullSpan(text);
            if (span.Length > 0)
            {
                reasons.Add(Reason(text, SignalSet.LowContent, text.Emoji.Count > 0 ? "lowContent.emoji-only" : "lowContent.no-words", span.Start, span.End));
            }

            return;
        }

        var signOffLine = SignOffLine(text, content);
        int extra = 0, firstMatch = -1, lastMatchEnd = -1;
        foreach (var sentence in text.Sentences)
        {
            var i = sentence.FirstWord;
            while (i < sentence.EndWord)
            {
                var w = words[i];
                var length = lowContent.MatchAt(words, i, sentence.EndWord);
                if (length > 0)
                {
                    firstMatch = firstMatch < 0 ? w.Start : firstMatch;
                    lastMatchEnd = words[i + length - 1].End;
                    i += length;
                    continue;
                }

                if (w.Kind == WordKind.Word && w.Norm.Any(char.IsLetterOrDigit) && !stopWords.Contains(w.Norm) && w.Line != signOffLine)
                {
                    extra++;
                }

                i++;
            }
        }

        if (firstMatch >= 0 && extra <= lexicon.LowContentMaxExtraWords)
        {
            reasons.Add(Reason(text, SignalSet.LowContent, "lowContent.reaction", firstMatch, lastMatchEnd));
        }
    }

    private void FindLinkOnly(SignalText text, List<SignalReason> reasons)
    {
        if (text.Links.Count == 0)
        {
            return;
        }

        var words = text.Words;
        var content = words.Where(w => w.Kind == WordKind.Word && w.Norm.Any(char.IsLetterOrDigit)).ToList();
        var signOffLine = SignOffLine(text, content);
        var meaningful = 0;
        foreach (var sentence in text.Sentences)
        {
            var i = sentence.FirstWord;
            while (i < sentence.EndWord)
            {
                var length = linkFiller.MatchAt(words, i, sentence.EndWord);
                if (length > 0)
                {
                    i += length;
                    continue;
                }

                var w = words[i];
                if (w.Kind == WordKind.Word && w.Norm.Any(char.IsLetterOrDigit) && !stopWords.Contains(w.Norm) && w.Line != signOffLine && !IsFootnoteMarker(text, w))
                {
                    meaningful++;
                }

                i++;
            }
        }

        if (meaningful < lexicon.LinkOnlyMinWords)
        {
            var link = text.Links[0];
            reasons.Add(Reason(text, SignalSet.LinkOnly, "linkOnly.link", link.Start, link.End));
        }
    }

    /// <summary>"[1]" after a linked word, as blog and feed text writes references.</summary>
    private static bool IsFootnoteMarker(SignalText text, Word word) =>
        word.Norm.All(char.IsAsciiDigit) && word.Start > 0 && text.Prose[word.Start - 1] == '[' && word.End < text.Prose.Length && text.Prose[word.End] == ']';

    /// <summary>The line of a trailing sign-off ("Kate", "- Joe") when the text has more than one line, else -1.</summary>
    private static int SignOffLine(SignalText text, List<Word> content)
    {
        if (text.ProseLines < 2 || content.Count < 2)
        {
            return -1;
        }

        var lastLine = content[^1].Line;
        var onLast = content.Count(w => w.Line == lastLine);
        var lineHasQuestion = text.Prose.AsSpan(content[^1].End).IndexOf('?') >= 0;
        return onLast <= 2 && !lineHasQuestion && content[0].Line != lastLine ? lastLine : -1;
    }

    private static Range FullSpan(SignalText text)
    {
        var own = text.Own;
        var start = 0;
        while (start < own.Length && char.IsWhiteSpace(own[start]))
        {
            start++;
        }

        var end = own.Length;
        while (end > start && char.IsWhiteSpace(own[end - 1]))
        {
            end--;
        }

        return new Range(start, end - start);
    }
}
