using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Engage.Bench.Reads;

/// <summary>An Azurite of the bench's own (in memory, free ports, the repository's node_modules), stopped by its PID.</summary>
internal sealed class BenchAzurite(Process process, string connectionString) : IDisposable
{
    public string ConnectionString { get; } = connectionString;

    public static BenchAzurite Start()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "EngageFunctions.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Run from inside the repository.");
        }

        static int Port()
        {
            using var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return ((IPEndPoint)l.LocalEndpoint).Port;
        }

        int blob = Port(), queue = Port(), table = Port();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js"), "--blobHost", "127.0.0.1", "--blobPort", $"{blob}",
            "--queueHost", "127.0.0.1", "--queuePort", $"{queue}", "--tableHost", "127.0.0.1", "--tablePort", $"{table}",
            "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent",
        })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        foreach (var port in new[] { blob, queue, table })
        {
            for (var i = 0; ; i++)
            {
                try
                {
                    using var c = new TcpClient();
                    c.Connect(IPAddress.Loopback, port);
                    break;
                }
                catch (SocketException) when (i < 300)
                {
                    Thread.Sleep(100);
                }
            }
        }

        return new BenchAzurite(process, "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;");
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(5000);
        }

        process.Dispose();
    }
}
