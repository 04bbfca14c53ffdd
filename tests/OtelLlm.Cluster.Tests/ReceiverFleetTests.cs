using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using OtelLlm.Reliability.Tests;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Schema;
using OtelLlm.TestSupport;
using Xunit.Abstractions;

namespace OtelLlm.Cluster.Tests;

/// <summary>Tests that stop cluster nodes: they run alone, after the others, so no other test sees a node down.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NodeFaults
{
    public const string Name = "cluster node faults";
}

/// <summary>
/// Receivers as a fleet on the real local cluster: several at once with no coordination, a replica stopped and a whole
/// shard stopped during a stream. Every assertion counts what was acknowledged (HTTP 200: durable in the receiver's own
/// log) against what the Distributed tables hold, with <c>FINAL</c>, raw and through the rollups.
/// </summary>
[Collection(NodeFaults.Name)]
public sealed class ReceiverFleetTests(ITestOutputHelper output)
{
    private const int Batch = 100;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task TwoReceivers_StreamingConcurrentlyWithRedeliveries_EveryCallStoredOnceAndCountedOnce()
    {
        await using var db = new ClusterDatabase { Migrate = false };
        await db.InitializeAsync();
        // Each receiver migrates at start-up, both at once; they know the nodes in different orders.
        await using var first = await FleetReceiver.StartAsync(db.Name, LocalCluster.Urls);
        await using var second = await FleetReceiver.StartAsync(db.Name, LocalCluster.Urls.Reverse());
        await Task.WhenAll(first.WaitReadyAsync(s_wait), second.WaitReadyAsync(s_wait));

        const int Batches = 12;
        async Task<int> StreamAsync(FleetReceiver receiver, string service)
        {
            for (var b = 0; b < Batches; b++)
            {
                var request = Load.GenAiSpans(service, b * Batch, Batch);
                Assert.Equal(HttpStatusCode.OK, await receiver.ExportAsync(request));
                if (b % 3 == 0)
                {
                    // The client lost the acknowledgement and sends the same spans again to the same receiver.
                    Assert.Equal(HttpStatusCode.OK, await receiver.ExportAsync(request));
                }
            }

            return Batches * Batch;
        }

        var sent = await Task.WhenAll(StreamAsync(first, "fleet-a"), StreamAsync(second, "fleet-b"));
        var calls = sent.Sum();

        Assert.Equal(calls, await db.WaitForCountAsync("SELECT count() FROM llm_calls FINAL", calls, s_wait));
        Assert.Equal(calls, await db.WaitForCountAsync("SELECT sum(Calls) FROM llm_calls_1m", calls, s_wait));
        Assert.Equal(calls, await db.WaitForCountAsync("SELECT count() FROM otel_traces FINAL", calls, s_wait));
        await db.SyncReplicasAsync();
        Assert.Equal(calls, await db.CountAsync("SELECT count() FROM llm_calls"));
        Assert.Equal(calls, await db.CountAsync("SELECT sum(Calls) FROM llm_calls_1m"));
        Assert.Equal(calls, await db.CountAsync("SELECT sum(Calls) FROM llm_users_1d"));
        Assert.Equal(calls, await db.CountAsync("SELECT uniqExact(TraceId, SpanId) FROM llm_calls"));
        Assert.Equal(await db.CountAsync("SELECT sum(InputTokens) FROM llm_calls FINAL"), await db.CountAsync("SELECT sum(InputTokensSum) FROM llm_calls_1m"));
        await AssertEachTraceOnOneShardAsync(db, calls);
    }

