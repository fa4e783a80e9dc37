using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.Scoring;

/// <summary>A seeded random community: interactions, the fact rows ingestion would write, and the items index.</summary>
public sealed class RandomCommunity
{
    public static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    public List<Interaction> Interactions { get; } = [];
    public List<Fact> Facts { get; } = [];
    public Dictionary<string, ItemInfo> Items { get; } = new(StringComparer.Ordinal);

    /// <summary>The real parent author of each reply (known to the generator even where the payload did not name it).</summary>
    public Dictionary<string, string> ParentAuthor { get; } = new(StringComparer.Ordinal);

    public static RandomCommunity Generate(int seed, int users = 8, int count = 120)
    {
        var random = new Random(seed);
        var c = new RandomCommunity();
        string User() => $"r:u{random.Next(users)}";
        for (var n = 0; n < count; n++)
        {
            var actor = User();
            var at = Start.AddMinutes(random.Next(0, 60 * 24 * 45));
            var kind = (InteractionKind)random.Next(6);
            var earlier = c.Interactions.Where(i => i.Kind is InteractionKind.Post or InteractionKind.Reply or InteractionKind.Quote).ToList();
            if (kind is InteractionKind.Reply or InteractionKind.Repost or InteractionKind.Quote or InteractionKind.Reaction && earlier.Count == 0)
            {
                kind = InteractionKind.Post;
            }

            var parent = earlier.Count > 0 ? earlier[random.Next(earlier.Count)] : null;
            var signals = (Sig)(random.Next(128) & ~(int)Sig.Answer);
            var mentions = kind is InteractionKind.Post or InteractionKind.Reply or InteractionKind.Quote && random.Next(3) == 0
                ? new[] { User(), User() }.Where(m => m != actor).Distinct().ToList()
                : [];
            var interaction = new Interaction
            {
                Id = $"r:{n}",
                Kind = kind,
                Actor = actor,
                ActorHandle = actor.Replace("r:", "", StringComparison.Ordinal),
                OccurredAt = at,
                InReplyTo = kind == InteractionKind.Reply ? new ItemRef(parent!.Id, random.Next(2) == 0 ? parent.Actor : null) : null,
                Subject = kind switch
                {
                    InteractionKind.Repost or InteractionKind.Quote or InteractionKind.Reaction => new ItemRef(parent!.Id, parent.Actor),
                    InteractionKind.Follow => new ItemRef(null, User()),
                    _ => null,
                },
                Mentions = mentions,
                Accepted = kind == InteractionKind.Reply && random.Next(10) == 0,
            };
            c.Interactions.Add(interaction);
            if (kind == InteractionKind.Reply)
            {
                c.ParentAuthor[interaction.Id] = parent!.Actor;
            }

            if (kind is not (InteractionKind.Reaction or InteractionKind.Follow))
            {
                c.Items[interaction.Id] = new ItemInfo(interaction.Id, actor, kind, (signals & Sig.Question) != 0, at, interaction.ActorHandle);
            }

            // What ingestion writes: the actor's row and one per known target; a reply whose parent author
            // the payload did not name gets the parent author's row later (pending-parent).
            var facts = Fact.For(interaction, signals, parent: null);
            c.Facts.AddRange(facts);
            if (interaction.NeedsParentAuthor && parent!.Actor != actor)
            {
                c.Facts.Add(facts[0] with { UserId = parent.Actor, InReplyToAuthor = parent.Actor });
            }
        }

        return c;
    }

    public IEnumerable<string> Users => Facts.Select(f => f.UserId).Distinct().Order(StringComparer.Ordinal);

    public List<Fact> PartitionOf(string user) => Facts.Where(f => f.UserId == user).ToList();
}
