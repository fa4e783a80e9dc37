using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Engage.Tests.Support;

namespace Engage.Tests.Dashboard;

/// <summary>
/// samples/conversation.json replayed into a DevHost of its own (own Azurite, clock at the sample's asOf),
/// scores projected once, then the dashboard driven once in headless Chromium by dashboard-check.mjs.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private readonly IsolatedDevHost _host = new(Now);
    private Task<JsonElement>? _browser;

    public HttpClient Client => _host.Client;
    /// <summary>Screenshots of the last run, overwritten each time (docs/dashboard.png is a copy of the desktop one).</summary>
    public string Folder { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "dashboard-screenshots")).FullName;
    public string DesktopPng => Path.Combine(Folder, "dashboard.png");
    public string MobilePng => Path.Combine(Folder, "dashboard-375.png");

    /// <summary>What the browser saw; the browser runs once, on first use.</summary>
    public Task<JsonElement> Browser => _browser ??= RunBrowserAsync();

    public async Task InitializeAsync()
    {
        await _host.StartAsync();
        var body = await File.ReadAllTextAsync(RepoPaths.Of("samples", "conversation.json"));
        using var response = await Client.SendAsync(StandardSigner.Request(body, at: Now));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // Ingestion is asynchronous: wait for every interaction and for the replies' parents to be resolved.
        await Eventually.Until(() => GetJsonAsync("/api/community"), c => c.ValueKind == JsonValueKind.Object && c.GetProperty("interactions").GetInt32() == 13);
        await Eventually.Until(() => GetJsonAsync("/api/users/demo:ada/reciprocity"), r => r.ValueKind == JsonValueKind.Object && r.GetProperty("received").GetProperty("count").GetInt32() == 3);
        await Eventually.Until(() => GetJsonAsync("/api/users/demo:ben/reciprocity"), r => r.ValueKind == JsonValueKind.Object && r.GetProperty("received").GetProperty("count").GetInt32() == 3);
        await Eventually.Until(() => GetJsonAsync("/api/users/demo:hal/reciprocity"), r => r.ValueKind == JsonValueKind.Object && r.GetProperty("received").GetProperty("count").GetInt32() == 2);

        using var run = await Client.PostAsync("/admin/functions/ScoresProjection", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        await Eventually.Until(() => GetJsonAsync("/api/leaderboard"), b => b.ValueKind == JsonValueKind.Object && b.GetProperty("entries").GetArrayLength() > 0);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone() : default;
    }

    private async Task<JsonElement> RunBrowserAsync()
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var baseUrl = _host.Host.BaseAddress.ToString().TrimEnd('/');
        foreach (var arg in new[] { RepoPaths.Of("Tests", "Dashboard", "dashboard-check.mjs"), baseUrl, DesktopPng, MobilePng })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
        Assert.True(process.ExitCode == 0, $"dashboard-check failed ({process.ExitCode}): {await error}");
        return JsonDocument.Parse(await output).RootElement.Clone();
    }
}

/// <summary>One replayed store and one browser run shared by the dashboard's tests.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
