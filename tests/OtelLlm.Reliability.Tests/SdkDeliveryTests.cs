using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OtelLlm.Receiver.Pipeline.Wal;
using OtelLlm.TestSupport;
using Xunit.Abstractions;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// Stock OpenTelemetry SDKs with their default batch settings (queue 2,048, batches of 512, one export at a time) drop
/// what no longer fits their queue while an export waits for its answer. The receiver answers once the data is in its
/// write-ahead log, so a busy service's spans all arrive: every span produced is stored (counted with FINAL).
/// </summary>
/// <remarks>
/// A rate held for seconds needs the machine's cores: <c>test.sh</c> runs these tests on their own after every other
/// test (category <c>Delivery</c>), so parallel test assemblies do not starve the SDK's export thread.
/// </remarks>
[Trait("Category", "Delivery")]
[Collection(ProcessMemoryGroup.Name)]
public sealed class SdkDeliveryTests(ClickHouseDatabase database, ITestOutputHelper output) : IClassFixture<ClickHouseDatabase>
{
    private const int Rate = 3000;
    private const int Seconds = 10;

    [Fact]
    public async Task DotNetSdk_GrpcDefaults_3000SpansPerSecondFor10s_EverySpanStored()
    {
        await using var receiver = await ReceiverUnderTest.StartAsync(database.Url, database.Name, ["--OtelLlm:Receiver:BatchMaxDelayMilliseconds=1000"]);
        var service = "sdk-delivery-dotnet-" + Guid.NewGuid().ToString("N")[..8];
        var log = receiver.Services.GetRequiredService<WriteAheadLog>();
        var produced = await OnOwnThread(() => Produce(receiver.GrpcPort, service, () => log.DurableSequence >= 1, Rate, Seconds));

        var stored = await database.WaitForCountAsync($"SELECT count() FROM otel_traces FINAL WHERE ServiceName = '{service}'", produced, TimeSpan.FromSeconds(120));
        output.WriteLine($".NET SDK (gRPC, default batch processor): produced {produced}, stored {stored}");
        Assert.Equal(1 + (Rate * Seconds), produced);
        Assert.Equal(produced, stored);
    }

    [Fact]
    public async Task JsSdk_HttpProtobufDefaults_3000SpansPerSecondFor10s_EverySpanStored()
    {
        await using var receiver = await ReceiverUnderTest.StartAsync(database.Url, database.Name, ["--OtelLlm:Receiver:BatchMaxDelayMilliseconds=1000"]);
        var service = "sdk-delivery-js-" + Guid.NewGuid().ToString("N")[..8];
        var summary = await NodeScript.RunAsync("stream-spans.mjs", "--endpoint", $"http://127.0.0.1:{receiver.HttpPort}",
            "--rate", Rate.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seconds", Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--service", service);
        var produced = (long)summary["produced"]!;

        var stored = await database.WaitForCountAsync($"SELECT count() FROM otel_traces FINAL WHERE ServiceName = '{service}'", produced, TimeSpan.FromSeconds(120));
        output.WriteLine($"JS SDK (http/protobuf, default batch processor): produced {produced}, stored {stored}");
        Assert.Equal(1 + (Rate * Seconds), produced);
        Assert.Equal(produced, stored);
    }

    /// <summary>
    /// Runs the paced producer on a thread of its own, as an application's request threads would be: held on a thread-pool
    /// thread for seconds it would take one of the few pool threads the in-process receiver answers on.
    /// </summary>
    internal static Task<int> OnOwnThread(Func<int> produce)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(produce());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = "SDK producer" };
        thread.Start();
        return done.Task;
    }

    /// <summary>Produces one warm-up span, then <paramref name="rate"/> spans a second for <paramref name="seconds"/> through the .NET SDK's defaults; returns how many.</summary>
    internal static int Produce(int grpcPort, string service, Func<bool> warmUpAcknowledged, int rate, int seconds)
    {
        var sourceName = "sdk-delivery." + service;
        using var source = new ActivitySource(sourceName);
        var produced = 0;
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(sourceName)
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service))
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.Grpc;
                o.Endpoint = new Uri($"http://127.0.0.1:{grpcPort}");
            })
            .Build())
        {
            // A service that has been running a while: connection set-up and the first export are behind it.
            // (ForceFlush can return before a slow first export has finished, so wait for the receiver to have it.)
            source.StartActivity("warm-up")?.Stop();
            provider.ForceFlush();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!warmUpAcknowledged() && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
            }

            produced = 1;
            var clock = Stopwatch.StartNew();
            while (produced < 1 + (rate * seconds))
            {
                var due = 1 + Math.Min(rate * seconds, (int)(clock.Elapsed.TotalSeconds * rate));
                for (; produced < due; produced++)
                {
                    source.StartActivity("work")?.Stop();
                }

                Thread.Sleep(5);
            }

            provider.ForceFlush();
        }

        return produced;
    }
}
