using System.Globalization;

namespace Engage.Bench.Webhook;

/// <summary>
/// CPU time of some processes from <c>/proc/&lt;pid&gt;/stat</c> (utime + stime, in clock ticks of 1/100 s, Linux's
/// USER_HZ), so a phase can say how busy the store and the app were: a process near 100 % of a core is the limit.
/// </summary>
public sealed class CpuMeter
{
    private const double TicksPerSecond = 100;
    private readonly IReadOnlyList<int> _pids;
    private readonly long[] _start;
    private readonly DateTime _since = DateTime.UtcNow;

    private CpuMeter(IReadOnlyList<int> pids)
    {
        _pids = pids;
        _start = [.. pids.Select(Ticks)];
    }

    public static CpuMeter Start(IReadOnlyList<int> pids) => new(pids);

    /// <summary>Per process, the share of one core it used since <see cref="Start"/> (1.0 = a whole core).</summary>
    public IReadOnlyList<double> Cores()
    {
        var seconds = Math.Max((DateTime.UtcNow - _since).TotalSeconds, 1e-3);
        return [.. _pids.Select((pid, i) => (Ticks(pid) - _start[i]) / TicksPerSecond / seconds)];
    }

    /// <summary>utime + stime of a process (fields 14 and 15 of its stat line, counted after the command name's closing parenthesis); 0 when it is gone.</summary>
    public static long Ticks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }
}

/// <summary>The whole machine's busy cores over a phase, from the first line of <c>/proc/stat</c>: what the other processes on a shared machine take.</summary>
public sealed class MachineMeter
{
    private readonly (long Busy, long Total) _start = Read();

    public static MachineMeter Start() => new();

    /// <summary>Busy cores (of <see cref="Environment.ProcessorCount"/>) since <see cref="Start"/>.</summary>
    public double BusyCores()
    {
        var (busy, total) = Read();
        var dt = total - _start.Total;
        return dt <= 0 ? 0 : (busy - _start.Busy) / (double)dt * Environment.ProcessorCount;
    }

    private static (long Busy, long Total) Read()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
            var total = fields.Take(8).Sum();
            return (total - idle, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return (0, 0);
        }
    }
}