    [Fact]
    public async Task ReplicaStoppedDuringStream_NothingAcknowledgedLost_AndItCatchesUpWhenRestarted()
    {
        await using var db = new ClusterDatabase();
        await db.InitializeAsync();
        await using var receiver = await FleetReceiver.StartAsync(db.Name, LocalCluster.Urls);
        await receiver.WaitReadyAsync(s_wait);
        var stream = new Stream(receiver, "replica-down");
        try
        {
            await stream.SendUntilAsync(() => stream.Acknowledged >= 5 * Batch);
            await ClusterNodes.StopAsync(8132);
            var atStop = stream.Acknowledged;
            await stream.SendUntilAsync(() => stream.Acknowledged >= atStop + (10 * Batch));
            output.WriteLine($"acknowledged {atStop} calls before the replica stopped, {stream.Acknowledged - atStop} while it was down, {stream.Refused} refused");
        }
        finally
        {
            await ClusterNodes.StartAsync(8132);
        }

        var afterRestart = stream.Acknowledged;
        await stream.SendUntilAsync(() => stream.Acknowledged >= afterRestart + (5 * Batch));
        var acknowledged = stream.Acknowledged;
        Assert.Equal(0, stream.Refused);

        Assert.Equal(acknowledged, await db.WaitForCountAsync("SELECT count() FROM llm_calls FINAL", acknowledged, s_wait));
        Assert.Equal(acknowledged, await db.WaitForCountAsync("SELECT sum(Calls) FROM llm_calls_1m", acknowledged, s_wait));

        // The restarted replica fetches what its shard took while it was down: it ends up with the same rows as its twin.
        var local = SchemaContext.LocalDatabaseName(db.Name);
        using var stopped = Node(8132, local);
        using var twin = Node(8131, local);
        await stopped.ExecuteAsync($"SYSTEM SYNC REPLICA {local}.llm_calls", "wait for the restarted replica");
        await stopped.ExecuteAsync($"SYSTEM SYNC REPLICA {local}.llm_calls_1m", "wait for the restarted replica");
        // On 18.16 SYNC REPLICA waits for the queue the replica has, which a just-restarted one may still be filling from
        // ZooKeeper's log: wait for the counts to meet.
        var rows = await twin.ScalarAsync("SELECT count() FROM llm_calls", "rows on the replica that stayed up");
        Assert.NotEqual("0", rows);
        Assert.Equal(rows, await WaitForScalarAsync(stopped, "SELECT count() FROM llm_calls", rows, "rows on the restarted replica"));
        var rollup = await twin.ScalarAsync("SELECT sum(Calls) FROM llm_calls_1m", "rollup on the replica that stayed up");
        Assert.Equal(rollup, await WaitForScalarAsync(stopped, "SELECT sum(Calls) FROM llm_calls_1m", rollup, "rollup on the restarted replica"));
    }

