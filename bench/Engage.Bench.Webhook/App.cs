using System.Diagnostics;
using System.Net.Sockets;

namespace Engage.Bench.Webhook;

/// <summary>
/// DevHost (the app: HTTP routes and the queue poller that runs ingestion) as a process of its own over a phase's
/// store, so its CPU is measured apart from the load generator's and a GC pause of one does not stall the other.
/// The projection and digest timers never fire; the webhook rate limit is out of the way. Stopped by its PID on dispose.
/// </summary>
public sealed class App : IDisposable
{
    /// <summary>A Standard Webhooks secret for the bench's own deliveries (made up).</summary>
    public const string Secret = StandardWebhook.Secret;

    /// <summary>X's consumer secret for the CRC route (made up).</summary>
    public const string XSecret = "bench-x-consumer-secret";

    private readonly Process _process;

    private App(Process process, Uri address) => (_process, Address) = (process, address);

    public Uri Address { get; }

    public int Pid => _process.Id;

    public static App Start(string connectionString, bool ingest = true)
    {
        var port = BenchAzurite.FreePort();
        var dll = DevHostDll();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["AzureWebJobsStorage"] = connectionString,
            ["Sources__Standard__Secret"] = Secret,
            ["Sources__X__ConsumerSecret"] = XSecret,
            ["Unsubscribe__SigningKey"] = "bench-unsubscribe-key-0123456789",
            ["Scores__Schedule"] = "0 0 0 1 1 *",
            ["Digest__Schedule"] = "0 0 0 1 1 *",
            ["Webhooks__RateLimit__PermitsPerSecond"] = "100000",
            ["Webhooks__RateLimit__Burst"] = "100000",
            ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.100",
            ["Logging__LogLevel__Default"] = "Error",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DevHost__DisableBackgroundWork"] = ingest ? "false" : "true",
        })
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start DevHost.");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var socket = new TcpClient("127.0.0.1", port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                Thread.Sleep(100);
            }
            catch (SocketException)
            {
                process.Dispose();
                throw new InvalidOperationException("DevHost did not start: " + string.Join('\n', output));
            }
        }

        return new App(process, new Uri($"http://127.0.0.1:{port}"));
    }

    private static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lines.Enqueue(line);
        while (lines.Count > 50)
        {
            lines.TryDequeue(out _);
        }
    }

    /// <summary>The DevHost build beside this bench (a project reference), else DevHost's own output of the same configuration.</summary>
    private static string DevHostDll()
    {
        var beside = typeof(Engage.DevHost.DevHostApp).Assembly.Location;
        if (File.Exists(Path.ChangeExtension(beside, ".runtimeconfig.json")))
        {
            return beside;
        }

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var own = BenchRepo.Path("DevHost", "bin", configuration, "net10.0", "Engage.DevHost.dll");
        return File.Exists(own) ? own : throw new InvalidOperationException($"DevHost is not built ({own}): build EngageFunctions.sln first.");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}
