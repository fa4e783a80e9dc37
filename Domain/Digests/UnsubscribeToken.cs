using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Engage.Domain.Digests;

/// <summary>
/// The credential of an unsubscribe link: <c>base64url(userId|expiresUnix).base64url(HMAC-SHA256(key, payload))</c>.
/// Signed and expiring, so a link works without signing in and cannot be made for someone else.
/// </summary>
public static class UnsubscribeToken
{
    public static string Create(string userId, DateTimeOffset expires, string key)
    {
        var payload = $"{userId}|{expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        var bytes = Encoding.UTF8.GetBytes(payload);
        return $"{Base64Url(bytes)}.{Base64Url(Mac(key, bytes))}";
    }

    /// <summary>The userId the token unsubscribes, or null when it is missing, malformed, forged or expired.</summary>
    public static string? Validate(string? token, DateTimeOffset now, string key)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048 || token.Split('.') is not [var payloadPart, var macPart])
        {
            return null;
        }

        if (FromBase64Url(payloadPart) is not { } payload || FromBase64Url(macPart) is not { } mac
            || !CryptographicOperations.FixedTimeEquals(mac, Mac(key, payload)))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(payload);
        var bar = text.LastIndexOf('|');
        return bar > 0 && long.TryParse(text.AsSpan(bar + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            && DateTimeOffset.FromUnixTimeSeconds(Math.Min(expires, 253402300799)) > now
            ? text[..bar]
            : null;
    }

    private static byte[] Mac(string key, byte[] payload) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), payload);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s += (s.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        try
        {
            return Convert.FromBase64String(s);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
