using Engage.Domain.Sources;
using Microsoft.Extensions.Configuration;

namespace Engage.Functions.Webhooks;

/// <summary>The registered sources and their secrets. A source without a secret is not enabled (404).</summary>
public sealed class SourceRegistry(IEnumerable<WebhookSource> sources, IConfiguration configuration)
{
    private readonly Dictionary<string, WebhookSource> _sources = sources.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

    public IEnumerable<WebhookSource> All => _sources.Values;

    /// <summary>The enabled source of that name with its secrets (comma-separated in the setting, for rotation).</summary>
    public (WebhookSource Source, IReadOnlyList<string> Secrets)? Find(string name)
    {
        if (!_sources.TryGetValue(name, out var source))
        {
            return null;
        }

        var secrets = Secrets(source);
        return secrets.Count == 0 ? null : (source, secrets);
    }

    public IReadOnlyList<string> Secrets(WebhookSource source) => SecretsOf(configuration[source.SecretSetting]);

    /// <summary>
    /// Comma-separated secrets. A Key Vault reference the platform could not resolve (the secret does not
    /// exist yet) reaches the app as its own text: that is "not configured", never a usable key.
    /// </summary>
    public static IReadOnlyList<string> SecretsOf(string? setting) =>
        setting is null || setting.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase)
            ? []
            : setting.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
