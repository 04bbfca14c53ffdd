using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OtelLlm.Receiver.TestHost;
using OtelLlm.TestSupport;

namespace OtelLlm.Receiver.Tests;

/// <summary>
/// The official OpenTelemetry JavaScript SDK exporters (tests/js/send-otlp.mjs) send spans, logs and metrics to the
/// receiver over each OTLP transport; the stored rows must match the script's summary of what it sent, field by field.
/// </summary>
public sealed class JsExporterTests(ReceiverFixture receiver) : IClassFixture<ReceiverFixture>
{
    public static TheoryData<string> Protocols => new() { "grpc", "http/protobuf", "http/json" };

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Export_JsSdkAllSignals_StoresEveryField(string protocol)
    {
        var endpoint = protocol == "grpc" ? receiver.GrpcEndpoint : receiver.HttpEndpoint;
        var runId = "js-" + Guid.NewGuid().ToString("N");
        var summary = await SendAsync(endpoint, protocol, runId);
        Assert.Equal(runId, (string?)summary["runId"]);
        Assert.Equal(2, (int)summary["counts"]!["spans"]!);
        Assert.Equal(2, (int)summary["counts"]!["logs"]!);
        Assert.Equal(4, (int)summary["counts"]!["metricPoints"]!);

        var traceId = (string)summary["traceId"]!;
        await AssertSpansAsync(summary, traceId);
        await AssertLogsAsync(summary, traceId);
        await AssertMetricsAsync(summary, runId);
    }

    private async Task AssertSpansAsync(JsonObject summary, string traceId)
    {
        var rows = await WaitForRowsAsync($"SELECT * FROM otel_traces FINAL WHERE TraceId = '{traceId}'", 2, "read JS spans");
        Assert.Equal(2, rows.Count);
        foreach (var expected in summary["spans"]!.AsArray().Select(s => s!.AsObject()))
        {
            var spanId = (string)expected["spanId"]!;
            var row = rows.Single(r => r.GetProperty("SpanId").GetString() == spanId);
            var role = (string)expected["role"]!;
            Assert.Equal(traceId, row.GetProperty("TraceId").GetString());
            Assert.Equal((string)expected["parentSpanId"]!, row.GetProperty("ParentSpanId").GetString());
            Assert.Equal((string)expected["name"]!, row.GetProperty("SpanName").GetString());
            Assert.Equal((string)expected["kind"]!, row.GetProperty("SpanKind").GetString());
            Assert.Equal((string)expected["startTimeUnixNano"]!, UInt(row, "StartTimeUnixNano").ToString(CultureInfo.InvariantCulture));
            Assert.Equal((string)expected["endTimeUnixNano"]!, UInt(row, "EndTimeUnixNano").ToString(CultureInfo.InvariantCulture));
            Assert.Equal((string)expected["durationNanos"]!, UInt(row, "Duration").ToString(CultureInfo.InvariantCulture));
            Assert.Equal((string)expected["status"]!["code"]!, row.GetProperty("StatusCode").GetString());
            Assert.Equal((string)expected["status"]!["message"]!, row.GetProperty("StatusMessage").GetString());
            Assert.Equal((string)summary["serviceName"]!, row.GetProperty("ServiceName").GetString());
            Assert.Equal((string)summary["scope"]!["name"]!, row.GetProperty("ScopeName").GetString());
            Assert.Equal((string)summary["scope"]!["version"]!, row.GetProperty("ScopeVersion").GetString());
            AssertAttributes(summary["resourceAttributes"]!.AsObject(), SdkExporterTests.Pairs(row, "ResourceAttributes"), role + " resource");
            AssertAttributes(expected["attributes"]!.AsObject(), SdkExporterTests.Pairs(row, "SpanAttributes"), role + " span");

            var events = expected["events"]?.AsArray() ?? [];
            Assert.Equal(events.Select(e => (string)e!["name"]!), SdkExporterTests.Strings(row.GetProperty("Events.Name")));
            Assert.Equal(events.Select(e => (string)e!["timeUnixNano"]!), SdkExporterTests.Strings(row.GetProperty("Events.TimeUnixNano")));
            var eventAttributes = SdkExporterTests.Strings(row.GetProperty("Events.Attributes"));
            for (var i = 0; i < events.Count; i++)
            {
                AssertAttributes(events[i]!["attributes"]!.AsObject(), JsonObjectPairs(eventAttributes[i]), role + " event");
            }

            var links = expected["links"]?.AsArray() ?? [];
            Assert.Equal(links.Select(l => (string)l!["traceId"]!), SdkExporterTests.Strings(row.GetProperty("Links.TraceId")));
            Assert.Equal(links.Select(l => (string)l!["spanId"]!), SdkExporterTests.Strings(row.GetProperty("Links.SpanId")));
            var linkAttributes = SdkExporterTests.Strings(row.GetProperty("Links.Attributes"));
            for (var i = 0; i < links.Count; i++)
            {
                AssertAttributes(links[i]!["attributes"]!.AsObject(), JsonObjectPairs(linkAttributes[i]), role + " link");
            }
        }

        // The summary itself must describe the fixture's shape, or the loop above proves less than it seems.
        var client = summary["spans"]!.AsArray().Single(s => (string?)s!["role"] == "client")!;
        Assert.Single(client["events"]!.AsArray());
        Assert.Single(client["links"]!.AsArray());
        Assert.Equal("Error", (string?)client["status"]!["code"]);
    }

