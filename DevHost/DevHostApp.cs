using Engage.Functions;

namespace Engage.DevHost;

/// <summary>Builds the DevHost web app: the same <c>AddEngage()</c> as the Functions host, plus DevHost's own hosting.</summary>
public static class DevHostApp
{
    /// <param name="args">Command-line arguments.</param>
    /// <param name="overrides">Settings that win over every other source (tests use them for ports and table names).</param>
    public static WebApplication Create(string[] args, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "host.json"), optional: false)
            .AddEnvironmentVariables()
            .AddCommandLine(args);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.AddEngage();
        builder.AddDevHost();

        var app = builder.Build();
        app.MapFunctions();
        return app;
    }
}
