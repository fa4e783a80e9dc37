using Engage.Functions;
using Engage.Functions.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Engage.Tests.Support;

/// <summary>The app's real service graph (<c>AddEngage()</c>) against the shared Azurite, with tables of the test's own.</summary>
public static class TestServices
{
    /// <summary>
    /// Every setting of <see cref="StorageNames"/> that names a table of <see cref="StorageNames.Tables"/>: each gets a name
    /// of the test's own, so a test that deletes its tables never deletes one the shared DevHost is using.
    /// </summary>
    public static IReadOnlyList<string> TableSettings { get; } = TablesOf();

    private static List<string> TablesOf()
    {
        var defaults = new StorageNames();
        var tables = defaults.Tables.ToHashSet(StringComparer.Ordinal);
        return [.. typeof(StorageNames).GetProperties()
            .Where(p => p.PropertyType == typeof(string) && p.CanWrite && tables.Contains((string)p.GetValue(defaults)!))
            .Select(p => p.Name)];
    }

    public static ServiceProvider Create(IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var settings = DevHostFixture.DefaultSettings(TestStorage.ConnectionString);
        foreach (var table in TableSettings)
        {
            settings[$"{StorageNames.Section}:{table}"] = TestStorage.UniqueName("t" + table.ToLowerInvariant());
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
