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
}
