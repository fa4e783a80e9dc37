using Engage.Functions;
using Engage.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Engage.Tests.Hosting;

/// <summary>A malformed setting fails at start with a message naming the setting (style.md "Options").</summary>
public sealed class StartupValidationTests
{
    private static async Task<string?> StartFailureAsync(string key, string? value)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var settings = DevHostFixture.DefaultSettings("UseDevelopmentStorage=true");
        settings[key] = value;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddEngage();
        using var host = builder.Build();
        try
        {
            await host.StartAsync();
            await host.StopAsync();
            return null;
        }
        catch (OptionsValidationException e)
        {
            return e.Message;
        }
    }

    [Theory]
    [InlineData("Digest:Schedule", "every monday", "Digest__Schedule")]
    [InlineData("Scores:Schedule", "*/5 * * * *", "Scores__Schedule")]
    [InlineData("Unsubscribe:SigningKey", null, "Unsubscribe__SigningKey")]
    [InlineData("Unsubscribe:SigningKey", "short", "Unsubscribe__SigningKey")]
    [InlineData("Unsubscribe:SigningKey", "@Microsoft.KeyVault(VaultName=kv;SecretName=unsubscribe-signingkey)", "Unsubscribe__SigningKey")]
    [InlineData("Email:Provider", "carrier-pigeon", "Email__Provider")]
    public async Task Start_MalformedSetting_FailsNamingIt(string key, string? value, string named)
    {
        var failure = await StartFailureAsync(key, value);

        Assert.NotNull(failure);
        Assert.Contains(named, failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_DefaultTestSettings_Starts()
    {
        Assert.Null(await StartFailureAsync("Logging:LogLevel:Default", "Warning"));
    }
}
