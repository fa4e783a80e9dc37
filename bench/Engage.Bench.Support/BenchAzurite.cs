using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Engage.Bench.Support;

/// <summary>
/// An Azurite of the bench's own (in memory, free ports, the repo's node_modules), stopped by its PID on dispose. With
/// <c>ENGAGE_BENCH_AZURITE_PROFILE</c> set to a folder, Node profiles its CPU there (<c>--cpu-prof</c>) and is stopped
/// with SIGINT so that it writes the profile; <c>bench/azurite-profile.py</c> says where the time went.
/// </summary>
public sealed class BenchAzurite : IDisposable
{
    private readonly Process _process;
    private readonly bool _profiled;

    private BenchAzurite(Process process, bool profiled, string connectionString) => (_process, _profiled, ConnectionString) = (process, profiled, connectionString);

    public string ConnectionString { get; }

    /// <summary>
    /// CPU seconds this Azurite has used so far, every thread of it (Node's main thread, libuv's pool, V8's GC helpers):
    /// the first field of each <c>/proc/&lt;pid&gt;/task/&lt;tid&gt;/schedstat</c>, in nanoseconds, where <c>/proc/&lt;pid&gt;/stat</c>
    /// counts only in ticks of 10 ms, too coarse for a call of 50 ms. A thread that ends between the listing and its read is
    /// skipped; its time is lost to the figure, not to Azurite.
    /// </summary>
    public double CpuSeconds()
    {
        long nanoseconds = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
        {
            try
            {
                var first = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ', 2)[0];
                nanoseconds += long.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }

        return nanoseconds / 1e9;
    }

    /// <param name="profile">A folder for Node's CPU profile of this Azurite; by default <c>ENGAGE_BENCH_AZURITE_PROFILE</c>, if set.</param>
    public static BenchAzurite Start(string? profile = null)
    {
        // A port found free can be taken by another process (another test's emulator) before Azurite binds it: Azurite
        // then exits, and it is started again on other ports.
        for (var attempt = 1; ; attempt++)
        {
            if (TryStart(profile) is { } started)
            {
                return started;
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException("Azurite did not start on free ports in 3 attempts.");
            }
        }
    }

    private static BenchAzurite? TryStart(string? profile)
    {
        int blob = FreePort(), queue = FreePort(), table = FreePort();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        profile ??= Environment.GetEnvironmentVariable("ENGAGE_BENCH_AZURITE_PROFILE");
        if (!string.IsNullOrEmpty(profile))
        {
            Directory.CreateDirectory(profile);
            start.ArgumentList.Add("--cpu-prof");
            start.ArgumentList.Add($"--cpu-prof-dir={profile}");
        }

        foreach (var argument in new[]
        {
            BenchRepo.Path("node_modules", "azurite", "dist", "src", "azurite.js"), "--blobHost", "127.0.0.1", "--blobPort", $"{blob}",
            "--queueHost", "127.0.0.1", "--queuePort", $"{queue}", "--tableHost", "127.0.0.1", "--tablePort", $"{table}",
            "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        try
        {
            foreach (var port in new[] { blob, queue, table })
            {
                if (!LocalPorts.WaitUntilListening(process, port, TimeSpan.FromSeconds(30)))
                {
                    process.Dispose();
                    return null; // exited: another process took a port first
                }
            }
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw;
        }

        // The well-known Azurite development account (public, documented by Microsoft; not a secret).
        return new BenchAzurite(process, !string.IsNullOrEmpty(profile), "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;");
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        if (!_process.HasExited && _profiled)
        {
            // Node writes the CPU profile when it exits on its own: Azurite exits on SIGINT after closing its servers.
            using var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            interrupt.WaitForExit();
            _process.WaitForExit(30_000);
        }

        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}
