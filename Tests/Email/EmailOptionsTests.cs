using Engage.Functions.Digests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Engage.Tests.Email;

/// <summary>Bad email settings stop the host at start with a message naming the setting.</summary>
public sealed class EmailOptionsTests
{
    private const string KeyVaultReference = "@Microsoft.KeyVault(VaultName=kv-engage;SecretName=email-apikey)";

    private static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddEngageEmail(builder.Configuration);
        return builder.Build();
    }

    private static Dictionary<string, string?> SendGrid(string? apiKey = "SG.key", string? from = "Engage <digest@example.org>") => new()
    {
        ["Email:Provider"] = "sendgrid",
        ["Email:ApiKey"] = apiKey,
        ["Email:From"] = from,
    };

    public static TheoryData<string, Dictionary<string, string?>> BadSettings => new()
    {
        { "Email__Provider", new() { ["Email:Provider"] = "smtp" } },
        { "Email__ApiKey", SendGrid(apiKey: null) },
        { "Email__ApiKey", SendGrid(apiKey: "  ") },
        { "Email__ApiKey", SendGrid(apiKey: KeyVaultReference) },
        { "Email__From", SendGrid(from: null) },
        { "Email__From", SendGrid(from: "@Microsoft.KeyVault(SecretUri=https://kv-engage.vault.azure.net/secrets/from)") },
        { "Email__From", SendGrid(from: "digest-at-example.org") },
        { "Email__From", SendGrid(from: "Engage <digest@>") },
        { "Email__From", new() { ["Email:Provider"] = "pickup", ["Email:From"] = "not an address" } },
        { "Email__SendGridBaseUrl", new(SendGrid()) { ["Email:SendGridBaseUrl"] = "api.sendgrid.com" } },
        { "Email__PickupDirectory", new() { ["Email:PickupDirectory"] = " " } },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task StartAsync_BadSetting_FailsNamingTheSetting(string setting, Dictionary<string, string?> settings)
    {
        using var host = Host(settings);

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(setting, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_SendGridWithoutKeyOrFrom_NamesBothSettings()
    {
        using var host = Host(SendGrid(apiKey: null, from: null));

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Email__ApiKey", e.Message, StringComparison.Ordinal);
        Assert.Contains("Email__From", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_UnknownProvider_ThrowsNamingTheSettingAndNoSenderResolves()
    {
        using var host = Host(new() { ["Email:Provider"] = "smtp" });

        var e = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<EmailOptions>>().Value);
        Assert.Contains("Email__Provider", e.Message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IEmailSender>());
    }

    [Theory]
    [InlineData("Engage <digest@example.org>")]
    [InlineData("digest@example.org")]
    [InlineData("\"Engage, weekly\" <digest@example.org>")]
    public async Task StartAsync_SendGridFullyConfigured_StartsWithOnlyTheSendGridSender(string from)
    {
        using var host = Host(SendGrid(from: from));

        await host.StartAsync();

        var sender = Assert.Single(host.Services.GetServices<IEmailSender>());
        Assert.IsType<SendGridEmailSender>(sender);
        await host.StopAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Pickup")]
    public async Task StartAsync_PickupOrNoProvider_StartsWithDefaults(string? provider)
    {
        using var host = Host(new() { ["Email:Provider"] = provider });

        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<EmailOptions>>().Value;
        Assert.Equal(".engage/outbox", options.PickupDirectory);
        Assert.Equal("https://api.sendgrid.com", options.SendGridBaseUrl);
        Assert.IsType<PickupEmailSender>(Assert.Single(host.Services.GetServices<IEmailSender>()));
        await host.StopAsync();
    }
}
