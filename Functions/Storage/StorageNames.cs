using System.ComponentModel.DataAnnotations;

namespace Engage.Functions.Storage;

/// <summary>
/// Names of tables, queues and containers. The queue names are fixed by the functions' trigger
/// attributes; the rest can be changed, which integration tests use to stay apart.
/// </summary>
public sealed class StorageNames
{
    public const string Section = "Storage";
    public const string InteractionsQueue = "interactions";
    public const string DigestsQueue = "digests";
    public const string ImportsQueue = "imports";

    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string Facts { get; set; } = "facts";
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string Items { get; set; } = "items";
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string Scores { get; set; } = "scores";
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string Community { get; set; } = "community";
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string Subscriptions { get; set; } = "subscriptions";
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string Digests { get; set; } = "digests";
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string People { get; set; } = "people";
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string Identities { get; set; } = "identities";
    /// <summary>What the platforms say about an identity (display name, profile links): PK = userId (docs/decisions/1144).</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string Profiles { get; set; } = "profiles";
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string Imports { get; set; } = "imports";
    /// <summary>
    /// Prefix of the activity tables, one per month (<c>{Activity}{yyyyMM}</c>, decision 1111): created by the app at
    /// the first row of a month, so they are not in <see cref="Tables"/> nor in the Bicep template.
    /// </summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,56}$")] public string Activity { get; set; } = "activity";

    /// <summary>Replies by parent: PK = parent item id, RK = the reply's fact row key (docs/decisions/1121).</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string Replies { get; set; } = "replies";
    /// <summary>Which users each unit of ingest work touched, by write hour: what the projection re-folds (docs/decisions/1201).</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string Arrivals { get; set; } = "arrivals";
    /// <summary>Who each archived body names, the layout before decision 1252: PK = userId, RK = blob name (docs/decisions/0901); read and emptied by erasure, no longer written.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string ArchiveUsers { get; set; } = "archiveusers";
    /// <summary>Who each archived body names, one row per (user, body): PK = day of indexing and shard, RK = user and blob name (docs/decisions/1254); read by erasure.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string ArchiveIndex { get; set; } = "archiveindex";
    /// <summary>When each user was last erased, keyed by a hash of the id: what ingestion checks a queued delivery against (docs/decisions/1132).</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")] public string Erasures { get; set; } = "erasures";
    /// <summary>Fixed by the <c>Ingest</c> trigger attribute (and DevHost's poller): not configurable.</summary>
    public string Interactions => InteractionsQueue;
    [Required, RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")] public string Webhooks { get; set; } = "webhooks";

    public IEnumerable<string> Tables => [Facts, Items, Scores, Community, Subscriptions, Digests, ArchiveUsers, ArchiveIndex, Imports, People, Identities, Profiles, Replies, Erasures, Arrivals];
}
