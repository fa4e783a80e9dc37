using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Engage.Tests.Support;

/// <summary>
/// A DevHost with an Azurite of its own and a fake clock: for tests that look at the whole store
/// (projection, leaderboards, community), where other tests' data must not show.
/// </summary>
public sealed class IsolatedDevHost(DateTimeOffset now) : IAsyncDisposable
{
    private AzuriteProcess? _azurite;

    public DevHostFixture Host { get; } = new();
    public FakeTimeProvider Clock { get; } = new(now);
    public HttpClient Client => Host.Client;

    /// <summary>More service replacements, applied after the fake clock (a classifier or a source of the test's own).</summary>
    public Action<IServiceCollection>? Configure { get; set; }

    public async Task StartAsync()
    {
        _azurite = AzuriteProcess.Start();
        Host.Overrides["AzureWebJobsStorage"] = _azurite.ConnectionString;
        Host.ConfigureServices = services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            Configure?.Invoke(services);
        };
        await Host.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _azurite?.Dispose();
    }
}
