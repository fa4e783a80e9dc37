using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Refit;

namespace Engage.Functions.Digests;

/// <summary>One email to one recipient. <paramref name="Headers"/> are extra headers (e.g. <c>List-Unsubscribe</c>).</summary>
public sealed record EmailMessage(string To, string Subject, string Html, string Text, IReadOnlyDictionary<string, string> Headers);

public interface IEmailSender
{
    /// <summary>Sends (or drops into the pickup directory) one message.</summary>
    /// <returns>The provider's message id: the file name for pickup, SendGrid's <c>X-Message-Id</c> (or a generated id).</returns>
    /// <exception cref="EmailRejectedException">The provider refused the message for good; sending it again will not help.</exception>
    Task<string> SendAsync(EmailMessage message, CancellationToken ct);
}

/// <summary>A permanent rejection (bad sender, bad key, message too large): retrying the same message will fail again.</summary>
public sealed class EmailRejectedException(string message) : Exception(message);

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
                services.AddSingleton<IEmailSender, SendGridEmailSender>();
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
