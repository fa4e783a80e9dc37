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

    public IReadOnlyList<string> Secrets(WebhookSource source) =>
        (configuration[source.SecretSetting] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
