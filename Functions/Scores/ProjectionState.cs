using System.ComponentModel.DataAnnotations;
using Azure;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;

namespace Engage.Functions.Scores;

/// <summary>Settings of the incremental projection (section <c>Scores</c>, beside its schedule; decision 1201).</summary>
public sealed class ProjectionOptions
{
    public const string Section = "Scores";

    /// <summary>A full run at least this often, whatever changed: it bounds any drift of the incremental figures.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan FullRunEvery { get; set; } = TimeSpan.FromDays(1);

    /// <summary>An incremental run refolds the community figures (which read the whole window) at most this often.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan CommunityEvery { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>Arrivals are read from the previous run's mark minus this: the clock skew allowed between writers and the projection.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ArrivalMargin { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Entries each leaderboard keeps (decision 1302): what <c>GET /api/leaderboard?top=</c> can return and the dashboard's
    /// member search covers. A board costs every run its size (built, serialized, written), whatever the window.
    /// </summary>
    [Range(1, 100_000)]
    public int LeaderboardSize { get; set; } = Projection.DefaultLeaderboardSize;
}

/// <summary>
/// A user's or an entrant's figures kept by the projection between runs, relative to a fixed epoch (decision 1201):
/// <c>Log2Score</c> = log2 Σ p·2^((t − t₀)/h), so the score at any asOf is 2^(Log2Score − (asOf − t₀)/h); likewise the
/// given and received points. The reciprocity index and broadcast ratio are ratios of sums that decay alike (or
/// counts): they do not move with asOf. <c>Level</c> is the level the user's score row holds (identities only).
/// </summary>
public sealed record Figures(string? Handle, double Log2Score, bool Active, double? BroadcastRatio, double? Index, double Log2Given, double Log2Received)
{
    public string? Level { get; init; }

    public static Figures From(Engagement e, Reciprocity r, double epoch) =>
        new(e.Handle, Log(e.Score, epoch), e.Authored > 0, e.BroadcastRatio, r.ReciprocityIndex, Log(r.Given.Points, epoch), Log(r.Received.Points, epoch));

    public double Score(double epoch) => At(Log2Score, epoch);

    public double Given(double epoch) => At(Log2Given, epoch);

    public double Received(double epoch) => At(Log2Received, epoch);

    /// <summary>The reciprocity board's tie-break, min(given, received), at the epoch.</summary>
    public double Tie(double epoch) => At(Math.Min(Log2Given, Log2Received), epoch);

    private static double Log(double points, double epoch) => points > 0 ? Math.Log2(points) + epoch : double.NegativeInfinity;

    /// <summary>An epoch-relative log2 figure at the epoch: monotone in <paramref name="log2"/>, so figures rank alike in either form.</summary>
    public static double At(double log2, double epoch) => double.IsNegativeInfinity(log2) ? 0 : Math.Pow(2, log2 - epoch);
}

/// <summary>
/// What the projection remembers between runs (decision 1201): its mark (the asOf of the last run), when it last ran in
/// full and refolded the community, what the figures were computed with (options and people links), the community
/// figures, the figures of every user and entrant of the last window, and (decision 1241) the window's interactions
/// themselves, as their activity rows, so that a run refolds a touched user from memory instead of their partition.
/// Kept in the community table, PK <c>projection</c>, as gzip'd binary chunks: one set for the users and entrants, one
/// per day of the window's rows (decision 1242, <see cref="ProjectionStateStore"/>).
/// </summary>
public sealed class ProjectionState
{
    /// <summary>t₀ of the epoch-relative figures: fixed, so figures of any two runs compare.</summary>
    public static readonly DateTimeOffset Epoch = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // 2: the window's rows (decision 1241); 3: stored as a core part and one part per day (decision 1242); 4: the users'
    // and entrants' figures in buckets by id hash (decision 1292); 5: a bucket starts with the bucket count; 6: the core
    // carries the figures changed since the buckets were written (decision 1295). A state of another format is not
    // read: a full run rebuilds it.
    private const int FormatVersion = 6;

    /// <summary>
    /// At most this many buckets of the users' and entrants' figures (decision 1292), by
    /// <see cref="FactKeys.StableHash"/> of the id: many, so that the few dozen users a run touches dirty a small share
    /// of a large community's figures.
    /// </summary>
    public const int MaxBuckets = 256;

