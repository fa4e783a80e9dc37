using System.Security.Cryptography;
using System.Text;

namespace Engage.Domain.Sources;

/// <summary>HMAC helpers shared by the sources; every comparison is constant-time over bytes.</summary>
public static class Signatures
{
    public static byte[] HmacSha256(byte[] key, ReadOnlySpan<byte> data) => HMACSHA256.HashData(key, data);

    public static byte[] HmacSha256(string key, ReadOnlySpan<byte> data) => HmacSha256(Encoding.UTF8.GetBytes(key), data);

    /// <summary>HMAC over <paramref name="prefix"/> followed by <paramref name="body"/>, without copying the body.</summary>
    public static byte[] HmacSha256(byte[] key, string prefix, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes(prefix));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    /// <summary>Constant-time comparison of a lower- or upper-case hex signature with the expected bytes.</summary>
    public static bool HexEquals(string? hex, byte[] expected)
    {
        if (hex is null || hex.Length != expected.Length * 2)
        {
            return false;
        }

        try
        {
            return CryptographicOperations.FixedTimeEquals(Convert.FromHexString(hex), expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Constant-time comparison of a base64 signature with the expected bytes.</summary>
    public static bool Base64Equals(string? base64, byte[] expected)
    {
        if (base64 is null)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[64];
        return Convert.TryFromBase64String(base64, buffer, out var written)
            && CryptographicOperations.FixedTimeEquals(buffer[..written], expected);
    }

    /// <summary>Checks <c>{prefix}{hex}</c> headers (GitHub, Discourse, Mastodon) against every secret.</summary>
    public static bool PrefixedHexMatches(string? header, string prefix, IReadOnlyList<string> secrets, ReadOnlySpan<byte> body)
    {
        if (header is null || !header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var hex = header[prefix.Length..].Trim();
        var matched = false;
        foreach (var secret in secrets)
        {
            // No early exit: every secret is tried, so timing does not tell which one matched.
            matched |= HexEquals(hex, HmacSha256(secret, body));
        }

        return matched;
    }

    public static string Sha256Hex(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));
}
