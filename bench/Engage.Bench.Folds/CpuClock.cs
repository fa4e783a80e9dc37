using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Engage.Bench.Folds;

/// <summary>
/// CPU seconds the calling thread has used (Linux CLOCK_THREAD_CPUTIME_ID; elsewhere the process's processor
/// time). On a shared machine wall time counts the waits for a core; "per core" figures count CPU time.
/// </summary>
public static class CpuClock
{
    private const int ThreadCpuTime = 3;

    public static double ThreadSeconds()
    {
        if (OperatingSystem.IsLinux() && clock_gettime(ThreadCpuTime, out var t) == 0)
        {
            return t.Seconds + (t.Nanoseconds * 1e-9);
        }

        return Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    }

    // DllImport, not LibraryImport: the generated marshalling needs unsafe blocks, and this call needs no marshalling.
    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
