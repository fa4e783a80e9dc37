using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Engage.Functions.Scores;

namespace Engage.Tests.Scores;

/// <summary>The projection's state (decision 1201): its bytes round-trip, and epoch-relative figures convert to any asOf.</summary>
public sealed class ProjectionStateTests
{
    private static readonly ScoringOptions Options = new();

    [Fact]
    public void ToBytes_ThenFromBytes_KeepsEveryFigureIncludingZeroScoresAndNulls()
    {
        var at = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var state = new ProjectionState { Mark = at, FullAt = at.AddHours(-3), CommunityAt = at.AddMinutes(-30), OptionsHash = "o", PeopleHash = "p", CommunityJson = "{\"users\":2}" };
        state.Identities["x:ada"] = new Figures("ada", 101.5, true, 0.25, 0.5, 99.0, 100.0) { Level = Levels.ChampionLevel };
        state.Identities["x:eve"] = new Figures(null, double.NegativeInfinity, true, null, null, double.NegativeInfinity, 98.0) { Level = Levels.Participant };
        state.Entrants["ada-p"] = new Figures(null, 102.0, true, 0.1, null, 99.5, 99.5);

        var back = RoundTrip(state);

        Assert.Equal(state.Mark, back.Mark);
        Assert.Equal(state.FullAt, back.FullAt);
        Assert.Equal(state.CommunityAt, back.CommunityAt);
        Assert.Equal(state.CommunityJson, back.CommunityJson);
        Assert.Equal(state.Identities["x:ada"], back.Identities["x:ada"]);
        Assert.Equal(state.Identities["x:eve"], back.Identities["x:eve"]);
        Assert.Equal(state.Entrants["ada-p"], back.Entrants["ada-p"]);
        Assert.Equal(0, back.Identities["x:eve"].Score(100));
    }

    [Fact]
    public void InteractionsNaming_FindsTheSameRowsAsAPassOverEveryRow_ThroughReplaceRemoveDropAndLoad()
    {
        // Decision 1283: the index answers what the pass over every row answered, whatever changed the rows.
        var at = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        Fact Post(string id, string actor, DateTimeOffset when) => new() { UserId = actor, InteractionId = id, Kind = InteractionKind.Post, Actor = actor, OccurredAt = when };
        Fact Reply(string id, string actor, string parentAuthor, DateTimeOffset when, string[]? mentions = null) => new()
        {
            UserId = actor, InteractionId = id, Kind = InteractionKind.Reply, Actor = actor, OccurredAt = when,
            InReplyToId = "x:p1", InReplyToAuthor = parentAuthor, ParentIsQuestion = false, ParentTracked = true, Mentions = mentions ?? [],
        };
        var state = new ProjectionState();
        var rows = new[]
        {
            Post("x:p1", "x:ada", at),
            Reply("x:r1", "x:ben", "x:ada", at.AddHours(1), ["x:cy"]),
            Reply("x:r1", "x:ben", "x:dee", at.AddHours(1)) with { RootFallback = true }, // the same interaction's fallback row
            Reply("x:r2", "x:eve", "x:ben", at.AddDays(1)),
            Post("x:p2", "x:cy", at.AddDays(2)),
            Reply("x:r3", "x:fay", "x:gus", at.AddDays(2)) with { ParentTracked = false, ParentIsQuestion = null }, // only the items index knows its parent
        };
        foreach (var f in rows)
        {
            state.Rows[FactKeys.FactRowKey(f)] = f;
        }

        static List<string> Pass(ProjectionState s, HashSet<string> users)
        {
            var ids = s.Rows.Values.Where(f => IncrementalRun.Unresolved(f) || IncrementalRun.Names(f).Any(users.Contains)).Select(f => f.InteractionId).ToHashSet(StringComparer.Ordinal);
            return s.Rows.Values.Where(f => ids.Contains(f.InteractionId)).Select(FactKeys.FactRowKey).Order(StringComparer.Ordinal).ToList();
        }

        void Same(ProjectionState s)
        {
            foreach (var users in new[] { new[] { "x:ada" }, ["x:cy"], ["x:dee"], ["x:ben", "x:eve"], ["x:nobody"], ["x:gus", "x:cy"] })
            {
                var set = users.ToHashSet(StringComparer.Ordinal);
                Assert.Equal(Pass(s, set), s.Rows.InteractionsNaming(set).Select(FactKeys.FactRowKey).ToList());
            }
        }

        Same(state);
        Assert.Contains(FactKeys.FactRowKey(rows[2]), state.Rows.InteractionsNaming(["x:cy"]).Select(FactKeys.FactRowKey)); // named by the other row of its interaction

        // A changed row (a late parent now names another author), a removed row, a day dropped, and the state read back.
        var changed = rows[3] with { InReplyToAuthor = "x:cy" };
        state.Rows[FactKeys.FactRowKey(changed)] = changed;
        Assert.DoesNotContain(FactKeys.FactRowKey(changed), state.Rows.KeysNaming("x:ben"));
        Same(state);
        state.Rows.Remove(FactKeys.FactRowKey(rows[4]), out _);
        Assert.Empty(state.Rows.KeysNaming("x:nobody"));
        Same(state);
        state.Rows.DropBefore(FactKeys.LowerBound(at.AddHours(2)));
        Assert.Empty(state.Rows.KeysNaming("x:ada"));
        Same(state);
        Same(RoundTrip(state));
    }

