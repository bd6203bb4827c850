using System.Diagnostics;
using System.Globalization;

namespace Fme.MLNet.Diagnostics;

/// <summary>
/// Resident memory of this process, as the operating system counts it: peak (VmHWM) and current (VmRSS) from
/// /proc/self/status on Linux, the working set elsewhere. Used by the command line and the benchmarks.
/// </summary>
public static class ProcessMemory
{
    /// <summary>Peak resident bytes since the process started (or since <see cref="ResetPeak"/>).</summary>
    public static long PeakResidentBytes => ReadStatus("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64;

    /// <summary>Resident bytes now.</summary>
    public static long ResidentBytes => ReadStatus("VmRSS:") ?? Process.GetCurrentProcess().WorkingSet64;

    /// <summary>Resets the peak to the current resident size (Linux only: writes 5 to /proc/self/clear_refs). Returns false where not supported.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? ReadStatus(string key)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var kb = line[key.Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }
        return null;
    }
}
