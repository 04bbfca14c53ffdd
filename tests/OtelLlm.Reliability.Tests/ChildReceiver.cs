using System.Collections.Concurrent;
using System.Diagnostics;
using OtelLlm.TestSupport;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// The real receiver as a child process (<c>dotnet OtelLlm.Receiver.dll</c>, copied next to the tests by the project
/// reference), so it can be killed with SIGKILL or stopped with SIGTERM and started again on the same ports, spool
/// folder and database.
/// </summary>
internal sealed class ChildReceiver : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(90);
    private readonly string[] _args;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private ChildReceiver(string directory, int grpcPort, int httpPort, string[] args)
    {
        Directory = directory;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        _args = args;
    }

    public string Directory { get; }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    /// <summary>The spool folder, to see whether acknowledged data sits only on disk.</summary>
    public string WalDirectory => Path.Combine(Directory, "wal");

    /// <summary>Peak resident memory of the running process (VmHWM), in bytes.</summary>
    public long PeakWorkingSet
    {
        get
        {
            var process = _process!;
            process.Refresh();
            return process.PeakWorkingSet64;
        }
    }

    /// <summary>The last lines the child wrote, for failure messages.</summary>
    public string RecentOutput => string.Join('\n', _output);

    public static async Task<ChildReceiver> StartAsync(Uri clickHouse, string database, IEnumerable<string> extraArgs)
    {
        for (var attempt = 0; ; attempt++)
        {
            var directory = Path.Combine(Path.GetTempPath(), "otelllm-child-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(directory);
            // Outside the ephemeral range: no other test can be given these ports during the seconds the child takes
            // to bind them, nor while it is down between a kill and its restart on the same ports.
            var grpcPort = FreePort.NextOutsideEphemeralRange();
            var httpPort = FreePort.NextOutsideEphemeralRange();
            string[] args =
            [
                $"--OtelLlm:Receiver:GrpcPort={grpcPort}",
                $"--OtelLlm:Receiver:HttpPort={httpPort}",
                "--OtelLlm:Receiver:BatchMaxDelayMilliseconds=100",
                "--OtelLlm:Receiver:MigrateOnStart=false",
                $"--OtelLlm:ClickHouse:Url={clickHouse}",
                $"--OtelLlm:ClickHouse:Database={database}",
                "--OtelLlm:ClickHouse:Timeout=00:01:00",
                $"--OtelLlm:Receiver:Wal:Directory={Path.Combine(directory, "wal")}",
                $"--OtelLlm:Receiver:Wal:DeadLetterDirectory={Path.Combine(directory, "dead")}",
                "--Logging:LogLevel:Default=Warning",
                "--OtelLlm:Console:Enabled=false",
                .. extraArgs,
            ];
            var child = new ChildReceiver(directory, grpcPort, httpPort, args);
            if (await child.TryStartAsync())
            {
                return child;
            }

            var output = child.RecentOutput;
            await child.DisposeAsync();
            if (attempt >= 3)
            {
                throw new InvalidOperationException("The receiver child process did not become healthy:\n" + output);
            }
        }
    }

    /// <summary>Starts the process again with the same arguments (ports, spool, database); retried while the ports are still held.</summary>
    public async Task RestartAsync()
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if (await TryStartAsync())
            {
                return;
            }

            await Task.Delay(1000);
        }

        throw new InvalidOperationException("The receiver child process did not restart:\n" + RecentOutput);
    }

    /// <summary>SIGKILL: no shutdown code runs, like a crash or the OOM killer.</summary>
    public async Task KillAsync()
    {
        var process = _process!;
        process.Kill(entireProcessTree: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>SIGTERM, as from an orchestrator; waits for the process to exit and returns its exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        var process = _process!;
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException("The receiver did not exit within 90 s of SIGTERM:\n" + RecentOutput);
        }

        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } running)
        {
            running.Kill(entireProcessTree: true);
            await running.WaitForExitAsync();
        }

        _process?.Dispose();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private async Task<bool> TryStartAsync()
    {
        _process?.Dispose();
        var start = new ProcessStartInfo(DotnetHost(), [Path.Combine(AppContext.BaseDirectory, "OtelLlm.Receiver.dll"), .. _args])
        {
            WorkingDirectory = Directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/healthz"));
                if (response.IsSuccessStatusCode && !process.HasExited)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        return false;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }

    internal static string DotnetHost()
        => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath!
            : "dotnet";
}
