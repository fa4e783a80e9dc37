using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Engage.Bench.Ingest;

/// <summary>An Azurite of the bench's own: in memory, free ports, stopped by its PID when disposed.</summary>
public sealed class BenchAzurite : IDisposable
{
    private readonly Process _process;

    private BenchAzurite(Process process, string connectionString) => (_process, ConnectionString) = (process, connectionString);

    public string ConnectionString { get; }

    public static BenchAzurite Start(string root)
    {
        int blob = FreePort(), queue = FreePort(), table = FreePort();
        var process = Process.Start(new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js"), "--blobHost", "127.0.0.1", "--blobPort", $"{blob}",
                "--queueHost", "127.0.0.1", "--queuePort", $"{queue}", "--tableHost", "127.0.0.1", "--tablePort", $"{table}",
                "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        foreach (var port in new[] { blob, queue, table })
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                try
                {
                    using var socket = new TcpClient("127.0.0.1", port);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(100);
                }
            }
        }

        // The well-known Azurite development account (public, documented by Microsoft; not a secret).
        return new BenchAzurite(process, $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;");
    }

    public void Dispose()
    {
        try
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    /// <summary>The repository root (where EngageFunctions.sln is), for node_modules.</summary>
    public static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EngageFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run from inside the repository.");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
