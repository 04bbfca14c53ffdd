using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OtelLlm.LoadGen.Measurement;

/// <summary>
/// The receiver started as a child process (<c>dotnet OtelLlm.Receiver.dll</c>) on free loopback ports, with its own
/// database and log folder, so its CPU time and peak memory can be read from <c>/proc</c>.
/// </summary>
internal sealed class ReceiverProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _spoolRoot;
    private readonly Queue<string> _lastLines = new();

    private ReceiverProcess(Process process, int grpcPort, int httpPort, string spoolRoot)
    {
        _process = process;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        _spoolRoot = spoolRoot;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The folder holding the receiver's write-ahead log (or an older build's spool) and dead-letter files.</summary>
    public string DataRoot => _spoolRoot;

    /// <summary>Starts the receiver and waits until <c>/readyz</c> answers 200 (schema applied, ClickHouse reachable).</summary>
    public static async Task<ReceiverProcess> StartAsync(string receiverDll, Uri clickHouse, string database, string? apiKey, IReadOnlyList<string> extraArgs, IReadOnlyDictionary<string, string> environment)
    {
        if (!File.Exists(receiverDll))
        {
            throw new FileNotFoundException($"The receiver was not found at {receiverDll}; build it with 'dotnet build -c Release receiver/OtelLlm.Receiver' or pass --receiver.", receiverDll);
        }

        var grpcPort = FreePort();
        var httpPort = FreePort();
        var spoolRoot = Path.Combine(Path.GetTempPath(), "otelllm-loadgen-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(spoolRoot);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(receiverDll)!,
        };
        info.ArgumentList.Add(receiverDll);
        info.ArgumentList.Add(Arg("OtelLlm:Receiver:GrpcPort", grpcPort));
        info.ArgumentList.Add(Arg("OtelLlm:Receiver:HttpPort", httpPort));
        info.ArgumentList.Add(Arg("OtelLlm:Receiver:ListenAddress", "127.0.0.1"));
        info.ArgumentList.Add(Arg("OtelLlm:Receiver:Wal:Directory", Path.Combine(spoolRoot, "wal")));
        info.ArgumentList.Add(Arg("OtelLlm:Receiver:Wal:DeadLetterDirectory", Path.Combine(spoolRoot, "dead-letter")));
        info.ArgumentList.Add(Arg("OtelLlm:Receiver:Wal:LegacySpoolDirectory", Path.Combine(spoolRoot, "spool")));
        // Builds from before the write-ahead log keep their spool under these keys; a newer build ignores them.
        info.ArgumentList.Add(Arg("OtelLlm:Receiver:Spool:Directory", Path.Combine(spoolRoot, "spool")));
        info.ArgumentList.Add(Arg("OtelLlm:Receiver:Spool:DeadLetterDirectory", Path.Combine(spoolRoot, "dead-letter")));
        info.ArgumentList.Add(Arg("OtelLlm:ClickHouse:Url", clickHouse));
        info.ArgumentList.Add(Arg("OtelLlm:ClickHouse:Database", database));
        info.ArgumentList.Add(Arg("Logging:LogLevel:Default", "Warning"));
        info.ArgumentList.Add(Arg("OtelLlm:Console:Enabled", "false"));
        if (apiKey is not null)
        {
            info.ArgumentList.Add(Arg("OtelLlm:Receiver:Auth:Keys", apiKey + "=default"));
        }

        foreach (var extra in extraArgs)
        {
            info.ArgumentList.Add(extra);
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var receiver = new ReceiverProcess(process, grpcPort, httpPort, spoolRoot);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The receiver exited with code {process.ExitCode}:\n{receiver.LastOutput()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{httpPort}/readyz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return receiver;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        await receiver.DisposeAsync();
        throw new TimeoutException($"The receiver did not become ready within 90 s:\n{receiver.LastOutput()}");
    }

    public string LastOutput()
    {
        lock (_lastLines)
        {
            return string.Join('\n', _lastLines);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM first so the host drains its batches the way a real shutdown does.
            using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false }))
            {
                if (kill is not null)
                {
                    await kill.WaitForExitAsync();
                }
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_spoolRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Arg(string key, object value) => string.Create(CultureInfo.InvariantCulture, $"--{key}={value}");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            while (_lastLines.Count > 40)
            {
                _lastLines.Dequeue();
            }
        }
    }
}
