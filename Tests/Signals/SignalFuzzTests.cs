using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Engage.Domain.Interactions;
using Engage.Domain.Signals;

namespace Engage.Tests.Signals;

/// <summary>
/// Never throws: every real message of the unlabelled corpus (when it is beside the repository) and a seeded fuzz of
/// 100,000 mutated texts classify without an exception, with every explained span inside the text.
/// </summary>
public sealed class SignalFuzzTests
{
    private const int FuzzCount = 100_000;

    private static readonly string[] Seeds =
    [
        "# ```\ncode\n```", "# `x`", "d’@ISTAART", "d'@x.y", "@a@b.social thanks!", "<@U024BE7LH> <https://x.io|x> thanks",
        "> quoted?\nown text https://example.com", "```\nfenced?\n", "    indented code?\n\nprose", "Thanks @ana for the fix!",
        "follow @bo, great talks", "+1", "😍😍", "lol", "How do I pin a version?", "check this out https://t.co/x",
        "#FollowFriday @a @b @c", "[link](https://example.com) nice", "www.example.com/a?b", "1.2.3 works, 45% faster",
        "thanks to the new cache builds are faster", "TIA", "ok thanks", "**bold?**", "~~~\ncode", "a.b@c", "(?)", "1. item\n2) item",
    ];

    private static readonly string[] Pieces =
    [
        "@", "#", "`", "```", "> ", "\n", "\r\n", "http://", "https://", "www.", ".com", "?", "!", "thanks", "@ana", ":)", "😀",
        "\uD83D", "\uDE00", "\u0000", "\u200B", "\u202E", "\uFEFF", "’", "<", ">", "|", "*", "_", "[", "](", ")", "    ", "\t", "# ",
        "://", "@@", "..", "&amp;", "<@U1>", "<https://a.b|c>", "\u0301", "؟", "？", "…",
    ];

    [Fact]
    public void Explain_SeededFuzzOfMutatedTexts_NeverThrows()
    {
        // Arrange
        var classifier = new SignalClassifier(new SignalLexicon());
        var random = new Random(4242);
        var kinds = new[] { InteractionKind.Post, InteractionKind.Reply, InteractionKind.Quote };
        var builder = new StringBuilder();

        // Act / Assert
        for (var n = 0; n < FuzzCount; n++)
        {
            var text = Mutate(Seeds[random.Next(Seeds.Length)], random, builder);
            try
            {
                var explanation = classifier.Explain(new SignalInput(text, kinds[n % 3], n % 7 == 0 ? ["ana"] : null));
                foreach (var reason in explanation.Reasons)
                {
                    if (reason.Start < 0 || reason.Length < 0 || reason.Start + reason.Length > text.Length)
                    {
                        Assert.Fail($"text #{n}: span {reason.Start}+{reason.Length} outside {text.Length}: {Escape(text)}");
                    }
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"text #{n} threw {e.GetType().Name}: {e.Message}\n{Escape(text)}\n{e.StackTrace}");
            }
        }
    }

    [Theory]
    [InlineData("# ```\nvar x = 1;\n```")]
    [InlineData("# `code` here\n    more code")]
    [InlineData("d’@ISTAART")]
    [InlineData("Hallo d’@ISTAART en d'@x")]
    public void Explain_KnownCrashers_DoNotThrow(string text)
    {
        // Arrange
        var classifier = new SignalClassifier(new SignalLexicon());

        // Act
        var post = classifier.Explain(new SignalInput(text, InteractionKind.Post));
        var reply = classifier.Explain(new SignalInput(text, InteractionKind.Reply));

        // Assert
        Assert.All(post.Reasons.Concat(reply.Reasons), r => Assert.InRange(r.Start + r.Length, 0, text.Length));
    }

    [SharedDataFact]
    public void Classify_EveryCorpusMessage_NeverThrows()
    {
        // Arrange
        var classifier = new SignalClassifier(new SignalLexicon());
        var path = Path.Combine(LabelledSet.SharedData!, "corpora", "messages.jsonl.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        var count = 0;

        // Act / Assert
        while (reader.ReadLine() is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var text = root.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var reply = root.TryGetProperty("is_reply", out var r) && r.ValueKind == JsonValueKind.True;
            var id = root.TryGetProperty("id", out var i) ? i.ToString() : "?";
            try
            {
                classifier.Explain(new SignalInput(text, reply ? InteractionKind.Reply : InteractionKind.Post));
            }
            catch (Exception e)
            {
                Assert.Fail($"{id} threw {e.GetType().Name}: {e.Message}\n{Escape(text ?? "")}\n{e.StackTrace}");
            }

            count++;
        }

        Assert.True(count > 80_000, $"only {count} messages");
    }

    /// <summary>1–4 random edits: insert a markup piece, random code units (lone surrogates and controls included), delete, duplicate, or a long run.</summary>
    private static string Mutate(string seed, Random random, StringBuilder b)
    {
        b.Clear().Append(seed);
        var edits = random.Next(1, 5);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(b.Length + 1);
            switch (random.Next(6))
            {
                case 0:
                    b.Insert(at, Pieces[random.Next(Pieces.Length)]);
                    break;
                case 1:
                    for (var k = random.Next(1, 6); k > 0; k--)
                    {
                        b.Insert(Math.Min(at, b.Length), (char)random.Next(0, 0x10000));
                    }

                    break;
                case 2:
                    if (b.Length > 0)
                    {
                        var from = random.Next(b.Length);
                        b.Remove(from, Math.Min(b.Length - from, random.Next(1, 8)));
                    }

                    break;
                case 3:
                    b.Insert(at, b.ToString(0, Math.Min(b.Length, 40)));
                    break;
                case 4:
                    b.Insert(at, new string(Pieces[random.Next(Pieces.Length)][0], random.Next(1, random.Next(100) == 0 ? 5000 : 30)));
                    break;
                default:
                    b.Insert(at, Seeds[random.Next(Seeds.Length)]);
                    break;
            }
        }

        return b.ToString();
    }

    private static string Escape(string text) =>
        string.Concat(text.Take(300).Select(c => c < 32 || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