    private async Task AssertLogsAsync(JsonObject summary, string traceId)
    {
        var rows = await WaitForRowsAsync($"SELECT * FROM otel_logs FINAL WHERE TraceId = '{traceId}'", 2, "read JS logs");
        Assert.Equal(2, rows.Count);
        foreach (var expected in summary["logs"]!.AsArray().Select(l => l!.AsObject()))
        {
            var spanId = (string)expected["spanId"]!;
            var row = rows.Single(r => r.GetProperty("SpanId").GetString() == spanId);
            var role = (string)expected["role"]!;
            Assert.Equal((string)expected["traceId"]!, row.GetProperty("TraceId").GetString());
            Assert.Equal((string)summary["spanIds"]![role]!, spanId);
            Assert.Equal((string)expected["body"]!, row.GetProperty("Body").GetString());
            Assert.Equal((int)expected["severityNumber"]!, row.GetProperty("SeverityNumber").GetInt32());
            Assert.Equal((string)expected["severityText"]!, row.GetProperty("SeverityText").GetString());
            Assert.Equal((string)expected["eventName"]!, row.GetProperty("EventName").GetString());
            Assert.Equal((string)expected["timeUnixNano"]!, UInt(row, "TimeUnixNano").ToString(CultureInfo.InvariantCulture));
            Assert.Equal((string)summary["serviceName"]!, row.GetProperty("ServiceName").GetString());
            Assert.Equal((string)summary["scope"]!["name"]!, row.GetProperty("ScopeName").GetString());
            AssertAttributes(expected["attributes"]!.AsObject(), SdkExporterTests.Pairs(row, "LogAttributes"), role + " log");
            AssertAttributes(summary["resourceAttributes"]!.AsObject(), SdkExporterTests.Pairs(row, "ResourceAttributes"), role + " log resource");
        }

        Assert.Contains(summary["logs"]!.AsArray(), l => (string?)l!["eventName"] == "js_interop.log_event");
    }

