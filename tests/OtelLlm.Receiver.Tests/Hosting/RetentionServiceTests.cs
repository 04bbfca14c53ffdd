using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OtelLlm.Receiver.Hosting;
using OtelLlm.Receiver.TestHost;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Tests.Hosting;

/// <summary>A receiver that keeps 3 days and looks every second.</summary>
public sealed class ShortRetentionReceiverFixture : ReceiverFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [new("OtelLlm:Receiver:RetentionDays", "3"), new("OtelLlm:Receiver:RetentionCheckIntervalSeconds", "1")];
}

/// <summary>Retention runs by itself in the receiver and drops only the day partitions past the configured days.</summary>
public sealed class RetentionServiceTests(ShortRetentionReceiverFixture receiver) : IClassFixture<ShortRetentionReceiverFixture>
{
    [Fact]
    public async Task Receiver_OldDayPartitions_DroppedOnScheduleRecentOnesKept()
    {
        var service = "retention-" + Guid.NewGuid().ToString("N")[..8];
        using var spans = new RowBinaryWriter();
        using var calls = new RowBinaryWriter();
        foreach (var daysAgo in new[] { 0, 1, 10, 11 })
        {
            var nano = (ulong)DateTimeOffset.UtcNow.AddDays(-daysAgo).ToUnixTimeSeconds() * 1_000_000_000UL;
            new TraceRow { Project = "p", ServiceName = service, TraceId = "t" + daysAgo, SpanId = "s", StartTimeUnixNano = nano }.Write(spans);
            new LlmCallRow { Project = "p", ServiceName = service, TraceId = "t" + daysAgo, SpanId = "s", StartTimeUnixNano = nano }.Write(calls);
        }

        await receiver.Database.Client.InsertRowBinaryAsync(TraceRow.Table, TraceRow.Columns, spans.WrittenMemory, "seed spans");
        await receiver.Database.Client.InsertRowBinaryAsync(LlmCallRow.Table, LlmCallRow.Columns, calls.WrittenMemory, "seed calls");

        // Nobody runs the job here: the receiver's schedule must drop the 10- and 11-day-old partitions by itself.
        Assert.Equal(2, await WaitForDropAsync($"SELECT count() FROM otel_traces WHERE ServiceName = '{service}'", 2));
        Assert.Equal(2, await WaitForDropAsync($"SELECT count() FROM llm_calls WHERE ServiceName = '{service}'", 2));
        Assert.Equal(["t0", "t1"], (await receiver.Database.QueryAsync($"SELECT TraceId FROM otel_traces WHERE ServiceName = '{service}' ORDER BY TraceId")).Select(r => r[0]));
    }

    [Fact]
    public async Task Receiver_RetentionZero_ServiceEndsAtOnce()
    {
        var (app, _, _) = await InProcessReceiver.StartAsync((grpc, http) =>
        [
            $"--OtelLlm:Receiver:GrpcPort={grpc}", $"--OtelLlm:Receiver:HttpPort={http}", "--OtelLlm:Receiver:MigrateOnStart=false",
            $"--OtelLlm:ClickHouse:Url={receiver.Database.Url}", $"--OtelLlm:ClickHouse:Database={receiver.Database.Name}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await using (app)
        {
            // BackgroundService starts ExecuteAsync on the thread pool, so the task may still be starting when the host is
            // up; with RetentionDays 0 it must end by itself (a running schedule never would, and the wait would fail).
            var retention = app.Services.GetServices<IHostedService>().OfType<RetentionService>().Single();
            Assert.NotNull(retention.ExecuteTask);
            await retention.ExecuteTask.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(retention.ExecuteTask.IsCompletedSuccessfully, "with RetentionDays 0 the retention service should not run");
            await app.StopAsync();
        }
    }

    /// <summary>Polls until the count falls to <paramref name="expected"/> or a minute passes; returns the last count.</summary>
    private async Task<long> WaitForDropAsync(string sql, long expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        long count;
        while ((count = await receiver.Database.CountAsync(sql)) > expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        return count;
    }
}
