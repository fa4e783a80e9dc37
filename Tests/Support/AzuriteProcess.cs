using System.Diagnostics;

namespace Engage.Tests.Support;

/// <summary>An Azurite of its own (in memory, free ports), from the repo's node_modules; stopped by its PID on dispose.</summary>
public sealed class AzuriteProcess : IDisposable
{
    private readonly Process _process;

    private AzuriteProcess(Process process, string connectionString)
    {
        _process = process;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    /// <summary>
    /// An in-memory Azurite on free ports. A port found free can be taken by another process before Azurite binds it
    /// (other tests, DevHosts on port 0): Azurite then exits, and it is started again on other ports, up to 3 times.
    /// </summary>
    public static AzuriteProcess Start()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return Start(null, TestStorage.FreePort(), TestStorage.FreePort(), TestStorage.FreePort());
            }
            catch (AzuriteExitedException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>
    /// An Azurite on the given ports; with <paramref name="location"/> it keeps its data in that folder, so
    /// that one stopped and started again on the same ports and folder finds everything (queued messages too).
    /// </summary>
    public static AzuriteProcess Start(string? location, int blob, int queue, int table)
    {
        var script = RepoPaths.Of("node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException("Azurite is not installed: run ./test.sh (or npm ci) first.");
        }

        var start = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                script, "--blobHost", "127.0.0.1", "--blobPort", $"{blob}", "--queueHost", "127.0.0.1", "--queuePort", $"{queue}",
                "--tableHost", "127.0.0.1", "--tablePort", $"{table}", "--skipApiVersionCheck",
                "--disableTelemetry", "--silent",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (location is null)
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(location);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Azurite.");
        var azurite = new AzuriteProcess(process, TestStorage.ConnectionStringFor(blob, queue, table));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => azurite.Dispose();
        try
        {
            foreach (var port in new[] { blob, queue, table })
            {
                WaitForPort(process, port, TimeSpan.FromSeconds(90)); // a loaded 2-core machine starts node slowly
            }
        }
        catch
        {
            azurite.Dispose();
            throw;
        }

        return azurite;
    }

    /// <summary>
    /// Stops Azurite as an operator would (SIGTERM), so that it writes its database to <c>--location</c>
    /// first: storage that is down for a while, not storage that loses acknowledged writes (which Azurite,
    /// saving to disk only every few seconds, would after a SIGKILL, and Azure Storage never does).
    /// </summary>
    public void Stop()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill?.WaitForExit();
        }

        if (!_process.WaitForExit(15_000))
        {
            Dispose();
        }
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
    }

    private static void WaitForPort(Process process, int port, TimeSpan timeout)
    {
        // Only our own process's socket counts: a port another test's Azurite took first answers a connection too, and
        // ours then exits while the test talks to the other one (seen once as a DevHost's 500 when that one stopped).
        if (!Engage.Bench.Support.LocalPorts.WaitUntilListening(process, port, timeout))
        {
            throw new AzuriteExitedException($"Azurite exited ({process.ExitCode}) before it listened on port {port}: {process.StandardError.ReadToEnd().Trim()}");
        }
    }

    private sealed class AzuriteExitedException(string message) : Exception(message);
}
