using System.Diagnostics;
using System.Globalization;

namespace Onboarding.Bench;

/// <summary>Peak memory, CPU time and machine load of the benchmark process (Linux /proc, with fallbacks).</summary>
internal static class ProcessStats
{
    /// <summary>Writing 5 to /proc/self/clear_refs resets VmHWM (Linux), so the peak covers only what follows.</summary>
    public static void ResetPeakWorkingSet()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public static double PeakWorkingSetMb()
    {
        string? line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) : null;
        return line is null
            ? Process.GetCurrentProcess().PeakWorkingSet64 / 1e6
            : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024 / 1e6;
    }

    public static double WorkingSetMb()
    {
        using Process self = Process.GetCurrentProcess();
        return self.WorkingSet64 / 1e6;
    }

    public static TimeSpan CpuTime()
    {
        using Process self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
