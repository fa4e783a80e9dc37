using Engage.Functions;

namespace Engage.DevHost;

/// <summary>Builds the DevHost web app: the same <c>AddEngage()</c> as the Functions host, plus DevHost's own hosting.</summary>
public static class DevHostApp
{
    /// <param name="args">Command-line arguments.</param>
    /// <param name="overrides">Settings that win over every other source (tests use them for ports and table names).</param>
    /// <param name="configureServices">Last-word service registrations (tests replace the clock with it).</param>
    public static WebApplication Create(string[] args, IReadOnlyDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configureServices = null)
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
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.MapFunctions();
        return app;
    }
}
