using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.People;
using Engage.Functions.Storage;
using Microsoft.Extensions.Logging;

namespace Engage.Functions.People;

/// <summary>
/// What ingestion learns about an identity beyond its facts: a platform flag saying it is a bot (it becomes a
/// <c>bot</c> person, docs/decisions/1141) and its display name and profile links (table <c>profiles</c>, for
/// merge suggestions, docs/decisions/1144). Each is written at most once per identity (per change) per process:
/// an in-process memo answers every later interaction of the same identity without a storage call, so the
/// common case — an interaction with nothing new to say — costs two dictionary lookups.
/// </summary>
public sealed class IdentityRecorder(EngageStorage storage, ILogger<IdentityRecorder> logger)
{
    public const string ProfileRow = "profile";

    /// <summary>The memos forget everything past this many identities (a later write is repeated, harmlessly).</summary>
    private const int MaxMemo = 200_000;

    private readonly ConcurrentDictionary<string, byte> _bots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _profiles = new(StringComparer.Ordinal);

    /// <summary>Records what <paramref name="interaction"/> says about its actor; nothing when it says nothing new.</summary>
    public ValueTask RecordAsync(Interaction interaction, CancellationToken ct)
    {
        var bot = interaction.ActorIsBot && !_bots.ContainsKey(interaction.Actor);
        var profile = ProfileKey(interaction) is { } key && !(_profiles.TryGetValue(interaction.Actor, out var known) && known == key);
        return bot || profile ? new ValueTask(WriteAsync(interaction, bot, profile, ct)) : ValueTask.CompletedTask;
    }

    /// <remarks>
    /// A refusal storage would only repeat is logged and left for the identity's next interaction: it must not
    /// park the interaction, whose facts matter more. Transient storage errors propagate, and the message is retried.
    /// </remarks>
    private async Task WriteAsync(Interaction interaction, bool bot, bool profile, CancellationToken ct)
    {
        try
        {
            await WriteOrThrowAsync(interaction, bot, profile, ct);
        }
        catch (RequestFailedException e) when (!EngageStorage.IsUnavailable(e))
        {
            logger.LogWarning(e, "Could not record what interaction {InteractionId} says about {UserId}; the next interaction tries again", interaction.Id, interaction.Actor);
        }
    }

    private async Task WriteOrThrowAsync(Interaction interaction, bool bot, bool profile, CancellationToken ct)
    {
        if (bot)
        {
            await MarkBotAsync(interaction.Actor, interaction.ActorHandle, ct);
            Remember(_bots, interaction.Actor, (byte)0);
        }

        if (profile)
        {
            var key = ProfileKey(interaction)!;
            await storage.Profiles.UpsertEntityAsync(new TableEntity(FactKeys.Escape(interaction.Actor), ProfileRow)
            {
                ["UserId"] = interaction.Actor,
                ["Handle"] = interaction.ActorHandle,
                ["Name"] = interaction.ActorName,
                ["Links"] = interaction.ActorLinks is { Count: > 0 } links ? string.Join(' ', links) : null,
            }, TableUpdateMode.Merge, ct);
            Remember(_profiles, interaction.Actor, key);
        }
    }

    private static string? ProfileKey(Interaction i) =>
        i.ActorName is null && i.ActorLinks is null ? null : $"{i.ActorName}\n{(i.ActorLinks is null ? "" : string.Join(' ', i.ActorLinks))}";

    private static void Remember<T>(ConcurrentDictionary<string, T> memo, string key, T value)
    {
        if (memo.Count >= MaxMemo)
        {
            memo.Clear();
        }

        memo[key] = value;
    }

    /// <summary>
    /// Makes <paramref name="userId"/> the one identity of an automatic bot person, unless it is linked already:
    /// a person someone made (a human decision) wins. Insert-only and idempotent: the person's rows first (a 409
    /// means an earlier attempt wrote them), then the claim on the identity (a 409 means it is linked; when that
    /// is someone else's person, the automatic person's rows are taken back).
    /// </summary>
    private async Task MarkBotAsync(string userId, string? handle, CancellationToken ct)
    {
        var key = FactKeys.Escape(userId);
        if ((await storage.Identities.GetEntityIfExistsAsync<TableEntity>(key, PeopleStore.PersonRow, ["PersonId"], ct)).HasValue)
        {
            return;
        }

        var personId = PersonIds.ForBot(userId);
        try
        {
            await storage.People.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.Add, new TableEntity(personId, PeopleStore.PersonRow) { ["Name"] = handle, ["Role"] = PersonRoles.Bot, ["Automatic"] = true }),
                new(TableTransactionActionType.Add, new TableEntity(personId, PeopleStore.IdPrefix + key) { ["UserId"] = userId }),
            ], ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Written by an earlier attempt: go on to the claim.
        }

        try
        {
            await storage.Identities.AddEntityAsync(new TableEntity(key, PeopleStore.PersonRow) { ["PersonId"] = personId, ["UserId"] = userId }, ct);
            logger.LogInformation("Identity {UserId} is flagged as a bot by its platform: it is now the bot person {PersonId}", userId, personId);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var owner = (await storage.Identities.GetEntityIfExistsAsync<TableEntity>(key, PeopleStore.PersonRow, ["PersonId"], ct)).Value?.GetString("PersonId");
            if (owner != personId)
            {
                // Linked by someone meanwhile: their person wins; ours is taken back (a row already gone is fine).
                foreach (var row in new[] { PeopleStore.IdPrefix + key, PeopleStore.PersonRow })
                {
                    await storage.People.DeleteEntityAsync(personId, row, ETag.All, ct);
                }
            }
        }
    }
}