    /// <summary>The state as stored (decisions 1242, 1292): the core part, the buckets of figures and one part per day, read back together.</summary>
    private static ProjectionState RoundTrip(ProjectionState state) =>
        ProjectionState.FromBytes(state.CoreBytes(), state.UserBytes(), state.Rows.Days.Select(state.DayBytes).ToList())!;

    [Fact]
    public void Figures_FromAFoldAtOneAsOf_ConvertToTheDecayedFiguresAtAnother()
    {
        var asOf = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var later = asOf.AddDays(7.5);
        var window = new Window(asOf, Window.Default);
        var engagement = new Engagement("x:ada", "ada", window, 12.5, 0.2, 0.8, new Counts(), []) { Authored = 3 };
        var reciprocity = new Reciprocity("x:ada", "ada", window, new Flow(2, 6), new Flow(3, 4), 4, 4.0 / 6, null, null, [], [], []);

        var f = Figures.From(engagement, reciprocity, ProjectionState.EpochAt(asOf, Options));
        var decay = Options.Decay(asOf, later);

        Assert.Equal(12.5 * decay, f.Score(ProjectionState.EpochAt(later, Options)), 1e-12);
        Assert.Equal(6 * decay, f.Given(ProjectionState.EpochAt(later, Options)), 1e-12);
        Assert.Equal(4 * decay, f.Tie(ProjectionState.EpochAt(later, Options)), 1e-12);
        Assert.Equal(4.0 / 6, f.Index);
        Assert.True(f.Active);
    }

    [Fact]
    public void ToBytes_ThenFromBytes_KeepsTheWindowsRows_ByTheirRowKeys()
    {
        var at = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        var reply = new Fact
        {
            UserId = "x:ben", InteractionId = "x:r1", Kind = InteractionKind.Reply, Actor = "x:ben", ActorHandle = "ben", OccurredAt = at,
            InReplyToId = "x:p1", InReplyToAuthor = "x:ada", ParentIsQuestion = true, ParentClassifierVersion = "v2", ParentTracked = true,
            Mentions = ["x:cy", "x:dee"], TextSignals = Engage.Domain.Signals.SignalSet.Thanks | Engage.Domain.Signals.SignalSet.Evidence,
            ClassifierVersion = "v2", RootFallback = true, Handles = new Dictionary<string, string> { ["x:ben"] = "ben", ["x:cy"] = "cy" },
        };
        var reaction = new Fact
        {
            UserId = "x:eve", InteractionId = "x:c1", Kind = InteractionKind.Reaction, Actor = "x:eve", OccurredAt = at.AddMinutes(-3),
            SubjectId = "x:p1", SubjectAuthor = "x:ada", Accepted = true,
        };
        var state = new ProjectionState();
        state.Rows[FactKeys.FactRowKey(reply)] = reply;
        state.Rows[FactKeys.FactRowKey(reaction)] = reaction;

        var back = RoundTrip(state);

        Assert.Equal(state.Rows.Keys.Order(StringComparer.Ordinal), back.Rows.Keys.Order(StringComparer.Ordinal));
        foreach (var key in state.Rows.Keys)
        {
            var f = state.Rows[key];
            var g = back.Rows[key];
            Assert.Equal(f with { Mentions = [], Handles = null }, g with { Mentions = [], Handles = null });
            Assert.Equal(f.Mentions, g.Mentions);
            Assert.Equal(f.Handles?.OrderBy(h => h.Key, StringComparer.Ordinal), g.Handles?.OrderBy(h => h.Key, StringComparer.Ordinal));
        }

        Assert.Equal("cy", back.Rows[FactKeys.FactRowKey(reply)].Handles!["x:cy"]);
        Assert.Null(back.Rows[FactKeys.FactRowKey(reaction)].Handles);
    }

