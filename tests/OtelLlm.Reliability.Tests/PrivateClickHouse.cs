using System.Diagnostics;
using System.Globalization;
using OtelLlm.TestSupport;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// A ClickHouse server of the test's own, started and stopped for real through <c>scripts/clickhouse.sh</c> on ports
/// outside the ephemeral range with its data in a temporary folder, so a test can take ClickHouse away the way an
/// operator or a crash does without touching the server every other test uses.
/// </summary>
internal sealed class PrivateClickHouse : IAsyncDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "otelllm-ch-" + Guid.NewGuid().ToString("N"));
    private readonly int _httpPort = FreePort.NextOutsideEphemeralRange();
    private readonly int _tcpPort = FreePort.NextOutsideEphemeralRange();

    public Uri Url => new($"http://127.0.0.1:{_httpPort}");

    public static async Task<PrivateClickHouse> StartAsync()
    {
        var server = new PrivateClickHouse();
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again, on the same ports and data) and waits until it answers.</summary>
    public Task StartAgainAsync() => RunScriptAsync("start");

    /// <summary>Stops the server (SIGTERM) and waits until the process is gone.</summary>
    public Task StopAsync() => RunScriptAsync("stop");

    public async ValueTask DisposeAsync()
    {
        await RunScriptAsync("stop");
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // A straggling log write; the folder name is unique.
        }
    }

    private async Task RunScriptAsync(string verb)
    {
        var start = new ProcessStartInfo("bash", [RepoPaths.Combine("scripts", "clickhouse.sh"), verb])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CLICKHOUSE_URL"] = Url.ToString().TrimEnd('/');
        start.Environment["CLICKHOUSE_HOME"] = _home;
        start.Environment["CLICKHOUSE_TCP_PORT"] = _tcpPort.ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/clickhouse.sh {verb} for {Url} exited {process.ExitCode}:\n{await stdout}{await stderr}");
        }
    }
}
