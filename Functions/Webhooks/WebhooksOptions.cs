using System.ComponentModel.DataAnnotations;

namespace Engage.Functions.Webhooks;

public sealed class WebhooksOptions
{
    public const string Section = "Webhooks";

    /// <summary>Largest body accepted (413 above it). Default 1 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;
}
