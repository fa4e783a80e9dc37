using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.People;
using Engage.Domain.Scoring;
using Engage.Functions.Ingest;
using Engage.Functions.People;
using Engage.Functions.Scores;
using Engage.Functions.Storage;
using Engage.Functions.Users;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Engage.Tests.Scores;

/// <summary>
/// The incremental projection (decision 1201) against a full run: two stores fed the same interactions at the same
/// fake clock times, one projected in full every time, the other incrementally; after every step their leaderboards,
/// level cut-offs and score rows (converted to the same asOf) agree to 1e-9. An Azurite of the class's own.
/// </summary>
public sealed class IncrementalProjectionTests(IncrementalProjectionTests.Azurite azurite) : IAsyncLifetime, IClassFixture<IncrementalProjectionTests.Azurite>
{
    public sealed class Azurite : IDisposable
    {
        public AzuriteProcess Process { get; } = TestStorage.StartDedicated();

        public void Dispose() => Process.Dispose();
    }

    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly RequestLog _requests = new();
    private readonly string _facts = TestStorage.UniqueName("tfacts");
    private readonly string _activity = TestStorage.UniqueName("tact");
    private ServiceProvider _full = null!;
    private ServiceProvider _incremental = null!;
    private ServiceProvider[] Both => [_full, _incremental];

    public async Task InitializeAsync()
    {
        _full = Create();
        _incremental = Create(_requests);
        foreach (var s in Both)
        {
            await s.GetRequiredService<EngageStorage>().EnsureReadyAsync(CancellationToken.None);
        }
    }

    /// <param name="log">When given, every table request of the store is recorded in it (the incremental store's reads are counted).</param>
    /// <param name="boardSize">When given, the boards' size (<see cref="ProjectionOptions.LeaderboardSize"/>).</param>
    private ServiceProvider Create(RequestLog? log = null, int? boardSize = null) => TestServices.Create(
        new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.Process.ConnectionString,
            ["Storage:Activity"] = log is null ? TestStorage.UniqueName("tact") : _activity,
            ["Storage:Arrivals"] = TestStorage.UniqueName("tarr"),
            ["Storage:Facts"] = log is null ? TestStorage.UniqueName("tfacts") : _facts,
            ["Scores:LeaderboardSize"] = (boardSize ?? Projection.DefaultLeaderboardSize).ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
        services =>
        {
            services.AddSingleton<TimeProvider>(_clock);
            if (log is not null)
            {
                var options = new TableClientOptions();
                options.AddPolicy(log, HttpPipelinePosition.PerCall);
                services.AddSingleton(new TableServiceClient(azurite.Process.ConnectionString, options));
            }
        });

    public async Task DisposeAsync()
    {
        await _full.DisposeAsync();
        await _incremental.DisposeAsync();
    }

    [Fact]
    public async Task TheBoards_HoldTheSettingsSize_TheirHeadsAsAFullRunsInEveryRun()
    {
        // Both stores again, with boards of 2 (decision 1302): five users with something in the window.
        await DisposeAsync();
        _full = Create(boardSize: 2);
        _incremental = Create(_requests, boardSize: 2);
        foreach (var s in Both)
        {
            await s.GetRequiredService<EngageStorage>().EnsureReadyAsync(CancellationToken.None);
        }

        await IngestAsync(
            Post("x:b1", "x:ada", T0.AddMinutes(-50), "How do I pin the digest image?"),
            Reply("x:b2", "x:ben", "x:b1", T0.AddMinutes(-40), "Pin it in the digest settings."),
            Reply("x:b3", "x:cy", "x:b2", T0.AddMinutes(-30), "Thanks ben, that worked!"),
            Post("x:b4", "x:dee", T0.AddMinutes(-20), "Release notes are out."),
            Reply("x:b5", "x:eve", "x:b4", T0.AddMinutes(-10), "Which version fixed the digest?"));
        await RunBothAsync(expectFull: true);
        await AssertBoardsAsync(2);

        // A sixth user converses a lot: the boards' heads move, still two entries, as a full run has them.
        _clock.Advance(TimeSpan.FromHours(1));
        await IngestAsync(
            Reply("x:b6", "x:fay", "x:b5", _clock.GetUtcNow().AddMinutes(-30), "2.1 fixed it, see the notes."),
            Reply("x:b7", "x:fay", "x:b3", _clock.GetUtcNow().AddMinutes(-20), "Glad it worked, cy!"),
            Reply("x:b8", "x:eve", "x:b6", _clock.GetUtcNow().AddMinutes(-10), "Thanks fay!"));
        await RunBothAsync(expectFull: false);
        await AssertBoardsAsync(2);
    }

    private async Task AssertBoardsAsync(int size)
    {
        foreach (var s in Both)
        {
            var scores = s.GetRequiredService<ScoreStore>();
            Assert.Equal(size, (await scores.GetLeaderboardAsync("engagement", CancellationToken.None))!.Entries.Count);
            Assert.InRange((await scores.GetLeaderboardAsync("reciprocity", CancellationToken.None))!.Entries.Count, 1, size);
        }
    }

