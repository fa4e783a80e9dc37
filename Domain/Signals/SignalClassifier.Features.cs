using System.Globalization;
using System.Text;
using Engage.Domain.Interactions;

namespace Engage.Domain.Signals;

/// <summary>The linear head: features of a text and the decision of each modelled signal from them.</summary>
public sealed partial class SignalClassifier
{
    /// <summary>At most this many words are turned into word features: the opening decides, and cost stays bounded.</summary>
    private const int MaxFeatureWords = 300;

    private List<SignalReason> ModelReasons(SignalText text, SignalInput input, List<SignalReason> rules, SignalModel head)
    {
        var features = Features(text, input, rules, head.FeatureSet);
        var reasons = rules.Where(r => !SignalModel.IsModelled(r.Signal)).ToList();
        foreach (var signal in SignalModel.Modelled)
        {
            if (signal == SignalSet.LinkOnly && input.Kind is not (InteractionKind.Post or InteractionKind.Quote))
            {
                continue; // linkOnly is defined for posts and quotes only
            }

            var fired = rules.Where(r => r.Signal == signal).ToList();
            if (head.For(signal) is not { } weights || weights.Combine == SignalCombine.Rules)
            {
                reasons.AddRange(fired);
                continue;
            }

            var p = weights.Probability(features);
            if (p < weights.Threshold)
            {
                if (weights.Combine == SignalCombine.Either)
                {
                    reasons.AddRange(fired);
                }

                continue;
            }

            var top = features
                .Select(f => (f, w: weights.Weight(f)))
                .Where(x => x.w > 0)
                .OrderByDescending(x => x.w)
                .ThenBy(x => x.f, StringComparer.Ordinal)
                .Take(3)
                .Select(x => $"{x.f} +{SignalModel.Format(x.w)}");
            var rule = $"model p={SignalModel.Format(p)}: {string.Join(", ", top)}";
            var span = rules.FirstOrDefault(r => r.Signal == signal);
            reasons.Add(span is not null
                ? span with { Rule = $"{rule}; {span.Rule}" }
                : Reason(text, signal, rule, 0, text.Original.Length));
        }

        return reasons;
    }

    private List<string> Features(SignalText text, SignalInput input, List<SignalReason> rules, SignalFeatureSet set)
    {
        var features = new HashSet<string>(StringComparer.Ordinal);
        var kind = input.Kind switch
        {
            InteractionKind.Reply => "reply",
            InteractionKind.Quote => "quote",
            _ => "post",
        };
        var words = text.Words;
        var plain = 0;
        var content = 0;
        var mentions = 0;
        var hashtags = 0;
        var leadingMentions = 0;
        var leading = true;
        foreach (var word in words)
        {
            switch (word.Kind)
            {
                case WordKind.Mention:
                    mentions++;
                    leadingMentions += leading ? 1 : 0;
                    break;
                case WordKind.Hashtag:
                    hashtags++;
                    leading = false;
                    break;
                default:
                    plain++;
                    content += stopWords.Contains(word.Norm) ? 0 : 1;
                    leading = false;
                    break;
            }
        }

        if ((set & SignalFeatureSet.Words) != 0)
        {
            AddWordFeatures(words, features);
        }

        if ((set & SignalFeatureSet.Chars) != 0)
        {
            AddCharFeatures(words, features);
        }

        if ((set & SignalFeatureSet.Shape) != 0)
        {
            var prose = text.Prose.AsSpan().TrimEnd();
            var links = text.Links.Count == 0 ? "0" : text.Links.Count == 1 ? "1" : "2+";
            var contentBucket = Bucket(content);
            var allMentions = Math.Max(mentions, input.Mentions?.Count ?? 0);
            features.Add("kind:" + kind);
            features.Add("links:" + links);
            features.Add("words:" + Bucket(plain));
            features.Add("content:" + contentBucket);
            features.Add($"kind|links|content:{kind}|{links}|{contentBucket}");
            features.Add($"kind|words:{kind}|{Bucket(plain)}");
            features.Add("mentions:" + Bucket(allMentions));
            features.Add("leading-mentions:" + Bucket(leadingMentions));
            features.Add("hashtags:" + Bucket(hashtags));
            features.Add("emoji:" + (text.Emoji.Count == 0 ? "0" : plain == 0 ? "only" : "some"));
            features.Add("lines:" + Bucket(text.ProseLines));
            features.Add("sentences:" + Bucket(text.Sentences.Count));
            if (text.Code.Count > 0)
            {
                features.Add("code");
            }

            if (prose.Contains('?'))
            {
                features.Add("has?");
            }

            if (prose.EndsWith("?", StringComparison.Ordinal))
            {
                features.Add("ends?");
            }

            if (prose.Contains('!'))
            {
                features.Add("has!");
            }

            if (text.Own.Length < text.Original.Length || text.Own.AsSpan().Trim().Length < text.Original.AsSpan().Trim().Length)
            {
                features.Add("quoted");
            }
        }

        if ((set & SignalFeatureSet.Rules) != 0)
        {
            var questions = 0;
            foreach (var rule in rules)
            {
                features.Add("rule:" + rule.Rule);
                features.Add($"rule|kind:{rule.Rule}|{kind}");
                if (rule.Signal == SignalSet.Question && ++questions <= 5)
                {
                    var opener = words.FindIndex(w => w.Start >= rule.Start && w.Kind == WordKind.Word);
                    if (opener >= 0 && words[opener].Start < rule.Start + rule.Length)
                    {
                        features.Add("q-opener:" + words[opener].Norm);
                    }

                    // Where the question stands: a hook opens a post and is followed by its answer or a link.
                    var after = words.Count(w => w.Start >= rule.Start + rule.Length && w.Kind == WordKind.Word);
                    features.Add("q-words-after:" + Bucket(after));
                    features.Add($"q|links:{(text.Links.Count > 0 ? "link" : "none")}|{kind}");
                }
            }

            features.Add("questions:" + Bucket(Math.Min(questions, 6)));
        }

        return [.. features];
    }

    private static void AddWordFeatures(List<Word> words, HashSet<string> features)
    {
        var count = Math.Min(words.Count, MaxFeatureWords);
        var first = true;
        for (var i = 0; i < count; i++)
        {
            var token = Token(words[i]);
            features.Add("w:" + token);
            if (first && words[i].Kind == WordKind.Word)
            {
                features.Add("first:" + token);
                first = false;
            }

            if (i > 0 && words[i - 1].Sentence == words[i].Sentence)
            {
                features.Add("b:" + Token(words[i - 1]) + " " + token);
            }
        }

        if (count > 0)
        {
            features.Add("last:" + Token(words[count - 1]));
        }
    }

    private static void AddCharFeatures(List<Word> words, HashSet<string> features)
    {
        var count = Math.Min(words.Count, MaxFeatureWords);
        var builder = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (words[i].Kind != WordKind.Word)
            {
                continue;
            }

            var padded = "^" + words[i].Norm + "$";
            for (var j = 0; j + 3 <= padded.Length; j++)
            {
                builder.Clear().Append("c:").Append(padded, j, 3);
                features.Add(builder.ToString());
            }
        }
    }

    private static string Token(Word word) => word.Kind switch
    {
        WordKind.Mention => "@",
        WordKind.Hashtag => "#",
        _ => word.Norm,
    };

    private static string Bucket(int n) => n switch
    {
        0 => "0",
        1 => "1",
        2 => "2",
        <= 5 => "3-5",
        <= 10 => "6-10",
        <= 20 => "11-20",
        <= 40 => "21-40",
        _ => "41+",
    };
}