    [Fact]
    public void Rows_AreGroupedByUtcDay_AndOnlyTheDaysChangedSinceReadingCountAsChanged()
    {
        var day1 = new DateTimeOffset(2026, 11, 29, 23, 59, 0, TimeSpan.Zero);
        Fact Post(string id, DateTimeOffset at) => new() { UserId = "x:ada", InteractionId = id, Kind = InteractionKind.Post, Actor = "x:ada", OccurredAt = at };
        var state = new ProjectionState();
        foreach (var f in new[] { Post("x:a", day1), Post("x:b", day1.AddMinutes(2)), Post("x:c", day1.AddDays(2)) })
        {
            state.Rows[FactKeys.FactRowKey(f)] = f;
        }

        Assert.Equal(["20261129", "20261130", "20261201"], state.Rows.Days);
        var back = RoundTrip(state);
        Assert.Equal(3, back.Rows.Count);
        Assert.Empty(back.Rows.Changed);

        // A new row of one day, and the rows before a bound dropped: a whole day and part of none.
        var late = Post("x:d", day1.AddDays(1.5));
        back.Rows[FactKeys.FactRowKey(late)] = late;
        Assert.Equal(["20261201"], back.Rows.Changed);
        var gone = back.Rows.DropBefore(FactKeys.LowerBound(day1.AddMinutes(1)));
        Assert.Equal(["x:a"], gone.Select(f => f.InteractionId));
        Assert.Equal(["20261129", "20261201"], back.Rows.Changed.Order(StringComparer.Ordinal));
        Assert.Equal(3, back.Rows.Count);
        Assert.False(back.Rows.ContainsKey(FactKeys.FactRowKey(Post("x:a", day1))));
    }

    [Fact]
    public void SameRow_ComparesMentionsAndHandlesByContent_AndEveryOtherValue()
    {
        var at = new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
        Fact Row() => new()
        {
            UserId = "x:ada", InteractionId = "x:r", Kind = InteractionKind.Reply, Actor = "x:ada", OccurredAt = at, InReplyToId = "x:p",
            Mentions = ["x:ben"], Handles = new Dictionary<string, string> { ["x:ben"] = "ben" },
        };

        Assert.True(WindowRows.SameRow(Row(), Row()));
        Assert.False(WindowRows.SameRow(Row(), Row() with { InReplyToAuthor = "x:cy" }));
        Assert.False(WindowRows.SameRow(Row(), Row() with { Mentions = ["x:cy"] }));
        Assert.False(WindowRows.SameRow(Row(), Row() with { Handles = new Dictionary<string, string> { ["x:ben"] = "benny" } }));
        Assert.False(WindowRows.SameRow(Row(), Row() with { Handles = null }));
    }