    private async Task AssertMetricsAsync(JsonObject summary, string runId)
    {
        var rows = await WaitForRowsAsync(
            $"SELECT * FROM otel_metrics FINAL WHERE has(Attributes.Value, '{runId}')", 4, "read JS metrics");
        var metrics = summary["metrics"]!.AsArray().Select(m => m!.AsObject()).ToList();
        Assert.Equal(metrics.Count, rows.Count);
        foreach (var expected in metrics)
        {
            var name = (string)expected["name"]!;
            var row = rows.Single(r => r.GetProperty("MetricName").GetString() == name);
            var type = (string)expected["type"]!;
            Assert.Equal(type, row.GetProperty("MetricType").GetString());
            Assert.Equal((string)expected["unit"]!, row.GetProperty("MetricUnit").GetString());
            Assert.Equal((string)expected["description"]!, row.GetProperty("MetricDescription").GetString());
            Assert.Equal((string)summary["serviceName"]!, row.GetProperty("ServiceName").GetString());
            Assert.Equal((string)summary["scope"]!["name"]!, row.GetProperty("ScopeName").GetString());
            AssertAttributes(expected["attributes"]!.AsObject(), SdkExporterTests.Pairs(row, "Attributes"), name);
            AssertAttributes(summary["resourceAttributes"]!.AsObject(), SdkExporterTests.Pairs(row, "ResourceAttributes"), name + " resource");
            if (expected["temporality"] is { } temporality)
            {
                Assert.Equal((string)temporality!, row.GetProperty("AggregationTemporality").GetString());
            }

            switch (type)
            {
                case "Sum":
                    Assert.Equal((double)expected["value"]!, row.GetProperty("Value").GetDouble());
                    Assert.Equal((bool)expected["monotonic"]! ? 1 : 0, row.GetProperty("IsMonotonic").GetInt32());
                    break;
                case "Gauge":
                    Assert.Equal((double)expected["value"]!, row.GetProperty("Value").GetDouble());
                    break;
                case "Histogram":
                    Assert.Equal((ulong)expected["count"]!, UInt(row, "Count"));
                    Assert.Equal((double)expected["sum"]!, row.GetProperty("Sum").GetDouble());
                    Assert.Equal((double)expected["min"]!, row.GetProperty("Min").GetDouble());
                    Assert.Equal((double)expected["max"]!, row.GetProperty("Max").GetDouble());
                    Assert.Equal(
                        expected["explicitBounds"]!.AsArray().Select(b => (double)b!),
                        row.GetProperty("ExplicitBounds").EnumerateArray().Select(b => b.GetDouble()));
                    Assert.Equal(
                        expected["bucketCounts"]!.AsArray().Select(b => (ulong)b!),
                        SdkExporterTests.Strings(row.GetProperty("BucketCounts")).Select(c => ulong.Parse(c, CultureInfo.InvariantCulture)));
                    break;
                default:
                    Assert.Fail($"The summary has a metric type this test does not know: {type}");
                    break;
            }
        }

        Assert.Equal(["Gauge", "Histogram", "Sum", "Sum"], metrics.Select(m => (string)m["type"]!).Order());
    }

    /// <summary>
    /// Every attribute the script sent must be stored with the receiver's text form: strings as they are, numbers and
    /// booleans as JSON literals, arrays as JSON. Stored extras (the SDK's own telemetry.sdk.*) are allowed.
    /// </summary>
    private static void AssertAttributes(JsonObject expected, Dictionary<string, string> stored, string what)
    {
        foreach (var (key, value) in expected)
        {
            Assert.True(stored.TryGetValue(key, out var actual), $"{what}: attribute '{key}' missing; stored keys: {string.Join(", ", stored.Keys)}");
            switch (value!.GetValueKind())
            {
                case JsonValueKind.String:
                    Assert.Equal((string)value!, actual);
                    break;
                case JsonValueKind.Array or JsonValueKind.Object:
                    Assert.Equal(value.ToJsonString(), JsonNode.Parse(actual)!.ToJsonString());
                    break;
                default:
                    Assert.Equal(value.ToJsonString(), actual);
                    break;
            }
        }
    }

    private static Dictionary<string, string> JsonObjectPairs(string json)
    {
        var result = new Dictionary<string, string>();
        foreach (var (key, value) in JsonNode.Parse(json)!.AsObject())
        {
            result[key] = value!.GetValueKind() == JsonValueKind.String ? (string)value! : value.ToJsonString();
        }

        return result;
    }

    private static ulong UInt(JsonElement row, string column) =>
        row.GetProperty(column) is { ValueKind: JsonValueKind.String } s
            ? ulong.Parse(s.GetString()!, CultureInfo.InvariantCulture)
            : row.GetProperty(column).GetUInt64();

    private async Task<List<JsonElement>> WaitForRowsAsync(string sql, int expected, string purpose)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await receiver.WaitUntilWrittenAsync();
            var rows = await receiver.Database.Client.QueryJsonAsync(sql, purpose);
            if (rows.Count >= expected || DateTime.UtcNow > deadline)
            {
                return [.. rows];
            }

            await Task.Delay(250);
        }
    }

    private static Task<JsonObject> SendAsync(Uri endpoint, string protocol, string runId)
        => NodeScript.RunAsync("send-otlp.mjs", "--endpoint", endpoint.ToString().TrimEnd('/'), "--protocol", protocol, "--run-id", runId);
}
