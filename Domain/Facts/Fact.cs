using Engage.Domain.Interactions;
using Engage.Domain.Signals;

namespace Engage.Domain.Facts;

/// <summary>
/// One row of table <c>facts</c>: what one interaction means to one affected user (its actor or a
/// user it gives to). Append-only and keyed deterministically, so a redelivery writes the same row.
/// </summary>
public sealed record Fact
{
    /// <summary>The partition: the affected user.</summary>
    public required string UserId { get; init; }
    public required string InteractionId { get; init; }
    public required InteractionKind Kind { get; init; }
    public required string Actor { get; init; }
    public string? ActorHandle { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public string? InReplyToId { get; init; }

    /// <summary>Parent author, when the payload named it or the items index knew it at ingest.</summary>
    public string? InReplyToAuthor { get; init; }

    /// <summary>
    /// Whether the parent carried <c>question</c>; null while the parent is unknown. Written at ingest when the
    /// items index knows the parent, otherwise merged in when the parent arrives (docs/decisions/1121).
    /// </summary>
    public bool? ParentIsQuestion { get; init; }

    /// <summary>
    /// The classifier version that set the parent's <c>question</c> flag copied in <see cref="ParentIsQuestion"/>:
    /// a reclassified parent rewrites the copy only when its version is newer (docs/decisions/1122).
    /// </summary>
    public string? ParentClassifierVersion { get; init; }

    /// <summary>
    /// True on the rows of a reply written since the replies index exists: the parent's columns reach this row
    /// when the parent is known, at ingest or when it arrives, so reads never look the parent up. False on
    /// older rows, whose parents reads still resolve through the items index (docs/decisions/1121).
    /// </summary>
    public bool ParentTracked { get; init; }
    public string? SubjectId { get; init; }
    public string? SubjectAuthor { get; init; }
    public IReadOnlyList<string> Mentions { get; init; } = [];

    /// <summary>Signals read from the actor's own text at ingest (everything but <c>answer</c>, which depends on the parent).</summary>
    public Signals.SignalSet TextSignals { get; init; }
    public bool Accepted { get; init; }

    /// <summary>
    /// The classifier version that read <see cref="TextSignals"/>; null when the classification failed (the
    /// fact is stored without text signals) or the fact predates versions. Replay with a newer classifier
    /// rewrites the signals of facts of an older version, never the other way round.
    /// </summary>
    public string? ClassifierVersion { get; init; }

    /// <summary>
    /// True for the rows written when a parent never reached the items index and the give went to
    /// the thread root's author instead: a row of its own, merged with the original at read time.
    /// </summary>
    public bool RootFallback { get; init; }

    /// <summary>Handles seen for counterparts (userId → handle), for display.</summary>
    public IReadOnlyDictionary<string, string>? Handles { get; init; }

    public bool IsActor => UserId == Actor;

    /// <summary>
    /// Builds the facts of one interaction: one for the actor, one per known give target.
    /// <paramref name="parent"/> is what the items index knew of the parent at ingest, if anything.
    /// </summary>
    public static IReadOnlyList<Fact> For(Interaction interaction, Signals.SignalSet textSignals, ItemInfo? parent)
    {
        var resolved = interaction.InReplyTo?.Author is null && parent is not null
            ? interaction with { InReplyTo = interaction.InReplyTo! with { Author = parent.Author } }
            : interaction;
        Dictionary<string, string>? handles = null;
        if (interaction.ActorHandle is not null || interaction.MentionHandles is { Count: > 0 })
        {
            handles = interaction.MentionHandles is null ? [] : new Dictionary<string, string>(interaction.MentionHandles);
            if (interaction.ActorHandle is not null)
            {
                handles[interaction.Actor] = interaction.ActorHandle;
            }
        }

        var template = new Fact
        {
            UserId = interaction.Actor,
            InteractionId = interaction.Id,
            Kind = interaction.Kind,
            Actor = interaction.Actor,
            ActorHandle = interaction.ActorHandle,
            OccurredAt = interaction.OccurredAt.ToUniversalTime(),
            InReplyToId = interaction.InReplyTo?.Id,
            InReplyToAuthor = resolved.InReplyTo?.Author,
            ParentIsQuestion = interaction.InReplyTo is null ? null : parent?.Question,
            ParentClassifierVersion = interaction.InReplyTo is null ? null : parent?.ClassifierVersion,
            ParentTracked = interaction.InReplyTo?.Id is not null,
            SubjectId = interaction.Subject?.Id,
            SubjectAuthor = interaction.Subject?.Author,
            Mentions = interaction.Mentions,
            TextSignals = textSignals,
            Accepted = interaction.Accepted,
            Handles = handles,
        };

        var facts = new List<Fact> { template };
        foreach (var target in resolved.KnownGiveTargets())
        {
            facts.Add(template with { UserId = target });
        }

        return facts;
    }
}

/// <summary>One row of table <c>items</c>: who wrote an item, its kind, whether it asked a question.</summary>
public sealed record ItemInfo(string ItemId, string Author, InteractionKind Kind, bool Question, DateTimeOffset OccurredAt, string? AuthorHandle = null)
{
    /// <summary>The classifier version that set <see cref="Question"/> (see <see cref="Fact.ClassifierVersion"/>).</summary>
    public string? ClassifierVersion { get; init; }
}
