using Engage.Functions.Digests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engage.Tests.Email;

internal static class EmailTestSupport
{
    public const string ApiKey = "SG.test-key-that-must-never-leak.0123456789";

    public static readonly IReadOnlyDictionary<string, string> UnsubscribeHeaders = new Dictionary<string, string>
    {
        ["List-Unsubscribe"] = "<https://engage.example.org/api/unsubscribe?token=abc123>",
        ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
    };

    public static EmailMessage Message(string to = "Ada Lovelace <ada@example.org>") => new(
        to,
        "Your week in Engage",
        "<html><body><p>You earned <b>42</b> points.</p></body></html>",
        "You earned 42 points.",
        UnsubscribeHeaders);

    /// <summary>The real registrations (<c>AddEngageEmail</c>) over in-memory settings.</summary>
    public static ServiceProvider Services(IDictionary<string, string?> settings, ILoggerProvider? logs = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging =>
        {
            if (logs is not null)
            {
                logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
            }
        });
        services.AddEngageEmail(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}

/// <summary>Every log line, rendered, with its category and properties (to count retries and look for leaks).</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string Category, LogLevel Level, string Text)> _entries = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Text)> Entries => _entries.ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<(string, LogLevel, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            entries.Enqueue((category, logLevel, $"{formatter(state, exception)} {properties} {exception}"));
        }
    }
}
