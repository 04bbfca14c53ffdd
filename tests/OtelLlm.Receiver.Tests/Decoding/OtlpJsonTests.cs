using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Benchmarks;
using OtelLlm.Receiver.Decoding;

namespace OtelLlm.Receiver.Tests.Decoding;

/// <summary>
/// The OTLP/JSON decoder against an oracle: requests that set every field of every message type are written as
/// OTLP/JSON (Google.Protobuf's proto3 JSON with hex ids) and must decode back equal; then the leniencies and the
/// errors.
/// </summary>
public sealed class OtlpJsonTests
{
    private static readonly ByteString s_traceId = ByteString.CopyFrom(Convert.FromHexString("5b8efff798038103d269b633813fc60c"));
    private static readonly ByteString s_spanId = ByteString.CopyFrom(Convert.FromHexString("eee19b7ec3c1b174"));

    [Fact]
    public void Traces_EveryField_DecodeBackEqual()
    {
        var request = Traces(
            new Span
            {
                TraceId = s_traceId, SpanId = s_spanId, ParentSpanId = s_spanId, TraceState = "k=v", Flags = 257,
                Name = "chat gpt-4o", Kind = Span.Types.SpanKind.Client,
                StartTimeUnixNano = 1_700_000_000_000_000_001, EndTimeUnixNano = ulong.MaxValue,
                Attributes = { EveryValue() }, DroppedAttributesCount = 1, DroppedEventsCount = 2, DroppedLinksCount = 3,
                Events = { new Span.Types.Event { TimeUnixNano = 5, Name = "gen_ai.choice", Attributes = { Kv("a", "b") }, DroppedAttributesCount = 4 } },
                Links = { new Span.Types.Link { TraceId = s_traceId, SpanId = s_spanId, TraceState = "t", Attributes = { Kv("l", "m") }, DroppedAttributesCount = 5, Flags = 1 } },
                Status = new Status { Code = Status.Types.StatusCode.Error, Message = "boom" },
            },
            new Span { Name = "bare" });

        Assert.Equal(request, OtlpJson.Parse<ExportTraceServiceRequest>(Json(request)));
    }

    [Fact]
    public void Logs_EveryField_DecodeBackEqual()
    {
        var request = Logs(
            new LogRecord
            {
                TimeUnixNano = 1, ObservedTimeUnixNano = 2, SeverityNumber = SeverityNumber.Warn2, SeverityText = "WARN",
                Body = new AnyValue { KvlistValue = new KeyValueList { Values = { EveryValue() } } },
                Attributes = { Kv("event.name", "gen_ai.user.message") }, DroppedAttributesCount = 6, Flags = 1,
                TraceId = s_traceId, SpanId = s_spanId, EventName = "gen_ai.user.message",
            });

        Assert.Equal(request, OtlpJson.Parse<ExportLogsServiceRequest>(Json(request)));
    }

