using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Engage.Bench.Support;

namespace Engage.Tests.Bench;

/// <summary>Which process holds a listening port (what the emulators' start-up waits for, so another's port is not taken for theirs).</summary>
public sealed class LocalPortsTests
{
    [Fact]
    public void HeldBy_IsTrueForThisProcessesListener_AndFalseForAnotherProcess()
    {
        if (!File.Exists("/proc/net/tcp"))
        {
            Assert.Null(LocalPorts.HeldBy(Environment.ProcessId, 1));
            return;
        }

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            Assert.True(LocalPorts.HeldBy(Environment.ProcessId, port));

            using var other = Process.Start(new ProcessStartInfo("sleep", "5") { UseShellExecute = false })!;
            try
            {
                Assert.False(LocalPorts.HeldBy(other.Id, port));
            }
            finally
            {
                other.Kill();
            }
        }
        finally
        {
            listener.Stop();
        }

        // A port nobody listens on any more is held by no one.
        var closed = ((IPEndPoint)listener.LocalEndpoint).Port;
        Assert.False(LocalPorts.HeldBy(Environment.ProcessId, closed));
    }
}
