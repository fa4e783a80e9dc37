using Engage.Domain.Scoring;
using Engage.Domain.Signals;
using Engage.Domain.Sources;
using Engage.Functions.Digests;
using Engage.Functions.Http;
using Engage.Functions.Import;
using Engage.Functions.Ingest;
using Engage.Functions.Ops;
using Engage.Functions.Scores;
using Engage.Functions.Storage;
using Engage.Functions.Telemetry;
using Engage.Functions.Users;
using Engage.Functions.Webhooks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Engage.Functions;

public static class EngageSetup
{
    /// <summary>Everything Engage needs, for the Functions host and DevHost alike: options, Azure clients, sources, services.</summary>
    public static IHostApplicationBuilder AddEngage(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddSingleton(TimeProvider.System);

        // The HTTP contract: typed results serialized by the source-generated context, errors as problem details.
        services.ConfigureHttpJsonOptions(o => EngageJson.Apply(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemsExceptionHandler>();
        services.AddSingleton<ContractDocument>();
        builder.AddEngageTelemetry();
        if (builder is IFunctionsWorkerApplicationBuilder worker)
        {
            worker.UseMiddleware<ProblemsMiddleware>();
        }

        services.AddOptions<StorageNames>().BindConfiguration(StorageNames.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WebhooksOptions>().BindConfiguration(WebhooksOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.RateLimitProblem() is null, "Webhooks:RateLimit:PermitsPerSecond and Webhooks:RateLimit:Burst must be between 1 and 1000000.").ValidateOnStart();
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SignalLexicon>().BindConfiguration("Signals");
        services.AddOptions<ScoringOptions>().BindConfiguration(ScoringOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        var connection = StorageConnection.From(configuration);
        services.AddSingleton(connection);
        services.AddAzureClients(clients =>
        {
            clients.AddClient<Azure.Data.Tables.TableServiceClient, Azure.Data.Tables.TableClientOptions>(_ => connection.CreateTableServiceClient());
            clients.AddClient<Azure.Storage.Queues.QueueServiceClient, Azure.Storage.Queues.QueueClientOptions>(_ => connection.CreateQueueServiceClient());
            clients.AddClient<Azure.Storage.Blobs.BlobServiceClient, Azure.Storage.Blobs.BlobClientOptions>(_ => connection.CreateBlobServiceClient());
        });
        services.AddSingleton<EngageStorage>();
        services.AddSingleton<StorageHealthCheck>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
        services.AddSingleton<FactStore>();

        // Sources: one registration line each.
        services.AddSingleton<WebhookSource, Standard>();
        services.AddSingleton<WebhookSource, GitHub>();
        services.AddSingleton<WebhookSource, X>();
        services.AddSingleton<WebhookSource, Slack>();
        services.AddSingleton<WebhookSource, Discourse>();
        services.AddSingleton<WebhookSource, Mastodon>();
        services.AddSingleton<SourceRegistry>();

        services.AddSingleton(sp => new SignalClassifier(sp.GetRequiredService<IOptions<SignalLexicon>>().Value));
        services.AddSingleton<WebhookRateLimiter>();
        services.AddSingleton<WebhookArchive>();
        services.AddSingleton<ITextClassifier, LexiconTextClassifier>();
        services.AddSingleton<DeliveryPipeline>();
        services.AddSingleton<WebhookIntake>();
        services.AddSingleton<WaitingReplyMarks>();
        services.AddSingleton<Ingestor>();
        services.AddSingleton<ScoreStore>();
        services.AddOptions<DigestOptions>().BindConfiguration(DigestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<DigestOptions>, ScheduleValidation>();
        services.AddOptions<UnsubscribeOptions>().BindConfiguration(UnsubscribeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SubscriptionStore>();
        services.AddSingleton<DigestState>();
        services.AddSingleton<DigestService>();
        services.AddOptions<ProjectionOptions>().BindConfiguration(ProjectionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Projection>();
        services.AddEngageEmail(configuration);
        services.AddSingleton<UserEraser>();
        services.AddSingleton<PersonEraser>();
        services.AddSingleton<Engage.Functions.People.PeopleStore>();
        services.AddSingleton<Engage.Functions.People.IdentityRecorder>();
        services.AddSingleton<Engage.Functions.People.PersonReader>();
        services.AddSingleton<Replayer>();
        services.AddEngageImport();
        return builder;
    }
}
