using System.Globalization;

namespace OtelLlm.LoadGen.Measurement;

/// <summary>CPU time and peak memory of processes, read from Linux's <c>/proc</c>.</summary>
internal static class ProcessStats
{
    // USER_HZ is 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100.0;

    /// <summary>User plus system CPU seconds the process has used so far; 0 when it is gone.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name may contain spaces; fields after it are fixed.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime + stime) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>CPU seconds of a set of processes.</summary>
    public static double CpuSeconds(IReadOnlyList<int> pids)
    {
        double total = 0;
        foreach (var pid in pids)
        {
            total += CpuSeconds(pid);
        }

        return total;
    }

    /// <summary>Peak resident memory (<c>VmHWM</c>) in MiB; 0 when unknown.</summary>
    public static double PeakResidentMiB(int pid) => StatusKiB(pid, "VmHWM:") / 1024.0;

    /// <summary>Current resident memory (<c>VmRSS</c>) in MiB; 0 when unknown.</summary>
    public static double ResidentMiB(int pid) => StatusKiB(pid, "VmRSS:") / 1024.0;

    /// <summary>Bytes the process caused to be sent to storage so far (<c>write_bytes</c> of <c>/proc/&lt;pid&gt;/io</c>); 0 when unknown.</summary>
    public static long StorageWriteBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/io"))
            {
                if (line.StartsWith("write_bytes:", StringComparison.Ordinal))
                {
                    return long.Parse(line["write_bytes:".Length..].Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }

    /// <summary>
    /// Process ids of the ClickHouse server behind <paramref name="url"/>: the process listening on its port when that can
    /// be found, else every running ClickHouse server (looked up by command name, read only). Other servers on the same
    /// machine (a test cluster) would otherwise add their CPU time, and one restarted during a run would make it negative.
    /// </summary>
    public static IReadOnlyList<int> FindClickHouseServer(Uri url)
    {
        var servers = FindClickHouseServer();
        var listener = FindListener(url.Port);
        return listener is { } pid && servers.Contains(pid) ? [pid] : servers;
    }

    /// <summary>The process listening on a local TCP port, from <c>/proc/net/tcp*</c> and the processes' socket descriptors.</summary>
    public static int? FindListener(int port)
    {
        var inodes = new HashSet<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            try
            {
                foreach (var line in File.ReadLines(table).Skip(1))
                {
                    var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    // local_address is ADDR:PORT in hex; state 0A is LISTEN; field 9 is the socket's inode.
                    if (f.Length > 9 && f[3] == "0A" && int.Parse(f[1][(f[1].IndexOf(':', StringComparison.Ordinal) + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                    {
                        inodes.Add($"socket:[{f[9]}]");
                    }
                }
            }
            catch (IOException)
            {
            }
        }

        if (inodes.Count == 0)
        {
            return null;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                foreach (var fd in Directory.EnumerateFiles(Path.Combine(dir, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target))
                    {
                        return pid;
                    }
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return null;
    }

    /// <summary>Process ids of every running ClickHouse server (looked up by command name, read only).</summary>
    public static IReadOnlyList<int> FindClickHouseServer()
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var comm = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                if (comm.StartsWith("clickhouse-serv", StringComparison.Ordinal) || comm == "clickhouse")
                {
                    var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                    if (cmdline.Contains("server", StringComparison.Ordinal))
                    {
                        pids.Add(pid);
                    }
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return pids;
    }

    private static double StatusKiB(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return double.Parse(parts[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
