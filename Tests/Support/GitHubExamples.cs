using System.Text.Json;

namespace Engage.Tests.Support;

/// <summary>One payload of npm <c>@octokit/webhooks-examples</c>: the event it is an example of, and its JSON.</summary>
public sealed record GitHubExample(string Event, string? Action, int Index, string Json)
{
    /// <summary><c>issues.opened</c>, or the event alone for events without actions (<c>fork</c>).</summary>
    public string Group => Action is null ? Event : $"{Event}.{Action}";

    public JsonElement Parse()
    {
        using var doc = JsonDocument.Parse(Json);
        return doc.RootElement.Clone();
    }

    public override string ToString() => $"{Group}#{Index}";
}

/// <summary>
/// GitHub's published webhook payloads (npm <c>@octokit/webhooks-examples</c>, installed by test.sh):
/// <c>{version}/index.json</c> is an array of <c>{name, actions, examples: [payload…]}</c>, one entry per event.
/// </summary>
public static class GitHubExamples
{
    public const string DotCom = "api.github.com";

    private static readonly Lazy<IReadOnlyList<GitHubExample>> DotComExamples = new(() => Load(DotCom));

    public static IReadOnlyList<GitHubExample> All => DotComExamples.Value;

    public static string PackageDirectory => RepoPaths.Of("node_modules", "@octokit", "webhooks-examples");

    /// <summary>The versions the package holds (api.github.com, ghes-3.x).</summary>
    public static IEnumerable<string> Versions() =>
        Directory.GetDirectories(PackageDirectory)
            .Where(d => File.Exists(Path.Combine(d, "index.json")))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal);

    public static IReadOnlyList<GitHubExample> Load(string version)
    {
        var path = Path.Combine(PackageDirectory, version, "index.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: run ./test.sh (or npm ci) first.");
        }

        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var examples = new List<GitHubExample>();
        foreach (var webhook in doc.RootElement.EnumerateArray())
        {
            var name = webhook.GetProperty("name").GetString()!;
            var index = 0;
            foreach (var example in webhook.GetProperty("examples").EnumerateArray())
            {
                var action = example.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
                examples.Add(new GitHubExample(name, action, index++, example.GetRawText()));
            }
        }

        return examples;
    }
}
