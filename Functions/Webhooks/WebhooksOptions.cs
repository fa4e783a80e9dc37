using System.ComponentModel.DataAnnotations;

namespace Engage.Functions.Webhooks;

public sealed class WebhooksOptions
{
    public const string Section = "Webhooks";

    /// <summary>Largest body accepted (413 above it). Default 1 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Per source, per instance (api.md "Limits"): <c>Webhooks__RateLimit__PermitsPerSecond</c>, <c>Webhooks__RateLimit__Burst</c>.</summary>
    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Null when the nested settings are valid (data annotations do not reach nested objects).</summary>
    public string? RateLimitProblem() =>
        RateLimit.PermitsPerSecond is < 1 or > 1_000_000 || RateLimit.Burst is < 1 or > 1_000_000
            ? "Webhooks:RateLimit:PermitsPerSecond and Webhooks:RateLimit:Burst must be between 1 and 1000000."
            : null;
}

public sealed class RateLimitOptions
{
    /// <summary>Tokens added to a source's bucket each second (default 200).</summary>
    public int PermitsPerSecond { get; set; } = 200;

    /// <summary>Size of a source's bucket: deliveries accepted at once after a quiet spell (default 400).</summary>
    public int Burst { get; set; } = 400;
}
