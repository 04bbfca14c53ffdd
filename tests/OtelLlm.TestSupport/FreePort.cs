using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OtelLlm.TestSupport;

/// <summary>Finds loopback TCP ports that nothing listens on right now.</summary>
public static class FreePort
{
    private const int Lowest = 10_000;
    private static readonly Lock s_lock = new();
    private static readonly HashSet<int> s_handedOut = [];

    /// <summary>
    /// A port the system hands out for port 0. Another process may be given the same one before the caller binds
    /// it, so bind at once and retry with a new port when the bind fails.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A free port outside the system's ephemeral range, picked at random and never twice in this process. Neither a
    /// bind to port 0 nor an outgoing connection, in any process, is given such a port, so it stays free while a
    /// child process takes seconds to start listening on it, after that process is killed and before it starts
    /// again on it, or for as long as a test needs a port where nothing answers.
    /// </summary>
    public static int NextOutsideEphemeralRange()
    {
        var (low, high) = EphemeralRange();
        var below = Math.Max(0, low - Lowest);
        var above = Math.Max(0, 65_535 - high);
        if (below + above < 1_000)
        {
            return Next();
        }

        for (var attempt = 0; attempt < 1_000; attempt++)
        {
            var pick = Random.Shared.Next(below + above);
            var port = pick < below ? Lowest + pick : high + 1 + (pick - below);
            lock (s_lock)
            {
                if (!s_handedOut.Add(port))
                {
                    continue;
                }
            }

            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Something on this machine listens there already.
            }
        }

        throw new InvalidOperationException("No free port outside the ephemeral range after 1000 tries.");
    }

    /// <summary>The range the system picks ports from for port-0 binds and outgoing connections.</summary>
    private static (int Low, int High) EphemeralRange()
    {
        const string LinuxRange = "/proc/sys/net/ipv4/ip_local_port_range";
        if (File.Exists(LinuxRange))
        {
            var parts = File.ReadAllText(LinuxRange).Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var high))
            {
                return (low, high);
            }
        }

        // The IANA range, which Windows and macOS use.
        return (49_152, 65_535);
    }
}
