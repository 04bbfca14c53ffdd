using System.Diagnostics;
using OtelLlm.TestSupport;

namespace OtelLlm.Reliability.Tests;

/// <summary>Two receiver processes pointed at one write-ahead log folder: the second refuses to start, saying why.</summary>
public sealed class SharedLogFolderTests(ClickHouseDatabase database) : IClassFixture<ClickHouseDatabase>
{
    [Fact]
    public async Task SecondReceiver_SameLogFolder_ExitsWithAClearErrorAndTheFirstKeepsServing()
    {
        await using var first = await ChildReceiver.StartAsync(database.Url, database.Name, []);
        var start = new ProcessStartInfo(ChildReceiver.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "OtelLlm.Receiver.dll"),
            $"--OtelLlm:Receiver:GrpcPort={FreePort.NextOutsideEphemeralRange()}",
            $"--OtelLlm:Receiver:HttpPort={FreePort.NextOutsideEphemeralRange()}",
            $"--OtelLlm:ClickHouse:Url={database.Url}",
            $"--OtelLlm:ClickHouse:Database={database.Name}",
            $"--OtelLlm:Receiver:Wal:Directory={first.WalDirectory}",
            "--OtelLlm:Console:Enabled=false",
        })
        {
            start.ArgumentList.Add(a);
        }

        using var second = Process.Start(start)!;
        var stdout = second.StandardOutput.ReadToEndAsync();
        var stderr = second.StandardError.ReadToEndAsync();
        await second.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var said = await stdout + await stderr;

        Assert.Equal(3, second.ExitCode);
        Assert.Contains("is in use by another receiver process", said, StringComparison.Ordinal);
        Assert.Contains("OtelLlm:Receiver:Wal:Directory", said, StringComparison.Ordinal);
        using var http = new HttpClient();
        using var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{first.HttpPort}/healthz"));
        Assert.True(ready.IsSuccessStatusCode);
    }
}
