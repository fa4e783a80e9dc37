using System.Text.Json;
using Azure.Storage.Queues.Models;
using Engage.Functions.Http;
using Engage.Functions.Webhooks;

namespace Engage.DevHost;

public static class DevHostSetup
{
    /// <summary>What DevHost adds around <c>AddEngage()</c>: the function catalog, invoker, queue poller and timers.</summary>
    public static IHostApplicationBuilder AddDevHost(this IHostApplicationBuilder builder)
    {
        // host.json nests its settings under "extensions"; the host also reads them as AzureFunctionsJobHost:*.
        var hostQueues = builder.Configuration.GetSection("extensions:queues");
        builder.Services.AddOptions<QueueHostOptions>()
            .Bind(hostQueues)
            .Bind(builder.Configuration.GetSection(QueueHostOptions.Section));
        builder.Services.AddSingleton(FunctionCatalog.From(typeof(WebhookFunction).Assembly));
        builder.Services.AddSingleton<FunctionInvoker>();
        builder.Services.AddSingleton<ApiKeyCheck>();
        builder.Services.AddMvcCore();
        if (!builder.Configuration.GetValue("DevHost:DisableBackgroundWork", false))
        {
            builder.Services.AddHostedService<QueuePoller>();
            builder.Services.AddHostedService<TimerScheduler>();
        }

        return builder;
    }

    /// <summary>Maps every HTTP function under <c>/api</c> and the host's <c>POST /admin/functions/{name}</c>.</summary>
    public static WebApplication MapFunctions(this WebApplication app)
    {
        var catalog = app.Services.GetRequiredService<FunctionCatalog>();
        var invoker = app.Services.GetRequiredService<FunctionInvoker>();
        var keys = app.Services.GetRequiredService<ApiKeyCheck>();
        foreach (var function in catalog.Functions.Where(f => f.Trigger == TriggerKind.Http))
        {
            var anonymous = string.Equals(function.AuthLevel, nameof(Microsoft.Azure.Functions.Worker.AuthorizationLevel.Anonymous), StringComparison.OrdinalIgnoreCase);
            app.MapMethods($"/api/{function.Route}", function.HttpMethods!.Select(m => m.ToUpperInvariant()),
                    context => anonymous || keys.Allows(context.Request) ? invoker.InvokeHttpAsync(function, context) : ApiKeyCheck.RejectAsync(context))
                .WithName(function.Name)
                .WithMetadata(function);
        }

        app.MapPost("/admin/functions/{name}", async (string name, HttpRequest request, CancellationToken ct) =>
        {
            if (!keys.Allows(request))
            {
                return Results.Problem(statusCode: 401, title: "Unauthorized", detail: $"The admin API needs the key: header '{ApiKeyCheck.Header}' or query 'code'.");
            }

            var function = catalog.Find(name);
            if (function is null || function.Trigger == TriggerKind.Http)
            {
                return Results.NotFound();
            }

            if (function.Trigger == TriggerKind.Timer)
            {
                await invoker.InvokeTimerAsync(function, ct);
                return Results.Accepted();
            }

            // The host's admin API takes {"input": "..."} for non-HTTP functions: for a queue function, the message.
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            var input = body.RootElement.TryGetProperty("input", out var i) ? i.GetString() ?? "" : "";
            var message = QueuesModelFactory.QueueMessage("admin", "admin", BinaryData.FromString(input), dequeueCount: 1);
            await invoker.InvokeQueueAsync(function, message, ct);
            return Results.Accepted();
        });
        return app;
    }
}