    /// <summary>
    /// About this many users and entrants a bucket (decision 1292): a bucket is a chunk row of ~20 KB, so a small
    /// community keeps a few rows (each a storage entity to write and delete) and a large one up to <see cref="MaxBuckets"/>.
    /// </summary>
    public const int FiguresPerBucket = 400;

    public DateTimeOffset Mark { get; set; }
    public DateTimeOffset FullAt { get; set; }
    public DateTimeOffset CommunityAt { get; set; }
    public string OptionsHash { get; set; } = "";
    public string PeopleHash { get; set; } = "";
    public string CommunityJson { get; set; } = "";

    /// <summary>Every user of the last window (actor or receiver): their score row's figures.</summary>
    public Dictionary<string, Figures> Identities { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The leaderboards' entrants (people and unlinked identities) when links exist; empty when none do (the identities are the entrants).</summary>
    public Dictionary<string, Figures> Entrants { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The window's activity rows (the actors' facts, as the full run reads them), by row key (decision 1241): what
    /// a touched user is refolded from. Rows arrive and change by point reads of the keys the arrival index records,
    /// and leave when their time leaves the window.
    /// </summary>
    public WindowRows Rows { get; init; } = new();

    /// <summary>The boards' and levels' orders over the maps (decision 1298): kept in memory only, built again for a state read from storage.</summary>
    internal Rankings? Rankings { get; set; }

    /// <summary>The ETag of the head row this state was read from or last written as (decision 1242); null for a new state.</summary>
    internal ETag? HeadETag { get; set; }

    /// <summary>
    /// SHA-256 of each bucket of figures as the head names it (decision 1292): a write rewrites only the buckets whose
    /// bytes differ. Empty for a new state, so it writes every bucket.
    /// </summary>
    internal Dictionary<int, byte[]> StoredBuckets { get; set; } = [];

    /// <summary>How many buckets the stored figures are in (a power of two); 0 for a new state.</summary>
    internal int StoredBucketCount { get; set; }

    /// <summary>
    /// The identities' and entrants' figures as the stored buckets hold them (decision 1295): what differs from these is
    /// the delta a write puts in the core instead of rewriting buckets. The same records as the live maps (no copies).
    /// </summary>
    internal Dictionary<string, Figures> BucketedIdentities { get; private set; } = new(StringComparer.Ordinal);

    internal Dictionary<string, Figures> BucketedEntrants { get; private set; } = new(StringComparer.Ordinal);

    /// <summary>Records that the buckets hold every figure as it is now (after they were written or read).</summary>
    internal void MarkBucketed()
    {
        BucketedIdentities = new Dictionary<string, Figures>(Identities, StringComparer.Ordinal);
        BucketedEntrants = new Dictionary<string, Figures>(Entrants, StringComparer.Ordinal);
    }

    /// <summary>The figures that differ from what the buckets hold (decision 1295): changed or new, and gone.</summary>
    internal FiguresDelta PendingDelta()
    {
        static (List<string> Changed, List<string> Gone) Of(Dictionary<string, Figures> now, Dictionary<string, Figures> stored) =>
            ([.. now.Where(e => !stored.TryGetValue(e.Key, out var was) || !was.Equals(e.Value)).Select(e => e.Key).Order(StringComparer.Ordinal)],
             [.. stored.Keys.Where(id => !now.ContainsKey(id)).Order(StringComparer.Ordinal)]);
        var (identities, goneIdentities) = Of(Identities, BucketedIdentities);
        var (entrants, goneEntrants) = Of(Entrants, BucketedEntrants);
        return new FiguresDelta(identities, goneIdentities, entrants, goneEntrants);
    }

    /// <summary>
    /// The figures the core has carried, summed over the writes since the buckets were last written (decision 1303):
    /// what keeping the buckets as they are has cost so far. Kept with the state's head, so a cold read goes on counting.
    /// </summary>
    internal long CoreFiguresWritten { get; set; }

    /// <summary>
    /// Whether a write whose core would carry <paramref name="carried"/> figures rewrites the buckets instead (decision
    /// 1303): once the figures the core has carried since the buckets were written, this write's included, outweigh a
    /// rewrite of every figure (rent or buy: at most twice the bytes of the best schedule for any rate of change, with
    /// no estimate of the rate), and never while the core carries no more than a bucket's worth. At a steady g figures
    /// changed a run among U, the core grows to about √(2gU) before the rewrite, every √(2U/g) runs.
    /// </summary>
    public bool CoreOutgrown(int carried) => Outgrown(CoreFiguresWritten, carried, Identities.Count + Entrants.Count);

    /// <summary>The rule of <see cref="CoreOutgrown"/>: a core of <paramref name="core"/> figures after cores of <paramref name="carriedBefore"/>, among <paramref name="figures"/>.</summary>
    private static bool Outgrown(long carriedBefore, long core, long figures) => core > FiguresPerBucket && carriedBefore + core > figures;

    /// <summary>
    /// Runs between two rewrites of the buckets under <see cref="CoreOutgrown"/> when each run changes
    /// <paramref name="perRun"/> figures not changed before among <paramref name="figures"/>: the first run k whose
    /// cumulative core, perRun·k(k+1)/2, exceeds the figures (and whose core exceeds a bucket's worth).
    /// </summary>
    public static int RunsBetweenRewrites(int figures, int perRun)
    {
        long carried = 0;
        for (var k = 1; perRun > 0; k++)
        {
            var core = Math.Min((long)perRun * k, figures); // the core never carries more than every figure
            if (Outgrown(carried, core, figures))
            {
                return k;
            }

            if (core == figures && figures <= FiguresPerBucket)
            {
                break; // a community of a bucket's worth: its core carries everything, the buckets are never rewritten
            }

            carried += core;
        }

        return int.MaxValue;
    }

    /// <summary>The bucket of a user's or entrant's figures among <paramref name="count"/> buckets.</summary>
    public static int BucketOf(string id, int count) => (int)(FactKeys.StableHash(id) % (uint)count);

    /// <summary>
    /// The bucket count the next write uses: a power of two near one per <see cref="FiguresPerBucket"/> figures, at most
    /// <see cref="MaxBuckets"/>; the stored count is kept until it is off by more than a factor of two, since a new
    /// count rewrites every bucket.
    /// </summary>
    public int BucketCount()
    {
        var ideal = (int)Math.Min(MaxBuckets, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, (Identities.Count + Entrants.Count) / FiguresPerBucket)));
        return StoredBucketCount > 0 && StoredBucketCount * 2 >= ideal && StoredBucketCount <= ideal * 2 ? StoredBucketCount : ideal;
    }

    /// <summary>(asOf − t₀)/h: what converts epoch-relative figures to scores at <paramref name="asOf"/>.</summary>
    public static double EpochAt(DateTimeOffset asOf, ScoringOptions options) => (asOf - Epoch).TotalDays / options.HalfLifeDays;

    /// <summary>The figures' inputs that force a full run when they change: every points and decay option.</summary>
    public static string HashOf(ScoringOptions options) =>
        Hash(typeof(ScoringOptions).GetProperties().Where(p => p.PropertyType == typeof(double)).OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + ((double)p.GetValue(options)!).ToString("R", CultureInfo.InvariantCulture)));

    public static string HashOf(IReadOnlyDictionary<string, string> personOf, IReadOnlyDictionary<string, string> roles) =>
        Hash(personOf.Select(l => "l " + l.Key + "=" + l.Value).Concat(roles.Select(r => "r " + r.Key + "=" + r.Value)).Order(StringComparer.Ordinal));

    private static string Hash(IEnumerable<string> lines) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))));

    /// <summary>
    /// The core part (decisions 1242, 1292): mark, hashes and community figures, gzip'd. A few kilobytes, rewritten by
    /// every run; the users' and entrants' figures are in <see cref="UserBucketBytes"/>.
    /// </summary>
    public byte[] CoreBytes() => CoreBytes(FiguresDelta.None);

    /// <summary>The core part with <paramref name="delta"/>: the figures that differ from the buckets it is stored beside (decision 1295).</summary>
    internal byte[] CoreBytes(FiguresDelta delta) => Zip(w =>
    {
        w.Write(Mark.UtcTicks);
        w.Write(FullAt.UtcTicks);
        w.Write(CommunityAt.UtcTicks);
        w.Write(OptionsHash);
        w.Write(PeopleHash);
        w.Write(CommunityJson);
        Write(w, Identities, [.. delta.Identities]);
        WriteIds(w, delta.GoneIdentities);
        Write(w, Entrants, [.. delta.Entrants]);
        WriteIds(w, delta.GoneEntrants);
    });

    /// <summary>
    /// Every non-empty bucket of figures among <paramref name="count"/> (decision 1292), not compressed: the count and
    /// its number, then its identities and its entrants, each in ordinal order of id, so equal figures give equal bytes.
    /// <see cref="Pack"/> makes what is stored.
    /// </summary>
    public SortedDictionary<int, byte[]> UserBucketBytes(int count)
    {
        var identities = Bucketed(Identities.Keys, count);
        var entrants = Bucketed(Entrants.Keys, count);
        var buckets = new SortedDictionary<int, byte[]>();
        foreach (var bucket in identities.Keys.Union(entrants.Keys))
        {
            using var buffer = new MemoryStream();
            using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(count);
                w.Write(bucket);
                Write(w, Identities, identities.GetValueOrDefault(bucket) ?? []);
                Write(w, Entrants, entrants.GetValueOrDefault(bucket) ?? []);
            }

            buckets[bucket] = buffer.ToArray();
        }

        return buckets;
    }

    private static Dictionary<int, List<string>> Bucketed(IEnumerable<string> ids, int count)
    {
        var buckets = new Dictionary<int, List<string>>();
        foreach (var id in ids)
        {
            var bucket = BucketOf(id, count);
            if (!buckets.TryGetValue(bucket, out var list))
            {
                buckets[bucket] = list = [];
            }

            list.Add(id);
        }

        foreach (var list in buckets.Values)
        {
            list.Sort(StringComparer.Ordinal);
        }

        return buckets;
    }

    /// <summary>A bucket of <see cref="UserBucketBytes"/> as stored: gzip'd, after the format version.</summary>
    public static byte[] Pack(byte[] bucket) => Zip(w => w.Write(bucket));

    /// <summary>Every bucket as stored, in bucket order (tests and the bench; the store packs only the buckets it writes).</summary>
    public List<byte[]> UserBytes() => [.. UserBucketBytes(BucketCount()).Values.Select(Pack)];

    /// <summary>The window's rows of one UTC day (yyyyMMdd, <see cref="WindowRows.DayOf"/>), gzip'd: rewritten only when that day changed.</summary>
    public byte[] DayBytes(string day) => Zip(w => WriteRows(w, Rows.Day(day).Values));

    /// <summary>
    /// Some rows of a day, in the same format as <see cref="DayBytes"/> (decision 1294): the rows a day gained since it was
    /// stored, written as a segment beside it. Reading takes a day's sets and its segments alike.
    /// </summary>
    public byte[] SegmentBytes(IReadOnlyList<string> keys) => Zip(w => WriteRows(w, [.. keys.Select(k => Rows[k])]));

    /// <summary>
    /// The state written as <see cref="CoreBytes"/>, the packed buckets of <see cref="UserBucketBytes"/> and one
    /// <see cref="DayBytes"/> per day, or null when any part is of another format or unreadable (a full run rebuilds it).
    /// The buckets and days it returns count as stored (none changed).
    /// </summary>
    public static ProjectionState? FromBytes(byte[] core, IEnumerable<byte[]> users, IEnumerable<byte[]> days)
    {
        try
        {
            ProjectionState? state = null;
            var identities = new Dictionary<string, Figures>(StringComparer.Ordinal);
            var entrants = new Dictionary<string, Figures>(StringComparer.Ordinal);
            List<string> goneIdentities = [], goneEntrants = [];
            if (!Unzip(core, r =>
                {
                    state = new ProjectionState
                    {
                        Mark = new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero),
                        FullAt = new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero),
                        CommunityAt = new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero),
                        OptionsHash = r.ReadString(),
                        PeopleHash = r.ReadString(),
                        CommunityJson = r.ReadString(),
                    };
                    Read(r, identities);
                    goneIdentities = ReadIds(r);
                    Read(r, entrants);
                    goneEntrants = ReadIds(r);
                }))
            {
                return null;
            }

            foreach (var packed in users)
            {
                if (Unpack(packed) is not { } bucket)
                {
                    return null;
                }

                using var r = new BinaryReader(new MemoryStream(bucket), Encoding.UTF8);
                var count = r.ReadInt32();
                var number = r.ReadInt32();
                if (count is < 1 or > MaxBuckets || number < 0 || number >= count || (state!.StoredBucketCount != 0 && state.StoredBucketCount != count))
                {
                    return null; // not a bucket as UserBucketBytes writes one, or buckets of two counts mixed
                }

                Read(r, state.Identities);
                Read(r, state.Entrants);
                if (r.BaseStream.Position != bucket.Length)
                {
                    return null;
                }

                state.StoredBucketCount = count;
                state.StoredBuckets[number] = SHA256.HashData(bucket);
            }

            // The buckets as stored, then the core's delta over them (decision 1295), carried by one write at least (decision 1303).
            state!.MarkBucketed();
            state.CoreFiguresWritten = identities.Count + goneIdentities.Count + entrants.Count + goneEntrants.Count;
            foreach (var (map, changed, gone) in new[] { (state.Identities, identities, goneIdentities), (state.Entrants, entrants, goneEntrants) })
            {
                foreach (var (id, f) in changed)
                {
                    map[id] = f;
                }

                foreach (var id in gone)
                {
                    map.Remove(id);
                }
            }

            // User ids and versions repeat across rows and days: one string each in memory (what keeps the state ~1/4 of the rows' size).
            var pool = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var day in days)
            {
                if (!Unzip(day, r => ReadRows(r, state!.Rows, pool)))
                {
                    return null;
                }
            }

            state!.Rows.Saved();
            return state;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException or OverflowException)
        {
            return null; // chunks of two writers mixed, or truncated: rebuilt by a full run rather than failing every run
        }
    }

    private static byte[] Zip(Action<BinaryWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var w = new BinaryWriter(zip, Encoding.UTF8))
        {
            w.Write(FormatVersion);
            write(w);
        }

        return buffer.ToArray();
    }

    /// <summary>A packed bucket's bytes (what <see cref="UserBucketBytes"/> gave), or null when of another format.</summary>
    private static byte[]? Unpack(byte[] packed)
    {
        using var zip = new GZipStream(new MemoryStream(packed), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        zip.CopyTo(bytes);
        var all = bytes.GetBuffer().AsSpan(0, (int)bytes.Length);
        return all.Length >= sizeof(int) && System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(all) == FormatVersion ? all[sizeof(int)..].ToArray() : null;
    }

    private static bool Unzip(byte[] bytes, Action<BinaryReader> read)
    {
        using var zip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var r = new BinaryReader(zip, Encoding.UTF8);
        if (r.ReadInt32() != FormatVersion)
        {
            return false;
        }

        read(r);
        return true;
    }

    private static void Write(BinaryWriter w, Dictionary<string, Figures> map, List<string> ids)
    {
        w.Write(ids.Count);
        foreach (var id in ids)
        {
            var f = map[id];
            w.Write(id);
            WriteNullable(w, f.Handle);
            w.Write(f.Log2Score);
            w.Write(f.Active);
            WriteNullable(w, f.BroadcastRatio);
            WriteNullable(w, f.Index);
            w.Write(f.Log2Given);
            w.Write(f.Log2Received);
            WriteNullable(w, f.Level);
        }
    }

    private static void WriteIds(BinaryWriter w, IReadOnlyList<string> ids)
    {
        w.Write(ids.Count);
        foreach (var id in ids)
        {
            w.Write(id);
        }
    }

    private static List<string> ReadIds(BinaryReader r)
    {
        var count = r.ReadInt32();
        if (count < 0)
        {
            throw new InvalidDataException("A negative count of ids.");
        }

        var ids = new List<string>(Math.Min(count, 1 << 16)); // a count read from damaged bytes must not reserve memory
        for (var n = 0; n < count; n++)
        {
            ids.Add(r.ReadString());
        }

        return ids;
    }

    private static void Read(BinaryReader r, Dictionary<string, Figures> map)
    {
        var count = r.ReadInt32();
        if (count < 0)
        {
            throw new InvalidDataException("A negative count of figures.");
        }

        map.EnsureCapacity(map.Count + Math.Min(count, 1 << 16)); // a count read from damaged bytes must not reserve memory
        for (var n = 0; n < count; n++)
        {
            var id = r.ReadString();
            map[id] = new Figures(ReadString(r), r.ReadDouble(), r.ReadBoolean(), ReadDouble(r), ReadDouble(r), r.ReadDouble(), r.ReadDouble())
            {
                Level = ReadString(r),
            };
        }
    }

    private static void WriteRows(BinaryWriter w, IEnumerable<Fact> rows)
    {
        // The key is the fact's row key (FactKeys.FactRowKey), computed again on reading: not stored twice.
        var list = rows as IReadOnlyCollection<Fact> ?? [.. rows];
        w.Write(list.Count);
        foreach (var f in list)
        {
            w.Write(f.InteractionId);
            w.Write((int)f.Kind);
            w.Write(f.Actor);
            WriteNullable(w, f.ActorHandle);
            w.Write(f.OccurredAt.UtcTicks);
            WriteNullable(w, f.InReplyToId);
            WriteNullable(w, f.InReplyToAuthor);
            w.Write((byte)(f.ParentIsQuestion switch { null => 0, false => 1, true => 2 }));
            WriteNullable(w, f.ParentClassifierVersion);
            w.Write(f.ParentTracked);
            WriteNullable(w, f.SubjectId);
            WriteNullable(w, f.SubjectAuthor);
            w.Write(f.Mentions.Count);
            foreach (var m in f.Mentions)
            {
                w.Write(m);
            }

            w.Write((int)f.TextSignals);
            w.Write(f.Accepted);
            WriteNullable(w, f.ClassifierVersion);
            w.Write(f.RootFallback);
            w.Write(f.Handles?.Count ?? -1);
            foreach (var (user, handle) in f.Handles ?? new Dictionary<string, string>())
            {
                w.Write(user);
                w.Write(handle);
            }
        }
    }

    private static void ReadRows(BinaryReader r, WindowRows rows, Dictionary<string, string> pool)
    {
        string Pooled(string s) => pool.TryGetValue(s, out var p) ? p : pool[s] = s;
        string? PooledOrNull(string? s) => s is null ? null : Pooled(s);
        var count = r.ReadInt32();
        for (var n = 0; n < count; n++)
        {
            var id = r.ReadString();
            var kind = (InteractionKind)r.ReadInt32();
            var actor = Pooled(r.ReadString());
            var actorHandle = PooledOrNull(ReadString(r));
            var at = new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero);
            var parentId = ReadString(r);
            var parentAuthor = PooledOrNull(ReadString(r));
            bool? parentQuestion = r.ReadByte() switch { 0 => null, 1 => false, _ => true };
            var parentVersion = PooledOrNull(ReadString(r));
            var tracked = r.ReadBoolean();
            var subjectId = ReadString(r);
            var subjectAuthor = PooledOrNull(ReadString(r));
            var mentionCount = r.ReadInt32();
            var mentions = mentionCount == 0 ? Array.Empty<string>() : new string[mentionCount];
            for (var m = 0; m < mentions.Length; m++)
            {
                mentions[m] = Pooled(r.ReadString());
            }

            var signals = (Engage.Domain.Signals.SignalSet)r.ReadInt32();
            var accepted = r.ReadBoolean();
            var version = PooledOrNull(ReadString(r));
            var fallback = r.ReadBoolean();
            var handleCount = r.ReadInt32();
            SmallMap? handles = null;
            if (handleCount >= 0)
            {
                var users = new string[handleCount];
                var names = new string[handleCount];
                for (var h = 0; h < handleCount; h++)
                {
                    users[h] = Pooled(r.ReadString());
                    names[h] = Pooled(r.ReadString());
                }

                handles = new SmallMap(users, names);
            }

            var fact = new Fact
            {
                UserId = actor, InteractionId = id, Kind = kind, Actor = actor, ActorHandle = actorHandle, OccurredAt = at,
                InReplyToId = parentId, InReplyToAuthor = parentAuthor, ParentIsQuestion = parentQuestion, ParentClassifierVersion = parentVersion,
                ParentTracked = tracked, SubjectId = subjectId, SubjectAuthor = subjectAuthor, Mentions = mentions, TextSignals = signals,
                Accepted = accepted, ClassifierVersion = version, RootFallback = fallback, Handles = handles,
            };
            rows.Load(FactKeys.FactRowKey(fact), fact);
        }
    }

    private static void WriteNullable(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null)
        {
            w.Write(value);
        }
    }

    private static void WriteNullable(BinaryWriter w, double? value)
    {
        w.Write(value.HasValue);
        if (value is { } v)
        {
            w.Write(v);
        }
    }

    private static string? ReadString(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    private static double? ReadDouble(BinaryReader r) => r.ReadBoolean() ? r.ReadDouble() : null;
}

/// <summary>
/// Figures that differ from what the stored buckets hold (decision 1295), carried by the core: ids whose figures
/// changed or are new, and ids gone, for identities and entrants, each in ordinal order.
/// </summary>
internal sealed record FiguresDelta(IReadOnlyList<string> Identities, IReadOnlyList<string> GoneIdentities, IReadOnlyList<string> Entrants, IReadOnlyList<string> GoneEntrants)
{
    public static readonly FiguresDelta None = new([], [], [], []);

    public int Count => Identities.Count + GoneIdentities.Count + Entrants.Count + GoneEntrants.Count;
}
