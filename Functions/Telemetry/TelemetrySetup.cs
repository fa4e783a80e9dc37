using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Engage.Functions.Telemetry;

public static class TelemetrySetup
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>
    /// Engage's meter is always there; when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, OpenTelemetry
    /// exports to Application Insights: requests (ASP.NET Core), dependencies (HttpClient, and the Azure SDK's
    /// storage calls), the Functions worker's invocations (queue and timer functions included), logs, and the
    /// <c>Engage</c> meter. Unset (locally, in tests that do not ask for it), nothing is exported.
    /// </summary>
    public static IHostApplicationBuilder AddEngageTelemetry(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddMetrics();
        services.AddSingleton<EngageMetrics>();
        if (builder is IFunctionsWorkerApplicationBuilder worker)
        {
            worker.UseMiddleware<PoisonMiddleware>();
        }

        var connectionString = builder.Configuration[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return builder;
        }

        var credential = Credential(builder.Configuration[AuthenticationStringSetting]);
        void Exporter(AzureMonitorExporterOptions o)
        {
            o.ConnectionString = connectionString;
            o.Credential = credential;
        }

        // The Azure SDK's activities (storage dependencies) are off unless this switch is on.
        AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("engage"))
            .WithTracing(tracing => tracing
                .AddSource(EngageMetrics.Name, "Azure.*")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddAzureMonitorTraceExporter(o =>
                {
                    // Every request and dependency is kept (docs/decisions/0702): Engage's volume is deliveries, not page views.
                    Exporter(o);
                    o.SamplingRatio = 1.0F;
                    o.TracesPerSecond = null;
                }))
            .WithMetrics(metrics => metrics
                .AddMeter(EngageMetrics.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddAzureMonitorMetricExporter(Exporter))
            .WithLogging(logging => logging.AddAzureMonitorLogExporter(Exporter));
        if (builder is IFunctionsWorkerApplicationBuilder)
        {
            telemetry.UseFunctionsWorkerDefaults();
        }

        return builder;
    }

    /// <summary>
    /// <c>ClientId={id};Authorization=AAD</c> (what Bicep sets, as the Functions host reads it): the exporter signs
    /// in with that user-assigned identity, as Application Insights with local auth disabled requires. Otherwise none.
    /// </summary>
    internal static Azure.Core.TokenCredential? Credential(string? authenticationString)
    {
        var parts = (authenticationString ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !string.Equals(authorization, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new Azure.Identity.ManagedIdentityCredential(Azure.Identity.ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new Azure.Identity.ManagedIdentityCredential(Azure.Identity.ManagedIdentityId.SystemAssigned);
    }
}
