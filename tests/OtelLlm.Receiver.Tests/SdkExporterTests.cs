using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OtelLlm.Receiver.TestHost;

namespace OtelLlm.Receiver.Tests;

/// <summary>The real OpenTelemetry .NET OTLP exporter sends to the receiver; the stored rows must match field by field.</summary>
public sealed class SdkExporterTests(ReceiverFixture receiver) : IClassFixture<ReceiverFixture>
{
    public static TheoryData<string> Protocols => new() { "grpc", "http" };

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Export_SpansFromSdk_StoresEveryField(string protocol)
    {
        var service = "svc-traces-" + protocol + "-" + Guid.NewGuid().ToString("N")[..8];
        var sourceName = "test.source." + service;
        using var source = new ActivitySource(sourceName, "1.2.3");
        var linked = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        Activity parent, child;
        var eventTime = DateTimeOffset.UtcNow;
        using (var tracerProvider = Sdk.CreateTracerProviderBuilder()
            .AddSource(sourceName)
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service).AddAttributes([new("deployment.environment", "test"), new("res.int", 7L)]))
            .AddOtlpExporter(o => Configure(o, protocol, "traces"))
            .Build())
        {
            parent = source.StartActivity("parent-op", ActivityKind.Server)!;
            child = source.StartActivity(
                "child-op",
                ActivityKind.Client,
                parent.Context,
                links: [new ActivityLink(linked, new ActivityTagsCollection { ["link.attr"] = "l1" })])!;
            child.SetTag("str", "value");
            child.SetTag("int", 42L);
            child.SetTag("dbl", 1.5);
            child.SetTag("flag", true);
            child.SetTag("strs", new[] { "a", "b" });
            child.SetTag("ints", new long[] { 1, 2, 3 });
            child.AddEvent(new ActivityEvent("gen_ai.content.prompt", eventTime, new ActivityTagsCollection { ["e.k"] = "ev", ["e.n"] = 5L }));
            child.SetStatus(ActivityStatusCode.Error, "boom");
            child.Stop();
            parent.SetStatus(ActivityStatusCode.Ok);
            parent.Stop();
            Assert.True(tracerProvider.ForceFlush(30_000));
        }

        var where = $"ServiceName = '{service}'";
        Assert.Equal(2, await receiver.Database.WaitForCountAsync($"SELECT count() FROM otel_traces WHERE {where}", 2, TimeSpan.FromSeconds(60)));
        await receiver.WaitUntilWrittenAsync();
        var rows = await receiver.Database.Client.QueryJsonAsync(
            $"SELECT * FROM otel_traces WHERE {where} ORDER BY SpanName", "read spans");
        var c = rows.Single(r => r.GetProperty("SpanName").GetString() == "child-op");
        var p = rows.Single(r => r.GetProperty("SpanName").GetString() == "parent-op");

        Assert.Equal(child.TraceId.ToHexString(), c.GetProperty("TraceId").GetString());
        Assert.Equal(child.SpanId.ToHexString(), c.GetProperty("SpanId").GetString());
        Assert.Equal(parent.SpanId.ToHexString(), c.GetProperty("ParentSpanId").GetString());
        Assert.Equal(string.Empty, p.GetProperty("ParentSpanId").GetString());
        Assert.Equal("Client", c.GetProperty("SpanKind").GetString());
        Assert.Equal("Server", p.GetProperty("SpanKind").GetString());
        Assert.Equal("Error", c.GetProperty("StatusCode").GetString());
        Assert.Equal("boom", c.GetProperty("StatusMessage").GetString());
        Assert.Equal("Ok", p.GetProperty("StatusCode").GetString());
        Assert.Equal(UnixNano(child.StartTimeUtc), ulong.Parse(c.GetProperty("StartTimeUnixNano").GetString()!));
        Assert.Equal(UnixNano(child.StartTimeUtc + child.Duration), ulong.Parse(c.GetProperty("EndTimeUnixNano").GetString()!));
        Assert.Equal((ulong)child.Duration.Ticks * 100, ulong.Parse(c.GetProperty("Duration").GetString()!));
        Assert.Equal(sourceName, c.GetProperty("ScopeName").GetString());
        Assert.Equal("1.2.3", c.GetProperty("ScopeVersion").GetString());

        var attributes = Pairs(c, "SpanAttributes");
        Assert.Equal("value", attributes["str"]);
        Assert.Equal("42", attributes["int"]);
        Assert.Equal("1.5", attributes["dbl"]);
        Assert.Equal("true", attributes["flag"]);
        Assert.Equal("[\"a\",\"b\"]", attributes["strs"]);
        Assert.Equal("[1,2,3]", attributes["ints"]);

        var resource = Pairs(c, "ResourceAttributes");
        Assert.Equal(service, resource["service.name"]);
        Assert.Equal("test", resource["deployment.environment"]);
        Assert.Equal("7", resource["res.int"]);

        Assert.Equal(["gen_ai.content.prompt"], Strings(c.GetProperty("Events.Name")));
        Assert.Equal([UnixNano(eventTime.UtcDateTime).ToString()], Strings(c.GetProperty("Events.TimeUnixNano")));
        using (var eventAttributes = JsonDocument.Parse(Strings(c.GetProperty("Events.Attributes"))[0]))
        {
            Assert.Equal("ev", eventAttributes.RootElement.GetProperty("e.k").GetString());
            Assert.Equal(5, eventAttributes.RootElement.GetProperty("e.n").GetInt64());
        }

        Assert.Equal([linked.TraceId.ToHexString()], Strings(c.GetProperty("Links.TraceId")));
        Assert.Equal([linked.SpanId.ToHexString()], Strings(c.GetProperty("Links.SpanId")));
        Assert.Equal(["{\"link.attr\":\"l1\"}"], Strings(c.GetProperty("Links.Attributes")));
        Assert.Equal("default", c.GetProperty("Project").GetString());
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Export_LogsFromSdk_StoresBodySeverityAttributesAndTraceContext(string protocol)
    {
        var service = "svc-logs-" + protocol + "-" + Guid.NewGuid().ToString("N")[..8];
        using var source = new ActivitySource("test.logs." + service);
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        Activity activity;
        using (var loggerFactory = LoggerFactory.Create(b => b.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service));
            o.AddOtlpExporter(e => Configure(e, protocol, "logs"));
        })))
        {
            var logger = loggerFactory.CreateLogger("Test.Category");
            activity = source.StartActivity("with-log")!;
            logger.LogWarning("Order {OrderId} took {Elapsed} ms", 1234, 5.5);
            activity.Stop();
        }

        var where = $"ServiceName = '{service}'";
        Assert.Equal(1, await receiver.Database.WaitForCountAsync($"SELECT count() FROM otel_logs WHERE {where}", 1, TimeSpan.FromSeconds(60)));
        var row = (await receiver.Database.Client.QueryJsonAsync($"SELECT * FROM otel_logs WHERE {where}", "read logs")).Single();
        Assert.Contains("Order", row.GetProperty("Body").GetString());
        Assert.Equal("Warning", row.GetProperty("SeverityText").GetString());
        Assert.Equal(13, row.GetProperty("SeverityNumber").GetInt32());
        Assert.Equal(activity.TraceId.ToHexString(), row.GetProperty("TraceId").GetString());
        Assert.Equal(activity.SpanId.ToHexString(), row.GetProperty("SpanId").GetString());
        var attributes = Pairs(row, "LogAttributes");
        Assert.Equal("1234", attributes["OrderId"]);
        Assert.Equal("5.5", attributes["Elapsed"]);
        Assert.Equal("Test.Category", row.GetProperty("ScopeName").GetString());
        Assert.NotEqual("0", row.GetProperty("RecordHash").GetString());
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Export_MetricsFromSdk_StoresGaugeSumAndHistogramPoints(string protocol)
    {
        var service = "svc-metrics-" + protocol + "-" + Guid.NewGuid().ToString("N")[..8];
        var meterName = "test.meter." + service;
        using (var meter = new Meter(meterName))
        {
            var counter = meter.CreateCounter<long>("test.requests", "{request}", "Requests");
            var histogram = meter.CreateHistogram<double>("test.latency", "ms");
            meter.CreateObservableGauge("test.temperature", () => new Measurement<double>(21.5, new KeyValuePair<string, object?>("room", "lab")));
            using var meterProvider = Sdk.CreateMeterProviderBuilder()
                .AddMeter(meterName)
                .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service))
                .AddOtlpExporter((e, reader) =>
                {
                    Configure(e, protocol, "metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 600_000;
                })
                .Build();
            counter.Add(3, new KeyValuePair<string, object?>("route", "/a"));
            counter.Add(2, new KeyValuePair<string, object?>("route", "/a"));
            histogram.Record(3);
            histogram.Record(70);
            Assert.True(meterProvider.ForceFlush(30_000));
        }

        var where = $"ServiceName = '{service}'";
        Assert.True(await receiver.Database.WaitForCountAsync($"SELECT count() FROM otel_metrics WHERE {where}", 3, TimeSpan.FromSeconds(60)) >= 3);
        await receiver.WaitUntilWrittenAsync();
        var rows = await receiver.Database.Client.QueryJsonAsync($"SELECT * FROM otel_metrics WHERE {where}", "read metrics");

        var sum = rows.First(r => r.GetProperty("MetricName").GetString() == "test.requests");
        Assert.Equal("Sum", sum.GetProperty("MetricType").GetString());
        Assert.Equal(5, sum.GetProperty("Value").GetDouble());
        Assert.Equal("Cumulative", sum.GetProperty("AggregationTemporality").GetString());
        Assert.Equal(1, sum.GetProperty("IsMonotonic").GetInt32());
        Assert.Equal("{request}", sum.GetProperty("MetricUnit").GetString());
        Assert.Equal("/a", Pairs(sum, "Attributes")["route"]);
        Assert.NotEqual("0", sum.GetProperty("SeriesHash").GetString());

        var gauge = rows.First(r => r.GetProperty("MetricName").GetString() == "test.temperature");
        Assert.Equal("Gauge", gauge.GetProperty("MetricType").GetString());
        Assert.Equal(21.5, gauge.GetProperty("Value").GetDouble());
        Assert.Equal("lab", Pairs(gauge, "Attributes")["room"]);

        var hist = rows.First(r => r.GetProperty("MetricName").GetString() == "test.latency");
        Assert.Equal("Histogram", hist.GetProperty("MetricType").GetString());
        Assert.Equal("2", hist.GetProperty("Count").GetString());
        Assert.Equal(73, hist.GetProperty("Sum").GetDouble());
        Assert.Equal(3, hist.GetProperty("Min").GetDouble());
        Assert.Equal(70, hist.GetProperty("Max").GetDouble());
        var bounds = hist.GetProperty("ExplicitBounds").EnumerateArray().Select(b => b.GetDouble()).ToList();
        var counts = Strings(hist.GetProperty("BucketCounts")).Select(ulong.Parse).ToList();
        Assert.Equal(bounds.Count + 1, counts.Count);
        Assert.Equal(2UL, counts.Aggregate(0UL, (a, b) => a + b));
        // Each value lands in the first bucket whose upper bound is at least the value.
        Assert.Equal(1UL, counts[bounds.FindIndex(b => b >= 3)]);
        Assert.Equal(1UL, counts[bounds.FindIndex(b => b >= 70)]);
    }

    internal static ulong UnixNano(DateTime utc) => (ulong)(utc - DateTime.UnixEpoch).Ticks * 100;

    internal static Dictionary<string, string> Pairs(JsonElement row, string column)
    {
        var keys = Strings(row.GetProperty(column + ".Key"));
        var values = Strings(row.GetProperty(column + ".Value"));
        var result = new Dictionary<string, string>();
        for (var i = 0; i < keys.Count; i++)
        {
            result[keys[i]] = values[i];
        }

        return result;
    }

    internal static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList();

    private void Configure(OtlpExporterOptions o, string protocol, string signal)
    {
        o.ExportProcessorType = ExportProcessorType.Simple;
        o.TimeoutMilliseconds = 60_000;
        if (protocol == "grpc")
        {
            o.Protocol = OtlpExportProtocol.Grpc;
            o.Endpoint = receiver.GrpcEndpoint;
        }
        else
        {
            o.Protocol = OtlpExportProtocol.HttpProtobuf;
            o.Endpoint = new Uri(receiver.HttpEndpoint, "/v1/" + signal);
        }
    }
}