    [Fact]
    public async Task IncrementalRuns_AgreeWithFullRuns_ThroughArrivalsDeparturesLateParentsErasureAndLinks()
    {
        // Before the first run: a conversation now, and one near the window's start that leaves it hours later.
        await IngestAsync(
            Post("x:p1", "x:ada", T0.AddMinutes(-50), "How do I pin the digest image?"),
            Reply("x:r1", "x:ben", "x:p1", T0.AddMinutes(-40), "Pin it in the digest settings."),
            Reaction("x:c1", "x:cy", "x:p1", "x:ada", T0.AddMinutes(-30)),
            Post("x:p2", "x:dee", T0.AddMinutes(-20), "Release notes are out."),
            Reply("x:r2", "x:eve", "x:p2", T0.AddMinutes(-10), "Thanks, that fixed it for me.", "x:ada"),
            Reply("x:r3", "x:ada", "x:r1", T0.AddMinutes(-5), "Thanks ben, that worked!"),
            Post("x:p0", "x:fay", T0.AddDays(-29.9), "Anyone tried the new theme?"),
            Reply("x:r0", "x:gus", "x:p0", T0.AddDays(-29.8), "Yes, it works well with dark mode."));
        await RunBothAsync(expectFull: true);

        // New arrivals: a reply to an old post, and a reply whose parent is not known yet.
        _clock.Advance(TimeSpan.FromHours(1));
        await IngestAsync(
            Reply("x:r4", "x:hal", "x:p1", _clock.GetUtcNow().AddMinutes(-30), "You can also pin it from the menu."),
            Reply("x:r5", "x:ivy", "x:late", _clock.GetUtcNow().AddMinutes(-20), "Which version is this?", "x:ben"));
        await RunBothAsync(expectFull: false);

        // fay's post leaves the window (fay falls silent) and the late parent arrives: ivy's reply gives to jon now.
        _clock.Advance(TimeSpan.FromHours(3));
        await IngestAsync(Post("x:late", "x:jon", _clock.GetUtcNow().AddHours(-5), "What is new in 2.0?"));
        await RunBothAsync(expectFull: false);

        // gus's reply leaves too (touched by the departure only); ben is erased.
        _clock.Advance(TimeSpan.FromHours(2));
        foreach (var s in Both)
        {
            await s.GetRequiredService<UserEraser>().EraseAsync("x:ben", CancellationToken.None);
        }

        await RunBothAsync(expectFull: false);

        // A run with nothing new since the last: no partition read at all.
        _clock.Advance(TimeSpan.FromMinutes(10));
        await RunBothAsync(expectFull: false);
        _clock.Advance(TimeSpan.FromMinutes(10));
        await RunBothAsync(expectFull: false);
        var quiet = _incremental.GetRequiredService<Projection>().LastRun!;
        Assert.Equal(0, quiet.PartitionsRead);
        Assert.Equal(0, quiet.Rows);

        // A person linked: the incremental store runs in full once, then incrementally with people as entrants.
        _clock.Advance(TimeSpan.FromMinutes(10));
        foreach (var s in Both)
        {
            await s.GetRequiredService<PeopleStore>().PutAsync(new Person("ada-p", "Ada", PersonRoles.Member, ["x:ada", "x:dee"]), move: false, CancellationToken.None);
        }

        await RunBothAsync(expectFull: true);
        Assert.Equal("people links changed", _incremental.GetRequiredService<Projection>().LastRun!.Reason);

        _clock.Advance(TimeSpan.FromHours(1));
        await IngestAsync(
            Reply("x:r6", "x:kim", "x:p2", _clock.GetUtcNow().AddMinutes(-15), "Great notes, thanks dee!"),
            Reply("x:r7", "x:dee", "x:r6", _clock.GetUtcNow().AddMinutes(-5), "Glad they helped."));
        await RunBothAsync(expectFull: false);
    }

    [Fact]
    public async Task AnIncrementalRun_AfterKNewInteractions_ReadsKActivityRowsByKey_AndNoUserPartition()
    {
        await IngestAsync(
            Post("x:q1", "x:ada", T0.AddHours(-5), "How do I rotate the webhook secret?"),
            Reply("x:q2", "x:ben", "x:q1", T0.AddHours(-4), "Use the settings page, then restart."),
            Post("x:q3", "x:cy", T0.AddDays(-10), "Weekly notes are up."));
        _clock.Advance(TimeSpan.FromMinutes(5)); // past the arrival margin: the next run reads only what arrives after this one
        await RunBothAsync(expectFull: true);

        // Late events (a delayed delivery, an import): they happened before the previous run, so the read of the rows
        // that entered by time does not hold them (decision 1297) and each is read by key.
        _clock.Advance(TimeSpan.FromMinutes(30));
        const int k = 5;
        await IngestAsync(Enumerable.Range(0, k).Select(n =>
            Reply($"x:k{n}", $"x:u{n}", n % 2 == 0 ? "x:q1" : "x:q3", T0.AddMinutes(-50 + n), "Thanks, that answers it.")).ToArray());
        _requests.Clear();
        await RunBothAsync(expectFull: false);

        var run = _incremental.GetRequiredService<Projection>().LastRun!;
        Assert.Equal(k, run.PointReads);
        Assert.Equal(0, run.AnsweredByTime);
        Assert.Equal(0, run.PartitionsRead);

        // Refolded (decision 1299): the touched users (u0–u4, ada, cy) from every interaction naming one of them: the k
        // replies, ada's and cy's posts and ben's earlier reply to ada; nothing else of the window.
        Assert.Equal(k + 3, run.RowsRefolded);
        var requests = _requests.Snapshot();
        var activityReads = requests.Where(r => r.Table.StartsWith(_activity, StringComparison.Ordinal)).ToList();
        Assert.Equal(run.SingleReads, activityReads.Count(r => r.PointRead));
        Assert.Equal(run.RangeReads, activityReads.Count(r => r.OnePartition));
        Assert.InRange(run.SingleReads + run.RangeReads, 1, k); // never more calls than rows; fewer where rows share a partition (decision 1293)
        Assert.DoesNotContain(requests, r => r.Table == _facts);
    }

