using Engage.Domain.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Refit;

namespace Engage.Functions.Import;

/// <summary>The platforms' API clients (Refit over named <see cref="HttpClient"/>s) for a base URL chosen per import.</summary>
public sealed class PlatformClients(IHttpClientFactory factory, IOptions<ImportOptions> options)
{
    public IGitHubApi GitHub() => RestService.ForGenerated<IGitHubApi>(Client("github", options.Value.GitHub.BaseUrl));

    /// <summary>GitHub's GraphQL root: <c>https://api.github.com</c> itself, or <c>https://HOST/api</c> for Enterprise Server's <c>/api/v3</c>.</summary>
    public IGitHubApi GitHubGraphQL()
    {
        var rest = options.Value.GitHub.BaseUrl.TrimEnd('/');
        return RestService.ForGenerated<IGitHubApi>(Client("github", rest.EndsWith("/api/v3", StringComparison.OrdinalIgnoreCase) ? rest[..^3] : rest));
    }
    public ISlackApi Slack() => RestService.ForGenerated<ISlackApi>(Client("slack", options.Value.Slack.BaseUrl));
    public IMastodonApi Mastodon(string baseUrl) => RestService.ForGenerated<IMastodonApi>(Client("mastodon", baseUrl));
    public IDiscourseApi Discourse(string baseUrl) => RestService.ForGenerated<IDiscourseApi>(Client("discourse", baseUrl));

    private HttpClient Client(string platform, string baseUrl)
    {
        var client = factory.CreateClient(ImportSetup.ClientName(platform));
        // Refit appends each route to the base address's path (GitHub Enterprise: https://HOST/api/v3).
        client.BaseAddress = new Uri(baseUrl.TrimEnd('/'));
        return client;
    }
}

public static class ImportSetup
{
    public static readonly string[] Platforms = ["github", "mastodon", "discourse", "slack"];

    public static string ClientName(string platform) => $"import-{platform}";

    /// <summary>History import: options, one resilient HTTP client per platform, the importers and the worker.</summary>
    public static IServiceCollection AddEngageImport(this IServiceCollection services)
    {
        services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        foreach (var platform in Platforms)
        {
            var client = services.AddHttpClient(ClientName(platform), c => c.Timeout = Timeout.InfiniteTimeSpan);
            client.AddHttpMessageHandler(sp => new PlatformAuthHandler(sp.GetRequiredService<IOptions<ImportOptions>>(), platform));
            // GETs only: retrying 5xx and transport failures is safe.
            client.AddStandardResilienceHandler().Configure((resilience, sp) =>
            {
                resilience.Retry.Delay = sp.GetRequiredService<IOptions<ImportOptions>>().Value.RetryDelay;
                resilience.Retry.BackoffType = DelayBackoffType.Exponential;
                resilience.Retry.MaxRetryAttempts = 3;
            });
            // Inside the resilience handler: a rate limit becomes an exception it does not retry; the step waits on the queue.
            client.AddHttpMessageHandler(sp => new RateLimitHandler(sp.GetRequiredService<TimeProvider>(), platform));
        }

        services.AddSingleton<PlatformClients>();
        services.AddSingleton<ImportStore>();
        services.AddTransient<IHistoryImporter>(sp => new GitHubImporter(sp.GetRequiredService<PlatformClients>().GitHub(), sp.GetRequiredService<PlatformClients>().GitHubGraphQL(), sp.GetRequiredService<ImportStore>(),
            Source<GitHub>(sp), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<GitHubImporter>>()));
        services.AddTransient<IHistoryImporter>(sp => new MastodonImporter(sp.GetRequiredService<PlatformClients>(), sp.GetRequiredService<IOptions<ImportOptions>>(),
            Source<Mastodon>(sp), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<MastodonImporter>>()));
        services.AddTransient<IHistoryImporter>(sp => new DiscourseImporter(sp.GetRequiredService<PlatformClients>(),
            Source<Discourse>(sp), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<DiscourseImporter>>()));
        services.AddTransient<IHistoryImporter>(sp => new SlackImporter(sp.GetRequiredService<PlatformClients>().Slack(),
            Source<Slack>(sp), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SlackImporter>>()));
        services.AddTransient<ImportWorker>();
        return services;
    }

    private static T Source<T>(IServiceProvider sp) where T : WebhookSource =>
        sp.GetServices<WebhookSource>().OfType<T>().Single();
}
