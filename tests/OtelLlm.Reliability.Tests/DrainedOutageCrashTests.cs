using OtelLlm.TestSupport;
using Xunit.Abstractions;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// The operator's sequence that once lost every acknowledged span of a second outage: an outage drained to an empty
/// spool, a graceful restart, a second outage, then a crash. A real ClickHouse server of the test's own is stopped and
/// started; the receiver is a real process, stopped with SIGTERM and killed with SIGKILL.
/// </summary>
[Collection(PrivateServerGroup.Name)]
public sealed class DrainedOutageCrashTests(ITestOutputHelper output)
{
    private const int Requests = 20;
    private const int SpansPerRequest = 500;
    private const int PerOutage = Requests * SpansPerRequest;
    private const string Service = "drained-outage-crash";
    private static readonly string[] s_settings =
    [
        "--OtelLlm:Receiver:Wal:RetryInitialMilliseconds=100",
        "--OtelLlm:Receiver:Wal:RetryMaxMilliseconds=1000",
    ];

    [Fact]
    public async Task Crash_AfterDrainedOutageRestartAndSecondOutage_EveryAcknowledgedSpanStoredOnce()
    {
        await using var server = await PrivateClickHouse.StartAsync();
        await using var database = ClickHouseDatabase.OnServer(server.Url);
        await database.InitializeAsync();
        await using var child = await ChildReceiver.StartAsync(server.Url, database.Name, s_settings);
        using var exporter = new RetryingExporter(child.HttpPort, child.GrpcPort);

        // 1. ClickHouse stopped; every request acknowledged from the spool.
        await server.StopAsync();
        Assert.Equal(PerOutage, await SendAsync(exporter, first: 0));
        Assert.NotEmpty(Segments(child));

        // 2. ClickHouse back; the spool drains to nothing but its checkpoint and lock.
        await server.StartAgainAsync();
        Assert.Equal(PerOutage, await database.WaitForCountAsync(Count("otel_traces"), PerOutage, TimeSpan.FromMinutes(3)));
        await Wait.UntilAsync(() => Segments(child).Length == 0, TimeSpan.FromMinutes(2), "the spool drains");
        output.WriteLine("after the drain the spool folder holds: " + string.Join(", ", Directory.GetFileSystemEntries(child.WalDirectory).Select(Path.GetFileName)));

        // 3. A graceful restart on the same state folder.
        Assert.Equal(0, await child.TerminateAsync());
        await child.RestartAsync();

        // 4. ClickHouse stopped again; new spans acknowledged from the spool.
        await server.StopAsync();
        Assert.Equal(PerOutage, await SendAsync(exporter, first: PerOutage));
        var spooled = Segments(child).Sum(f => new FileInfo(f).Length);
        Assert.True(spooled > 0);

        // 5. SIGKILL; ClickHouse and the receiver start again.
        await child.KillAsync();
        await server.StartAgainAsync();
        await child.RestartAsync();

        var stored = await database.WaitForCountAsync(Count("otel_traces"), 2 * PerOutage, TimeSpan.FromMinutes(3));
        var calls = await database.WaitForCountAsync(Count("llm_calls"), 2 * PerOutage, TimeSpan.FromMinutes(1));
        var where = $"ServiceName = '{Service}'";
        var unique = await database.CountAsync($"SELECT uniqExact(SpanId) FROM otel_traces WHERE {where}");
        var revisionZero = await database.CountAsync($"SELECT count() FROM llm_calls WHERE {where} AND Revision = 0");
        var rollup = await database.CountAsync($"SELECT sum(Calls) FROM llm_calls_1m WHERE {where}");
        output.WriteLine($"spooled at the kill: {spooled} bytes; otel_traces FINAL {stored}, unique {unique}; llm_calls FINAL {calls}, revision 0 rows {revisionZero}, llm_calls_1m {rollup}");
        Assert.Equal(2 * PerOutage, stored);
        Assert.Equal(2 * PerOutage, unique);
        Assert.Equal(2 * PerOutage, calls);
        Assert.Equal(2 * PerOutage, revisionZero);
        Assert.Equal(2 * PerOutage, rollup);
    }

    private static string Count(string table) => $"SELECT count() FROM {table} FINAL WHERE ServiceName = '{Service}'";

    private static string[] Segments(ChildReceiver child)
        => Directory.Exists(child.WalDirectory) ? Directory.GetFiles(child.WalDirectory, "*.wal") : [];

    private static async Task<int> SendAsync(RetryingExporter exporter, int first)
    {
        var acked = 0;
        for (var i = 0; i < Requests; i++)
        {
            var request = Load.GenAiSpans(Service, first + (i * SpansPerRequest), SpansPerRequest);
            if (await exporter.ExportAsync(request, useGrpc: false, TimeSpan.FromMinutes(2)))
            {
                acked += SpansPerRequest;
            }
        }

        return acked;
    }
}

/// <summary>Tests that start private ClickHouse servers run one at a time: each server is a heavy process.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PrivateServerGroup
{
    public const string Name = "private ClickHouse servers";
}

/// <summary>Waits for conditions, never for fixed times.</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }
}
