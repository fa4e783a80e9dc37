using System.Diagnostics;
using System.Net;
using Engage.Functions.Scores;
using Engage.Functions.Telemetry;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Engage.Tests.Hosting;

/// <summary>
/// DevHost started as in Azure, with <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> set (to an endpoint where
/// nothing listens), plus in-memory exporters beside Azure Monitor's: a delivery shows as a request span with
/// storage dependency spans under it, and as Engage's metrics.
/// </summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private readonly DevHostFixture _host = new();
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];

    public Task InitializeAsync()
    {
        _host.Overrides[TelemetrySetup.ConnectionStringSetting] =
            $"InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:{TestStorage.FreePort()}/";
        _host.ConfigureServices = services =>
        {
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));
            services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(_metrics));
        };
        return _host.InitializeAsync();
    }

    public Task DisposeAsync() => _host.DisposeAsync();

    private void Flush()
    {
        Assert.True(_host.Services.GetRequiredService<TracerProvider>().ForceFlush());
        Assert.True(_host.Services.GetRequiredService<MeterProvider>().ForceFlush());
    }

    private List<(long Value, Dictionary<string, object?> Tags)> Points(string instrument)
    {
        var points = new List<(long, Dictionary<string, object?>)>();
        foreach (var metric in _metrics.ToArray().Where(m => m.Name == instrument))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var tag in point.Tags)
                {
                    tags[tag.Key] = tag.Value;
                }

                points.Add((point.GetSumLong(), tags));
            }
        }

        return points;
    }

    [Fact]
    public async Task Delivery_WithAppInsightsConfigured_IsARequestSpanWithStorageDependenciesAndCounted()
    {
        var user = $"otel:{Guid.NewGuid():N}";
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var body = $$"""{"events":[{"id":"{{user}}-1","kind":"post","actor":"{{user}}","occurredAt":"{{at:O}}","text":"hello"},{"id":"{{user}}-2","kind":"post","actor":"{{user}}","occurredAt":"{{at:O}}","text":"again"}]}""";

        using (var accepted = await _host.Client.SendAsync(StandardSigner.Request(body)))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        using (var refused = await _host.Client.SendAsync(StandardSigner.Request(body, secret: "whsec_" + Convert.ToBase64String(new byte[24]))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        Assert.NotNull(await _host.Client.GetWhenAsync<EngagementResponse>($"/api/users/{user}/engagement", e => e.Counts.Post == 2));
        await _host.DrainAsync();
        Flush();

        // The exporters append from their own threads (other hosts' spans keep arriving): read a copy. List.ToArray
        // copies without the enumerator's version check.
        var spans = _spans.ToArray();

        // Listeners are process-wide: other tests' hosts show too, so this host's spans are told by their port.
        var servers = spans.Where(s => s.Kind == ActivityKind.Server && Equals(s.GetTagItem("server.port"), _host.BaseAddress.Port)).ToList();
        var request = servers.SingleOrDefault(s => Equals(s.GetTagItem("url.path"), "/api/webhooks/standard") && Equals(s.GetTagItem("http.response.status_code"), 202));
        Assert.True(request is not null, "Server spans: " + string.Join("; ", servers.Select(s => $"{s.DisplayName} [{string.Join(", ", s.TagObjects.Select(t => $"{t.Key}={t.Value}"))}]")));
        Assert.Equal("POST", request.GetTagItem("http.request.method"));
        Assert.Equal("/api/webhooks/{source}", request.GetTagItem("http.route"));
        Assert.Contains(spans, s => s.TraceId == request.TraceId && s.Kind == ActivityKind.Client); // the archive and the enqueue
        Assert.Contains(spans, s => s.Source.Name == EngageMetrics.Name && s.DisplayName == "Ingest");

        var deliveries = Points("engage.webhook.deliveries");
        Assert.Contains(deliveries, p => p.Tags["source"] is "standard" && p.Tags["outcome"] is "accepted" && p.Value >= 1);
        Assert.Contains(deliveries, p => p.Tags["source"] is "standard" && p.Tags["outcome"] is "refused" && p.Tags["status"] is 401 && p.Value >= 1);
        Assert.Contains(Points("engage.interactions.ingested"), p => p.Tags["source"] is "standard" && p.Value >= 2);
    }
}

public sealed class TelemetryCredentialTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ClientId=0b0c1d2e-0000-0000-0000-000000000000")]
    [InlineData("Authorization=Key")]
    public void Credential_WithoutAad_IsNone(string? authentication) =>
        Assert.Null(TelemetrySetup.Credential(authentication));

    [Theory]
    [InlineData("ClientId=0b0c1d2e-0000-0000-0000-000000000000;Authorization=AAD")]
    [InlineData("Authorization=aad")]
    public void Credential_Aad_IsManagedIdentity(string authentication) =>
        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(TelemetrySetup.Credential(authentication));
}
