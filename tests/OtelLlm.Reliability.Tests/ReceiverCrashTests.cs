using OtelLlm.TestSupport;
using Xunit.Abstractions;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// The receiver as a child process under load from retrying clients (half OTLP/HTTP, half gRPC), killed or stopped
/// mid-load and started again on the same spool and database: every acknowledged span is stored, once under FINAL.
/// </summary>
public sealed class ReceiverCrashTests(ClickHouseDatabase database, ITestOutputHelper output) : IClassFixture<ClickHouseDatabase>
{
    private const int Requests = 120;
    private const int SpansPerRequest = 100;
    private const int Sent = Requests * SpansPerRequest;
    private static readonly string[] s_fastRetries =
    [
        "--OtelLlm:Receiver:Wal:RetryInitialMilliseconds=100",
        "--OtelLlm:Receiver:Wal:RetryMaxMilliseconds=1000",
    ];

    [Fact]
    public async Task Export_ReceiverKilledMidLoad_EveryAckedSpanStoredOnce()
    {
        await using var child = await ChildReceiver.StartAsync(database.Url, database.Name, s_fastRetries);
        await LoadWithFaultAsync("crash-kill9", child, Sent / 3, async () =>
        {
            await child.KillAsync();
            await Task.Delay(500);
            await child.RestartAsync();
        });
    }

    [Fact]
    public async Task Export_ReceiverTerminatedMidLoad_ShutsDownCleanlyAndStoresEveryAckedSpan()
    {
        await using var child = await ChildReceiver.StartAsync(database.Url, database.Name, s_fastRetries);
        var exitCode = -1;
        await LoadWithFaultAsync("crash-sigterm", child, Sent / 3, async () =>
        {
            exitCode = await child.TerminateAsync();
            await child.RestartAsync();
        });
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task Export_ReceiverKilledWhileClickHouseDown_LogWrittenAfterRestart()
    {
        await using var proxy = new FaultProxy(database.Url);
        await using var child = await ChildReceiver.StartAsync(proxy.Url, database.Name, s_fastRetries);
        var loggedBytes = 0L;
        await LoadWithFaultAsync("crash-kill9-chdown", child, Sent / 4, async () =>
        {
            proxy.Down = true;
            // Acknowledged while ClickHouse is unreachable: these batches exist only in the spool when the process dies.
            await WaitUntilAsync(() => LogBytes(child) > 0, TimeSpan.FromSeconds(120));
            await Task.Delay(2000);
            loggedBytes = LogBytes(child);
            await child.KillAsync();
            proxy.Down = false;
            await child.RestartAsync();
        });
        output.WriteLine($"spool bytes on disk at the kill: {loggedBytes}; connections dropped by the proxy: {proxy.Dropped}");
        Assert.True(loggedBytes > 0);
        Assert.True(proxy.Dropped > 0);
    }

    private async Task LoadWithFaultAsync(string service, ChildReceiver child, int faultAfterAcked, Func<Task> fault)
    {
        using var exporter = new RetryingExporter(child.HttpPort, child.GrpcPort);
        var next = -1;
        long acked = 0;
        var finished = 0;
        var workers = Enumerable.Range(0, 4).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Requests)
            {
                var request = Load.Spans(service, i * SpansPerRequest, SpansPerRequest);
                if (await exporter.ExportAsync(request, useGrpc: i % 2 == 1, TimeSpan.FromMinutes(3)))
                {
                    Interlocked.Add(ref acked, SpansPerRequest);
                }
            }

            Interlocked.Increment(ref finished);
        }).ToArray();

        await WaitUntilAsync(() => Interlocked.Read(ref acked) >= faultAfterAcked || Volatile.Read(ref finished) == workers.Length, TimeSpan.FromSeconds(180));
        var ackedAtFault = Interlocked.Read(ref acked);
        await fault();
        await Task.WhenAll(workers);

        var where = $"ServiceName = '{service}'";
        var stored = await database.WaitForCountAsync($"SELECT count() FROM otel_traces FINAL WHERE {where}", Sent, TimeSpan.FromSeconds(120));
        var unique = await database.CountAsync($"SELECT uniqExact(SpanId) FROM otel_traces WHERE {where}");
        var raw = await database.CountAsync($"SELECT count() FROM otel_traces WHERE {where}");
        output.WriteLine($"{service}: sent={Sent} acked={acked} (at fault {ackedAtFault}) stored(FINAL)={stored} unique={unique} raw={raw} duplicatesAbsorbed={raw - unique} clientRetries={exporter.Retries}");
        Assert.True(ackedAtFault < Sent, "the fault came after the load had finished");
        Assert.Equal(Sent, acked);
        Assert.Equal(acked, stored);
        Assert.Equal(acked, unique);
    }

    private static long LogBytes(ChildReceiver child)
        => Directory.Exists(child.WalDirectory)
            ? Directory.GetFiles(child.WalDirectory, "*.wal").Sum(f => new FileInfo(f).Length)
            : 0;

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "condition not reached in time");
    }
}
