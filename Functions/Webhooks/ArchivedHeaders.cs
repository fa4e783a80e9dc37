using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Engage.Functions.Webhooks;

/// <summary>
/// The request headers kept with an archived body, so that <c>POST /api/ops/replay</c> can normalize it
/// again: sources read the event name and instance from headers (<c>X-GitHub-Event</c>,
/// <c>X-Discourse-Event</c>, <c>X-Discourse-Instance</c>). Stored as one blob metadata entry,
/// <c>headers</c> = base64url of a JSON object. Credentials never go in: <c>Authorization</c>,
/// cookies, function keys, anything named like a signature, secret, token or key.
/// </summary>
public static class ArchivedHeaders
{
    public const string MetadataKey = "headers";

    /// <summary>Blob metadata totals at most 8 KiB (names and values); base64 grows by 4/3: 6000 bytes of JSON is 8000 characters.</summary>
    public const int MaxJsonBytes = 6000;

    private static readonly string[] SecretNames = ["authorization", "proxy-authorization", "cookie", "set-cookie"];
    private static readonly string[] SecretParts = ["signature", "secret", "token", "key", "client-principal"];

    /// <summary>True for headers that carry credentials or signatures: never archived.</summary>
    public static bool IsSecret(string name) =>
        SecretNames.Contains(name, StringComparer.OrdinalIgnoreCase)
        || SecretParts.Any(part => name.Contains(part, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The metadata value for these headers. Platform headers (<c>X-*</c>, <c>webhook-*</c>) go first,
    /// then the rest, each in name order; a header that would take the JSON over
    /// <see cref="MaxJsonBytes"/> is left out whole (a cut value would be a wrong value).
    /// </summary>
    public static string Encode(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var kept = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var size = 2; // {}
        foreach (var (name, value) in headers
            .Where(h => !IsSecret(h.Key))
            .OrderBy(h => IsPlatformHeader(h.Key) ? 0 : 1)
            .ThenBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (kept.ContainsKey(name))
            {
                continue;
            }

            // The default encoder escapes everything outside ASCII: the JSON's length in chars is its length in bytes.
            var entry = JsonSerializer.Serialize(name).Length + 1 + JsonSerializer.Serialize(value).Length + (kept.Count > 0 ? 1 : 0);
            if (size + entry > MaxJsonBytes)
            {
                continue;
            }

            kept[name] = value;
            size += entry;
        }

        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(kept)));
    }

    /// <summary>The headers stored by <see cref="Encode"/>; null when the value is missing or unreadable.</summary>
    public static IReadOnlyDictionary<string, string>? Decode(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            var json = Base64Url.DecodeFromChars(value);
            var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(json);
            return headers is null ? null : new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private static bool IsPlatformHeader(string name) =>
        name.StartsWith("x-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase);
}