    [Fact]
    public void Metrics_EveryKindOfPoint_DecodeBackEqual()
    {
        var exemplar = new Exemplar { FilteredAttributes = { Kv("f", "g") }, TimeUnixNano = 9, AsInt = -7, SpanId = s_spanId, TraceId = s_traceId };
        var request = Metrics(
            new Metric
            {
                Name = "g", Description = "d", Unit = "{call}", Metadata = { Kv("m", "n") },
                Gauge = new Gauge { DataPoints = { new NumberDataPoint { Attributes = { Kv("a", "b") }, StartTimeUnixNano = 1, TimeUnixNano = 2, AsDouble = double.NaN, Exemplars = { exemplar }, Flags = 1 } } },
            },
            new Metric
            {
                Name = "s",
                Sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true, DataPoints = { new NumberDataPoint { AsInt = long.MinValue } } },
            },
            new Metric
            {
                Name = "h",
                Histogram = new Histogram
                {
                    AggregationTemporality = AggregationTemporality.Delta,
                    DataPoints = { new HistogramDataPoint { Count = 3, Sum = 1.5, Min = 0.25, Max = double.PositiveInfinity, BucketCounts = { 1, 0, 2 }, ExplicitBounds = { 0.5, 1 }, Exemplars = { exemplar } } },
                },
            },
            new Metric
            {
                Name = "e",
                ExponentialHistogram = new ExponentialHistogram
                {
                    AggregationTemporality = AggregationTemporality.Delta,
                    DataPoints =
                    {
                        new ExponentialHistogramDataPoint
                        {
                            Count = 4, Sum = 2, Scale = -2, ZeroCount = 1, ZeroThreshold = 1e-9, Min = 0, Max = 8,
                            Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = -3, BucketCounts = { 1, 2 } },
                            Negative = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 1, BucketCounts = { 1 } },
                        },
                    },
                },
            },
            new Metric
            {
                Name = "q",
                Summary = new Summary
                {
                    DataPoints = { new SummaryDataPoint { Count = 2, Sum = 3, QuantileValues = { new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.99, Value = 5 } } } },
                },
            });

        Assert.Equal(request, OtlpJson.Parse<ExportMetricsServiceRequest>(Json(request)));
    }

    [Fact]
    public void Leniencies_SnakeCaseNumbersEnumNamesNullsAndUnknownFields()
    {
        var request = OtlpJson.Parse<ExportTraceServiceRequest>("""
            {"resource_spans":[{"resource":null,"future":{"a":[1,{"b":null}]},"scope_spans":[{"spans":[
              {"trace_id":"5B8EFFF798038103D269B633813FC60C","span_id":"","kind":"SPAN_KIND_SERVER","flags":"3",
               "start_time_unix_nano":1700000000000000001,"endTimeUnixNano":"1700000000000000002","status":null,"events":null,
               "attributes":[{"key":"n","value":{"intValue":-12}},{"key":"u","value":{"bytes_value":"AQ-_"}},{"key":"z","value":null}]}]}]}]}
            """u8);

        var rs = Assert.Single(request.ResourceSpans);
        Assert.Equal(new Resource(), rs.Resource);
        var span = Assert.Single(Assert.Single(rs.ScopeSpans).Spans);
        Assert.Equal(s_traceId, span.TraceId);
        Assert.True(span.SpanId.IsEmpty);
        Assert.Equal(Span.Types.SpanKind.Server, span.Kind);
        Assert.Equal(3u, span.Flags);
        Assert.Equal(1_700_000_000_000_000_001UL, span.StartTimeUnixNano);
        Assert.Equal(1_700_000_000_000_000_002UL, span.EndTimeUnixNano);
        Assert.Equal(new Status(), span.Status);
        Assert.Empty(span.Events);
        Assert.Equal(-12, span.Attributes[0].Value.IntValue);
        Assert.Equal([0x01, 0x0f, 0xbf], span.Attributes[1].Value.BytesValue.ToByteArray());
        Assert.Equal(new AnyValue(), span.Attributes[2].Value);
    }

    [Theory]
    [InlineData("", "the body is empty")]
    [InlineData("[]", "the body must be a JSON object, not StartArray")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}""", "traceId 'xyz' is not a hex string")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_NOPE"}]}]}]}""", "kind 'SPAN_KIND_NOPE' is neither an integer nor a name of SpanKind")]
    [InlineData("""{"resourceSpans":{"resource":{}}}""", "resourceSpans must be an array, found StartObject")]
    [InlineData("""{"resourceSpans":[{"resource":[]}]}""", "resource must be an object, found StartArray")]
    [InlineData("""{"resourceSpans":[null]}""", "resourceSpans[] holds a null")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"flags":-1}]}]}]}""", "(near byte")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"b","value":{"boolValue":"yes"}}]}]}]}]}""", "expected true or false, found String")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"b","value":{"bytesValue":"***"}}]}]}]}]}""", "bytesValue '***' is not base64")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"cut""", "(near byte")]
    public void Invalid_FailsWithTheReason(string json, string reason)
    {
        var error = Assert.Throws<OtlpJsonException>(() => OtlpJson.Parse<ExportTraceServiceRequest>(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    // Each request under one resource and one scope, both with every field set.
    private static ExportTraceServiceRequest Traces(params Span[] spans) => new()
    {
        ResourceSpans = { new ResourceSpans { Resource = Resource(), SchemaUrl = "r", ScopeSpans = { new ScopeSpans { Scope = Scope(), SchemaUrl = "s", Spans = { spans } } } } },
    };

    private static ExportLogsServiceRequest Logs(params LogRecord[] records) => new()
    {
        ResourceLogs = { new ResourceLogs { Resource = Resource(), SchemaUrl = "r", ScopeLogs = { new ScopeLogs { Scope = Scope(), SchemaUrl = "s", LogRecords = { records } } } } },
    };

    private static ExportMetricsServiceRequest Metrics(params Metric[] metrics) => new()
    {
        ResourceMetrics = { new ResourceMetrics { Resource = Resource(), SchemaUrl = "r", ScopeMetrics = { new ScopeMetrics { Scope = Scope(), SchemaUrl = "s", Metrics = { metrics } } } } },
    };

    private static byte[] Json(IMessage message) => Encoding.UTF8.GetBytes(OtlpJsonText.Write(message));

    private static Resource Resource() => new() { Attributes = { Kv("service.name", "svc") }, DroppedAttributesCount = 2 };

    private static InstrumentationScope Scope() => new() { Name = "scope", Version = "1.0", Attributes = { Kv("x", "y") }, DroppedAttributesCount = 1 };

    private static KeyValue Kv(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    // One attribute of every AnyValue kind, nested arrays and maps included.
    private static KeyValue[] EveryValue() =>
    [
        Kv("s", "text"),
        new() { Key = "b", Value = new AnyValue { BoolValue = true } },
        new() { Key = "i", Value = new AnyValue { IntValue = 9_007_199_254_740_993 } },
        new() { Key = "d", Value = new AnyValue { DoubleValue = -0.25 } },
        new() { Key = "y", Value = new AnyValue { BytesValue = ByteString.CopyFrom(1, 2, 3) } },
        new() { Key = "a", Value = new AnyValue { ArrayValue = new ArrayValue { Values = { new AnyValue { StringValue = "x" }, new AnyValue { ArrayValue = new ArrayValue() } } } } },
        new() { Key = "m", Value = new AnyValue { KvlistValue = new KeyValueList { Values = { Kv("k", "v") } } } },
    ];
}
