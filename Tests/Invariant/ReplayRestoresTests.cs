using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Engage.Domain.Scoring;
using Engage.Domain.Signals;
using Engage.Domain.Sources;
using Engage.Functions.Ingest;
using Engage.Functions.Storage;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engage.Tests.Invariant;

/// <summary>A source whose normalizer can be broken on purpose: while broken it throws on every delivery with a reply in it.</summary>
public sealed class BreakableSource(WebhookSource inner, BreakableSource.Switch broken) : WebhookSource
{
    public sealed class Switch
    {
        public volatile bool On;
    }

    public override string Name => inner.Name;
    public override string SecretSetting => inner.SecretSetting;
    public override WebhookAnswer? Get(WebhookRequest request, IReadOnlyList<string> secrets) => inner.Get(request, secrets);
    public override WebhookRejection? Verify(WebhookRequest request, IReadOnlyList<string> secrets, DateTimeOffset now) => inner.Verify(request, secrets, now);
    public override WebhookAnswer? Handshake(WebhookRequest request, JsonElement payload) => inner.Handshake(request, payload);
    public override string DeliveryId(WebhookRequest request, JsonElement payload) => inner.DeliveryId(request, payload);

    public override Normalized Normalize(WebhookRequest request, JsonElement payload)
    {
        var normalized = inner.Normalize(request, payload);
        return broken.On && normalized.Interactions.Any(i => i.Kind == Domain.Interactions.InteractionKind.Reply)
            ? throw new InvalidOperationException("A normalizer bug, on purpose.")
            : normalized;
    }

    /// <summary>Wraps every registered source.</summary>
    public static void Install(IServiceCollection services, Switch broken)
    {
        foreach (var descriptor in services.Where(d => d.ServiceType == typeof(WebhookSource)).ToList())
        {
            services.Remove(descriptor);
            var type = descriptor.ImplementationType!;
            services.AddSingleton<WebhookSource>(sp => new BreakableSource((WebhookSource)ActivatorUtilities.CreateInstance(sp, type), broken));
        }
    }
}

/// <summary>
/// Replay restores: interactions lost to a failing normalizer come back with <c>POST /api/ops/replay</c> once it
/// is fixed, with the figures of a clean run, and replaying again changes nothing. And history follows the
/// classifier: a replay after a classifier upgrade rewrites the stored signals, and nothing else.
/// </summary>
public sealed class ReplayRestoresTests
{
    private static readonly DateTimeOffset Now = InvariantRun.Now;

    private static object Period => new
    {
        from = Now.AddDays(-1).ToString("O", CultureInfo.InvariantCulture),
        to = Now.AddDays(1).ToString("O", CultureInfo.InvariantCulture),
    };

    private static async Task<JsonElement> ReplayAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/ops/replay", Period);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<List<TableEntity>> RowsAsync(TableClient table)
    {
        var rows = new List<TableEntity>();
        await foreach (var e in table.QueryAsync<TableEntity>())
        {
            rows.Add(e);
        }

        return rows;
    }

    private static string Key(TableEntity e) => $"{e.PartitionKey}|{e.RowKey}";

