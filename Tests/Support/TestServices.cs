using Engage.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Engage.Tests.Support;

/// <summary>The app's real service graph (<c>AddEngage()</c>) against the shared Azurite, with tables of the test's own.</summary>
public static class TestServices
{
    public static ServiceProvider Create(IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var settings = DevHostFixture.DefaultSettings(TestStorage.ConnectionString);
        foreach (var table in new[] { "Facts", "Items", "Scores", "Community", "Subscriptions", "Digests", "People", "Identities", "Profiles", "Replies", "Erasures", "Arrivals", "ArchiveIndex" })
        {
            settings[$"Storage:{table}"] = TestStorage.UniqueName("t" + table.ToLowerInvariant());
        }

        settings["Storage:Webhooks"] = TestStorage.UniqueName("w");
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.AddEngage();
        configure?.Invoke(builder.Services);
        return builder.Services.BuildServiceProvider();
    }
}
