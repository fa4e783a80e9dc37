using System.Diagnostics;
using System.Text.Json;
using Engage.Domain.Digests;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Engage.Tests.Support;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.Digests;

/// <summary>A rendered digest opened in headless Chromium (installed by ./test.sh) and screenshotted.</summary>
public sealed class DigestBrowserTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private static Digest FullDigest()
    {
        Resolved R(string id, InteractionKind kind, string actor, double daysAgo, Sig s = Sig.None, string? parentAuthor = null, params string[] mentions) => new()
        {
            Id = id, Kind = kind, Actor = actor, OccurredAt = AsOf.AddDays(-daysAgo), Signals = s, Mentions = mentions,
            ParentId = parentAuthor is null ? null : "p-" + id, ParentAuthor = parentAuthor,
        };
        Resolved[] interactions =
        [
            R("q", InteractionKind.Post, "t:me", 10, Sig.Question),
            R("a1", InteractionKind.Reply, "t:ann", 9, Sig.Answer, "t:me"),
            R("a2", InteractionKind.Reply, "t:bob", 8, Sig.Answer | Sig.Evidence, "t:me"),
            R("x", InteractionKind.Reply, "t:me", 7, Sig.None, "t:ann"),
            R("x2", InteractionKind.Reply, "t:ann", 6, Sig.None, "t:me"),
            R("l", InteractionKind.Post, "t:me", 5, Sig.LinkOnly),
            R("fq", InteractionKind.Post, "t:fay", 2, Sig.Question, null, "t:me"),
        ];
        return DigestComposer.Compose("t:me", interactions, id => id[2..], AsOf, TimeZoneInfo.Utc, new ScoringOptions());
    }

    [Fact]
    public async Task Html_InHeadlessChromium_ShowsEveryKeySection()
    {
        var digest = FullDigest();
        var dir = Directory.CreateTempSubdirectory("engage-digest-").FullName;
        var html = Path.Combine(dir, "digest.html");
        var png = Path.Combine(dir, "digest.png");
        await File.WriteAllTextAsync(html, DigestRenderer.Html(digest, "https://engage.test/api/unsubscribe?token=t"));
        string[] sections = ["header", "score", "conversation", "owed", "questions", "best", "suggestion", "footer"];

        var result = await RunAsync(html, png, sections);

        foreach (var id in sections)
        {
            var section = result.GetProperty("sections").GetProperty(id);
            Assert.True(section.GetProperty("visible").GetBoolean(), $"section #{id} is not visible");
            var box = section.GetProperty("box");
            Assert.True(box.GetProperty("width").GetDouble() > 100 && box.GetProperty("height").GetDouble() > 10, $"section #{id} has no size");
        }

        Assert.Contains("@bob", result.GetProperty("sections").GetProperty("owed").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("Unsubscribe", result.GetProperty("sections").GetProperty("footer").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, result.GetProperty("scripts").GetInt32());
        Assert.Empty(result.GetProperty("externalRequests").EnumerateArray());
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.True(bytes.Length > 5000);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }

    private static async Task<JsonElement> RunAsync(string html, string png, string[] sections)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { RepoPaths.Of("Tests", "Digests", "render-check.mjs"), html, png }.Concat(sections))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(process.ExitCode == 0, $"render-check failed ({process.ExitCode}): {await error}");
        return JsonDocument.Parse(await output).RootElement.Clone();
    }
}
