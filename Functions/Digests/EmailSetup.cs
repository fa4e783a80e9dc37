using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Refit;

namespace Engage.Functions.Digests;

public static class EmailSetup
{
    /// <summary>
    /// <see cref="EmailOptions"/> (validated at start) and the one <see cref="IEmailSender"/> that <c>Email__Provider</c> chooses.
    /// </summary>
    public static IServiceCollection AddEngageEmail(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>());

        switch (EmailOptions.ProviderOf(configuration.GetSection(EmailOptions.Section)[nameof(EmailOptions.Provider)]))
        {
            case EmailOptions.Pickup:
                services.AddSingleton<IEmailSender, PickupEmailSender>();
                break;
            case EmailOptions.SendGrid:
                services.AddTransient<SendGridAuthentication>();
                // Refit 16's reflection-free registration (AddRefitClient needs the Refit.Reflection package).
                services.AddRefitGeneratedClient<ISendGridApi>(SendGridJson.Default)
                    .ConfigureHttpClient((sp, client) =>
                    {
                        client.BaseAddress = new Uri(sp.GetRequiredService<IOptions<EmailOptions>>().Value.SendGridBaseUrl);
                        // The resilience handler's timeouts govern; HttpClient's own 100 s default would cut across them.
                        client.Timeout = Timeout.InfiniteTimeSpan;
                    })
                    .AddHttpMessageHandler<SendGridAuthentication>()
                    .AddStandardResilienceHandler()
                    .Configure((options, sp) => SendGridResilience.Configure(options, sp.GetRequiredService<TimeProvider>()));
                // Transient like the typed client it holds, so the factory's handler rotation (DNS changes) applies.
                services.AddTransient<IEmailSender, SendGridEmailSender>();
                break;
            default:
                // Unknown provider: ValidateOnStart stops the host; resolving a sender anyway fails with the same message.
                services.AddSingleton<IEmailSender>(sp =>
                {
                    _ = sp.GetRequiredService<IOptions<EmailOptions>>().Value;
                    throw new InvalidOperationException("Email__Provider must be 'pickup' or 'sendgrid'.");
                });
                break;
        }

        return services;
    }
}
