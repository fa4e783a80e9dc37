using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Engage.Domain.Import;
using Engage.Domain.Sources;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.Import;

/// <summary>
/// Slack history of one channel: <c>auth.test</c> for the workspace id, <c>conversations.history</c> paged by
/// <c>response_metadata.next_cursor</c> (from <c>oldest</c> = since), and one step per thread for
/// <c>conversations.replies</c>. Tier 3 rate limits answer 429 with <c>Retry-After</c>, which the step waits out on
/// the queue. Reactions are not imported: history lists who reacted but not when (docs/decisions/1003).
/// </summary>
public sealed partial class SlackImporter(ISlackApi api, Slack source, ILogger<SlackImporter> logger)
    : HistoryImporterBase(source, logger), IHistoryImporter
{
    public string Source => "slack";

    [GeneratedRegex("^[CGD][A-Z0-9]{2,30}$")]
    private static partial Regex ChannelPattern();

    public string? CheckTarget(string target) =>
        ChannelPattern().IsMatch(target) ? null : "A slack target is a channel id (C0123ABCD).";

    public ImportStep First(string importId, string target, DateTimeOffset? since) => new(importId, Source, target, since, "team");

    public async Task<ImportPage> RunAsync(ImportStep step, CancellationToken ct)
    {
        switch (step.Stage)
        {
            case "team":
                using (var auth = await OkAsync(await api.AuthTest(ct), "auth.test", ct))
                {
                    var team = auth.RootElement.Str("team_id") ?? throw new PlatformRefusedException("auth.test gave no team_id.");
                    // The token's own user: with a bot token, the app's bot user, whose mentions address the app.
                    var bot = auth.RootElement.Str("user_id") ?? "";
                    return new ImportPage([], [step.Next("history", $"{team}|{bot}|")]);
                }

            case "history":
            {
                var (team, bot, cursor) = Split(step.Cursor);
                var oldest = step.Since?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                using var json = await OkAsync(await api.History(step.Target, oldest, cursor, ct), "conversations.history", ct);
                var messages = json.RootElement.Array("messages").ToList();
                var next = new List<ImportStep>();
                foreach (var message in messages)
                {
                    if (message.Long("reply_count") is > 0 && message.Str("ts") is { } ts)
                    {
                        next.Add(step.Next("replies", $"{team}|{bot}|{ts}|"));
                    }
                }

                if (NextCursor(json.RootElement) is { } more)
                {
                    next.Add(step with { Cursor = $"{team}|{bot}|{more}" });
                }

                var (interactions, skipped) = Normalize(messages.Select(m => SlackHistory.Message(team, step.Target, m, Bot(bot))), step.Since);
                return new ImportPage(interactions, next, skipped);
            }

            case "replies":
            {
                var parts = (step.Cursor ?? "").Split('|');
                if (parts.Length != 4)
                {
                    throw new PlatformRefusedException("Malformed slack replies cursor.");
                }

                var (team, bot, threadTs, cursor) = (parts[0], parts[1], parts[2], parts[3].Length == 0 ? null : parts[3]);
                using var json = await OkAsync(await api.Replies(step.Target, threadTs, cursor, ct), "conversations.replies", ct);
                // The first message of every page is the thread's parent, already read from the history.
                var replies = json.RootElement.Array("messages").Where(m => m.Str("ts") != threadTs);
                var (interactions, skipped) = Normalize(replies.Select(m => SlackHistory.Message(team, step.Target, m, Bot(bot))), step.Since);
                return new ImportPage(interactions, NextCursor(json.RootElement) is { } more ? [step with { Cursor = $"{team}|{bot}|{threadTs}|{more}" }] : [], skipped);
            }

            default:
                throw new PlatformRefusedException($"Unknown slack import stage '{step.Stage}'.");
        }
    }

    /// <summary>Slack answers 200 with <c>{"ok":false,"error":…}</c> for refusals (not_in_channel, invalid_auth…).</summary>
    private static async Task<JsonDocument> OkAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        var json = await ReadAsync(response, what, ct);
        if (json.RootElement.Bool("ok") != true)
        {
            var error = json.RootElement.Str("error") ?? "unknown error";
            json.Dispose();
            throw new PlatformRefusedException($"{what}: {error}");
        }

        return json;
    }

    private static string? NextCursor(JsonElement root) =>
        root.Str("response_metadata", "next_cursor") is { Length: > 0 } c ? c : null;

    private static (string Team, string Bot, string? Cursor) Split(string? cursor) =>
        cursor?.Split('|', 3) is [var team, var bot, var rest] ? (team, bot, rest.Length == 0 ? null : rest) : throw new PlatformRefusedException("Malformed slack cursor.");

    private static string? Bot(string bot) => bot.Length == 0 ? null : bot;
}
