using System.Net;
using System.Text.Json;
using OtelLlm.Semantics.Pricing;

namespace OtelLlm.Api.Tests;

public sealed class IngestTests(ApiReceiverFixture receiver) : IClassFixture<ApiReceiverFixture>
{
    private static string NewTrace() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    private static string NewSpan() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..16];

    [Fact]
    public async Task Llm_OneCall_BecomesAPricedCallRowAndASpan()
    {
        var workload = "ingest-" + Guid.NewGuid().ToString("N")[..8];
        var body = $$"""
            {
              "timestamp": "2025-06-01T12:00:00.250Z", "durationMs": 1234.5, "provider": "OpenAI", "model": "gpt-5",
              "input": [{"role":"system","content":"Be brief."},{"role":"user","content":"What is 2+2?"}],
              "output": "4", "usage": {"inputTokens": 1000, "outputTokens": 200, "reasoningTokens": 50},
              "userId": "u-1", "sessionId": "s-1", "workload": "{{workload}}", "service": "billing", "environment": "prod",
              "responseId": "resp-1", "finishReasons": ["stop"], "metadata": {"tenant": "acme", "tier": 2}
            }
            """;
        using var response = await receiver.PostJsonAsync("/api/v1/ingest/llm", ApiReceiverFixture.IngestKey, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.JsonAsync();
        Assert.Equal(1, answer.GetProperty("accepted").GetInt32());
        var ids = answer.GetProperty("calls")[0];
        var traceId = ids.GetProperty("traceId").GetString()!;
        var spanId = ids.GetProperty("spanId").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.Matches("^[0-9a-f]{16}$", spanId);
        var expectedCost = ModelPriceTable.Default.GetCostUsd("openai", "gpt-5", new TokenUsage(1000, 200, 0, 0, 50));
        Assert.NotNull(expectedCost);
        Assert.Equal(expectedCost!.Value, ids.GetProperty("costUsd").GetDouble(), 12);

        // Acknowledged means stored: no waiting.
        var call = Assert.Single(await receiver.Database.Client.QueryJsonAsync(
            $"SELECT * FROM llm_calls FINAL WHERE TraceId = '{traceId}'", "read the call"));
        Assert.Equal("alpha", call.GetProperty("Project").GetString());
        Assert.Equal(spanId, call.GetProperty("SpanId").GetString());
        Assert.Equal("ingest_api", call.GetProperty("SourceFormat").GetString());
        Assert.Equal("openai", call.GetProperty("Provider").GetString());
        Assert.Equal("gpt-5", call.GetProperty("RequestModel").GetString());
        Assert.Equal("2025-06-01 12:00:00", call.GetProperty("Timestamp").GetString());
        Assert.Equal("1748779200250000000", call.GetProperty("StartTimeUnixNano").GetString());
        Assert.Equal("1234500000", call.GetProperty("Duration").GetString());
        Assert.Equal("1000", call.GetProperty("InputTokens").GetString());
        Assert.Equal("50", call.GetProperty("ReasoningTokens").GetString());
        Assert.Equal("1200", call.GetProperty("TotalTokens").GetString());
        Assert.Equal(expectedCost.Value, call.GetProperty("CostUsd").GetDouble(), 12);
        Assert.Equal("price_table", call.GetProperty("CostSource").GetString());
        Assert.Equal("Ok", call.GetProperty("StatusCode").GetString());
        Assert.Equal(workload, call.GetProperty("Workload").GetString());
        Assert.Equal("u-1", call.GetProperty("UserId").GetString());
        Assert.Equal("s-1", call.GetProperty("ConversationId").GetString());
        Assert.Equal("billing", call.GetProperty("ServiceName").GetString());
        Assert.Equal("prod", call.GetProperty("Environment").GetString());
        Assert.Equal("resp-1", call.GetProperty("ResponseId").GetString());
        Assert.Equal(["stop"], call.GetProperty("FinishReasons").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("""[{"type":"text","content":"Be brief."}]""", call.GetProperty("SystemInstructions").GetString());
        Assert.Equal("""[{"role":"user","parts":[{"type":"text","content":"What is 2+2?"}]}]""", call.GetProperty("InputMessages").GetString());
        using var output = JsonDocument.Parse(call.GetProperty("OutputMessages").GetString()!);
        Assert.Equal("assistant", output.RootElement[0].GetProperty("role").GetString());
        Assert.Equal("4", output.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString());
        Assert.Equal(["tenant", "tier"], call.GetProperty("Attributes.Key").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(["acme", "2"], call.GetProperty("Attributes.Value").EnumerateArray().Select(e => e.GetString()!));

        var span = Assert.Single(await receiver.Database.Client.QueryJsonAsync(
            $"SELECT SpanId, SpanName, SpanKind, ServiceName, Duration, StatusCode, ScopeName, SpanAttributes.Key AS K, SpanAttributes.Value AS V FROM otel_traces FINAL WHERE TraceId = '{traceId}'",
            "read the span"));
        Assert.Equal(spanId, span.GetProperty("SpanId").GetString());
        Assert.Equal("chat gpt-5", span.GetProperty("SpanName").GetString());
        Assert.Equal("Client", span.GetProperty("SpanKind").GetString());
        Assert.Equal("billing", span.GetProperty("ServiceName").GetString());
        Assert.Equal("1234500000", span.GetProperty("Duration").GetString());
        var attributes = span.GetProperty("K").EnumerateArray().Select(k => k.GetString()!)
            .Zip(span.GetProperty("V").EnumerateArray().Select(v => v.GetString()!)).ToDictionary(p => p.First, p => p.Second);
        Assert.Equal("gpt-5", attributes["gen_ai.request.model"]);
        Assert.Equal("openai", attributes["gen_ai.provider.name"]);
        Assert.Equal("1000", attributes["gen_ai.usage.input_tokens"]);
        Assert.Equal(workload, attributes["otel_llm.workload"]);
    }

    [Fact]
    public async Task Llm_Batch_StoresEveryItem_GivenCostWins_ErrorsKeepTheirType()
    {
        var trace = NewTrace();
        var spans = new[] { NewSpan(), NewSpan() };
        var body = $$"""
            {"items":[
              {"model":"gpt-5","traceId":"{{trace}}","spanId":"{{spans[0]}}","costUsd":0.5,"usage":{"inputTokens":10} },
              {"model":"no-such-model-xyz","traceId":"{{trace}}","spanId":"{{spans[1]}}","parentSpanId":"{{spans[0]}}","status":"error","errorType":"rate_limit","errorMessage":"429 Too Many Requests"}
            ]}
            """;
        using var response = await receiver.PostJsonAsync("/api/v1/ingest/llm", ApiReceiverFixture.AllKey, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.JsonAsync();
        Assert.Equal(2, answer.GetProperty("accepted").GetInt32());
        Assert.False(answer.GetProperty("calls")[1].TryGetProperty("costUsd", out _), "an unknown model has no price");

        var rows = await receiver.Database.Client.QueryJsonAsync(
            $"SELECT SpanId, ParentSpanId, CostUsd, CostSource, StatusCode, ErrorType, StatusMessage FROM llm_calls FINAL WHERE TraceId = '{trace}' ORDER BY SpanId = '{spans[0]}' DESC",
            "read the calls");
        Assert.Equal(2, rows.Count);
        Assert.Equal(0.5, rows[0].GetProperty("CostUsd").GetDouble());
        Assert.Equal("span", rows[0].GetProperty("CostSource").GetString());
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("CostUsd").ValueKind);
        Assert.Equal(spans[0], rows[1].GetProperty("ParentSpanId").GetString());
        Assert.Equal("Error", rows[1].GetProperty("StatusCode").GetString());
        Assert.Equal("rate_limit", rows[1].GetProperty("ErrorType").GetString());
        Assert.Equal("429 Too Many Requests", rows[1].GetProperty("StatusMessage").GetString());
        Assert.Equal(2, await receiver.Database.CountAsync($"SELECT count() FROM otel_traces WHERE TraceId = '{trace}'"));
    }

    [Fact]
    public async Task Llm_EnergyGivenWins_OtherwiseEstimatedFromTheFactors_WithCo2eOnTheConfiguredGrid()
    {
        var trace = NewTrace();
        var spans = new[] { NewSpan(), NewSpan(), NewSpan() };
        var body = $$"""
            {"items":[
              {"model":"gpt-4o","traceId":"{{trace}}","spanId":"{{spans[0]}}","energyWh":2.5,"usage":{"inputTokens":10000,"outputTokens":500} },
              {"model":"gpt-4o","responseModel":"gpt-4o-2024-08-06","provider":"openai","traceId":"{{trace}}","spanId":"{{spans[1]}}",
               "usage":{"inputTokens":10000,"outputTokens":500,"cacheReadTokens":6000} },
              {"model":"no-such-model-xyz","traceId":"{{trace}}","spanId":"{{spans[2]}}","usage":{"inputTokens":10} }
            ]}
            """;
        using var response = await receiver.PostJsonAsync("/api/v1/ingest/llm", ApiReceiverFixture.IngestKey, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var calls = (await response.JsonAsync()).GetProperty("calls");
        // 4,000 uncached input × 0.221 + 6,000 cache reads × 0.0221 + 500 output × 0.602, per 1,000 tokens (docs/energy.md).
        const double Estimated = 1.3176;
        Assert.Equal(2.5, calls[0].GetProperty("energyWh").GetDouble());
        Assert.Equal(Estimated, calls[1].GetProperty("energyWh").GetDouble(), 9);
        Assert.False(calls[2].TryGetProperty("energyWh", out _), "an unknown model has no energy");

        Assert.Equal(3, await receiver.Database.WaitForCountAsync($"SELECT uniqExact(SpanId) FROM llm_calls WHERE TraceId = '{trace}'", 3));
        Assert.Equal(3, await receiver.Database.WaitForCountAsync($"SELECT uniqExact(SpanId) FROM otel_traces WHERE TraceId = '{trace}'", 3));
        var rows = (await receiver.Database.Client.QueryJsonAsync(
            $"SELECT SpanId, EnergyWh, Co2eGrams, EnergySource FROM llm_calls FINAL WHERE TraceId = '{trace}'", "read the calls"))
            .ToDictionary(r => r.GetProperty("SpanId").GetString()!);
        Assert.Equal(2.5, rows[spans[0]].GetProperty("EnergyWh").GetDouble());
        Assert.Equal("span", rows[spans[0]].GetProperty("EnergySource").GetString());
        Assert.Equal(2.5 * ApiReceiverFixture.GridIntensity / 1000, rows[spans[0]].GetProperty("Co2eGrams").GetDouble(), 9);
        Assert.Equal(Estimated, rows[spans[1]].GetProperty("EnergyWh").GetDouble(), 9);
        Assert.Equal("energy_factors", rows[spans[1]].GetProperty("EnergySource").GetString());
        Assert.Equal(Estimated * ApiReceiverFixture.GridIntensity / 1000, rows[spans[1]].GetProperty("Co2eGrams").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, rows[spans[2]].GetProperty("EnergyWh").ValueKind);
        Assert.Equal(JsonValueKind.Null, rows[spans[2]].GetProperty("Co2eGrams").ValueKind);
        Assert.Equal(string.Empty, rows[spans[2]].GetProperty("EnergySource").GetString());

        // The span carries the energy as its attribute, as an instrumented application's span would.
        var attribute = await receiver.Database.Client.ScalarAsync(
            $"SELECT SpanAttributes.Value[indexOf(SpanAttributes.Key, 'otel_llm.usage.energy_wh')] FROM otel_traces FINAL WHERE SpanId = '{spans[0]}'", "read the span");
        Assert.Equal("2.5", attribute);
    }

    [Fact]
    public async Task Llm_SameCallTwice_CountsOnce()
    {
        var trace = NewTrace();
        var body = $$"""{"model":"gpt-5","traceId":"{{trace}}","spanId":"{{NewSpan()}}","timestamp":1748779200000,"usage":{"inputTokens":5} }""";
        for (var i = 0; i < 2; i++)
        {
            using var response = await receiver.PostJsonAsync("/api/v1/ingest/llm", ApiReceiverFixture.IngestKey, body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, await receiver.Database.CountAsync($"SELECT count() FROM llm_calls FINAL WHERE TraceId = '{trace}'"));
        Assert.Equal(1, await receiver.Database.CountAsync($"SELECT count() FROM otel_traces FINAL WHERE TraceId = '{trace}'"));
    }

    [Fact]
    public async Task Llm_InvalidBatch_ListsEveryErrorAndStoresNothing()
    {
        var workload = "bad-" + Guid.NewGuid().ToString("N")[..8];
        var body = $$"""
            {"items":[
              {"model":"gpt-5","workload":"{{workload}}"},
              {"workload":"{{workload}}","usage":{"inputTokens":-1,"outputTokens":1.5,"cachedTokens":3} },
              {"model":"gpt-5","workload":"{{workload}}","durationMs":"slow","timestamp":"yesterday","status":"failed","costUsd":-2},
              {"model":"gpt-5","workload":"{{workload}}","traceId":"abc","spanId":"0000000000000000","input":42,"output":[{"content":"hi"}]},
              {"model":"gpt-5","workload":"{{workload}}","errorType":"boom","finishReasons":"stop","metadata":[1]},
              {"model":"gpt-5","workload":"{{workload}}","input":[{"role":"user"}],"tools":{"name":"x"},"modle":"typo"},
              {"model":"gpt-5","workload":"{{workload}}","durationMs":100,"timeToFirstTokenMs":500,"streaming":"yes"}
            ]}
            """;
        using var response = await receiver.PostJsonAsync("/api/v1/ingest/llm", ApiReceiverFixture.IngestKey, body);
        var errors = await response.ErrorsAsync(HttpStatusCode.BadRequest);
        errors.AssertHas(1, "model", "Required");
        errors.AssertHas(1, "usage.inputTokens", "out of range");
        errors.AssertHas(1, "usage.outputTokens", "whole number");
        errors.AssertHas(1, "usage.cachedTokens", "Unknown field");
        errors.AssertHas(2, "durationMs", "Expected a number");
        errors.AssertHas(2, "timestamp", "ISO 8601");
        errors.AssertHas(2, "status", "ok, error");
        errors.AssertHas(2, "costUsd", "out of range");
        errors.AssertHas(3, "traceId", "32-digit hex id");
        errors.AssertHas(3, "spanId", "not all zeros");
        errors.AssertHas(3, "input", "Expected a string, a message object or an array");
        errors.AssertHas(3, "output[0]", "role");
        errors.AssertHas(4, "status", "set status to 'error'");
        errors.AssertHas(4, "finishReasons", "array of strings");
        errors.AssertHas(4, "metadata", "Expected an object");
        errors.AssertHas(5, "input[0].content", "Required");
        errors.AssertHas(5, "tools", "array of tool definitions");
        errors.AssertHas(5, "modle", "Unknown field");
        errors.AssertHas(6, "timeToFirstTokenMs", "longer than durationMs");
        errors.AssertHas(6, "streaming", "true or false");
        Assert.DoesNotContain(errors, e => e.Index == 0);
        Assert.Equal(0, await receiver.Database.CountAsync($"SELECT count() FROM llm_calls WHERE Workload = '{workload}'"));
    }

    [Theory]
    [InlineData("/api/v1/ingest/llm", "{\"items\":{}}", "items", "Expected an array")]
    [InlineData("/api/v1/ingest/logs", "{\"items\":[]}", "items", "empty")]
    [InlineData("/api/v1/ingest/metrics", "[]", null, "empty")]
    public async Task Ingest_BadBatchShape_Answers400(string path, string body, string? field, string message)
    {
        using var response = await receiver.PostJsonAsync(path, ApiReceiverFixture.IngestKey, body);
        var errors = await response.ErrorsAsync(HttpStatusCode.BadRequest);
        errors.AssertHas(null, field, message);
    }

    [Theory]
    [InlineData("/api/v1/ingest/llm", ApiReceiverFixture.FeedbackKey)]
    [InlineData("/api/v1/ingest/logs", ApiReceiverFixture.ReadKey)]
    [InlineData("/api/v1/ingest/metrics", ApiReceiverFixture.AdminKey)]
    public async Task Ingest_KeyWithoutIngestScope_Answers403NamingIt(string path, string key)
    {
        using var response = await receiver.PostJsonAsync(path, key, "{\"model\":\"gpt-5\",\"message\":\"x\",\"name\":\"m\",\"kind\":\"gauge\",\"value\":1}");
        var errors = await response.ErrorsAsync(HttpStatusCode.Forbidden);
        errors.AssertHas(null, null, "'ingest' scope");
    }

    [Fact]
    public async Task Logs_Batch_StoredWithSeverityTraceLinkAndAttributes()
    {
        var trace = NewTrace();
        var span = NewSpan();
        var body = $$"""
            {"items":[
              {"message":"payment failed","level":"error","timestamp":"2025-06-01T12:00:01Z","service":"billing","environment":"prod","traceId":"{{trace}}","spanId":"{{span}}","attributes":{"order":"o-1","retry":true} },
              {"message":"retrying","traceId":"{{trace}}"}
            ]}
            """;
        using var response = await receiver.PostJsonAsync("/api/v1/ingest/logs", ApiReceiverFixture.IngestKey, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.JsonAsync()).GetProperty("accepted").GetInt32());
        var rows = await receiver.Database.Client.QueryJsonAsync(
            $"SELECT Body, SeverityText, SeverityNumber, ServiceName, SpanId, Timestamp, LogAttributes.Key AS K, LogAttributes.Value AS V, Project FROM otel_logs FINAL WHERE TraceId = '{trace}' ORDER BY SeverityNumber DESC",
            "read logs");
        Assert.Equal(2, rows.Count);
        Assert.Equal("payment failed", rows[0].GetProperty("Body").GetString());
        Assert.Equal("ERROR", rows[0].GetProperty("SeverityText").GetString());
        Assert.Equal(17, rows[0].GetProperty("SeverityNumber").GetInt32());
        Assert.Equal("billing", rows[0].GetProperty("ServiceName").GetString());
        Assert.Equal(span, rows[0].GetProperty("SpanId").GetString());
        Assert.Equal("2025-06-01 12:00:01", rows[0].GetProperty("Timestamp").GetString());
        Assert.Equal(["order", "retry"], rows[0].GetProperty("K").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(["o-1", "true"], rows[0].GetProperty("V").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("INFO", rows[1].GetProperty("SeverityText").GetString());
        Assert.Equal("alpha", rows[1].GetProperty("Project").GetString());
    }

    [Fact]
    public async Task Logs_InvalidItems_ListEveryError()
    {
        var body = """[{"level":"loud"},{"message":"x","spanId":"00f067aa0ba902b7"},{"message":"x","timestamp":-5,"attributes":{"a":null} }]""";
        using var response = await receiver.PostJsonAsync("/api/v1/ingest/logs", ApiReceiverFixture.IngestKey, body);
        var errors = await response.ErrorsAsync(HttpStatusCode.BadRequest);
        errors.AssertHas(0, "message", "Required");
        errors.AssertHas(0, "level", "trace, debug, info, warn, error, fatal");
        errors.AssertHas(1, "spanId", "Needs traceId");
        errors.AssertHas(2, "timestamp", "ISO 8601");
        errors.AssertHas(2, "attributes.a", "Expected a string, number or boolean");
    }

    [Fact]
    public async Task Metrics_GaugeCounterHistogram_StoredAsOtlpPoints()
    {
        var name = "app_" + Guid.NewGuid().ToString("N")[..8];
        var body = $$"""
            {"items":[
              {"name":"{{name}}.queue","kind":"gauge","value":12.5,"unit":"{item}","service":"worker","attributes":{"queue":"a"} },
              {"name":"{{name}}.requests","kind":"counter","value":3,"timestamp":"2025-06-01T12:00:00Z"},
              {"name":"{{name}}.latency","kind":"histogram","values":[1,5,5.5,100,20000],"bounds":[5,10,100],"unit":"ms"}
            ]}
            """;
        using var response = await receiver.PostJsonAsync("/api/v1/ingest/metrics", ApiReceiverFixture.IngestKey, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = (await receiver.Database.Client.QueryJsonAsync(
            $"SELECT MetricName, MetricType, MetricUnit, AggregationTemporality, IsMonotonic, Value, Count, Sum, Min, Max, BucketCounts, ExplicitBounds, ServiceName FROM otel_metrics FINAL WHERE MetricName LIKE '{name}.%'",
            "read metrics")).ToDictionary(r => r.GetProperty("MetricName").GetString()![(name.Length + 1)..]);
        Assert.Equal("Gauge", rows["queue"].GetProperty("MetricType").GetString());
        Assert.Equal(12.5, rows["queue"].GetProperty("Value").GetDouble());
        Assert.Equal("{item}", rows["queue"].GetProperty("MetricUnit").GetString());
        Assert.Equal("worker", rows["queue"].GetProperty("ServiceName").GetString());
        Assert.Equal("Sum", rows["requests"].GetProperty("MetricType").GetString());
        Assert.Equal("Delta", rows["requests"].GetProperty("AggregationTemporality").GetString());
        Assert.Equal(1, rows["requests"].GetProperty("IsMonotonic").GetInt32());
        Assert.Equal(3.0, rows["requests"].GetProperty("Value").GetDouble());
        var h = rows["latency"];
        Assert.Equal("Histogram", h.GetProperty("MetricType").GetString());
        Assert.Equal("5", h.GetProperty("Count").GetString());
        Assert.Equal(20111.5, h.GetProperty("Sum").GetDouble());
        Assert.Equal(1.0, h.GetProperty("Min").GetDouble());
        Assert.Equal(20000.0, h.GetProperty("Max").GetDouble());
        Assert.Equal(["2", "1", "1", "1"], h.GetProperty("BucketCounts").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal([5.0, 10.0, 100.0], h.GetProperty("ExplicitBounds").EnumerateArray().Select(e => e.GetDouble()));
    }

    [Fact]
    public async Task Metrics_InvalidItems_ListEveryError()
    {
        var body = """
            [{"kind":"gauge","value":1},{"name":"m","kind":"summary","value":1},{"name":"m","kind":"gauge"},
             {"name":"m","kind":"counter","value":-1},{"name":"m","kind":"gauge","value":1,"values":[1]},
             {"name":"m","kind":"histogram","values":[1,"2"]},{"name":"m","kind":"histogram","values":[1],"bounds":[10,5]}]
            """;
        using var response = await receiver.PostJsonAsync("/api/v1/ingest/metrics", ApiReceiverFixture.IngestKey, body);
        var errors = await response.ErrorsAsync(HttpStatusCode.BadRequest);
        errors.AssertHas(0, "name", "Required");
        errors.AssertHas(1, "kind", "gauge, counter, histogram");
        errors.AssertHas(2, "value", "Required for a gauge");
        errors.AssertHas(3, "value", "cannot be negative");
        errors.AssertHas(4, "values", "Only a histogram");
        errors.AssertHas(5, "values", "array of at most 100,000 numbers");
        errors.AssertHas(6, "bounds", "increasing");
    }
}

/// <summary>A receiver with small ingest limits.</summary>
public sealed class SmallIngestLimitsFixture : ApiReceiverFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
    [
        new("OtelLlm:Api:MaxIngestItems", "3"),
        new("OtelLlm:Api:MaxIngestBytes", "2048"),
    ];
}

public sealed class IngestLimitTests(SmallIngestLimitsFixture receiver) : IClassFixture<SmallIngestLimitsFixture>
{
    [Fact]
    public async Task Llm_MoreItemsThanTheLimit_Answers413AndStoresNothing()
    {
        var workload = "limit-" + Guid.NewGuid().ToString("N")[..8];
        var body = "{\"items\":[" + string.Join(",", Enumerable.Repeat($$"""{"model":"gpt-5","workload":"{{workload}}"}""", 4)) + "]}";
        using var response = await receiver.PostJsonAsync("/api/v1/ingest/llm", ApiReceiverFixture.IngestKey, body);
        var errors = await response.ErrorsAsync(HttpStatusCode.RequestEntityTooLarge);
        errors.AssertHas(null, "items", "at most 3");
        Assert.Equal(0, await receiver.Database.CountAsync($"SELECT count() FROM llm_calls WHERE Workload = '{workload}'"));
    }

    [Fact]
    public async Task Llm_BodyOverTheByteLimit_Answers413()
    {
        var body = $$"""{"model":"gpt-5","input":"{{new string('x', 4000)}}"}""";
        using var response = await receiver.PostJsonAsync("/api/v1/ingest/llm", ApiReceiverFixture.IngestKey, body);
        var errors = await response.ErrorsAsync(HttpStatusCode.RequestEntityTooLarge);
        errors.AssertHas(null, null, "2048 bytes");
    }

    [Fact]
    public async Task Llm_GzipBodyOverTheLimitOnceDecompressed_Answers413()
    {
        var plain = System.Text.Encoding.UTF8.GetBytes($$"""{"model":"gpt-5","input":"{{new string('x', 100_000)}}"}""");
        using var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(plain);
        }

        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await receiver.SendAsync(HttpMethod.Post, "/api/v1/ingest/llm", ApiReceiverFixture.IngestKey, content);
        var errors = await response.ErrorsAsync(HttpStatusCode.RequestEntityTooLarge);
        errors.AssertHas(null, null, "decompressed");
    }
}
