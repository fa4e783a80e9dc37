using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Engage.Bench.Support;

/// <summary>
/// Which process listens on a local port, from /proc (Linux): a port found free and handed to an emulator can be taken
/// by another process first, which then answers a connection in its place.
/// </summary>
public static class LocalPorts
{
    /// <summary>
    /// Waits until <paramref name="process"/> listens on <paramref name="port"/>: false if it exits first (the port was
    /// taken), a <see cref="TimeoutException"/> after <paramref name="timeout"/>. Where /proc tells which process holds a
    /// listening socket, only this process's counts; elsewhere any process answering a connection does.
    /// </summary>
    public static bool WaitUntilListening(Process process, int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!process.HasExited)
        {
            if (HeldBy(process.Id, port) ?? Answers(port))
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Process {process.Id} did not listen on port {port} within {timeout}.");
            }

            Thread.Sleep(100);
        }

        return false;
    }

    private static bool Answers(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Whether process <paramref name="pid"/> holds a listening socket on <paramref name="port"/>; null without /proc.</summary>
    public static bool? HeldBy(int pid, int port) => ListeningSockets(port) is { } listening ? listening.Overlaps(SocketsOf(pid)) : null;

    /// <summary>The inodes of the listening TCP sockets on <paramref name="port"/> (/proc/net/tcp, tcp6), or null without /proc.</summary>
    public static HashSet<string>? ListeningSockets(int port)
    {
        if (!File.Exists("/proc/net/tcp"))
        {
            return null;
        }

        var inodes = new HashSet<string>(StringComparer.Ordinal);
        var hex = port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[3] == "0A" && fields[1].EndsWith(":" + hex, StringComparison.Ordinal))
                {
                    inodes.Add(fields[9]);
                }
            }
        }

        return inodes;
    }

    /// <summary>The socket inodes a process holds open (/proc/PID/fd links of the form socket:[inode]).</summary>
    public static IEnumerable<string> SocketsOf(int pid)
    {
        string[] links;
        try
        {
            links = Directory.GetFiles($"/proc/{pid}/fd");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var link in links)
        {
            string? target;
            try
            {
                target = new FileInfo(link).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                yield return target[8..^1];
            }
        }
    }
}
