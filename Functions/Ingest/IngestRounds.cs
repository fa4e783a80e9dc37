using Engage.Domain.Interactions;

namespace Engage.Functions.Ingest;

/// <summary>
/// The order the interactions of one message are ingested in (decision 1211): rounds that run one after the other,
/// the interactions of a round concurrently. A reply whose parent is in the same message goes a round after the
/// parent (wherever the message put it), so it reads the parent's item instead of taking the late-parent path; a
/// second copy of the same interaction goes a round after the first, so the two never race on their own rows.
/// Everything else is independent and goes in the first round.
/// </summary>
public static class IngestRounds
{
    public static IReadOnlyList<IReadOnlyList<Interaction>> Of(IReadOnlyList<Interaction> interactions)
    {
        if (interactions.Count <= 1)
        {
            return interactions.Count == 0 ? [] : [interactions];
        }

        var copies = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < interactions.Count; i++)
        {
            if (!copies.TryGetValue(interactions[i].Id, out var list))
            {
                copies[interactions[i].Id] = list = [];
            }

            list.Add(i);
        }

        var level = new int[interactions.Count];
        var state = new byte[interactions.Count]; // 0 unknown, 1 being computed, 2 known

        int LevelOf(int i)
        {
            if (state[i] == 2)
            {
                return level[i];
            }

            if (state[i] == 1)
            {
                // A cycle (a reply to itself through others): no order to keep, the late-parent merge copes with any.
                return 0;
            }

            state[i] = 1;
            var round = 0;
            var interaction = interactions[i];
            if (interaction.InReplyTo?.Id is { } parentId && parentId != interaction.Id && copies.TryGetValue(parentId, out var parents))
            {
                foreach (var parent in parents)
                {
                    round = Math.Max(round, LevelOf(parent) + 1);
                }
            }

            foreach (var earlier in copies[interaction.Id].TakeWhile(k => k < i))
            {
                round = Math.Max(round, LevelOf(earlier) + 1);
            }

            level[i] = round;
            state[i] = 2;
            return round;
        }

        for (var i = 0; i < interactions.Count; i++)
        {
            LevelOf(i);
        }

        return Enumerable.Range(0, interactions.Count)
            .GroupBy(i => level[i])
            .OrderBy(g => g.Key)
            .Select(g => (IReadOnlyList<Interaction>)g.Select(i => interactions[i]).ToList())
            .ToList();
    }
}
