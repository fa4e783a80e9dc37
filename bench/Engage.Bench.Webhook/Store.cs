using System.Diagnostics;
using System.Net.Sockets;

namespace Engage.Bench.Webhook;

/// <summary>How the emulated storage account is served.</summary>
public enum StoreLayout
{
    /// <summary>One Azurite process for blob, queue and table (what run.sh and test.sh start).</summary>
    One,

    /// <summary>One Azurite process per service (<c>azurite-blob</c>, <c>azurite-queue</c>, <c>azurite-table</c>), as Azure serves them apart.</summary>
    Three,
}

/// <summary>
/// A fresh, in-memory Azurite for one phase (free ports, the repo's node_modules), as one process or one per service;
/// its connection string names each endpoint. Stopped by the PIDs it started, on dispose.
/// </summary>
public sealed class Store : IDisposable
{
    private readonly List<Process> _processes;

    private Store(StoreLayout layout, List<Process> processes, string connectionString)
    {
        Layout = layout;
        _processes = processes;
        ConnectionString = connectionString;
    }

    public StoreLayout Layout { get; }

    public string ConnectionString { get; }

    public IReadOnlyList<int> Pids => [.. _processes.Select(p => p.Id)];

    public static Store Start(StoreLayout layout)
    {
        int blob = BenchAzurite.FreePort(), queue = BenchAzurite.FreePort(), table = BenchAzurite.FreePort();
        string[] common = ["--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent"];
        var processes = layout == StoreLayout.One
            ? [Node(["azurite.js", "--blobHost", "127.0.0.1", "--blobPort", $"{blob}", "--queueHost", "127.0.0.1", "--queuePort", $"{queue}",
                "--tableHost", "127.0.0.1", "--tablePort", $"{table}", .. common])]
            : new List<Process>
            {
                Node(["blob/main.js", "--blobHost", "127.0.0.1", "--blobPort", $"{blob}", .. common]),
                Node(["queue/main.js", "--queueHost", "127.0.0.1", "--queuePort", $"{queue}", .. common]),
                Node(["table/main.js", "--tableHost", "127.0.0.1", "--tablePort", $"{table}", .. common]),
            };
        var store = new Store(layout, processes, Connection(blob, queue, table));
        try
        {
            foreach (var port in new[] { blob, queue, table })
            {
                WaitForPort(port, TimeSpan.FromSeconds(30));
            }
        }
        catch
        {
            store.Dispose();
            throw;
        }

        return store;
    }

    /// <summary>
    /// The documented Azure format with an endpoint per service and the well-known Azurite development account
    /// (public, documented by Microsoft; not a secret).
    /// </summary>
    public static string Connection(int blob, int queue, int table) =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
        + $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";

    private static Process Node(string[] args)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(BenchRepo.Path("node_modules", "azurite", "dist", "src", args[0]));
        foreach (var arg in args[1..])
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Azurite (node).");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void WaitForPort(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var socket = new TcpClient("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }
        }
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }
    }
}