    [Fact]
    public async Task ManyInteractionsOfOneHour_AreReadBackInAFewRangeReads_AndTheRunStillAgreesWithAFullOne()
    {
        await IngestAsync(
            Post("x:h1", "x:ada", T0.AddHours(-5), "How do I rotate the webhook secret?"),
            Post("x:h2", "x:cy", T0.AddDays(-3), "Weekly notes are up."));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await RunBothAsync(expectFull: true);

        // 40 replies within half an hour of one day, arriving late (before the previous run: not in the read of rows that
        // entered by time, decision 1297): 8 day-shard partitions hold them, about 5 each.
        _clock.Advance(TimeSpan.FromMinutes(40));
        const int k = 40;
        await IngestAsync(Enumerable.Range(0, k).Select(n =>
            Reply($"x:m{n}", $"x:v{n % 13}", n % 3 == 0 ? "x:h2" : "x:h1", T0.AddMinutes(-50 + (n * 0.5)), n % 2 == 0 ? "Thanks, that answers it." : "Did you try the settings page?")).ToArray());
        _requests.Clear();
        await RunBothAsync(expectFull: false);

        var run = _incremental.GetRequiredService<Projection>().LastRun!;
        Assert.Equal(k, run.PointReads);
        Assert.InRange(run.RangeReads, 1, FactKeys.ActivityShards);
        var activityReads = _requests.Snapshot().Where(r => r.Table.StartsWith(_activity, StringComparison.Ordinal)).ToList();
        Assert.Equal(run.SingleReads, activityReads.Count(r => r.PointRead));
        Assert.Equal(run.RangeReads, activityReads.Count(r => r.OnePartition));
        Assert.True(run.RangeReads + run.SingleReads <= FactKeys.ActivityShards + 2, $"{run.RangeReads + run.SingleReads} calls read {k} rows");

        // One of them is gone since and the arrival index names them all again: the range reads do not hold it, so the
        // run drops it, as a point read's 404 would.
        await DeleteOneAndNameAllAgainAsync(f => f.InteractionId.StartsWith("x:m", StringComparison.Ordinal), k, "x:m1");
    }

