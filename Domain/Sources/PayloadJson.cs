using System.Globalization;
using System.Text.Json;

namespace Engage.Domain.Sources;

/// <summary>Tolerant readers for platform payloads: a missing, null or mistyped field reads as null, never throws.</summary>
public static class PayloadJson
{
    /// <summary>Follows a path of property names; null when any step is missing or not an object.</summary>
    public static JsonElement? At(this JsonElement element, params ReadOnlySpan<string> path)
    {
        var current = element;
        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : current;
    }

    /// <summary>A string, or a number rendered invariantly (ids arrive as either).</summary>
    public static string? Str(this JsonElement element, params ReadOnlySpan<string> path) => element.At(path) switch
    {
        { ValueKind: JsonValueKind.String } e => e.GetString(),
        { ValueKind: JsonValueKind.Number } e => e.GetRawText(),
        _ => null,
    };

    public static bool? Bool(this JsonElement element, params ReadOnlySpan<string> path) => element.At(path) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };

    public static long? Long(this JsonElement element, params ReadOnlySpan<string> path) => element.At(path) switch
    {
        { ValueKind: JsonValueKind.Number } e when e.TryGetInt64(out var n) => n,
        { ValueKind: JsonValueKind.String } e when long.TryParse(e.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    /// <summary>An ISO-8601 timestamp as UTC, or null.</summary>
    public static DateTimeOffset? Time(this JsonElement element, params ReadOnlySpan<string> path) =>
        element.Str(path) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t.ToUniversalTime()
            : null;

    public static IEnumerable<JsonElement> Array(this JsonElement element, params ReadOnlySpan<string> path) =>
        element.At(path) is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray() : [];
}
