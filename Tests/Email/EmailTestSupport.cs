using Engage.Functions.Digests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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
    public static ServiceProvider Services(IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddEngageEmail(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