    [Fact]
    public void FromBytes_OfAnotherFormatOrCorruptBytes_IsNull()
    {
        var state = new ProjectionState { CommunityJson = "{}" };
        state.Identities["x:ada"] = new Figures("ada", 1, true, null, null, 1, 1);
        var core = state.CoreBytes();
        var users = state.UserBytes();
        Assert.Null(ProjectionState.FromBytes(core[..(core.Length / 2)], users, []));
        Assert.NotNull(ProjectionState.FromBytes(core, users, []));
        Assert.Null(ProjectionState.FromBytes(core, users, [new byte[] { 1, 2, 3 }]));
        Assert.Null(ProjectionState.FromBytes(core, [users[0][..(users[0].Length / 2)]], []));
        Assert.Null(ProjectionState.FromBytes(core, [core], [])); // not a bucket: another shape after the format

        // A bucket whose count of figures is damaged (here: int.MaxValue) is unreadable, not a reservation of memory.
        using var damaged = new MemoryStream();
        using (var w = new BinaryWriter(damaged, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(1);
            w.Write(0);
            w.Write(int.MaxValue);
            w.Write("x:ada");
        }

        Assert.Null(ProjectionState.FromBytes(core, [ProjectionState.Pack(damaged.ToArray())], []));
    }

    [Fact]
    public void UserBuckets_EqualFiguresGiveEqualBytes_AChangeDirtiesOnlyItsBucket()
    {
        var one = new ProjectionState();
        var two = new ProjectionState();
        var ids = Enumerable.Range(0, 20_000).Select(n => $"x:user{n}").ToList();
        foreach (var id in ids)
        {
            one.Identities[id] = new Figures(id, id.Length, true, 0.5, null, 1, 2) { Level = Levels.Participant };
        }

        foreach (var id in Enumerable.Reverse(ids))
        {
            two.Identities[id] = one.Identities[id]; // another insertion order: the same bytes
        }

        var count = one.BucketCount();
        Assert.Equal(64, count); // 20,000 / 400 = 50, up to a power of two
        var before = one.UserBucketBytes(count);
        Assert.Equal(before, two.UserBucketBytes(count));
        Assert.Equal(count, before.Count);

        one.Identities["x:user7"] = one.Identities["x:user7"] with { Log2Score = 99 };
        one.Entrants["p:new"] = new Figures(null, 1, true, null, null, 1, 1);
        var after = one.UserBucketBytes(count);
        var changed = after.Keys.Where(b => !before.TryGetValue(b, out var was) || !was.SequenceEqual(after[b])).Order().ToList();
        Assert.Equal(new[] { ProjectionState.BucketOf("x:user7", count), ProjectionState.BucketOf("p:new", count) }.Distinct().Order(), changed);

        // Read back from the packed buckets, every bucket counts as stored, with the fingerprint of its bytes and its count.
        var back = ProjectionState.FromBytes(one.CoreBytes(), one.UserBytes(), [])!;
        Assert.Equal(one.Identities.Count, back.Identities.Count);
        Assert.Equal(one.Entrants["p:new"], back.Entrants["p:new"]);
        Assert.Equal(count, back.StoredBucketCount);
        Assert.Equal(after.Keys, back.StoredBuckets.Keys.Order());
        Assert.Equal(after, back.UserBucketBytes(count));

        // Buckets of two counts never make one state.
        var other = new ProjectionState();
        other.Identities["x:solo"] = one.Identities["x:user7"];
        Assert.Null(ProjectionState.FromBytes(one.CoreBytes(), [.. one.UserBytes(), .. other.UserBytes()], []));
    }

    [Fact]
    public void TheCoresDelta_OverTheBucketsAsWritten_ReadsBackAsTheFiguresNow_AndWritesOnlyWhatChanged()
    {
        var state = new ProjectionState();
        for (var n = 0; n < 1_000; n++)
        {
            state.Identities[$"x:user{n}"] = new Figures($"user{n}", n, true, 0.5, null, 1, 2) { Level = Levels.Participant };
            state.Entrants[$"p:{n}"] = new Figures(null, n, true, null, 0.3, 1, 1);
        }

        // The buckets as a write stores them; from then on the figures they hold are the baseline of the delta.
        var buckets = state.UserBytes();
        state.MarkBucketed();
        Assert.Equal(0, state.PendingDelta().Count);

        // Refolded to the same values, a user is not in the delta; changed, new or gone, they are.
        state.Identities["x:user1"] = state.Identities["x:user1"] with { };
        state.Identities["x:user2"] = state.Identities["x:user2"] with { Level = Levels.EngagedLevel };
        state.Identities["x:new"] = new Figures("new", 3, true, null, null, 1, 1);
        state.Identities.Remove("x:user3");
        state.Entrants["p:4"] = state.Entrants["p:4"] with { Index = 0.9 };
        state.Entrants.Remove("p:5");
        var delta = state.PendingDelta();
        Assert.Equal(["x:new", "x:user2"], delta.Identities);
        Assert.Equal(["x:user3"], delta.GoneIdentities);
        Assert.Equal(["p:4"], delta.Entrants);
        Assert.Equal(["p:5"], delta.GoneEntrants);

        // The old buckets and a core with the delta read back as the figures now; the delta is the baseline's difference again.
        var back = ProjectionState.FromBytes(state.CoreBytes(delta), buckets, [])!;
        Assert.Equal(state.Identities.OrderBy(e => e.Key, StringComparer.Ordinal), back.Identities.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(state.Entrants.OrderBy(e => e.Key, StringComparer.Ordinal), back.Entrants.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(delta.Count, back.PendingDelta().Count);

        // The core carries 6 figures, not 2,000: far fewer bytes than the buckets it spares.
        Assert.True(state.CoreBytes(delta).Length < buckets.Sum(b => b.Length) / 20, $"{state.CoreBytes(delta).Length} B of core");
    }

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(300, 0, 1)]
    [InlineData(3_000, 0, 8)]
    [InlineData(100_000, 0, 256)]
    [InlineData(1_000_000, 0, 256)]
    [InlineData(3_000, 16, 16)] // within a factor of two of the ideal 8: kept, no rewrite of every bucket
    [InlineData(3_000, 4, 4)]
    [InlineData(3_000, 2, 8)] // off by more: the ideal
    [InlineData(3_000, 64, 8)]
    public void BucketCount_FollowsTheFigures_KeepingTheStoredCountNearIt(int figures, int stored, int expected)
    {
        var state = new ProjectionState { StoredBucketCount = stored };
        for (var n = 0; n < figures; n++)
        {
            state.Identities[$"x:{n}"] = new Figures(null, 1, true, null, null, 1, 1);
        }

        Assert.Equal(expected, state.BucketCount());
    }
}
