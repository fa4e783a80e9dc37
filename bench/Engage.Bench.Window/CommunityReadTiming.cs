using System.Diagnostics;
using Engage.Domain.Facts;
using Engage.Domain.People;
using Engage.Domain.Scoring;
using Engage.Functions.People;
using Engage.Functions.Scores;
using Engage.Functions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Engage.Bench.Window;

/// <summary>Medians (seconds) of one history size's community-read measurements; see <see cref="CommunityReadTiming"/>.</summary>
public sealed record CommunityReadTimes(double Raw, double Endpoint, double Read, double Resolve, double People, double Fold)
{
    /// <summary>What the endpoint spends besides the storage reads (activity rows, people tables): resolve and the fold.</summary>
    public double Own => Resolve + Fold;
}

/// <summary>
/// Where <c>GET /api/community</c> spends its time: the endpoint called as the host calls it, and beside it the same
/// steps it takes timed one by one (activity range read, resolve, the people tables, person mapping + filter +
/// fold), each repetition also timing a raw range read of the window's activity rows, so that the raw read (the
/// baseline: Azurite's own cost of returning the window) sees the same store and the same machine load as the
/// endpoint. Medians of the repetitions: one call that waits for a core does not move them.
/// </summary>
public static class CommunityReadTiming
{
    public static async Task<CommunityReadTimes> MeasureAsync(
        int runs, FactStore facts, PeopleStore people, ScoringOptions options, ScoreFunctions endpoint,
        Domain.Scoring.Window window, Func<HttpRequest> request, CancellationToken ct)
    {
        var raw = new List<double>(runs);
        var call = new List<double>(runs);
        var read = new List<double>(runs);
        var resolve = new List<double>(runs);
        var peopleRead = new List<double>(runs);
        var fold = new List<double>(runs);
        for (var n = 0; n < runs; n++)
        {
            var watch = Stopwatch.StartNew();
            await facts.Activity.ReadAsync(window, ct);
            raw.Add(watch.Elapsed.TotalSeconds);

            watch.Restart();
            await endpoint.Community(request(), ct);
            call.Add(watch.Elapsed.TotalSeconds);

            // The endpoint's steps (ScoreFunctions.Community), one by one.
            watch.Restart();
            var rows = await facts.Activity.ReadAsync(window, ct);
            read.Add(watch.Elapsed.TotalSeconds);
            watch.Restart();
            var interactions = await facts.ResolveAsync(rows, ct);
            resolve.Add(watch.Elapsed.TotalSeconds);
            watch.Restart();
            var (personOf, roles) = await people.ReadAllAsync(ct);
            peopleRead.Add(watch.Elapsed.TotalSeconds);
            watch.Restart();
            var mapped = PersonMapping.Map(interactions, id => personOf.GetValueOrDefault(id));
            var counted = PersonFilter.Exclude(mapped, id => PersonIds.IsPerson(id) && !RoleFilter.MembersOnly.Counts(roles.GetValueOrDefault(id, PersonRoles.Member)));
            CommunityFold.Fold(counted, window, options);
            fold.Add(watch.Elapsed.TotalSeconds);
        }

        return new CommunityReadTimes(Median(raw), Median(call), Median(read), Median(resolve), Median(peopleRead), Median(fold));
    }

    /// <summary>The endpoint's services, resolved as the host resolves them.</summary>
    public static (PeopleStore People, ScoringOptions Options) Services(IServiceProvider services) =>
        ((PeopleStore)services.GetService(typeof(PeopleStore))!, ((IOptions<ScoringOptions>)services.GetService(typeof(IOptions<ScoringOptions>))!).Value);

    private static double Median(List<double> times)
    {
        times.Sort();
        return times[times.Count / 2];
    }
}