    [Fact]
    public async Task RowsThatHappenedSinceTheLastRun_AreReadOnceByTime_NoReadByKey_AndOneGoneSinceIsDropped()
    {
        await IngestAsync(Post("x:w1", "x:ada", T0.AddHours(-5), "How do I rotate the webhook secret?"));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await RunBothAsync(expectFull: true);

        // What arrives mostly just happened: the read of the rows that entered the window by time holds it (decision 1297).
        _clock.Advance(TimeSpan.FromMinutes(30));
        const int k = 6;
        await IngestAsync(Enumerable.Range(0, k).Select(n =>
            Reply($"x:w{n + 2}", $"x:u{n}", "x:w1", _clock.GetUtcNow().AddSeconds(-60 + n), "Thanks, that answers it.")).ToArray());
        _requests.Clear();
        await RunBothAsync(expectFull: false);

        var run = _incremental.GetRequiredService<Projection>().LastRun!;
        Assert.Equal(k, run.PointReads); // named by the arrival index
        Assert.Equal(k, run.AnsweredByTime);
        Assert.Equal(0, run.RangeReads + run.SingleReads);
        Assert.Equal(k, run.Rows); // each row read once
        var activityReads = _requests.Snapshot().Where(r => r.Table.StartsWith(_activity, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(activityReads, r => r.PointRead || r.OnePartition);
        Assert.InRange(activityReads.Count, 1, FactKeys.ActivityShards); // one range read per shard of this month

        // One of them is gone since, and the arrival index names them all again: the read by time does not hold it, so
        // the run drops it, as a point read's 404 would.
        await DeleteOneAndNameAllAgainAsync(f => f.InteractionId != "x:w1", k, "x:w3");
        var again = _incremental.GetRequiredService<Projection>().LastRun!;
        Assert.Equal(k, again.AnsweredByTime);
        Assert.Equal(0, again.RangeReads + again.SingleReads);
    }

    [Fact]
    public async Task ArrivalsOfAnOlderWriter_NamingUsersButNotRows_MakeTheRunFull()
    {
        await IngestAsync(Post("x:o1", "x:ada", T0.AddHours(-1), "Is the API stable yet?"));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await RunBothAsync(expectFull: true);

        // What a writer of before decision 1241 recorded: the users, not where the rows are.
        _clock.Advance(TimeSpan.FromMinutes(10));
        await IngestAsync(Reply("x:o2", "x:ben", "x:o1", _clock.GetUtcNow().AddMinutes(-5), "Yes, since 2.0."));
        await _incremental.GetRequiredService<FactStore>().Arrivals.WriteAsync("older", ["x:ben", "x:ada"], [], CancellationToken.None);
        await RunBothAsync(expectFull: true);
        Assert.Equal("arrivals without rows", _incremental.GetRequiredService<Projection>().LastRun!.Reason);
    }

    [Fact]
    public async Task TwentyIncrementalRuns_OfRandomArrivalsAndDepartures_AgreeWithFullRuns()
    {
        var random = new Random(1241);
        var users = Enumerable.Range(0, 12).Select(n => $"x:m{n}").ToArray();
        var posts = new List<(string Id, string Author)>();
        var next = 0;
        Interaction Next(DateTimeOffset at)
        {
            var id = $"x:i{next++}";
            var actor = users[random.Next(users.Length)];
            if (posts.Count == 0 || random.Next(4) == 0)
            {
                posts.Add((id, actor));
                return Post(id, actor, at, random.Next(2) == 0 ? "Does anyone know how to export the digest?" : "New release notes.");
            }

            var (parent, author) = posts[random.Next(posts.Count)];
            return random.Next(3) switch
            {
                0 => Reaction(id, actor, parent, author, at),
                1 => Reply(id, actor, parent, at, "Thanks, that fixed it for me.", users[random.Next(users.Length)]),
                _ => Reply(id, actor, parent, at, "You can export it from the settings page, see the docs."),
            };
        }

        // A first window, half of it in its first day: those leave it over the steps (the clock advances ~15 hours in
        // all, under the daily full run).
        await IngestAsync(Enumerable.Range(0, 40).Select(n => Next(_clock.GetUtcNow().AddDays(-30 + (random.NextDouble() * (n % 2 == 0 ? 1 : 30))))).ToArray());
        await RunBothAsync(expectFull: true);
        var departed = 0;
        for (var step = 0; step < 20; step++)
        {
            _clock.Advance(TimeSpan.FromMinutes(20 + random.Next(50)));
            var now = _clock.GetUtcNow();
            await IngestAsync(Enumerable.Range(0, random.Next(4)).Select(_ => Next(now.AddMinutes(-random.Next(1, 25)))).ToArray());
            await RunBothAsync(expectFull: false);
            departed += _incremental.GetRequiredService<Projection>().LastRun!.Departed;
        }

        Assert.True(departed > 0, "no interaction left the window over the steps");
    }

    [Fact]
    public async Task AnIncrementalRun_AfterInteractionsOfToday_WritesTheCoreWithTheChangedFiguresAndTodaysNewRows_FromTheStateKeptInMemory()
    {
        await IngestAsync(
            Post("x:d1", "x:ada", T0.AddDays(-5), "Is the export stable?"),
            Reply("x:d2", "x:ben", "x:d1", T0.AddDays(-3), "Yes, since 2.0."),
            Post("x:d3", "x:cy", T0.AddHours(-1), "Weekly notes are up."));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await RunBothAsync(expectFull: true);
        var days = (await HeadSetsAsync()).Keys.Where(k => k != "core" && !k.StartsWith('u')).ToList();
        Assert.Equal(["20261115", "20261117", "20261120"], days);
        Assert.Equal(new[] { "x:ada", "x:ben", "x:cy" }.Select(Bucket).Distinct().Order(StringComparer.Ordinal),
            (await HeadSetsAsync()).Keys.Where(k => k.StartsWith('u')).Order(StringComparer.Ordinal));

        _clock.Advance(TimeSpan.FromMinutes(30));
        await IngestAsync(
            Reply("x:d4", "x:dee", "x:d3", _clock.GetUtcNow().AddMinutes(-10), "Thanks, very useful."),
            Reply("x:d5", "x:eve", "x:d1", _clock.GetUtcNow().AddMinutes(-5), "It works for me too."));
        var before = await HeadSetsAsync();
        _requests.Clear();
        await RunBothAsync(expectFull: false);

        var run = _incremental.GetRequiredService<Projection>().LastRun!;
        Assert.True(run.StateFromMemory);

        // Written (single requests or transactions): the head, the core and today's new rows. The figures that changed
        // (the new users', those they gave to) ride in the core (decision 1295): no bucket is rewritten.
        var after = await HeadSetsAsync();
        var buckets = after.Keys.Where(k => k.StartsWith('u')).ToList();
        Assert.All(buckets, b => Assert.Equal(before[b], after[b]));
        Assert.Equal(2, run.StateWrite!.Sets); // the core and today's segment
        Assert.True(run.StateWrite.FiguresInCore >= 2, $"{run.StateWrite.FiguresInCore} figures in the core");
        Assert.Equal(new[] { "x:ada", "x:ben", "x:cy" }.Select(Bucket).Distinct().Order(StringComparer.Ordinal), buckets.Order(StringComparer.Ordinal));
        var writes = _requests.Writes().Where(w => w.Table == CommunityTable).ToList();
        Assert.Contains(writes, w => w.Method == "PUT" && w.Row == "state");
        Assert.All(writes, w => Assert.True(w.Row == "state" || w.Row.StartsWith("state-core-", StringComparison.Ordinal) || w.Row.StartsWith("state-20261120+", StringComparison.Ordinal)
            || (w.Method == "DELETE" && w.Row.StartsWith("state-core-", StringComparison.Ordinal)), $"{w.Method} {w.Row}"));

        // The head's read and write, one transaction of the new chunk rows, one of the old versions' deletes.
        Assert.Equal(4, run.StateWrite.Calls);

        // The older days are named as they were, and today too: it only gained rows, which went into a segment of
        // their own beside it (decision 1294); the core has a new version.
        Assert.Equal(before["20261115"], after["20261115"]);
        Assert.Equal(before["20261117"], after["20261117"]);
        Assert.Equal(before["20261120"], after["20261120"]);
        Assert.Single(after.Keys, k => k.StartsWith("20261120+", StringComparison.Ordinal));
        Assert.Equal(1, run.StateWrite.Segments);
        Assert.NotEqual(before["core"], after["core"]);
        Assert.Equal(after.Values.Sum(s => s.Chunks), (await StateRowsAsync()).Count);
    }

    /// <summary>The bucket set of a user's figures in these small states (a few users: one bucket, decision 1292).</summary>
    private static string Bucket(string user) => "u" + ProjectionState.BucketOf(user, 1).ToString("D3", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task ADayThatOnlyGainsRows_GetsASegmentARun_IsRewrittenWholeOnceItHasEnough_AndReadsBackWhole()
    {
        await IngestAsync(Post("x:s0", "x:ada", T0.AddHours(-3), "Is the export stable?"));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await RunBothAsync(expectFull: true);
        var today = (await HeadSetsAsync())["20261120"];
        List<string> Segments(Dictionary<string, (string Version, int Chunks)> sets) =>
            [.. sets.Keys.Where(k => k.StartsWith("20261120+", StringComparison.Ordinal))];

        // Each run after new rows of today adds one segment holding them, and leaves the day's own set as it was.
        for (var k = 1; k <= ProjectionStateStore.MaxSegments; k++)
        {
            _clock.Advance(TimeSpan.FromMinutes(5));
            await IngestAsync(Reply($"x:s{k}", $"x:u{k}", "x:s0", _clock.GetUtcNow().AddMinutes(-1), "Yes, since 2.0."));
            await RunBothAsync(expectFull: false);
            var sets = await HeadSetsAsync();
            Assert.Equal(today, sets["20261120"]);
            Assert.Equal(k, Segments(sets).Count);
            Assert.Equal(1, _incremental.GetRequiredService<Projection>().LastRun!.StateWrite!.Segments);
        }

        // One more: the day is rewritten whole, and its segments go.
        _clock.Advance(TimeSpan.FromMinutes(5));
        await IngestAsync(Reply("x:s99", "x:u99", "x:s0", _clock.GetUtcNow().AddMinutes(-1), "Thanks, that helps."));
        await RunBothAsync(expectFull: false);
        var rewritten = await HeadSetsAsync();
        Assert.NotEqual(today, rewritten["20261120"]);
        Assert.Empty(Segments(rewritten));
        Assert.Equal(0, _incremental.GetRequiredService<Projection>().LastRun!.StateWrite!.Segments);
        Assert.DoesNotContain(await StateRowsAsync(), r => r.StartsWith("state-20261120+", StringComparison.Ordinal));

        // A row replaced (a late parent's columns) is not a gain: the day is rewritten whole, no segment.
        _clock.Advance(TimeSpan.FromMinutes(5));
        await IngestAsync(Reply("x:s100", "x:u100", "x:late", _clock.GetUtcNow().AddMinutes(-2), "Same here."));
        await RunBothAsync(expectFull: false);
        var withSegment = await HeadSetsAsync();
        Assert.Single(Segments(withSegment));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await IngestAsync(Post("x:late", "x:ben", T0.AddHours(-4), "What is the plan for 3.0?"));
        await RunBothAsync(expectFull: false);
        Assert.Equal(0, _incremental.GetRequiredService<Projection>().LastRun!.StateWrite!.Segments);
        Assert.Empty(Segments(await HeadSetsAsync()));

        // Read cold (another instance), a day and its segments make the day whole again: that instance's write, and the
        // next run from storage, still agree with a full run.
        _clock.Advance(TimeSpan.FromMinutes(5));
        await IngestAsync(Reply("x:s101", "x:u101", "x:late", _clock.GetUtcNow().AddMinutes(-1), "Following."));
        await RunBothAsync(expectFull: false);
        Assert.Single(Segments(await HeadSetsAsync()));
        var other = new ProjectionStateStore(_incremental.GetRequiredService<EngageStorage>());
        var cold = (await other.ReadAsync(CancellationToken.None)).State!;
        var expected = new[] { "x:s0", "x:s99", "x:s100", "x:late", "x:s101" }.Concat(Enumerable.Range(1, ProjectionStateStore.MaxSegments).Select(k => $"x:s{k}"));
        Assert.Equal(expected.Order(StringComparer.Ordinal), cold.Rows.Values.Select(f => f.InteractionId).Distinct().Order(StringComparer.Ordinal));
        await other.WriteAsync(cold, sweep: false, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await IngestAsync(Reply("x:s102", "x:u102", "x:s0", _clock.GetUtcNow().AddMinutes(-1), "Me too."));
        await RunBothAsync(expectFull: false);
        Assert.False(_incremental.GetRequiredService<Projection>().LastRun!.StateFromMemory);
    }

    [Fact]
    public async Task ChangedFigures_RideInTheCore_UntilThereAreMoreThanItMayCarry_ThenTheBucketsAreRewritten_AndAColdReadAppliesThem()
    {
        _incremental.GetRequiredService<Projection>().States.FiguresInCoreLimit = 6;
        await IngestAsync(Post("x:f0", "x:ada", T0.AddHours(-3), "Is the export stable?"));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await RunBothAsync(expectFull: true);
        var bucket = (await HeadSetsAsync())[Bucket("x:ada")];

        // Each run's changed figures (the new replier's, and ada's, who received) stay in the core: the bucket is as it was.
        var carried = new List<int>();
        for (var k = 1; ; k++)
        {
            _clock.Advance(TimeSpan.FromMinutes(5));
            await IngestAsync(Reply($"x:f{k}", $"x:r{k}", "x:f0", _clock.GetUtcNow().AddMinutes(-1), "Yes, since 2.0."));
            await RunBothAsync(expectFull: false);
            var write = _incremental.GetRequiredService<Projection>().LastRun!.StateWrite!;
            if (write.FiguresInCore == 0)
            {
                break; // more than 6: the buckets were rewritten and the core carries nothing
            }

            carried.Add(write.FiguresInCore);
            Assert.Equal(bucket, (await HeadSetsAsync())[Bucket("x:ada")]);
            Assert.True(k < 10, "the buckets were never rewritten");

            if (k == 2)
            {
                // Read cold by another instance (the bucket as written, the core's figures over it), written back, then
                // run from storage: the leaderboards and levels, which every user's figures make, still agree with a full run.
                var other = new ProjectionStateStore(_incremental.GetRequiredService<EngageStorage>()) { FiguresInCoreLimit = 6 };
                var cold = (await other.ReadAsync(CancellationToken.None)).State!;
                Assert.Contains("x:r2", cold.Identities.Keys);
                Assert.Equal(write.FiguresInCore, cold.PendingDelta().Count);
                await other.WriteAsync(cold, sweep: false, CancellationToken.None);
                _clock.Advance(TimeSpan.FromMinutes(5));
                await RunBothAsync(expectFull: false);
                Assert.False(_incremental.GetRequiredService<Projection>().LastRun!.StateFromMemory);
            }
        }

        Assert.True(carried.Count >= 2, string.Join(", ", carried));
        Assert.Equal(carried.Order(), carried); // the delta only grows until the buckets take it
        Assert.NotEqual(bucket, (await HeadSetsAsync())[Bucket("x:ada")]);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await IngestAsync(Reply("x:f99", "x:r99", "x:f0", _clock.GetUtcNow().AddMinutes(-1), "Thanks."));
        await RunBothAsync(expectFull: false);
        Assert.InRange(_incremental.GetRequiredService<Projection>().LastRun!.StateWrite!.FiguresInCore, 1, 6);
    }

    [Fact]
    public async Task ADayLeavingTheWindow_HasItsChunksDeleted()
    {
        await IngestAsync(
            Post("x:e1", "x:fay", T0.AddDays(-29.9), "Anyone tried the new theme?"),
            Post("x:e2", "x:ada", T0.AddHours(-1), "Release notes are out."));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await RunBothAsync(expectFull: true);
        var old = WindowRows.DayOf(Engage.Domain.Facts.FactKeys.LowerBound(T0.AddDays(-29.9)));
        Assert.Contains(old, (await HeadSetsAsync()).Keys);

        _clock.Advance(TimeSpan.FromHours(3));
        _requests.Clear();
        await RunBothAsync(expectFull: false);

        Assert.Equal(1, _incremental.GetRequiredService<Projection>().LastRun!.Departed);
        Assert.DoesNotContain(old, (await HeadSetsAsync()).Keys);
        Assert.DoesNotContain(await StateRowsAsync(), k => k.StartsWith($"state-{old}-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARunCutShortBetweenItsChunksAndTheHead_LeavesThePreviousStateReadable_AndTheNextRunCorrect()
    {
        await IngestAsync(
            Post("x:f1", "x:ada", T0.AddDays(-2), "How do I rotate the webhook secret?"),
            Reply("x:f2", "x:ben", "x:f1", T0.AddHours(-3), "From the settings page."));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await RunBothAsync(expectFull: true);
        var states = _incremental.GetRequiredService<Projection>().States;
        var previous = (await states.ReadAsync(CancellationToken.None)).State!;
        var mark = previous.Mark;
        var rows = previous.Rows.Keys.Order(StringComparer.Ordinal).ToList();

        // What a run killed after its chunks would leave: today's day and the core rewritten under a new version, no head.
        _clock.Advance(TimeSpan.FromMinutes(20));
        await IngestAsync(Reply("x:f3", "x:cy", "x:f1", _clock.GetUtcNow().AddMinutes(-5), "Thanks, that worked."));
        var stray = new Engage.Domain.Facts.Fact { UserId = "x:zed", InteractionId = "x:stray", Kind = InteractionKind.Post, Actor = "x:zed", OccurredAt = _clock.GetUtcNow() };
        previous.Rows[Engage.Domain.Facts.FactKeys.FactRowKey(stray)] = stray;
        previous.Mark = _clock.GetUtcNow();
        await states.WriteAsync(previous, sweep: false, stopBeforeHead: true, CancellationToken.None);
        Assert.True((await StateRowsAsync()).Count > (await HeadSetsAsync()).Values.Sum(s => s.Chunks));

        var read = await states.ReadAsync(CancellationToken.None);
        Assert.False(read.FromMemory);
        Assert.Equal(mark, read.State!.Mark);
        Assert.Equal(rows, read.State.Rows.Keys.Order(StringComparer.Ordinal));

        await RunBothAsync(expectFull: false);
        Assert.False(_incremental.GetRequiredService<Projection>().LastRun!.StateFromMemory);

        // A full run sweeps what the cut-short run left.
        await _incremental.GetRequiredService<Projection>().RunAsync(forceFull: true, CancellationToken.None);
        Assert.Equal((await HeadSetsAsync()).Values.Sum(s => s.Chunks), (await StateRowsAsync()).Count);
    }

    [Fact]
    public async Task TheStateKeptInMemory_IsNotUsed_WhenAnotherWriterMovedTheHead()
    {
        await IngestAsync(Post("x:g1", "x:ada", T0.AddHours(-2), "Is the API stable yet?"));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await RunBothAsync(expectFull: true);
        _clock.Advance(TimeSpan.FromMinutes(10));
        await RunBothAsync(expectFull: false);
        Assert.True(_incremental.GetRequiredService<Projection>().LastRun!.StateFromMemory);

        // Another instance writes the state: one whose last full run is two days old. Read from memory, this process
        // would run incrementally; read from storage, the run is the daily full one.
        var other = new ProjectionStateStore(_incremental.GetRequiredService<EngageStorage>());
        var theirs = (await other.ReadAsync(CancellationToken.None)).State!;
        theirs.FullAt -= TimeSpan.FromDays(2);
        await other.WriteAsync(theirs, sweep: false, CancellationToken.None);

        _clock.Advance(TimeSpan.FromMinutes(10));
        await RunBothAsync(expectFull: true);
        var run = _incremental.GetRequiredService<Projection>().LastRun!;
        Assert.False(run.StateFromMemory);
        Assert.Equal("daily full run", run.Reason);
    }

    [Fact]
    public async Task TwoRunsAskedTogether_BothFinish_TheSecondAfterTheFirstFromItsStateInMemory()
    {
        // The timer and the admin API may ask at once; two runs at once would race for the state's head (409 or 412).
        await IngestAsync(
            Post("x:t1", "x:ada", T0.AddHours(-2), "Is the API stable yet?"),
            Reply("x:t2", "x:ben", "x:t1", T0.AddHours(-1), "Yes, since 2.0."));
        var projection = _incremental.GetRequiredService<Projection>();

        var both = await Task.WhenAll(projection.RunAsync(CancellationToken.None), projection.RunAsync(CancellationToken.None));

        Assert.All(both, c => Assert.Equal(2, c.Interactions));
        Assert.False(projection.LastRun!.Full); // the second: the first left a state, and kept it in memory
        Assert.True(projection.LastRun.StateFromMemory);
        await RunBothAsync(expectFull: false);
    }

    [Fact]
    public async Task AStateOfTheSingleSetLayout_IsNotRead_AndItsRowsAreSweptByTheFullRunThatReplacesIt()
    {
        // What a version before decision 1242 left: a head naming parity 1, and chunk rows of both parities.
        var community = _incremental.GetRequiredService<EngageStorage>().Community;
        await community.UpsertEntityAsync(new TableEntity(ScoreStore.StatePartition, "state") { ["Generation"] = 3L, ["Chunks"] = 1, ["Bytes"] = 3 });
        foreach (var row in new[] { "state-0-00000", "state-1-00000", "state-1-00001" })
        {
            await community.UpsertEntityAsync(new TableEntity(ScoreStore.StatePartition, row) { ["B0"] = new byte[] { 1, 2, 3 } });
        }

        await IngestAsync(Post("x:h1", "x:ada", T0.AddHours(-2), "Is the API stable yet?"));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await RunBothAsync(expectFull: true);
        Assert.Equal("no state", _incremental.GetRequiredService<Projection>().LastRun!.Reason);

        var rows = await StateRowsAsync();
        Assert.DoesNotContain(rows, k => k.StartsWith("state-0-", StringComparison.Ordinal) || k.StartsWith("state-1-", StringComparison.Ordinal));
        Assert.Equal((await HeadSetsAsync()).Values.Sum(s => s.Chunks), rows.Count);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await RunBothAsync(expectFull: false);
    }

    /// <summary>
    /// Deletes the activity row of <paramref name="gone"/> in both stores, has the arrival index name again every window
    /// row <paramref name="named"/> picks (<paramref name="count"/> of them), and runs both: the incremental run must drop it.
    /// </summary>
    private async Task DeleteOneAndNameAllAgainAsync(Func<Fact, bool> named, int count, string gone)
    {
        var window = new Window(_clock.GetUtcNow(), Window.Default);
        var rows = (await _incremental.GetRequiredService<FactStore>().Activity.ReadAsync(window, CancellationToken.None)).Where(named).ToList();
        Assert.Equal(count, rows.Count);
        foreach (var s in Both)
        {
            var (month, partition, row) = FactKeys.ActivityKey(rows.Single(f => f.InteractionId == gone));
            await s.GetRequiredService<FactStore>().Activity.Table(month).DeleteEntityAsync(partition, row);
        }

        await _incremental.GetRequiredService<FactStore>().Arrivals.WriteAsync("again", [], [], [.. rows.Select(ArrivalStore.RowKeyOf)], CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await RunBothAsync(expectFull: false);
    }

    private string CommunityTable => _incremental.GetRequiredService<EngageStorage>().Community.Name;

    /// <summary>The chunk sets the incremental store's head names: set, version and chunk count.</summary>
    private async Task<Dictionary<string, (string Version, int Chunks)>> HeadSetsAsync()
    {
        var head = await _incremental.GetRequiredService<EngageStorage>().Community.GetEntityAsync<TableEntity>(ScoreStore.StatePartition, "state");
        return head.Value.GetString("Sets").Split(';').Select(e => e.Split(':'))
            .ToDictionary(p => p[0], p => (p[1], int.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture)), StringComparer.Ordinal);
    }

    /// <summary>Every chunk row of the incremental store's state partition.</summary>
    private async Task<List<string>> StateRowsAsync()
    {
        var keys = new List<string>();
        await foreach (var e in _incremental.GetRequiredService<EngageStorage>().Community.QueryAsync<TableEntity>(
            $"PartitionKey eq '{ScoreStore.StatePartition}' and RowKey gt 'state-' and RowKey lt 'state.'", select: ["RowKey"]))
        {
            keys.Add(e.RowKey);
        }

        return keys;
    }

    private async Task IngestAsync(params Interaction[] interactions)
    {
        foreach (var s in Both)
        {
            var ingestor = s.GetRequiredService<Ingestor>();
            foreach (var i in interactions)
            {
                await ingestor.IngestAsync(i, CancellationToken.None);
            }
        }
    }

    private async Task RunBothAsync(bool expectFull)
    {
        await _full.GetRequiredService<Projection>().RunAsync(forceFull: true, CancellationToken.None);
        var incremental = _incremental.GetRequiredService<Projection>();
        await incremental.RunAsync(CancellationToken.None);
        Assert.Equal(expectFull, incremental.LastRun!.Full);
        await AssertSameAsync();
    }

    private async Task AssertSameAsync()
    {
        var full = _full.GetRequiredService<ScoreStore>();
        var incremental = _incremental.GetRequiredService<ScoreStore>();
        var halfLife = new ScoringOptions().HalfLifeDays;

        var levelsFull = await full.GetLevelsAsync(CancellationToken.None);
        var levelsIncremental = await incremental.GetLevelsAsync(CancellationToken.None);
        Assert.Equal(levelsFull.ActiveUsers, levelsIncremental.ActiveUsers);
        Close(levelsFull.Champion, levelsIncremental.Champion);
        Close(levelsFull.Engaged, levelsIncremental.Engaged);

        foreach (var by in new[] { "engagement", "reciprocity" })
        {
            var a = (await full.GetLeaderboardAsync(by, CancellationToken.None))!;
            var b = (await incremental.GetLeaderboardAsync(by, CancellationToken.None))!;
            Assert.Equal(a.AsOf, b.AsOf);
            Assert.Equal(a.Entries.Select(e => e.UserId ?? e.PersonId), b.Entries.Select(e => e.UserId ?? e.PersonId));
            foreach (var (x, y) in a.Entries.Zip(b.Entries))
            {
                Close(x.Score, y.Score);
                Assert.Equal(x.Level, y.Level);
                Assert.Equal(x.Handle, y.Handle);
                Assert.Equal(x.Role, y.Role);
                Assert.Equal(x.Identities ?? [], y.Identities ?? []);
            }
        }

        var rowsFull = await full.ReadScoresAsync(CancellationToken.None);
        var rowsIncremental = await incremental.ReadScoresAsync(CancellationToken.None);
        Assert.Equal(rowsFull.Keys.Order(StringComparer.Ordinal), rowsIncremental.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, a) in rowsFull)
        {
            // Rows an incremental run did not rewrite hold the figures of their own asOf: decay converts them.
            var b = rowsIncremental[id];
            var factor = Math.Pow(2, -(a.AsOf - b.AsOf).TotalDays / halfLife);
            Assert.True(a.Level == b.Level, $"{id}: level {a.Level} in full, {b.Level} incremental");
            Close(a.Score, b.Score * factor, id);
            Close(a.Given, b.Given * factor, id);
            Close(a.Received, b.Received * factor, id);
            Assert.Equal(a.BroadcastRatio is null, b.BroadcastRatio is null);
            Close(a.BroadcastRatio ?? 0, b.BroadcastRatio ?? 0, id);
            Assert.Equal(a.ReciprocityIndex is null, b.ReciprocityIndex is null);
            Close(a.ReciprocityIndex ?? 0, b.ReciprocityIndex ?? 0, id);
            Assert.Equal(a.Handle, b.Handle);
        }
    }

    private static void Close(double expected, double actual, string? what = null)
    {
        if (expected == actual)
        {
            return;
        }

        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(Math.Abs(expected), Math.Abs(actual)), $"{what}: {expected} in full, {actual} incremental");
    }

    private static Interaction Post(string id, string actor, DateTimeOffset at, string text) => new()
    {
        Id = id, Kind = InteractionKind.Post, Actor = actor, ActorHandle = actor[2..], OccurredAt = at, Text = text,
    };

    private static Interaction Reply(string id, string actor, string parentId, DateTimeOffset at, string text, params string[] mentions) => new()
    {
        Id = id, Kind = InteractionKind.Reply, Actor = actor, ActorHandle = actor[2..], OccurredAt = at, Text = text,
        InReplyTo = new ItemRef(parentId, null), Mentions = mentions,
    };

    private static Interaction Reaction(string id, string actor, string subjectId, string subjectAuthor, DateTimeOffset at) => new()
    {
        Id = id, Kind = InteractionKind.Reaction, Actor = actor, OccurredAt = at, Subject = new ItemRef(subjectId, subjectAuthor),
    };

    /// <summary>Table requests of one store: which table, and whether it was a point read (partition and row key in the path).</summary>
    private sealed class RequestLog : HttpPipelineSynchronousPolicy
    {
        private readonly List<(string Table, bool PointRead, bool OnePartition)> _requests = [];
        private readonly List<(string Method, string Table, string Row)> _writes = [];

        public void Clear()
        {
            lock (_requests)
            {
                _requests.Clear();
                _writes.Clear();
            }
        }

        /// <summary>Writes and deletes of single entities of the projection's partition: method and row key, per table.</summary>
        public List<(string Method, string Table, string Row)> Writes()
        {
            lock (_requests)
            {
                return [.. _writes];
            }
        }

        /// <summary>Reads by table: point reads, and queries of one partition (a filter with <c>PartitionKey eq</c>).</summary>
        public List<(string Table, bool PointRead, bool OnePartition)> Snapshot()
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }

        public override void OnSendingRequest(HttpMessage message)
        {
            var segment = Uri.UnescapeDataString(message.Request.Uri.ToUri().AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Last());
            var paren = segment.IndexOf('(', StringComparison.Ordinal);
            if (message.Request.Method != RequestMethod.Get)
            {
                const string projection = "PartitionKey='projection',RowKey='";
                var at = segment.IndexOf(projection, StringComparison.Ordinal);
                if (paren > 0 && at > 0)
                {
                    lock (_requests)
                    {
                        _writes.Add((message.Request.Method.Method, segment[..paren], segment[(at + projection.Length)..segment.LastIndexOf('\'', segment.Length - 1)].Replace("''", "'", StringComparison.Ordinal)));
                    }
                }

                return;
            }

            lock (_requests)
            {
                var query = Uri.UnescapeDataString(message.Request.Uri.Query ?? "");
                _requests.Add((paren < 0 ? segment : segment[..paren], segment.Contains("PartitionKey=", StringComparison.Ordinal), query.Contains("PartitionKey eq", StringComparison.Ordinal)));
            }
        }
    }
}
