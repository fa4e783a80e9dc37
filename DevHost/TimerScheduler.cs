using Cronos;
using Engage.Functions.Http;

namespace Engage.DevHost;

/// <summary>Fires timer functions on their schedules (six-field NCRONTAB, <c>%Setting%</c> resolved from configuration).</summary>
public sealed class TimerScheduler(
    FunctionCatalog catalog,
    FunctionInvoker invoker,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<TimerScheduler> logger) : BackgroundService
{
    public static string Resolve(string schedule, IConfiguration configuration) =>
        schedule.StartsWith('%') && schedule.EndsWith('%') && schedule.Length > 2
            ? configuration[schedule[1..^1]] ?? throw new InvalidOperationException($"Setting '{schedule[1..^1]}' (a timer schedule) is not set.")
            : schedule;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(catalog.Functions.Where(f => f.Trigger == TriggerKind.Timer).Select(f => RunAsync(f, stoppingToken)));

    private async Task RunAsync(FunctionDescriptor function, CancellationToken ct)
    {
        var cron = CronExpression.Parse(Resolve(function.Schedule!, configuration), CronFormat.IncludeSeconds);
        if (function.RunOnStartup)
        {
            await FireAsync(function, ct);
        }

        while (!ct.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            if (cron.GetNextOccurrence(now.UtcDateTime, TimeZoneInfo.Utc) is not { } next)
            {
                return;
            }

            try
            {
                await Task.Delay(next - now.UtcDateTime, clock, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await FireAsync(function, ct);
        }
    }

    private async Task FireAsync(FunctionDescriptor function, CancellationToken ct)
    {
        try
        {
            await invoker.InvokeTimerAsync(function, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogError(e, "Timer function {Function} failed", function.Name);
        }
    }
}
