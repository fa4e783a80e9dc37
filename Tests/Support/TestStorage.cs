using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Engage.Tests.Support;

/// <summary>
/// The real Azurite every storage test uses. <c>./test.sh</c> starts one on free ports and passes its
/// connection string in <c>ENGAGE_TEST_STORAGE</c>; when that is not set (a plain <c>dotnet test</c>),
/// the first test that needs storage starts one from the repo's node_modules and stops it at exit.
/// </summary>
public static class TestStorage
{
    private static readonly Lazy<string> Connection = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ConnectionString => Connection.Value;

    /// <summary>A name no other test uses: tables and queues stay apart even when tests run in parallel.</summary>
    public static string UniqueName(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 20, 60)];

    public static string ConnectionStringFor(int blob, int queue, int table) =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Start()
    {
        if (Environment.GetEnvironmentVariable("ENGAGE_TEST_STORAGE") is { Length: > 0 } given)
        {
            return given;
        }

        return AzuriteProcess.Start().ConnectionString;
    }

    /// <summary>
    /// An Azurite of a test class's own, on free ports, stopped when disposed. For tests that need the
    /// queue <c>interactions</c> to themselves: its name is fixed by the trigger attribute, so every
    /// DevHost on the shared Azurite polls the same queue and would take the others' messages.
    /// </summary>
    public static AzuriteProcess StartDedicated() => AzuriteProcess.Start();

    /// <summary>Azurite from the repo's node_modules, in memory, on free ports.</summary>
    public sealed class AzuriteProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private int _stopped;

        private AzuriteProcess(Process process, string connectionString)
        {
            _process = process;
            ConnectionString = connectionString;
        }

        public string ConnectionString { get; }

        internal static AzuriteProcess Start()
        {
            var script = RepoPaths.Of("node_modules", "azurite", "dist", "src", "azurite.js");
            if (!File.Exists(script))
            {
                throw new InvalidOperationException("Azurite is not installed: run ./test.sh (or npm ci) first.");
            }

            int blob = FreePort(), queue = FreePort(), table = FreePort();
            var start = new ProcessStartInfo("node")
            {
                ArgumentList =
                {
                    script, "--blobHost", "127.0.0.1", "--blobPort", $"{blob}", "--queueHost", "127.0.0.1", "--queuePort", $"{queue}",
                    "--tableHost", "127.0.0.1", "--tablePort", $"{table}", "--inMemoryPersistence", "--skipApiVersionCheck",
                    "--disableTelemetry", "--silent",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Azurite.");
            var azurite = new AzuriteProcess(process, ConnectionStringFor(blob, queue, table));
            // Also when the test run ends without disposing it (the shared one is never disposed).
            AppDomain.CurrentDomain.ProcessExit += (_, _) => azurite.Stop();
            try
            {
                foreach (var port in new[] { blob, queue, table })
                {
                    WaitForPort(port, TimeSpan.FromSeconds(30));
                }
            }
            catch
            {
                azurite.Stop();
                throw;
            }

            return azurite;
        }

        /// <summary>Ends this Azurite (the process this class started, by its handle).</summary>
        public void Stop()
        {
            if (Interlocked.Exchange(ref _stopped, 1) == 1)
            {
                return;
            }

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

        public ValueTask DisposeAsync()
        {
            Stop();
            _process.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private static void WaitForPort(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }
        }
    }
}