    private static string Without(TableEntity e, params string[] names) => string.Join(";", e
        .Where(p => p.Key is not ("odata.etag" or "Timestamp") && !names.Contains(p.Key))
        .OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => $"{p.Key}={p.Value}"));

    [Fact]
    public async Task NormalizerFailsThenIsFixed_ReplayGivesTheCleanFigures_AndAgainChangesNothing()
    {
        var broken = new BreakableSource.Switch { On = true };
        await using var host = new IsolatedDevHost(Now) { Configure = services => BreakableSource.Install(services, broken) };
        await host.StartAsync();
        var generator = new DeliveryGenerator(seed: 23, Now);
        var deliveries = generator.Generate(4);
        var posts = generator.WithRedeliveriesShuffled(deliveries);
        var services = host.Host.Services;
        var options = services.GetRequiredService<IOptions<ScoringOptions>>().Value;
        var storage = services.GetRequiredService<EngageStorage>();

        var answers = await InvariantRun.PostAllAsync(host.Client, posts);
        await host.Host.DrainAsync(TimeSpan.FromMinutes(2));
        broken.On = false;
        var clean = CleanRun.Of(deliveries, services.GetServices<WebhookSource>(), services.GetRequiredService<ITextClassifier>());

        // The bug dropped deliveries (answered 400, archived) and so their interactions.
        Assert.Contains(answers, a => a.Status == HttpStatusCode.BadRequest);
        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.Accepted or HttpStatusCode.BadRequest, $"{a.Status} {a.Body}"));
        Assert.True((await RowsAsync(storage.Facts)).Count < clean.Facts.Count);

        var first = await ReplayAsync(host.Client);
        await host.Host.DrainAsync(TimeSpan.FromMinutes(2));
        await InvariantRun.AssertFiguresAsync(host.Client, clean, options);
        var rows = (await RowsAsync(storage.Facts)).Select(e => Key(e) + Without(e)).Order(StringComparer.Ordinal).ToList();

        var second = await ReplayAsync(host.Client);
        await host.Host.DrainAsync(TimeSpan.FromMinutes(2));
        await InvariantRun.AssertFiguresAsync(host.Client, clean, options);

        Assert.Equal(deliveries.Count, first.GetProperty("bodies").GetInt32());
        Assert.Equal(0, first.GetProperty("failed").GetInt32());
        Assert.Equal(first.GetProperty("interactions").GetInt32(), second.GetProperty("interactions").GetInt32());
        Assert.Equal(rows, (await RowsAsync(storage.Facts)).Select(e => Key(e) + Without(e)).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task ClassifierUpgraded_ReplayRewritesTheStoredSignals_AndNothingElse()
    {
        var classifier = new ScriptedClassifier { Version = "1.0" };
        await using var host = new IsolatedDevHost(Now) { Configure = services => services.AddSingleton<ITextClassifier>(classifier) };
        await host.StartAsync();
        var generator = new DeliveryGenerator(seed: 31, Now);
        var deliveries = generator.Generate(2);
        var storage = host.Host.Services.GetRequiredService<EngageStorage>();
        Assert.All(await InvariantRun.PostAllAsync(host.Client, deliveries), a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
        await host.Host.DrainAsync(TimeSpan.FromMinutes(2));
        var before = (await RowsAsync(storage.Facts)).ToDictionary(Key);
        var itemsBefore = (await RowsAsync(storage.Items)).ToDictionary(Key);

        // The upgrade: a classifier that reads every text as a question and nothing else.
        classifier.Rule = _ => SignalSet.Question;
        classifier.Version = "2.0";
        await ReplayAsync(host.Client);
        await host.Host.DrainAsync(TimeSpan.FromMinutes(2));
        var after = (await RowsAsync(storage.Facts)).ToDictionary(Key);
        var itemsAfter = (await RowsAsync(storage.Items)).ToDictionary(Key);

        Assert.NotEmpty(before);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        Assert.All(after.Values, e => Assert.Equal(("2.0", (int?)(int)SignalSet.Question), (e.GetString("ClassifierVersion"), e.GetInt32("Signals"))));
        Assert.Contains(before.Values, e => e.GetInt32("Signals") != (int)SignalSet.Question);
        // The replies' copies of their parent's flag follow the reclassified parent (decision 1122); nothing else moves.
        Assert.Contains(after.Values, e => e.GetString("ParentClassifierVersion") is not null);
        Assert.All(after.Values.Where(e => e.GetString("ParentClassifierVersion") is not null),
            e => Assert.Equal(("2.0", (bool?)true), (e.GetString("ParentClassifierVersion"), e.GetBoolean("ParentIsQuestion"))));
        string[] reclassified = ["Signals", "ClassifierVersion", "ParentIsQuestion", "ParentClassifierVersion"];
        Assert.All(before, b => Assert.Equal(Without(b.Value, reclassified), Without(after[b.Key], reclassified)));
        Assert.Equal(itemsBefore.Keys.Order(StringComparer.Ordinal), itemsAfter.Keys.Order(StringComparer.Ordinal));
        Assert.All(itemsAfter.Values, e => Assert.Equal(("2.0", (bool?)true), (e.GetString("ClassifierVersion"), e.GetBoolean("Question"))));
        Assert.All(itemsBefore, b => Assert.Equal(Without(b.Value, "Question", "ClassifierVersion"), Without(itemsAfter[b.Key], "Question", "ClassifierVersion")));
    }
}
