using Engage.DevHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.Support;

/// <summary>
/// DevHost on a free port over real HTTP, against the shared Azurite, with every source enabled and
/// the queue poller tuned to retry quickly. End-to-end tests share it and keep apart by unique userIds.
/// </summary>
public sealed class DevHostFixture : IAsyncLifetime
{
    public static readonly Dictionary<string, string?> Secrets = new()
    {
        ["Sources:Standard:Secret"] = StandardSigner.Secret,
        ["Sources:GitHub:Secret"] = "test-github-secret",
        ["Sources:Slack:SigningSecret"] = "test-slack-secret",
        ["Sources:X:ConsumerSecret"] = "test-x-secret",
        ["Sources:Discourse:Secret"] = "test-discourse-secret",
        ["Sources:Mastodon:Secret"] = "test-mastodon-secret",
    };

    private WebApplication? _app;

    public HttpClient Client { get; private set; } = null!;
    public IServiceProvider Services => _app!.Services;
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Extra settings for a fixture of a different shape (another storage, other names).</summary>
    public IDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>();

    /// <summary>Service replacements applied after <c>AddEngage()</c> (e.g. a fake clock).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>
    /// A valid six-field schedule with no occurrence (30 February): DevHost's timers wait on the host's clock, and a
    /// test that advances a fake clock must not fire them beside its own runs.
    /// </summary>
    public const string NeverSchedule = "0 0 0 30 2 *";

    public static Dictionary<string, string?> DefaultSettings(string storage) => new(Secrets)
    {
        ["Urls"] = "http://127.0.0.1:0",
        ["AzureWebJobsStorage"] = storage,
        ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:01",
        ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.200",
        ["Ingest:PendingParentDelay"] = "00:00:02",
        ["Scores:Schedule"] = NeverSchedule,
        ["Digest:Schedule"] = NeverSchedule,
        ["Logging:LogLevel:Default"] = "Warning",
        ["Unsubscribe:SigningKey"] = "test-unsubscribe-signing-key",
        ["Digest:PublicBaseUrl"] = "http://engage.test",
        ["Email:Provider"] = "pickup",
        ["Email:PickupDirectory"] = Path.Combine(Path.GetTempPath(), "engage-tests-outbox", Guid.NewGuid().ToString("N")),
    };

    public async Task InitializeAsync()
    {
        var settings = DefaultSettings(Overrides.TryGetValue("AzureWebJobsStorage", out var s) && s is not null ? s : TestStorage.ConnectionString);
        foreach (var (key, value) in Overrides)
        {
            settings[key] = value;
        }

        _app = DevHostApp.Create([], settings, services =>
        {
            services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider, HostErrorLog>();
            ConfigureServices?.Invoke(services);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>
    /// Waits until queue <c>interactions</c> holds no message, visible or not (a message being processed
    /// is invisible but still counted), so that what was posted has been ingested or failed. Other tests
    /// share the queue, so this may wait for their work too; it gives up after the timeout.
    /// </summary>
    public async Task DrainAsync(TimeSpan? timeout = null)
    {
        var queue = Services.GetRequiredService<Azure.Storage.Queues.QueueServiceClient>().GetQueueClient("interactions");
        await Eventually.Until(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0, timeout ?? TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DevHostCollection : ICollectionFixture<DevHostFixture>
{
    public const string Name = "devhost";
}
