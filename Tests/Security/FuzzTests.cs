using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engage.Tests.Security;

/// <summary>
/// Seeded, bounded fuzzing over real HTTP: real payloads of every source mutated byte-wise and structurally,
/// correctly signed, so they reach the parser and the normalizers; then every read route's parameters.
/// Never a 5xx, never an error in the log (intake, ingestion, reads), the service healthy after.
/// A DevHost with an Azurite of its own, so ingestion of what was accepted is part of the run.
/// </summary>
public sealed class FuzzTests : IAsyncLifetime
{
    /// <summary>Fixed, so a failure is reproducible; <c>ENGAGE_FUZZ_SEED</c> / <c>ENGAGE_FUZZ_SCALE</c> explore further by hand.</summary>
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("ENGAGE_FUZZ_SEED"), out var s) ? s : 16_2026;
    private static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("ENGAGE_FUZZ_SCALE"), out var m) && m > 0 ? m : 1;
    private static readonly int Deliveries = 360 * Scale;
    private static readonly int Reads = 240 * Scale;

    private readonly DevHostFixture _host = new();
    private readonly CapturedLogs _logs = new();
    private AzuriteProcess? _azurite;

    public async Task InitializeAsync()
    {
        _azurite = TestStorage.StartDedicated();
        _host.Overrides["AzureWebJobsStorage"] = _azurite.ConnectionString;
        _host.Overrides["Webhooks:RateLimit:PermitsPerSecond"] = "100000";
        _host.Overrides["Webhooks:RateLimit:Burst"] = "100000";
        _host.ConfigureServices = services => services.AddSingleton<ILoggerProvider>(_logs);
        await _host.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _azurite?.Dispose();
    }

    /// <summary>(source, event header for GitHub/Discourse, body) for every fixture and a seeded sample of GitHub's examples.</summary>
    internal static List<(string Source, string? Event, byte[] Body)> Corpus(Random random)
    {
        var corpus = new List<(string, string?, byte[])>();
        foreach (var source in new[] { "slack", "x", "discourse", "mastodon" })
        {
            foreach (var file in Directory.GetFiles(RepoPaths.Of("Tests", "Fixtures", source), "*.json").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                var discourseEvent = name switch
                {
                    "ping" => "ping",
                    var n when n.StartsWith("post_created", StringComparison.Ordinal) => "post_created",
                    var n => n,
                };
                corpus.Add((source, source == "discourse" ? discourseEvent : null, File.ReadAllBytes(file)));
            }
        }

        corpus.Add(("standard", null, File.ReadAllBytes(RepoPaths.Of("samples", "conversation.json"))));
        var examples = GitHubExamples.All;
        foreach (var example in examples.OrderBy(_ => random.Next()).Take(40).OrderBy(e => e.ToString(), StringComparer.Ordinal))
        {
            corpus.Add(("github", example.Event, Encoding.UTF8.GetBytes(example.Json)));
        }

        return corpus;
    }

    private static byte[] Mac(byte[] key, byte[] prefix, byte[] body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    /// <summary>Signs raw bytes (invalid UTF-8 included) the way each platform does.</summary>
    internal static HttpRequestMessage Signed(string source, string? eventName, byte[] body, int n, IReadOnlyDictionary<string, string?>? secrets = null)
    {
        secrets ??= DevHostFixture.Secrets;
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/webhooks/{source}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        void Add(string name, string value) => request.Headers.TryAddWithoutValidation(name, value);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        byte[] Key(string setting) => Encoding.UTF8.GetBytes(secrets[setting]!);
        switch (source)
        {
            case "standard":
                var id = $"msg_fuzz_{n}";
                var key = Convert.FromBase64String(secrets["Sources:Standard:Secret"]!["whsec_".Length..]);
                Add("webhook-id", id);
                Add("webhook-timestamp", now);
                Add("webhook-signature", "v1," + Convert.ToBase64String(Mac(key, Encoding.UTF8.GetBytes($"{id}.{now}."), body)));
                break;
            case "github":
                Add("X-GitHub-Event", eventName!);
                Add("X-GitHub-Delivery", $"fuzz-{n}");
                Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(Mac(Key("Sources:GitHub:Secret"), [], body)));
                break;
            case "x":
                Add("X-Twitter-Webhooks-Signature", "sha256=" + Convert.ToBase64String(Mac(Key("Sources:X:ConsumerSecret"), [], body)));
                break;
            case "slack":
                Add("X-Slack-Request-Timestamp", now);
                Add("X-Slack-Signature", "v0=" + Convert.ToHexStringLower(Mac(Key("Sources:Slack:SigningSecret"), Encoding.UTF8.GetBytes($"v0:{now}:"), body)));
                break;
            case "discourse":
                Add("X-Discourse-Event-Signature", "sha256=" + Convert.ToHexStringLower(Mac(Key("Sources:Discourse:Secret"), [], body)));
                Add("X-Discourse-Event", eventName!);
                Add("X-Discourse-Event-Type", eventName == "post_liked" ? "like" : eventName == "ping" ? "ping" : "post");
                Add("X-Discourse-Instance", "https://forum.example.org");
                Add("X-Discourse-Event-Id", n.ToString(CultureInfo.InvariantCulture));
                break;
            case "mastodon":
                Add("X-Hub-Signature", "sha256=" + Convert.ToHexStringLower(Mac(Key("Sources:Mastodon:Secret"), [], body)));
                break;
        }

        return request;
    }

    [Fact]
    public async Task SignedMutatedPayloads_NeverA5xx_NorAnErrorLogged_ServiceHealthyAfter()
    {
        var random = new Random(Seed);
        var corpus = Corpus(random);
        Assert.Equal(6, corpus.Select(c => c.Source).Distinct().Count());
        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentBag<string>();
        var cases = Enumerable.Range(0, Deliveries).Select(n =>
        {
            var (source, eventName, body) = corpus[n % corpus.Count];
            var (mutation, mutated) = Mutations.Apply(random, body);
            return (n, source, eventName, mutation, mutated);
        }).ToList();

        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, ct) =>
        {
            using var request = Signed(c.source, c.eventName, c.mutated, c.n);
            using var response = await _host.Client.SendAsync(request, ct);
            statuses.AddOrUpdate((int)response.StatusCode, 1, (_, v) => v + 1);
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"#{c.n} {c.source} {c.mutation}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
            else if ((int)response.StatusCode >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                failures.Add($"#{c.n} {c.source} {c.mutation}: {(int)response.StatusCode} is not problem+json");
            }
        });

        await _host.DrainAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(3)); // pending-parent messages wait Ingest:PendingParentDelay (2 s)
        await _host.DrainAsync(TimeSpan.FromSeconds(30));

        var summary = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"));
        Assert.True(failures.IsEmpty, $"seed {Seed} ({summary}):\n" + string.Join("\n", failures.Take(20)));
        Assert.True(statuses.GetValueOrDefault(202) > 0, "some mutations must still be accepted: " + summary);
        Assert.True(statuses.Where(s => s.Key is >= 400 and < 500).Sum(s => s.Value) > 0, "some mutations must be refused: " + summary);
        AssertNoErrorsLogged(summary);
        await AssertHealthyAsync();
        var poison = _host.Services.GetRequiredService<Azure.Storage.Queues.QueueServiceClient>().GetQueueClient("interactions-poison");
        Assert.False((await poison.ExistsAsync()).Value && (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0, "accepted deliveries reached the poison queue");
    }

    [Fact]
    public async Task ReadRouteParameters_NeverA5xx_NorAnErrorLogged()
    {
        var random = new Random(Seed + 1);
        var routes = new[]
        {
            "/api/users/{u}/engagement?asOf={v}&window={w}", "/api/users/{u}/reciprocity?asOf={v}&window={w}", "/api/community?asOf={v}&window={w}",
            "/api/leaderboard?by={v}&top={w}", "/api/users/{u}/digest?week={v}&format={w}", "/api/users/{u}/subscription", "/api/unsubscribe?token={v}",
            "/api/health?{v}={w}",
        };
        var failures = new ConcurrentBag<string>();
        var cases = Enumerable.Range(0, Reads).Select(n => routes[n % routes.Length]
            .Replace("{u}", Uri.EscapeDataString(Mutations.Value(random)), StringComparison.Ordinal)
            .Replace("{v}", Uri.EscapeDataString(Mutations.Value(random)), StringComparison.Ordinal)
            .Replace("{w}", Uri.EscapeDataString(Mutations.Value(random)), StringComparison.Ordinal)).ToList();

        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (path, ct) =>
        {
            using var response = await _host.Client.GetAsync(path, ct);
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
        });

        // The operations' JSON bodies too.
        for (var n = 0; n < 40; n++)
        {
            var (_, body) = Mutations.Apply(random, Encoding.UTF8.GetBytes("""{"source":"github","from":"2026-11-01T00:00:00Z","to":"2026-11-02T00:00:00Z"}"""));
            using var replay = await _host.Client.PostAsync("/api/ops/replay", new ByteArrayContent(body));
            if ((int)replay.StatusCode >= 500)
            {
                failures.Add($"replay {Encoding.UTF8.GetString(body)}: {(int)replay.StatusCode}");
            }

            var (_, subscription) = Mutations.Apply(random, Encoding.UTF8.GetBytes("""{"email":"a@example.org","weekly":true}"""));
            using var put = await _host.Client.PutAsync("/api/users/t:fuzz/subscription", new ByteArrayContent(subscription));
            if ((int)put.StatusCode >= 500)
            {
                failures.Add($"subscription {Encoding.UTF8.GetString(subscription)}: {(int)put.StatusCode}");
            }
        }

        Assert.True(failures.IsEmpty, $"seed {Seed + 1}:\n" + string.Join("\n", failures.Take(20)));
        AssertNoErrorsLogged("reads");
        await AssertHealthyAsync();
    }

    private void AssertNoErrorsLogged(string context)
    {
        var errors = _logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, $"{errors.Count} errors logged ({context}):\n" + string.Join("\n", errors.Take(10).Select(e => $"{e.Category}: {e.Message} {e.Exception}")));
    }

    private async Task AssertHealthyAsync()
    {
        using var health = await _host.Client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var valid = await _host.Client.SendAsync(StandardSigner.Request(
            """{"events":[{"id":"fz:ok","kind":"post","actor":"fz:after","occurredAt":"2026-11-20T10:00:00Z","text":"still here"}]}"""));
        Assert.Equal(HttpStatusCode.Accepted, valid.StatusCode);
    }
}

