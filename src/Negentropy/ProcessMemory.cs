using System.Globalization;

namespace Negentropy;

/// <summary>Resident memory of this process, read from /proc/self/status on Linux.</summary>
public static class ProcessMemory
{
    /// <summary>Returns the current resident set size (VmRSS) in MiB, or null where /proc is missing.</summary>
    public static double? ResidentMiB() => ReadKiB("VmRSS:") / 1024.0;

    /// <summary>Returns the peak resident set size (VmHWM) in MiB, or null where /proc is missing.</summary>
    public static double? PeakResidentMiB() => ReadKiB("VmHWM:") / 1024.0;

    private static long? ReadKiB(string field)
    {
        const string Status = "/proc/self/status";
        if (!File.Exists(Status))
        {
            return null;
        }
        foreach (string line in File.ReadLines(Status))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                // The line reads "VmRSS:    123456 kB".
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }
        return null;
    }
}
