using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace OtelLlm.Receiver.Tests;

/// <summary>OTLP/HTTP on the wire: encodings, JSON quirks, limits, error bodies, and the service staying up.</summary>
public sealed class HttpProtocolTests(SmallLimitReceiverFixture receiver) : IClassFixture<SmallLimitReceiverFixture>
{
    private static readonly HttpClient s_client = new() { Timeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task Post_Protobuf_StoresSpansAndRepliesProtobuf()
    {
        var service = NewService();
        using var response = await PostAsync("/v1/traces", Otlp.Spans(service, 4).ToByteArray(), "application/x-protobuf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).PartialSuccess);
        Assert.Equal(4, await CountAsync(service));
    }

    [Fact]
    public async Task Post_GzipProtobuf_StoresAllSpans()
    {
        var service = NewService();
        using var response = await PostAsync("/v1/traces", Otlp.Gzip(Otlp.Spans(service, 6).ToByteArray()), "application/x-protobuf", gzip: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(6, await CountAsync(service));
    }

    [Fact]
    public async Task Post_Json_StoresHexIdsInt64StringsAndNumbersAndIgnoresUnknownFields()
    {
        var service = NewService();
        var json = $$"""
        {
          "resourceSpans": [{
            "resource": { "attributes": [{ "key": "service.name", "value": { "stringValue": "{{service}}" } }] },
            "unknownTopLevel": { "nested": [1, 2, {"x": null}] },
            "scopeSpans": [{
              "scope": { "name": "json-scope", "version": "9" },
              "spans": [
                {
                  "traceId": "5B8EFFF798038103D269B633813FC60C",
                  "spanId": "EEE19B7EC3C1B174",
                  "name": "json-span-a",
                  "kind": 3,
                  "startTimeUnixNano": "1700000000000000001",
                  "endTimeUnixNano": 1700000000000000999,
                  "attributes": [
                    { "key": "big", "value": { "intValue": "9007199254740993" } },
                    { "key": "num", "value": { "intValue": 12 } },
                    { "key": "d", "value": { "doubleValue": 0.25 } },
                    { "key": "b", "value": { "boolValue": true } },
                    { "key": "bytes", "value": { "bytesValue": "AQID" } },
                    { "key": "arr", "value": { "arrayValue": { "values": [{ "stringValue": "x" }, { "intValue": "2" }] } } },
                    { "key": "map", "value": { "kvlistValue": { "values": [{ "key": "k", "value": { "boolValue": false } }] } } }
                  ],
                  "events": [{ "timeUnixNano": "1700000000000000500", "name": "ev", "attributes": [{ "key": "a", "value": { "stringValue": "b" } }] }],
                  "status": { "code": 2, "message": "bad" },
                  "someFutureField": 1
                },
                {
                  "trace_id": "5b8efff798038103d269b633813fc60c",
                  "span_id": "0000000000000001",
                  "parent_span_id": "eee19b7ec3c1b174",
                  "name": "json-span-b",
                  "start_time_unix_nano": "1700000000000000002",
                  "end_time_unix_nano": "1700000000000000003"
                }
              ]
            }]
          }]
        }
        """;
        using var response = await PostAsync("/v1/traces", Encoding.UTF8.GetBytes(json), "application/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using (var reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.False(reply.RootElement.TryGetProperty("partialSuccess", out _));
        }

        await receiver.WaitUntilWrittenAsync();
        var rows = await receiver.Database.Client.QueryJsonAsync($"SELECT * FROM otel_traces WHERE ServiceName = '{service}' ORDER BY SpanName", "read json spans");
        Assert.Equal(2, rows.Count);
        var a = rows[0];
        Assert.Equal("5b8efff798038103d269b633813fc60c", a.GetProperty("TraceId").GetString());
        Assert.Equal("eee19b7ec3c1b174", a.GetProperty("SpanId").GetString());
        Assert.Equal("Client", a.GetProperty("SpanKind").GetString());
        Assert.Equal("1700000000000000001", a.GetProperty("StartTimeUnixNano").GetString());
        Assert.Equal("1700000000000000999", a.GetProperty("EndTimeUnixNano").GetString());
        Assert.Equal("Error", a.GetProperty("StatusCode").GetString());
        Assert.Equal("json-scope", a.GetProperty("ScopeName").GetString());
        var attributes = SdkExporterTests.Pairs(a, "SpanAttributes");
        Assert.Equal("9007199254740993", attributes["big"]);
        Assert.Equal("12", attributes["num"]);
        Assert.Equal("0.25", attributes["d"]);
        Assert.Equal("true", attributes["b"]);
        Assert.Equal("AQID", attributes["bytes"]);
        Assert.Equal("[\"x\",2]", attributes["arr"]);
        Assert.Equal("{\"k\":false}", attributes["map"]);
        Assert.Equal(["{\"a\":\"b\"}"], SdkExporterTests.Strings(a.GetProperty("Events.Attributes")));
        var b = rows[1];
        Assert.Equal("eee19b7ec3c1b174", b.GetProperty("ParentSpanId").GetString());
        Assert.Equal(string.Empty, b.GetProperty("SpanKind").GetString());
        Assert.Equal("Unset", b.GetProperty("StatusCode").GetString());
    }

    [Fact]
    public async Task Post_JsonLogsAndMetrics_StoresEventNameSummaryAndExponentialHistogram()
    {
        var service = NewService();
        var logs = $$$"""
        {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"{{{service}}}"}}]},
          "scopeLogs":[{"scope":{"name":"s"},"logRecords":[
            {"timeUnixNano":"1700000000000000000","severityNumber":9,"severityText":"INFO","body":{"stringValue":"hello"},"eventName":"gen_ai.user.message",
             "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"},
            {"timeUnixNano":"1700000000000000001","body":{"kvlistValue":{"values":[{"key":"role","value":{"stringValue":"user"}}]}},
             "attributes":[{"key":"event.name","value":{"stringValue":"gen_ai.choice"}}]}
          ]}]}]}
        """;
        using (var response = await PostAsync("/v1/logs", Encoding.UTF8.GetBytes(logs), "application/json"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await receiver.WaitUntilWrittenAsync();
        var logRows = await receiver.Database.Client.QueryJsonAsync($"SELECT * FROM otel_logs WHERE ServiceName = '{service}' ORDER BY TimeUnixNano", "read logs");
        Assert.Equal(2, logRows.Count);
        Assert.Equal("hello", logRows[0].GetProperty("Body").GetString());
        Assert.Equal("gen_ai.user.message", logRows[0].GetProperty("EventName").GetString());
        Assert.Equal(9, logRows[0].GetProperty("SeverityNumber").GetInt32());
        Assert.Equal("5b8efff798038103d269b633813fc60c", logRows[0].GetProperty("TraceId").GetString());
        Assert.Equal("{\"role\":\"user\"}", logRows[1].GetProperty("Body").GetString());
        Assert.Equal("gen_ai.choice", logRows[1].GetProperty("EventName").GetString());

        var metrics = $$$"""
        {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"{{{service}}}"}}]},
          "scopeMetrics":[{"scope":{"name":"m"},"metrics":[
            {"name":"s.summary","summary":{"dataPoints":[{"timeUnixNano":"1700000000000000000","count":"4","sum":10.5,
              "quantileValues":[{"quantile":0.5,"value":2},{"quantile":0.99,"value":5}]}]}},
            {"name":"s.exp","exponentialHistogram":{"aggregationTemporality":1,"dataPoints":[{"timeUnixNano":"1700000000000000000","count":"3","sum":7,
              "scale":2,"zeroCount":"1","positive":{"offset":-1,"bucketCounts":["1","1"]}}]}},
            {"name":"s.sum","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[{"timeUnixNano":"1700000000000000000","asInt":"42"}]}}
          ]}]}]}
        """;
        using (var response = await PostAsync("/v1/metrics", Encoding.UTF8.GetBytes(metrics), "application/json"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await receiver.WaitUntilWrittenAsync();
        var metricRows = await receiver.Database.Client.QueryJsonAsync($"SELECT * FROM otel_metrics WHERE ServiceName = '{service}' ORDER BY MetricName", "read metrics");
        Assert.Equal(3, metricRows.Count);
        var exp = metricRows[0];
        Assert.Equal("ExponentialHistogram", exp.GetProperty("MetricType").GetString());
        Assert.Equal("Delta", exp.GetProperty("AggregationTemporality").GetString());
        Assert.Equal(2, exp.GetProperty("Scale").GetInt32());
        Assert.Equal(-1, exp.GetProperty("PositiveOffset").GetInt32());
        Assert.Equal(["1", "1"], SdkExporterTests.Strings(exp.GetProperty("PositiveBucketCounts")));
        var sum = metricRows[1];
        Assert.Equal(42, sum.GetProperty("Value").GetDouble());
        var summary = metricRows[2];
        Assert.Equal("Summary", summary.GetProperty("MetricType").GetString());
        Assert.Equal(10.5, summary.GetProperty("Sum").GetDouble());
        Assert.Equal(["0.5", "0.99"], SdkExporterTests.Strings(summary.GetProperty("Quantiles.Quantile")));
    }

    [Fact]
    public async Task Post_InvalidJson_Returns400WithJsonStatus()
    {
        using var response = await PostAsync("/v1/traces", "{\"resourceSpans\": [ {\"resource\": "u8.ToArray(), "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("JSON", status.RootElement.GetProperty("message").GetString());
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Post_TruncatedProtobuf_Returns400WithProtobufStatus()
    {
        var body = Otlp.Spans(NewService(), 3).ToByteArray();
        using var response = await PostAsync("/v1/traces", body[..^7], "application/x-protobuf");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var status = Google.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Contains("protobuf", status.Message);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Post_WrongContentType_Returns415()
    {
        using var response = await PostAsync("/v1/traces", "hello"u8.ToArray(), "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Get_SignalPath_Returns405()
    {
        using var response = await s_client.GetAsync(new Uri(receiver.HttpEndpoint, "/v1/logs"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Post_OversizedBody_Returns413()
    {
        var big = Otlp.Spans(NewService(), 1);
        big.ResourceSpans[0].ScopeSpans[0].Spans[0].Name = new string('x', SmallLimitReceiverFixture.Limit + 10);
        using var response = await PostAsync("/v1/traces", big.ToByteArray(), "application/x-protobuf");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Post_GzipBomb_Returns413()
    {
        var bomb = Otlp.GzipBomb(64 * 1024 * 1024);
        Assert.True(bomb.Length < 100 * 1024);
        using var response = await PostAsync("/v1/traces", bomb, "application/x-protobuf", gzip: true);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Post_CorruptGzip_Returns400()
    {
        var gz = Otlp.Gzip(Otlp.Spans(NewService(), 2).ToByteArray());
        using var response = await PostAsync("/v1/traces", gz[..(gz.Length / 2)], "application/x-protobuf", gzip: true);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Post_EmptyRequests_AcceptedAndNothingStored()
    {
        await receiver.WaitUntilWrittenAsync();
        var before = await receiver.Database.CountAsync("SELECT count() FROM otel_traces");
        using (var response = await PostAsync("/v1/traces", [], "application/x-protobuf"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var response = await PostAsync("/v1/traces", "{}"u8.ToArray(), "application/json"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("{ }", (await response.Content.ReadAsStringAsync()).Trim());
        }

        await receiver.WaitUntilWrittenAsync();
        Assert.Equal(before, await receiver.Database.CountAsync("SELECT count() FROM otel_traces"));
    }

    [Fact]
    public async Task Post_SpanWithBadTraceId_ReturnsPartialSuccess()
    {
        var service = NewService();
        var request = Otlp.Spans(service, 1);
        request.ResourceSpans[0].ScopeSpans[0].Spans.Add(Otlp.Spans(service, 1, traceIdLength: 3).ResourceSpans[0].ScopeSpans[0].Spans[0]);
        using var response = await PostAsync("/v1/traces", request.ToByteArray(), "application/x-protobuf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, reply.PartialSuccess.RejectedSpans);
        Assert.Equal(1, await CountAsync(service));
    }

    [Fact]
    public async Task Health_LiveAndReady_Return200()
    {
        using var live = await s_client.GetAsync(new Uri(receiver.HttpEndpoint, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        HttpStatusCode ready;
        do
        {
            using var response = await s_client.GetAsync(new Uri(receiver.HttpEndpoint, "/readyz"));
            ready = response.StatusCode;
            if (ready != HttpStatusCode.OK)
            {
                await Task.Delay(200);
            }
        }
        while (ready != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, ready);
    }

    private static string NewService() => "http-raw-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body, string contentType, bool gzip = false)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        return await s_client.PostAsync(new Uri(receiver.HttpEndpoint, path), content);
    }

    private async Task<long> CountAsync(string service)
    {
        await receiver.WaitUntilWrittenAsync();
        return await receiver.Database.CountAsync($"SELECT count() FROM otel_traces WHERE ServiceName = '{service}'");
    }

    private async Task AssertStillServesAsync()
    {
        var service = NewService();
        using var response = await PostAsync("/v1/traces", Otlp.Spans(service, 1).ToByteArray(), "application/x-protobuf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await CountAsync(service));
    }
}
