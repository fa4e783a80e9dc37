using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Bench.Folds;

/// <summary>Seeded resolved interactions shaped like a community's window: what the folds are given in production.</summary>
public static class Workload
{
    public static readonly DateTimeOffset AsOf = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
    public static readonly Window Window = new(AsOf, Window.Default);

    /// <summary>
    /// <paramref name="count"/> interactions among <paramref name="users"/> users over the window: 40 % replies,
    /// 25 % reactions, 15 % posts (a third mention someone), 10 % quotes, 5 % reposts, 5 % follows; one in ten
    /// is a question. Activity is skewed (a few users act and are answered much more than most).
    /// </summary>
    public static List<Resolved> Community(int users, int count, int seed)
    {
        var random = new Random(seed);
        var names = Enumerable.Range(0, users).Select(u => $"bench:u{u}").ToArray();
        string User() => names[(int)(users * Math.Pow(random.NextDouble(), 2))];
        var list = new List<Resolved>(count);
        for (var n = 0; n < count; n++)
        {
            list.Add(Next(random, list, n, User(), User, User));
        }

        return list;
    }

    /// <summary>
    /// The partition of one user (<c>bench:me</c>): <paramref name="count"/> interactions, half by the user
    /// to some of <paramref name="counterparts"/> others, half by them to the user.
    /// </summary>
    public static List<Resolved> OneUser(int counterparts, int count, int seed)
    {
        var random = new Random(seed);
        var names = Enumerable.Range(0, counterparts).Select(u => $"bench:u{u}").ToArray();
        string Other() => names[(int)(counterparts * Math.Pow(random.NextDouble(), 2))];
        var list = new List<Resolved>(count);
        for (var n = 0; n < count; n++)
        {
            var mine = random.Next(2) == 0;
            list.Add(mine ? Next(random, list, n, Me, Other, Other) : Next(random, list, n, Other(), () => Me, Other));
        }

        return list;
    }

    public const string Me = "bench:me";

    private static Resolved Next(Random random, List<Resolved> earlier, int n, string actor, Func<string> target, Func<string> anyone)
    {
        var roll = random.Next(100);
        var kind = roll switch
        {
            < 40 => InteractionKind.Reply,
            < 65 => InteractionKind.Reaction,
            < 80 => InteractionKind.Post,
            < 90 => InteractionKind.Quote,
            < 95 => InteractionKind.Repost,
            _ => InteractionKind.Follow,
        };
        var parent = earlier.Count > 0 ? earlier[random.Next(earlier.Count)] : null;
        var signals = random.Next(10) == 0 ? Sig.Question : Sig.None;
        signals |= random.Next(8) == 0 ? Sig.Thanks : Sig.None;
        signals |= random.Next(12) == 0 ? Sig.LowContent : Sig.None;
        IReadOnlyList<string> mentions = kind == InteractionKind.Post && random.Next(3) == 0 ? [target(), anyone()] : [];
        return new Resolved
        {
            Id = $"bench:i{n}",
            Kind = kind,
            Actor = actor,
            OccurredAt = AsOf.AddSeconds(-random.Next((int)Window.Default.TotalSeconds)),
            ParentId = kind == InteractionKind.Reply ? parent?.Id ?? $"bench:x{n}" : null,
            ParentAuthor = kind == InteractionKind.Reply ? target() : null,
            ParentIsQuestion = parent is not null && (parent.Signals & Sig.Question) != 0,
            SubjectId = kind is InteractionKind.Repost or InteractionKind.Quote or InteractionKind.Reaction ? parent?.Id : null,
            SubjectAuthor = kind is InteractionKind.Post or InteractionKind.Reply ? null : target(),
            Mentions = mentions,
            Signals = signals,
            Accepted = kind == InteractionKind.Reply && random.Next(20) == 0,
        };
    }
}
