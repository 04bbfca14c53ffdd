using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OtelLlm.Receiver.Pipeline.Wal;
using OtelLlm.TestSupport;
using Xunit.Abstractions;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// A real ClickHouse server of the test's own is stopped for 15 s while a default-configured OpenTelemetry .NET SDK
/// streams to the receiver: the receiver keeps acknowledging from its write-ahead log, the SDK drops nothing, and once
/// the server is back every span is stored, once.
/// </summary>
[Trait("Category", "Delivery")]
[Collection(ProcessMemoryGroup.Name)]
public sealed class SdkOutageTests(ITestOutputHelper output)
{
    private const int Rate = 2000;
    private const int Seconds = 25;

    [Fact]
    public async Task DotNetSdk_ClickHouseStopped15sDuringTheStream_EverySpanStoredOnce()
    {
        await using var server = await PrivateClickHouse.StartAsync();
        await using var database = ClickHouseDatabase.OnServer(server.Url);
        await database.InitializeAsync();
        await using var receiver = await ReceiverUnderTest.StartAsync(server.Url, database.Name,
        [
            "--OtelLlm:Receiver:BatchMaxDelayMilliseconds=1000",
            "--OtelLlm:Receiver:Wal:RetryInitialMilliseconds=100",
            "--OtelLlm:Receiver:Wal:RetryMaxMilliseconds=1000",
        ]);
        var log = receiver.Services.GetRequiredService<WriteAheadLog>();
        var service = "sdk-outage-" + Guid.NewGuid().ToString("N")[..8];

        var clock = Stopwatch.StartNew();
        var stream = SdkDeliveryTests.OnOwnThread(() => SdkDeliveryTests.Produce(receiver.GrpcPort, service, () => log.DurableSequence >= 1, Rate, Seconds));
        await Wait.UntilAsync(() => log.AppendedSequence >= 5, TimeSpan.FromMinutes(1), "the stream is under way");

        // The outage: its length is the scenario, not a wait for something to happen.
        await server.StopAsync();
        var stoppedAt = clock.Elapsed;
        var appendedAtStop = log.AppendedSequence;
        var heldWhileDown = 0L;
        while (clock.Elapsed - stoppedAt < TimeSpan.FromSeconds(15))
        {
            heldWhileDown = Math.Max(heldWhileDown, log.PendingRows);
            await Task.Delay(200);
        }

        var appendedWhileDown = log.AppendedSequence - appendedAtStop;

        await server.StartAgainAsync();
        var produced = await stream;

        var stored = await database.WaitForCountAsync($"SELECT count() FROM otel_traces FINAL WHERE ServiceName = '{service}'", produced, TimeSpan.FromMinutes(3));
        var unique = await database.CountAsync($"SELECT uniqExact(SpanId) FROM otel_traces WHERE ServiceName = '{service}'");
        output.WriteLine($"produced {produced}, {appendedWhileDown} records appended and up to {heldWhileDown} rows held in the log during the outage (stopped at {stoppedAt.TotalSeconds:F1} s), stored {stored} (FINAL), unique {unique}");
        Assert.True(heldWhileDown > Rate, "the log did not hold the stream while ClickHouse was stopped");
        Assert.Equal(1 + (Rate * Seconds), produced);
        Assert.Equal(produced, stored);
        Assert.Equal(produced, unique);
    }
}
