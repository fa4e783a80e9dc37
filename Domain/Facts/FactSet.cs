using Engage.Domain.Interactions;

namespace Engage.Domain.Facts;

/// <summary>An interaction as the folds see it: facts merged by id, parents resolved, <c>answer</c> decided.</summary>
public sealed record Resolved
{
    public required string Id { get; init; }
    public required InteractionKind Kind { get; init; }
    public required string Actor { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public string? ParentId { get; init; }
    public string? ParentAuthor { get; init; }
    public bool ParentIsQuestion { get; init; }
    public string? SubjectId { get; init; }
    public string? SubjectAuthor { get; init; }
    public IReadOnlyList<string> Mentions { get; init; } = [];
    public Signals.SignalSet Signals { get; init; }
    public bool Accepted { get; init; }

    /// <summary>A reply to one's own item: scored as a post (docs/scoring.md).</summary>
    public bool SelfReply => Kind == InteractionKind.Reply && ParentAuthor == Actor;

    /// <summary>Users this interaction gives to, once each (<see cref="Gives"/>).</summary>
    public IReadOnlyList<string> GiveTargets() => Gives.Targets(Kind, Actor, ParentAuthor, SubjectAuthor, Mentions);
}

/// <summary>
/// Merges fact rows into interactions. Rows of one interaction may differ only in what was known
/// when each was written (parent author, acceptance); the merge takes the union, so the result does
/// not depend on which rows exist or in which order they are read.
/// </summary>
public static class FactSet
{
    /// <summary>
    /// Parent ids whose author or question flag the rows do not carry: look them up in the items index. Only rows
    /// written before the replies index (not <see cref="Fact.ParentTracked"/>) can name one: a tracked row receives
    /// its parent's columns when the parent arrives, so a gap in it means the parent is not known anywhere yet.
    /// </summary>
    public static IReadOnlySet<string> UnresolvedParents(IEnumerable<Fact> facts)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in facts)
        {
            if (f.InReplyToId is { } parent && !f.ParentTracked && (f.InReplyToAuthor is null || f.ParentIsQuestion is null || f.RootFallback))
            {
                ids.Add(parent);
            }
        }

        return ids;
    }

    public static IReadOnlyList<Resolved> Resolve(IEnumerable<Fact> facts, IReadOnlyDictionary<string, ItemInfo> parents)
    {
        var merged = new Dictionary<string, Fact>(StringComparer.Ordinal);
        foreach (var f in facts)
        {
            merged[f.InteractionId] = merged.TryGetValue(f.InteractionId, out var seen) ? Merge(seen, f) : f;
        }

        var result = new List<Resolved>(merged.Count);
        foreach (var f in merged.Values)
        {
            var parent = f.InReplyToId is { } pid && parents.TryGetValue(pid, out var p) ? p : null;
            // A thread-root fallback stands only while the parent is unknown: once the items index knows it, its author wins.
            var parentAuthor = f.RootFallback && parent is not null ? parent.Author : f.InReplyToAuthor ?? parent?.Author;
            var parentQuestion = f.ParentIsQuestion == true || parent?.Question == true;
            var signals = f.TextSignals & ~Signals.SignalSet.Answer;
            var isAnswer = f.Kind == InteractionKind.Reply
                && (f.Accepted || (parentQuestion && parentAuthor is not null && parentAuthor != f.Actor
                    && (signals & Signals.SignalSet.LowContent) == 0));
            if (isAnswer)
            {
                signals |= Signals.SignalSet.Answer;
            }

            result.Add(new Resolved
            {
                Id = f.InteractionId,
                Kind = f.Kind,
                Actor = f.Actor,
                OccurredAt = f.OccurredAt,
                ParentId = f.InReplyToId,
                ParentAuthor = parentAuthor,
                ParentIsQuestion = parentQuestion,
                SubjectId = f.SubjectId,
                SubjectAuthor = f.SubjectAuthor,
                Mentions = f.Mentions,
                Signals = signals,
                Accepted = f.Accepted,
            });
        }

        // A stable order (time, then id) so that every fold sees the same sequence whatever the input order.
        result.Sort(static (a, b) => a.OccurredAt != b.OccurredAt
            ? a.OccurredAt.CompareTo(b.OccurredAt)
            : string.CompareOrdinal(a.Id, b.Id));
        return result;
    }

    private static Fact Merge(Fact a, Fact b) => a with
    {
        // The same interaction at two times (a re-follow: one id per pair) keeps the earliest, whichever is read first.
        OccurredAt = a.OccurredAt <= b.OccurredAt ? a.OccurredAt : b.OccurredAt,
        // A row that knew the real parent beats a thread-root fallback row, whichever is read first.
        InReplyToAuthor = a.RootFallback == b.RootFallback ? Min(a.InReplyToAuthor, b.InReplyToAuthor)
            : a.RootFallback ? b.InReplyToAuthor ?? a.InReplyToAuthor : a.InReplyToAuthor ?? b.InReplyToAuthor,
        RootFallback = a.RootFallback && b.RootFallback,
        ParentIsQuestion = a.ParentIsQuestion == true || b.ParentIsQuestion == true ? true : a.ParentIsQuestion ?? b.ParentIsQuestion,
        Accepted = a.Accepted || b.Accepted,
        TextSignals = a.TextSignals | b.TextSignals,
        ActorHandle = Min(a.ActorHandle, b.ActorHandle),
    };

    private static string? Min(string? a, string? b) =>
        a is null ? b : b is null ? a : string.CompareOrdinal(a, b) <= 0 ? a : b;

    /// <summary>The handle seen for <paramref name="userId"/> in these facts, the most recent one.</summary>
    public static string? HandleOf(string userId, IEnumerable<Fact> facts) => new Scoring.HandleBook(facts).Of(userId);
}