    /// <summary>Asks <paramref name="node"/> until it answers <paramref name="expected"/> or the wait ends; returns its last answer.</summary>
    private static async Task<string> WaitForScalarAsync(ClickHouseClient node, string sql, string expected, string what)
    {
        var deadline = DateTime.UtcNow + s_wait;
        string answer;
        while ((answer = await node.ScalarAsync(sql, what)) != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        return answer;
    }

    [Fact]
    public async Task ShardStoppedDuringStream_ReceiverKeepsAcknowledgingIntoItsLogThenRefuses_AfterRestartEverythingAcknowledgedIsThereOnce()
    {
        await using var db = new ClusterDatabase();
        await db.InitializeAsync();
        await using var receiver = await FleetReceiver.StartAsync(
            db.Name,
            LocalCluster.Urls,
            "--OtelLlm:Receiver:Wal:MaxLogBytes=1048576",
            "--OtelLlm:Receiver:Wal:SegmentBytes=262144",
            "--OtelLlm:Receiver:RetryAfterSeconds=1");
        await receiver.WaitReadyAsync(s_wait);
        var stream = new Stream(receiver, "shard-down");
        long acknowledgedWhileDown;
        try
        {
            await stream.SendUntilAsync(() => stream.Acknowledged >= 5 * Batch);
            await ClusterNodes.StopAsync(8133, 8134);
            var atStop = stream.Acknowledged;

            // Whatever reaches shard 2 cannot be written: the receiver keeps acknowledging from its log until the log's
            // budget is reached, then refuses with 503 and Retry-After.
            await stream.SendUntilAsync(() => stream.Refused >= 3);
            acknowledgedWhileDown = stream.Acknowledged - atStop;
            output.WriteLine($"acknowledged {atStop} calls before the shard stopped, {acknowledgedWhileDown} while it was down, then {stream.Refused} refusals");
        }
        finally
        {
            await ClusterNodes.StartAsync(8133, 8134);
        }

        Assert.True(acknowledgedWhileDown > 0, "nothing was acknowledged while the shard was down");

        // Every acknowledged call is there. Some of a refused batch may be there too (shard 1 took its part before shard 2
        // failed it, or one table's rows were kept before the log ran out of room for the next): at-least-once, the
        // client was told to retry, and whatever is there is there once.
        var acknowledged = stream.Acknowledged;
        var acknowledgedIds = string.Join(",", stream.AcknowledgedSpanIds.Select(id => $"'{id}'"));
        Assert.Equal(acknowledged, await db.WaitForCountAsync($"SELECT count() FROM llm_calls FINAL WHERE SpanId IN ({acknowledgedIds})", acknowledged, s_wait));
        Assert.Equal(acknowledged, await db.WaitForCountAsync($"SELECT count() FROM otel_traces FINAL WHERE SpanId IN ({acknowledgedIds})", acknowledged, s_wait));
        await db.SyncReplicasAsync();
        var stored = await db.CountAsync("SELECT count() FROM llm_calls FINAL");
        Assert.InRange(stored, acknowledged, acknowledged + Batch);
        output.WriteLine($"{stored} calls stored for {acknowledged} acknowledged");

        // Once: a batch that reached shard 1 before shard 2 failed it was written again from the log, and still each call
        // is one Revision 0 row and one call in every rollup.
        Assert.Equal(stored, await db.CountAsync("SELECT count() FROM llm_calls"));
        Assert.InRange(await db.CountAsync("SELECT count() FROM otel_traces FINAL"), acknowledged, acknowledged + Batch);
        Assert.Equal(stored, await db.CountAsync("SELECT sum(Calls) FROM llm_calls_1m"));
        Assert.Equal(stored, await db.CountAsync("SELECT sum(Calls) FROM llm_users_1d"));
    }

    private static async Task AssertEachTraceOnOneShardAsync(ClickHouseDatabase db, long calls)
    {
        var local = SchemaContext.LocalDatabaseName(db.Name);
        using var shard1 = Node(8131, local);
        using var shard2 = Node(8133, local);
        var a = (await shard1.QueryAsync("SELECT DISTINCT TraceId FROM llm_calls", "traces on shard 1")).Select(r => r[0]).ToHashSet();
        var b = (await shard2.QueryAsync("SELECT DISTINCT TraceId FROM llm_calls", "traces on shard 2")).Select(r => r[0]).ToHashSet();
        Assert.Empty(a.Intersect(b));
        Assert.Equal(calls, a.Count + b.Count);
        Assert.True(a.Count > 0 && b.Count > 0, "both shards hold calls");
    }

    private static ClickHouseClient Node(int port, string database) =>
        new(new ClickHouseOptions { Url = new Uri($"http://127.0.0.1:{port}"), Database = database, Timeout = TimeSpan.FromMinutes(2) });

    /// <summary>
    /// Sends batches of new GenAI spans one after another, counting what was acknowledged (and its span ids) and what
    /// was refused; a refused batch is sent again, as an exporter would after Retry-After.
    /// </summary>
    private sealed class Stream(FleetReceiver receiver, string service)
    {
        private readonly ConcurrentQueue<string> _spanIds = new();
        private int _next;

        public long Acknowledged { get; private set; }

        public int Refused { get; private set; }

        public IEnumerable<string> AcknowledgedSpanIds => _spanIds;

        public async Task SendUntilAsync(Func<bool> done)
        {
            var clock = Stopwatch.StartNew();
            while (!done())
            {
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"stream {service}: condition not reached after {Acknowledged} acknowledged, {Refused} refused");
                var status = await receiver.ExportAsync(Load.GenAiSpans(service, _next, Batch));
                if (status == HttpStatusCode.OK)
                {
                    for (var i = _next; i < _next + Batch; i++)
                    {
                        _spanIds.Enqueue(Load.Hex(Load.SpanId(service, i)));
                    }

                    _next += Batch;
                    Acknowledged += Batch;
                }
                else
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                    Refused++;
                    await Task.Delay(100);
                }
            }
        }
    }
}

/// <summary>Stops and starts nodes of the local cluster with its script (graceful stop; start waits until the node answers).</summary>
internal static class ClusterNodes
{
    public static Task StopAsync(params int[] ports) => RunAsync("stop", ports);

    public static Task StartAsync(params int[] ports) => RunAsync("start", ports);

    private static async Task RunAsync(string command, int[] ports)
    {
        var start = new ProcessStartInfo("bash", [RepoPaths.Combine("scripts", "clickhouse-cluster.sh"), command, .. ports.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"clickhouse-cluster.sh {command} {string.Join(' ', ports)} failed: {await stderr}");
        foreach (var port in ports)
        {
            using var node = new ClickHouseClient(new ClickHouseOptions { Url = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) });
            Assert.True(await node.PingAsync() == (command == "start"), $"node {port} should be {(command == "start" ? "up" : "down")} after '{command}' (was it started by this repository's script?)");
        }
    }
}
