using System.Text.RegularExpressions;

namespace Engage.Domain.Interactions;

/// <summary>userIds are <c>{source}:{stable id}</c>, characters <c>[A-Za-z0-9._:-]</c>, at most 256 (docs/scoring.md).</summary>
public static partial class UserIds
{
    public const int MaxLength = 256;

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,256}$")]
    private static partial Regex Valid();

    [GeneratedRegex("[^A-Za-z0-9._:-]")]
    private static partial Regex Invalid();

    public static bool IsValid(string? userId) => userId is not null && Valid().IsMatch(userId);

    /// <summary>Builds <c>{source}:{part}</c>, replacing characters outside the allowed set with <c>_</c>.</summary>
    public static string Of(string source, string part)
    {
        var id = $"{source}:{Invalid().Replace(part, "_")}";
        return id.Length <= MaxLength ? id : id[..MaxLength];
    }
}