/// <summary>Byte-wise and structural mutations of a JSON body, drawn from a seeded <see cref="Random"/>.</summary>
internal static class Mutations
{
    private static readonly string[] Names = ["flip", "truncate", "typeSwap", "hugeNumber", "deepNesting", "invalidUtf8", "duplicateKey", "longString", "nullify", "emptyContainers"];

    public static (string Name, byte[] Body) Apply(Random random, byte[] body)
    {
        var name = Names[random.Next(Names.Length)];
        return (name, name switch
        {
            "flip" => Flip(random, body),
            "truncate" => body[..random.Next(body.Length)],
            "invalidUtf8" => InvalidUtf8(random, body),
            "duplicateKey" => DuplicateKey(random, body),
            "deepNesting" => Structural(random, body, _ => Nest(random.Next(2) == 0 ? 100 : 400)),
            "hugeNumber" => Structural(random, body, _ => JsonNode.Parse(new[] { "1e309", "-1e309", "99999999999999999999999999999", "-9223372036854775809", "1.5e-400", "18446744073709551616", "0.0000000000000000000000001" }[random.Next(7)])),
            "typeSwap" => Structural(random, body, node => Swap(random, node)),
            "longString" => Structural(random, body, _ => JsonValue.Create(new string('@', random.Next(1, 4) * 40_000) + "\ud83d\ude00")),
            "nullify" => Structural(random, body, _ => null),
            _ => Structural(random, body, node => node is JsonArray ? new JsonObject() : new JsonArray()),
        });
    }

