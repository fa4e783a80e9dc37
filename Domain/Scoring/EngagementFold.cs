using Engage.Domain.Facts;

namespace Engage.Domain.Scoring;

/// <summary>The engagement of one user over a window: a pure function of the user's facts and the window.</summary>
public sealed record Engagement(string UserId, string? Handle, Window Window, Counts Counts);

public static class EngagementFold
{
    public static Engagement Fold(string userId, IReadOnlyList<Fact> facts, IReadOnlyDictionary<string, ItemInfo> parents, Window window)
    {
        var counts = new Counts();
        foreach (var i in FactSet.Resolve(facts, parents))
        {
            if (i.Actor == userId && window.Contains(i.OccurredAt))
            {
                counts = counts.Add(i.Kind, i.Signals, i.Mentions.Count);
            }
        }

        return new Engagement(userId, FactSet.HandleOf(userId, facts), window, counts);
    }
}
