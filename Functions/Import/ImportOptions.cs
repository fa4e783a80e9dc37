using System.ComponentModel.DataAnnotations;

namespace Engage.Functions.Import;

/// <summary>
/// <c>Import__*</c>: credentials and API base URLs for history import. A platform without credentials can
/// still be imported where its API answers anonymously (public GitHub repositories, Mastodon, Discourse).
/// </summary>
public sealed class ImportOptions
{
    public const string Section = "Import";

    public GitHubImportOptions GitHub { get; set; } = new();
    public MastodonImportOptions Mastodon { get; set; } = new();
    public DiscourseImportOptions Discourse { get; set; } = new();
    public SlackImportOptions Slack { get; set; } = new();

    /// <summary>The longest a page waits for a platform's rate limit to reset before it is tried again (it then waits again).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "06:00:00")]
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromHours(1);

    /// <summary>First delay of the resilience handler's retries of 5xx and transport failures (exponential, 3 retries).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);
}

public sealed class GitHubImportOptions
{
    public string? Token { get; set; }

    /// <summary><c>https://api.github.com</c>; GitHub Enterprise Server: <c>https://HOST/api/v3</c>.</summary>
    [Required, Url] public string BaseUrl { get; set; } = "https://api.github.com";
}

public sealed class MastodonImportOptions
{
    public string? AccessToken { get; set; }

    /// <summary>Overrides the server named in the import target (a proxy, or a test server); empty = <c>https://{server}</c>.</summary>
    public string? BaseUrl { get; set; }
}

public sealed class DiscourseImportOptions
{
    public string? ApiKey { get; set; }
    public string? ApiUsername { get; set; }
}

public sealed class SlackImportOptions
{
    public string? BotToken { get; set; }
    [Required, Url] public string BaseUrl { get; set; } = "https://slack.com/api";
}
