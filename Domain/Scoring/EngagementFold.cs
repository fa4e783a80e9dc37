using System.Text.Json.Serialization;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;

namespace Engage.Domain.Scoring;

/// <summary>Points earned by one row of the table in the window: how many interactions scored it and their decayed points.</summary>
public sealed record BreakdownLine(string Signal, int Count, double Points);

/// <summary>The engagement of one user over a window: a pure function of the user's facts, the parents' index entries and the window.</summary>
public sealed record Engagement(
    string UserId,
    string? Handle,
    Window Window,
    double Score,
    double? BroadcastRatio,
    double? ConversationRatio,
    Counts Counts,
    IReadOnlyList<BreakdownLine> Breakdown)
{
    /// <summary>Authored interactions of any kind in the window; none means the user is <c>silent</c>.</summary>
    [JsonIgnore]
    public int Authored { get; init; }

    /// <summary>Posts, replies, reposts and quotes in the window that scored a broadcast row.</summary>
    [JsonIgnore]
    public int BroadcastActions { get; init; }

    /// <summary>Posts, replies, reposts and quotes in the window that did not.</summary>
    [JsonIgnore]
    public int ConversationActions { get; init; }
}

public static class EngagementFold
{
    public static Engagement Fold(string userId, IReadOnlyList<Fact> facts, IReadOnlyDictionary<string, ItemInfo> parents, Window window, ScoringOptions options) =>
        Fold(userId, FactSet.Resolve(facts, parents), FactSet.HandleOf(userId, facts), window, options);

    public static Engagement Fold(string userId, IReadOnlyList<Resolved> interactions, string? handle, Window window, ScoringOptions options)
    {
        var counts = new Counts();
        var rows = new SortedDictionary<string, (int Count, double Points)>(StringComparer.Ordinal);
        int authored = 0, conversational = 0, broadcast = 0;
        foreach (var i in interactions)
        {
            if (i.Actor != userId || !window.Contains(i.OccurredAt))
            {
                continue;
            }

            authored++;
            counts = counts.Add(i.Kind, i.Signals, i.Mentions.Count);
            var scored = Points.Of(i, options);

            // Broadcast rows stay in the breakdown with their count; their points are weighted (0 by default).
            var weight = options.Decay(i.OccurredAt, window.AsOf) * scored.EngagementWeight(options);
            Add(rows, Name(scored.Row), scored.RowPoints * weight);
            if (scored.EvidencePoints > 0)
            {
                Add(rows, "evidence", scored.EvidencePoints * weight);
            }

            if (i.Kind is InteractionKind.Post or InteractionKind.Reply or InteractionKind.Repost or InteractionKind.Quote)
            {
                if (scored.Broadcast)
                {
                    broadcast++;
                }
                else
                {
                    conversational++;
                }
            }
        }

        var actions = broadcast + conversational;
        double? broadcastRatio = actions == 0 ? null : (double)broadcast / actions;
        var breakdown = rows.Select(r => new BreakdownLine(r.Key, r.Value.Count, r.Value.Points))
            .OrderByDescending(b => b.Points).ThenBy(b => b.Signal, StringComparer.Ordinal).ToList();

        // The score is the sum of the breakdown lines, in their order, so the explanation adds up exactly.
        var score = breakdown.Sum(b => b.Points);
        return new Engagement(userId, handle, window, score, broadcastRatio, 1 - broadcastRatio, counts, breakdown) { Authored = authored, BroadcastActions = broadcast, ConversationActions = conversational };
    }

    private static void Add(SortedDictionary<string, (int Count, double Points)> rows, string name, double points)
    {
        rows.TryGetValue(name, out var line);
        rows[name] = (line.Count + 1, line.Points + points);
    }

    /// <summary>camelCase row names, as the API shows them.</summary>
    public static string Name(ScoreRow row)
    {
        var name = row.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