    /// <summary>A hostile parameter value.</summary>
    public static string Value(Random random) => random.Next(16) switch
    {
        0 => "",
        1 => new string('9', random.Next(10, 400)),
        2 => "-1",
        3 => "P99999999D",
        4 => "9999-12-31T23:59:59.9999999Z",
        5 => "0001-01-01T00:00:00Z",
        6 => "%00%ff",
        7 => "\0\u0001\ud800",
        8 => "x:" + new string('a', random.Next(200, 5000)),
        9 => "../../etc/passwd",
        10 => "' or 1 eq 1 or PartitionKey eq '",
        11 => "t:fuzz",
        12 => "engagement",
        13 => "1e309",
        14 => "PT0S",
        _ => new string(Enumerable.Range(0, random.Next(1, 40)).Select(_ => (char)random.Next(1, 0x2FFF)).ToArray()),
    };

    private static byte[] Flip(Random random, byte[] body)
    {
        var copy = (byte[])body.Clone();
        for (var i = random.Next(1, 8); i > 0 && copy.Length > 0; i--)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }

        return copy;
    }

    private static byte[] InvalidUtf8(Random random, byte[] body)
    {
        // Inside a string value: right after a quote that opens one.
        var quotes = Enumerable.Range(0, body.Length).Where(i => body[i] == (byte)'"').ToList();
        var at = quotes.Count > 0 ? quotes[random.Next(quotes.Count)] + 1 : 0;
        byte[][] bad = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82]];
        return [.. body[..at], .. bad[random.Next(bad.Length)], .. body[at..]];
    }

    private static byte[] DuplicateKey(Random random, byte[] body)
    {
        // Text-level: System.Text.Json.Nodes cannot hold duplicates. Repeat the first key of an object with another value.
        var text = Encoding.UTF8.GetString(body);
        var opens = Enumerable.Range(0, text.Length).Where(i => text[i] == '{' && i + 1 < text.Length && text[(i + 1)..].TrimStart().StartsWith('"')).ToList();
        if (opens.Count == 0)
        {
            return body;
        }

        var open = opens[random.Next(opens.Count)];
        var keyStart = text.IndexOf('"', open);
        var keyEnd = text.IndexOf('"', keyStart + 1);
        var key = text[keyStart..(keyEnd + 1)];
        var value = new[] { "null", "123", "\"dup\"", "[]", "{}", "true" }[random.Next(6)];
        return Encoding.UTF8.GetBytes(text[..(open + 1)] + $"{key}:{value}," + text[(open + 1)..]);
    }

    private static JsonNode Nest(int depth)
    {
        JsonNode node = JsonValue.Create("deep");
        for (var i = 0; i < depth; i++)
        {
            node = new JsonArray(node);
        }

        return node;
    }

    private static JsonNode? Swap(Random random, JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out _) => random.Next(3) switch { 0 => JsonValue.Create(42), 1 => JsonValue.Create(true), _ => new JsonObject() },
        JsonValue => random.Next(2) == 0 ? JsonValue.Create("not a number") : new JsonArray(),
        JsonObject => random.Next(2) == 0 ? JsonValue.Create("object was here") : new JsonArray(JsonValue.Create(1)),
        JsonArray => random.Next(2) == 0 ? JsonValue.Create(7) : new JsonObject { ["0"] = "x" },
        _ => JsonValue.Create("was null"),
    };

    /// <summary>Replaces a random node of the parsed body (bodies that do not parse are flipped instead).</summary>
    private static byte[] Structural(Random random, byte[] body, Func<JsonNode?, JsonNode?> replace)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return Flip(random, body);
        }

        var slots = new List<(JsonNode Parent, object Key)>();
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (k, child) in o.ToList())
                    {
                        slots.Add((o, k));
                        Walk(child);
                    }

                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        slots.Add((a, i));
                        Walk(a[i]);
                    }

                    break;
            }
        }

        Walk(root);
        if (slots.Count == 0)
        {
            return Flip(random, body);
        }

        // Several mutations at once, so deep fields are reached too.
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var (parent, key) = slots[random.Next(slots.Count)];
            try
            {
                switch (parent, key)
                {
                    case (JsonObject o, string k) when o.ContainsKey(k):
                        o[k] = replace(o[k]?.DeepClone());
                        break;
                    case (JsonArray a, int i) when i < a.Count:
                        a[i] = replace(a[i]?.DeepClone());
                        break;
                }
            }
            catch (InvalidOperationException)
            {
                // A node detached by an earlier mutation of an ancestor: skip it.
            }
        }

        return Encoding.UTF8.GetBytes(root!.ToJsonString());
    }
}

/// <summary>Keeps every log entry of the host, for asserting that nothing was logged as an error.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception);

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception));
    }
}
