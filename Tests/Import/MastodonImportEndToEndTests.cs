using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Engage.Domain.Import;
using Engage.Domain.Sources;
using Engage.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Engage.Tests.Import;

/// <summary>
/// History import of a Mastodon hashtag timeline: 100 real statuses of <c>#ichbinhanna</c> recorded from
/// mastodon.social (Tests/Fixtures/mastodon-history), served newest first in pages of 40 with <c>Link</c> headers,
/// and each status's thread (<c>/context</c>) drawn from the same recording.
/// </summary>
public sealed class MastodonImportEndToEndTests : IDisposable
{
    private const int PageSize = 40;
    private const string Server = "mastodon.social";
    private static readonly DateTimeOffset AsOf = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly WireMockServer _mastodon = WireMockServer.Start();
    private readonly List<JsonElement> _statuses;

    public MastodonImportEndToEndTests()
    {
        _statuses = File.ReadLines(RepoPaths.Of("Tests", "Fixtures", "mastodon-history", "statuses.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("status").Clone())
            .OrderByDescending(s => long.Parse(s.GetProperty("id").GetString()!, CultureInfo.InvariantCulture))
            .ToList();
        const string path = "/api/v1/timelines/tag/ichbinhanna";
        var pages = _statuses.Chunk(PageSize).ToList();
        for (var i = 0; i < pages.Count; i++)
        {
            var request = Request.Create().WithPath(path).UsingGet();
            request = i == 0 ? request.WithParam(p => !p.ContainsKey("max_id")) : request.WithParam("max_id", Id(pages[i - 1][^1]));
            var response = Json(pages[i]).WithHeader("Link", $"<{_mastodon.Url}{path}?max_id={Id(pages[i][^1])}>; rel=\"next\", <{_mastodon.Url}{path}?min_id={Id(pages[i][0])}>; rel=\"prev\"");
            _mastodon.Given(request).AtPriority(1).RespondWith(response);
        }

        // Past the oldest page: an empty page, as Mastodon answers.
        _mastodon.Given(Request.Create().WithPath(path).UsingGet()).AtPriority(50).RespondWith(Json([]));
        var byId = _statuses.ToDictionary(Id);
        foreach (var status in _statuses)
        {
            var ancestors = new List<JsonElement>();
            for (var parent = Parent(status); parent is not null && byId.TryGetValue(parent, out var p); parent = Parent(p))
            {
                ancestors.Insert(0, p);
            }

            var descendants = _statuses.Where(s => IsBelow(s, Id(status), byId)).ToList();
            _mastodon.Given(Request.Create().WithPath($"/api/v1/statuses/{Id(status)}/context").UsingGet()).RespondWith(
                Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                    .WithBody($"{{\"ancestors\":[{string.Join(",", ancestors.Select(a => a.GetRawText()))}],\"descendants\":[{string.Join(",", descendants.Select(d => d.GetRawText()))}]}}"));
        }
    }

    private static string Id(JsonElement status) => status.GetProperty("id").GetString()!;

    private static string? Parent(JsonElement status) =>
        status.TryGetProperty("in_reply_to_id", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static bool IsBelow(JsonElement status, string ancestor, Dictionary<string, JsonElement> byId)
    {
        for (var parent = Parent(status); parent is not null; parent = byId.TryGetValue(parent, out var p) ? Parent(p) : null)
        {
            if (parent == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    private static IResponseBuilder Json(IEnumerable<JsonElement> items) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("[" + string.Join(",", items.Select(i => i.GetRawText())) + "]");

    [Fact]
    public async Task Import_RecordedHashtagTimeline_PagesToTheEndAndCountsEveryStatusOnce()
    {
        await using var host = new ImportHost("http://127.0.0.1:9");
        host.Overrides["Import:Mastodon:BaseUrl"] = _mastodon.Url!;
        await host.StartAsync();

        var status = await host.WaitDoneAsync(await host.StartImportAsync("mastodon", $"{Server}/#ichbinhanna"));

        var expected = _statuses.SelectMany(s => MastodonHistory.Status(s, Server).NormalizeWith(new Mastodon()).Interactions).ToList();
        // A reply read on its own page and again in its parent's thread is enqueued twice (and stored once).
        Assert.InRange(status.GetProperty("interactions").GetInt32(), expected.Count, 2 * expected.Count);
        // Three pages of statuses and the empty page that ends the timeline.
        Assert.Equal(4, status.GetProperty("pages").GetInt32());
        Assert.All(expected, i => Assert.StartsWith($"mastodon:{Server}.", i.Id, StringComparison.Ordinal));
        foreach (var actor in expected.GroupBy(i => i.Actor))
        {
            var e = await host.Client.GetFromJsonAsync<JsonElement>($"/api/users/{actor.Key}/engagement?asOf={AsOf:yyyy-MM-ddTHH:mm:ssZ}&window=P36500D");
            var counts = e.GetProperty("counts");
            Assert.Equal(actor.Count(), new[] { "post", "reply", "repost", "quote" }.Sum(k => counts.GetProperty(k).GetInt32()));
        }

        // Every threaded status had its context read once.
        var threaded = _statuses.Count(s => Parent(s) is not null || s.GetProperty("replies_count").GetInt32() > 0);
        Assert.Equal(threaded, _mastodon.LogEntries.Count(e => e.RequestMessage.Path.EndsWith("/context", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Import_UnknownAccount_FailsWithThePlatformsAnswer()
    {
        await using var host = new ImportHost("http://127.0.0.1:9");
        host.Overrides["Import:Mastodon:BaseUrl"] = _mastodon.Url!;
        await host.StartAsync();
        var importId = await host.StartImportAsync("mastodon", $"{Server}/@nobody");
        var status = await Eventually.Until(() => host.StatusAsync(importId), s => s.GetProperty("status").GetString() != "running", TimeSpan.FromSeconds(60));
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Contains("404", status.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    public void Dispose() => _mastodon.Stop();
}
