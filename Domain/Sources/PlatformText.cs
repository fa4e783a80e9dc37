using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Engage.Domain.Sources;

/// <summary>
/// Small readers shared by the platform sources (X, Slack, Discourse, Mastodon): platform ids that
/// become parts of interaction ids and userIds, hosts, and text. Every reader is tolerant: a value
/// it cannot use reads as null.
/// </summary>
public static partial class PlatformText
{
    /// <summary>Longest platform id accepted as part of an interaction id or userId (table keys must stay short).</summary>
    public const int MaxIdPart = 64;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPartPattern();

    [GeneratedRegex("^[0-9]{1,20}$")]
    private static partial Regex DigitsPattern();

    /// <summary>A platform id usable inside ids: <c>[A-Za-z0-9._-]</c>, 1–64 characters; anything else is null.</summary>
    public static string? IdPart(string? value) => value is not null && IdPartPattern().IsMatch(value) ? value : null;

    /// <summary>A numeric platform id (X, Discourse, Mastodon): 1–20 digits; anything else is null.</summary>
    public static string? Digits(string? value) => value is not null && DigitsPattern().IsMatch(value) ? value : null;

    /// <summary>The lower-cased host of an absolute http(s) URL, or null.</summary>
    public static string? Host(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.Host.Length > 0
            ? IdPart(uri.IdnHost.ToLowerInvariant())
            : null;

    /// <summary>Unix milliseconds (number or digit string) as UTC, or null.</summary>
    public static DateTimeOffset? FromUnixMilliseconds(long? ms) =>
        ms is >= 0 and <= 253402300799999 ? DateTimeOffset.FromUnixTimeMilliseconds(ms.Value) : null;

    /// <summary>Slack-style <c>"1355517523.000005"</c> (seconds with a fraction) as UTC, or null.</summary>
    public static DateTimeOffset? FromUnixSecondsText(string? seconds)
    {
        if (seconds is null || seconds.Length > 32
            || !decimal.TryParse(seconds, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || value > 253402300799m)
        {
            return null;
        }

        var ticks = decimal.Truncate(value * TimeSpan.TicksPerSecond);
        return DateTimeOffset.UnixEpoch.AddTicks((long)ticks);
    }

    [GeneratedRegex("<(br|/p|/li|/blockquote|/h[1-6])\\b[^<>]*>", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex BlockEnd();

    [GeneratedRegex("<[^<>]*>", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Tag();

    [GeneratedRegex("[ \\t]+", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Spaces();

    /// <summary>HTML (Mastodon's <c>content</c>) as plain text: line breaks for paragraphs, tags dropped, entities decoded.</summary>
    public static string HtmlToText(string html)
    {
        var text = BlockEnd().Replace(html, "\n");
        text = Tag().Replace(text, "");
        text = WebUtility.HtmlDecode(text);
        text = Spaces().Replace(text, " ");
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);
        return string.Join('\n', lines);
    }

    /// <summary>Adds <paramref name="user"/> to <paramref name="mentions"/> unless it is the actor or already there.</summary>
    public static void AddMention(List<string> mentions, Dictionary<string, string> handles, string actor, string? user, string? handle)
    {
        if (user is null || user == actor || mentions.Contains(user))
        {
            return;
        }

        mentions.Add(user);
        if (!string.IsNullOrEmpty(handle))
        {
            handles[user] = handle;
        }
    }

    /// <summary>Longest display name kept: a name longer than this is not a name.</summary>
    public const int MaxNameChars = 128;

    /// <summary>A display name as the payload gives it, trimmed; blank or overlong reads as null.</summary>
    public static string? DisplayName(string? name) =>
        name?.Trim() is { Length: > 0 and <= MaxNameChars } trimmed ? trimmed : null;

    [GeneratedRegex("^@?([A-Za-z0-9_]{1,15})$")]
    private static partial Regex XHandlePattern();

    /// <summary>
    /// The X handles a profile names, as <c>x:{lower-cased handle}</c>: a GitHub <c>twitter_username</c>, or a
    /// <c>blog</c> field that is an x.com / twitter.com profile URL. Null when there is none.
    /// </summary>
    public static IReadOnlyList<string>? ProfileLinks(string? twitterUsername, string? blog)
    {
        var links = new List<string>();
        if (twitterUsername is not null && XHandlePattern().Match(twitterUsername.Trim()) is { Success: true } t)
        {
            links.Add("x:" + t.Groups[1].Value.ToLowerInvariant());
        }

        var url = blog?.Trim();
        if (url is { Length: > 0 } && !url.Contains("://", StringComparison.Ordinal))
        {
            url = "https://" + url;
        }

        if (url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && uri.Host.ToLowerInvariant() is "x.com" or "www.x.com" or "twitter.com" or "www.twitter.com" or "mobile.twitter.com"
            && uri.AbsolutePath.Trim('/') is var path && XHandlePattern().Match(path) is { Success: true } b
            && !links.Contains("x:" + b.Groups[1].Value.ToLowerInvariant()))
        {
            links.Add("x:" + b.Groups[1].Value.ToLowerInvariant());
        }

        return links.Count == 0 ? null : links;
    }
}
