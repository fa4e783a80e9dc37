using System.Net;
using System.Text;
using Azure.Data.Tables;
using Engage.Functions.Storage;
using Engage.Functions.Webhooks;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engage.Tests.Security;

/// <summary>
/// Secrets never leak (api.md: errors never leak secrets): every secret is a sentinel, the host is driven
/// through good and bad deliveries and keyed reads, and every log line (Debug and up), every response
/// (status line, headers, body), every archived blob's name and metadata and every table row is searched
/// for the sentinels.
/// </summary>
public sealed class SecretLeakTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Sentinels = new()
    {
        ["Sources:Standard:Secret"] = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("SENTINEL-standard-secret-31f7")),
        ["Sources:GitHub:Secret"] = "SENTINEL-github-secret-8a2c",
        ["Sources:Slack:SigningSecret"] = "SENTINEL-slack-secret-55d0",
        ["Sources:X:ConsumerSecret"] = "SENTINEL-x-secret-0b9e",
        ["Sources:Discourse:Secret"] = "SENTINEL-discourse-secret-4e61",
        ["Sources:Mastodon:Secret"] = "SENTINEL-mastodon-secret-d7a3",
        ["Unsubscribe:SigningKey"] = "SENTINEL-unsubscribe-signing-key-92c4",
        ["Email:ApiKey"] = "SG.SENTINEL-email-api-key-6f10",
        ["DevHost:ApiKey"] = "SENTINEL-devhost-api-key-a1b2",
    };

    /// <summary>What must never show: every sentinel value, and the standard secret's decoded key.</summary>
    private static readonly string[] Needles = [.. Sentinels.Values.Select(v => v!), "SENTINEL"];

    private readonly DevHostFixture _host = new();
    private readonly CapturedLogs _logs = new();
    private readonly List<string> _responses = [];
    private AzuriteProcess? _azurite;

    public async Task InitializeAsync()
    {
        _azurite = TestStorage.StartDedicated();
        _host.Overrides["AzureWebJobsStorage"] = _azurite.ConnectionString;
        foreach (var (key, value) in Sentinels)
        {
            _host.Overrides[key] = value;
        }

        // DevHost's shipped levels (appsettings.json), everything else down to Debug.
        _host.Overrides["Logging:LogLevel:Default"] = "Debug";
        _host.Overrides["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning";
        _host.Overrides["Logging:LogLevel:Azure.Core"] = "Warning";
        _host.Overrides["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning";
        _host.ConfigureServices = services => services.AddSingleton<ILoggerProvider>(_logs);
        await _host.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _azurite?.Dispose();
    }

    private async Task<HttpStatusCode> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await _host.Client.SendAsync(request);
            _responses.Add($"{request.Method} {request.RequestUri!.OriginalString.Split('?')[0]} -> {(int)response.StatusCode} {response.Headers} {response.Content.Headers} {await response.Content.ReadAsStringAsync()}");
            return response.StatusCode;
        }
    }

    private static HttpRequestMessage Get(string path, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        return request;
    }

    [Fact]
    public async Task Sentinels_NeverShowInLogsResponsesArchiveOrRows()
    {
        var key = Sentinels["DevHost:ApiKey"]!;
        var corpus = FuzzTests.Corpus(new Random(7)).GroupBy(c => c.Source).SelectMany(g => g.Take(3)).ToList();
        var n = 0;
        foreach (var (source, eventName, body) in corpus)
        {
            // Signed with the sentinels: accepted (or a handshake); signed with another secret: refused.
            var good = await SendAsync(FuzzTests.Signed(source, eventName, body, n++, Sentinels));
            Assert.True((int)good < 300, $"{source} {eventName}: {good}");
            var wrong = Sentinels.ToDictionary(s => s.Key, s => (string?)(s.Key == "Sources:Standard:Secret" ? "whsec_d3Jvbmc=" : "wrong"));
            Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(FuzzTests.Signed(source, eventName, body, n++, wrong)));
            Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(FuzzTests.Signed(source, eventName, Encoding.UTF8.GetBytes("{\"broken\":"), n++, Sentinels)));
        }

        // Keys and credentials sent where they do not belong: on a webhook, in every place a client might put them.
        var misplaced = FuzzTests.Signed("standard", null, Encoding.UTF8.GetBytes("""{"events":[]}"""), n++, Sentinels);
        misplaced.RequestUri = new Uri($"/api/webhooks/standard?code={key}", UriKind.Relative);
        misplaced.Headers.Add("x-functions-key", key);
        misplaced.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        misplaced.Headers.TryAddWithoutValidation("X-Api-Key", key);
        misplaced.Headers.TryAddWithoutValidation("Cookie", "session=" + key);
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(misplaced));

        // Keyed reads: with the key (header and query), without, with a wrong one.
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Get("/api/community", key)));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Get($"/api/leaderboard?code={key}")));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Get("/api/community")));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(Get("/api/community", key + "-wrong")));
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(Get("/api/users/x:1/engagement?asOf=yesterday", key)));
        var put = new HttpRequestMessage(HttpMethod.Put, "/api/users/t:leak/subscription") { Content = new StringContent("""{"email":"leak@example.org"}""", Encoding.UTF8, "application/json") };
        put.Headers.Add("x-functions-key", key);
        await SendAsync(put);
        await SendAsync(Get("/api/users/t:leak/digest", key));
        await SendAsync(Get("/api/unsubscribe?token=forged." + key));
        await _host.DrainAsync();

        var storage = _host.Services.GetRequiredService<EngageStorage>();
        var archive = new List<string>();
        await foreach (var blob in storage.Webhooks.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Traits = Azure.Storage.Blobs.Models.BlobTraits.Metadata }))
        {
            var headers = ArchivedHeaders.Decode(blob.Metadata.TryGetValue(ArchivedHeaders.MetadataKey, out var encoded) ? encoded : null);
            archive.Add($"{blob.Name} {string.Join(",", blob.Metadata)} {string.Join(",", headers ?? new Dictionary<string, string>())}");
        }

        var rows = new List<string>();
        foreach (var table in storage.Names.Tables)
        {
            await foreach (var e in storage.TableService.GetTableClient(table).QueryAsync<TableEntity>())
            {
                rows.Add(string.Join(",", e.Select(p => $"{p.Key}={p.Value}")));
            }
        }

        var logs = _logs.Entries.Select(e => $"{e.Category} {e.Level}: {e.Message} {e.Exception}").ToList();
        Assert.True(logs.Count > 10, "the host logged: " + logs.Count);
        Assert.True(archive.Count >= corpus.Count, "deliveries were archived: " + archive.Count);
        Assert.Contains(archive, a => a.Contains("X-GitHub-Event", StringComparison.Ordinal));
        foreach (var (what, lines) in new[] { ("log", logs), ("response", _responses), ("archive", archive), ("row", rows) })
        {
            foreach (var line in lines)
            {
                foreach (var needle in Needles)
                {
                    Assert.False(line.Contains(needle, StringComparison.OrdinalIgnoreCase), $"a {what} holds a secret ({needle}): {line}");
                }
            }
        }
    }
}
