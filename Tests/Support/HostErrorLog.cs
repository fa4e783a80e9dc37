using Microsoft.Extensions.Logging;

namespace Engage.Tests.Support;

/// <summary>
/// Every error a test's DevHost logs (an unhandled exception behind a 500, a failed timer or queue function), appended
/// to the file named by <c>ENGAGE_TEST_HOST_ERRORS</c>: a 500 answers problem+json without the exception, and the
/// console the host logs to is not kept by the test runner. <c>test.sh</c> prints the file's end when a test fails.
/// </summary>
public sealed class HostErrorLog : ILoggerProvider
{
    public const string Variable = "ENGAGE_TEST_HOST_ERRORS";
    private static readonly Lock Gate = new();
    private readonly string? _path = Environment.GetEnvironmentVariable(Variable);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(string category, LogLevel level, string message, Exception? exception)
    {
        if (string.IsNullOrEmpty(_path))
        {
            return;
        }

        var text = $"{DateTimeOffset.UtcNow:O} {level} {category}: {message}{Environment.NewLine}{(exception is null ? "" : exception + Environment.NewLine)}";
        lock (Gate)
        {
            File.AppendAllText(_path, text);
        }
    }

    private sealed class Logger(HostErrorLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log.Write(category, logLevel, formatter(state, exception), exception);
            }
        }
    }
}
