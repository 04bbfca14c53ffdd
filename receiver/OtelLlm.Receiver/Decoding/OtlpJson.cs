using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using ProtoKeyValueList = OpenTelemetry.Proto.Common.V1.KeyValueList;

namespace OtelLlm.Receiver.Decoding;

/// <summary>An OTLP/JSON body that cannot be decoded; the message says where and why.</summary>
internal sealed class OtlpJsonException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Decodes OTLP/JSON into the generated messages. It follows the OTLP JSON rules that Google.Protobuf's
/// <c>JsonParser</c> does not: trace and span ids are hex (any case), enums are integers. It also accepts
/// 64-bit integers as strings or numbers, snake_case as well as lowerCamelCase keys, and ignores unknown fields.
/// </summary>
internal static class OtlpJson
{
    private static readonly JsonReaderOptions s_options = new() { MaxDepth = 128 };

    private delegate T ReadItem<T>(ref Utf8JsonReader r);

    public static ExportTraceServiceRequest ParseTraces(ReadOnlySpan<byte> json)
    {
        var request = new ExportTraceServiceRequest();
        ParseEnvelope(json, "resourcespans", request.ResourceSpans, ReadResourceSpans);
        return request;
    }

    public static ExportLogsServiceRequest ParseLogs(ReadOnlySpan<byte> json)
    {
        var request = new ExportLogsServiceRequest();
        ParseEnvelope(json, "resourcelogs", request.ResourceLogs, ReadResourceLogs);
        return request;
    }

    public static ExportMetricsServiceRequest ParseMetrics(ReadOnlySpan<byte> json)
    {
        var request = new ExportMetricsServiceRequest();
        ParseEnvelope(json, "resourcemetrics", request.ResourceMetrics, ReadResourceMetrics);
        return request;
    }

    // The readers passed here and to ReadArray are static method groups, whose delegates the compiler
    // caches, so decoding does not allocate a delegate per call.
    private static void ParseEnvelope<T>(ReadOnlySpan<byte> json, string listName, RepeatedField<T> into, ReadItem<T> read)
    {
        var r = Start(json);
        try
        {
            while (NextProperty(ref r, out var name))
            {
                if (name == listName)
                {
                    // The top-level list is read without ExpectArray so its errors stay those of its elements.
                    while (NextElement(ref r))
                    {
                        into.Add(read(ref r));
                    }
                }
                else
                {
                    r.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or OverflowException or InvalidOperationException)
        {
            throw Fail(ref r, ex);
        }
    }

    private static Utf8JsonReader Start(ReadOnlySpan<byte> json)
    {
        var r = new Utf8JsonReader(json, s_options);
        try
        {
            if (!r.Read())
            {
                throw new OtlpJsonException("the body is empty; an empty request is {}");
            }
        }
        catch (JsonException ex)
        {
            throw new OtlpJsonException(ex.Message, ex);
        }

        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw new OtlpJsonException($"the body must be a JSON object, not {r.TokenType}");
        }

        return r;
    }

    private static OtlpJsonException Fail(ref Utf8JsonReader r, Exception ex)
        => ex as OtlpJsonException ?? new OtlpJsonException(string.Create(CultureInfo.InvariantCulture, $"{ex.Message} (near byte {r.TokenStartIndex})"), ex);

    // Reads the next token, failing on a cut-off body.
    private static void Read(ref Utf8JsonReader r)
    {
        if (!r.Read())
        {
            throw new OtlpJsonException("the JSON ends too early");
        }
    }

    /// <summary>
    /// Within an object (the reader on its <c>{</c> or a previous value), moves to the next property's value and
    /// gives its name lowercased without underscores, so <c>traceId</c> and <c>trace_id</c> match alike.
    /// </summary>
    private static bool NextProperty(ref Utf8JsonReader r, out string name)
    {
        Read(ref r);
        if (r.TokenType == JsonTokenType.EndObject)
        {
            name = string.Empty;
            return false;
        }

        if (r.TokenType != JsonTokenType.PropertyName)
        {
            throw new OtlpJsonException($"expected a property name, found {r.TokenType}");
        }

        name = Normalize(r.GetString()!);
        Read(ref r);
        return true;
    }

    /// <summary>Within an array (the reader on its <c>[</c> or a previous element), moves to the next element.</summary>
    private static bool NextElement(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            return false;
        }

        if (r.TokenType == JsonTokenType.PropertyName)
        {
            throw new OtlpJsonException("expected an array");
        }

        Read(ref r);
        return r.TokenType != JsonTokenType.EndArray;
    }

    private static string Normalize(string name)
    {
        var needs = false;
        foreach (var c in name)
        {
            if (c == '_' || char.IsAsciiLetterUpper(c))
            {
                needs = true;
                break;
            }
        }

        if (!needs)
        {
            return name;
        }

        return string.Create(name.Length - name.AsSpan().Count('_'), name, static (dest, src) =>
        {
            var i = 0;
            foreach (var c in src)
            {
                if (c != '_')
                {
                    dest[i++] = char.ToLowerInvariant(c);
                }
            }
        });
    }

    private static bool IsNull(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null;

    private static void ExpectObject(ref Utf8JsonReader r, string what)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw new OtlpJsonException($"{what} must be an object, found {r.TokenType}");
        }
    }

    private static void ExpectArray(ref Utf8JsonReader r, string what)
    {
        if (r.TokenType is not (JsonTokenType.StartArray or JsonTokenType.Null))
        {
            throw new OtlpJsonException($"{what} must be an array, found {r.TokenType}");
        }
    }

    private static string String(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? string.Empty : r.GetString()!;

    private static ulong UInt64(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.Null => 0,
        JsonTokenType.String => ulong.Parse(r.GetString()!, NumberStyles.None, CultureInfo.InvariantCulture),
        _ => r.TryGetUInt64(out var v) ? v : checked((ulong)r.GetDouble()),
    };

    private static long Int64(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.Null => 0,
        JsonTokenType.String => long.Parse(r.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        _ => r.TryGetInt64(out var v) ? v : checked((long)r.GetDouble()),
    };

    private static uint UInt32(ref Utf8JsonReader r) => checked((uint)UInt64(ref r));

    private static int Int32(ref Utf8JsonReader r) => checked((int)Int64(ref r));

    private static double Double(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.Null => 0,
        JsonTokenType.String => r.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => double.Parse(s!, NumberStyles.Float, CultureInfo.InvariantCulture),
        },
        _ => r.GetDouble(),
    };

    private static bool Bool(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False or JsonTokenType.Null => false,
        _ => throw new OtlpJsonException($"expected true or false, found {r.TokenType}"),
    };

    private static ByteString HexId(ref Utf8JsonReader r, string what)
    {
        var text = String(ref r);
        if (text.Length == 0)
        {
            return ByteString.Empty;
        }

        try
        {
            return ByteString.CopyFrom(Convert.FromHexString(text));
        }
        catch (FormatException)
        {
            throw new OtlpJsonException($"{what} '{text}' is not a hex string");
        }
    }

    private static ByteString Base64(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            return ByteString.Empty;
        }

        var text = r.GetString()!;
        // The proto3 JSON mapping allows standard or URL-safe base64, with or without padding.
        var normalized = text.Replace('-', '+').Replace('_', '/');
        if (normalized.Length % 4 != 0)
        {
            normalized = normalized.PadRight(normalized.Length + 4 - (normalized.Length % 4), '=');
        }

        try
        {
            return ByteString.CopyFrom(Convert.FromBase64String(normalized));
        }
        catch (FormatException)
        {
            throw new OtlpJsonException($"bytesValue '{text}' is not base64");
        }
    }

    private static TEnum Enum<TEnum>(ref Utf8JsonReader r, string what)
        where TEnum : struct, Enum
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            return default;
        }

        if (r.TokenType == JsonTokenType.String && !long.TryParse(r.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            throw new OtlpJsonException($"{what} must be an integer, found the string '{r.GetString()}'");
        }

        return (TEnum)(object)Int32(ref r);
    }

    private static Resource ReadResource(ref Utf8JsonReader r)
    {
        var resource = new Resource();
        if (IsNull(ref r))
        {
            return resource;
        }

        ExpectObject(ref r, "resource");
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "attributes": ReadAttributes(ref r, resource.Attributes); break;
                case "droppedattributescount": resource.DroppedAttributesCount = UInt32(ref r); break;
                default: r.Skip(); break;
            }
        }

        return resource;
    }

    private static InstrumentationScope ReadScope(ref Utf8JsonReader r)
    {
        var scope = new InstrumentationScope();
        if (IsNull(ref r))
        {
            return scope;
        }

        ExpectObject(ref r, "scope");
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "name": scope.Name = String(ref r); break;
                case "version": scope.Version = String(ref r); break;
                case "attributes": ReadAttributes(ref r, scope.Attributes); break;
                case "droppedattributescount": scope.DroppedAttributesCount = UInt32(ref r); break;
                default: r.Skip(); break;
            }
        }

        return scope;
    }

    /// <summary>Reads a JSON array (or null) into <paramref name="into"/>, one element at a time.</summary>
    private static void ReadArray<T>(ref Utf8JsonReader r, string what, RepeatedField<T> into, ReadItem<T> read)
    {
        ExpectArray(ref r, what);
        while (NextElement(ref r))
        {
            into.Add(read(ref r));
        }
    }

    private static void ReadAttributes(ref Utf8JsonReader r, RepeatedField<KeyValue> into)
        => ReadArray(ref r, "attributes", into, ReadKeyValue);

    private static KeyValue ReadKeyValue(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "an attribute");
        var kv = new KeyValue();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "key": kv.Key = String(ref r); break;
                case "value": kv.Value = ReadAnyValue(ref r); break;
                default: r.Skip(); break;
            }
        }

        return kv;
    }

    private static AnyValue ReadAnyValue(ref Utf8JsonReader r)
    {
        var value = new AnyValue();
        if (IsNull(ref r))
        {
            return value;
        }

        ExpectObject(ref r, "an attribute value");
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "stringvalue": value.StringValue = String(ref r); break;
                case "boolvalue": value.BoolValue = Bool(ref r); break;
                case "intvalue": value.IntValue = Int64(ref r); break;
                case "doublevalue": value.DoubleValue = Double(ref r); break;
                case "bytesvalue": value.BytesValue = Base64(ref r); break;
                case "arrayvalue":
                    var array = new ArrayValue();
                    if (!IsNull(ref r))
                    {
                        ExpectObject(ref r, "arrayValue");
                        while (NextProperty(ref r, out var inner))
                        {
                            if (inner == "values")
                            {
                                ReadArray(ref r, "arrayValue.values", array.Values, ReadAnyValue);
                            }
                            else
                            {
                                r.Skip();
                            }
                        }
                    }

                    value.ArrayValue = array;
                    break;
                case "kvlistvalue":
                    var list = new ProtoKeyValueList();
                    if (!IsNull(ref r))
                    {
                        ExpectObject(ref r, "kvlistValue");
                        while (NextProperty(ref r, out var inner))
                        {
                            if (inner == "values")
                            {
                                ReadAttributes(ref r, list.Values);
                            }
                            else
                            {
                                r.Skip();
                            }
                        }
                    }

                    value.KvlistValue = list;
                    break;
                default: r.Skip(); break;
            }
        }

        return value;
    }

    private static ResourceSpans ReadResourceSpans(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "resourceSpans[]");
        var rs = new ResourceSpans();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "resource": rs.Resource = ReadResource(ref r); break;
                case "schemaurl": rs.SchemaUrl = String(ref r); break;
                case "scopespans": ReadArray(ref r, "scopeSpans", rs.ScopeSpans, ReadScopeSpans); break;
                default: r.Skip(); break;
            }
        }

        return rs;
    }

    private static ScopeSpans ReadScopeSpans(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "scopeSpans[]");
        var ss = new ScopeSpans();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "scope": ss.Scope = ReadScope(ref r); break;
                case "schemaurl": ss.SchemaUrl = String(ref r); break;
                case "spans": ReadArray(ref r, "spans", ss.Spans, ReadSpan); break;
                default: r.Skip(); break;
            }
        }

        return ss;
    }

    private static Span ReadSpan(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "spans[]");
        var span = new Span();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "traceid": span.TraceId = HexId(ref r, "traceId"); break;
                case "spanid": span.SpanId = HexId(ref r, "spanId"); break;
                case "tracestate": span.TraceState = String(ref r); break;
                case "parentspanid": span.ParentSpanId = HexId(ref r, "parentSpanId"); break;
                case "flags": span.Flags = UInt32(ref r); break;
                case "name": span.Name = String(ref r); break;
                case "kind": span.Kind = Enum<Span.Types.SpanKind>(ref r, "kind"); break;
                case "starttimeunixnano": span.StartTimeUnixNano = UInt64(ref r); break;
                case "endtimeunixnano": span.EndTimeUnixNano = UInt64(ref r); break;
                case "attributes": ReadAttributes(ref r, span.Attributes); break;
                case "droppedattributescount": span.DroppedAttributesCount = UInt32(ref r); break;
                case "droppedeventscount": span.DroppedEventsCount = UInt32(ref r); break;
                case "droppedlinkscount": span.DroppedLinksCount = UInt32(ref r); break;
                case "events": ReadArray(ref r, "events", span.Events, ReadEvent); break;
                case "links": ReadArray(ref r, "links", span.Links, ReadLink); break;
                case "status": span.Status = ReadStatus(ref r); break;
                default: r.Skip(); break;
            }
        }

        return span;
    }

    private static Span.Types.Event ReadEvent(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "events[]");
        var e = new Span.Types.Event();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "timeunixnano": e.TimeUnixNano = UInt64(ref r); break;
                case "name": e.Name = String(ref r); break;
                case "attributes": ReadAttributes(ref r, e.Attributes); break;
                case "droppedattributescount": e.DroppedAttributesCount = UInt32(ref r); break;
                default: r.Skip(); break;
            }
        }

        return e;
    }

    private static Span.Types.Link ReadLink(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "links[]");
        var l = new Span.Types.Link();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "traceid": l.TraceId = HexId(ref r, "links[].traceId"); break;
                case "spanid": l.SpanId = HexId(ref r, "links[].spanId"); break;
                case "tracestate": l.TraceState = String(ref r); break;
                case "attributes": ReadAttributes(ref r, l.Attributes); break;
                case "droppedattributescount": l.DroppedAttributesCount = UInt32(ref r); break;
                case "flags": l.Flags = UInt32(ref r); break;
                default: r.Skip(); break;
            }
        }

        return l;
    }

    private static Status ReadStatus(ref Utf8JsonReader r)
    {
        var status = new Status();
        if (IsNull(ref r))
        {
            return status;
        }

        ExpectObject(ref r, "status");
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "message": status.Message = String(ref r); break;
                case "code": status.Code = Enum<Status.Types.StatusCode>(ref r, "status.code"); break;
                default: r.Skip(); break;
            }
        }

        return status;
    }

    private static ResourceLogs ReadResourceLogs(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "resourceLogs[]");
        var rl = new ResourceLogs();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "resource": rl.Resource = ReadResource(ref r); break;
                case "schemaurl": rl.SchemaUrl = String(ref r); break;
                case "scopelogs": ReadArray(ref r, "scopeLogs", rl.ScopeLogs, ReadScopeLogs); break;
                default: r.Skip(); break;
            }
        }

        return rl;
    }

    private static ScopeLogs ReadScopeLogs(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "scopeLogs[]");
        var sl = new ScopeLogs();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "scope": sl.Scope = ReadScope(ref r); break;
                case "schemaurl": sl.SchemaUrl = String(ref r); break;
                case "logrecords": ReadArray(ref r, "logRecords", sl.LogRecords, ReadLogRecord); break;
                default: r.Skip(); break;
            }
        }

        return sl;
    }

    private static LogRecord ReadLogRecord(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "logRecords[]");
        var log = new LogRecord();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "timeunixnano": log.TimeUnixNano = UInt64(ref r); break;
                case "observedtimeunixnano": log.ObservedTimeUnixNano = UInt64(ref r); break;
                case "severitynumber": log.SeverityNumber = Enum<SeverityNumber>(ref r, "severityNumber"); break;
                case "severitytext": log.SeverityText = String(ref r); break;
                case "body": log.Body = ReadAnyValue(ref r); break;
                case "attributes": ReadAttributes(ref r, log.Attributes); break;
                case "droppedattributescount": log.DroppedAttributesCount = UInt32(ref r); break;
                case "flags": log.Flags = UInt32(ref r); break;
                case "traceid": log.TraceId = HexId(ref r, "traceId"); break;
                case "spanid": log.SpanId = HexId(ref r, "spanId"); break;
                case "eventname": log.EventName = String(ref r); break;
                default: r.Skip(); break;
            }
        }

        return log;
    }

    private static ResourceMetrics ReadResourceMetrics(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "resourceMetrics[]");
        var rm = new ResourceMetrics();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "resource": rm.Resource = ReadResource(ref r); break;
                case "schemaurl": rm.SchemaUrl = String(ref r); break;
                case "scopemetrics": ReadArray(ref r, "scopeMetrics", rm.ScopeMetrics, ReadScopeMetrics); break;
                default: r.Skip(); break;
            }
        }

        return rm;
    }

    private static ScopeMetrics ReadScopeMetrics(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "scopeMetrics[]");
        var sm = new ScopeMetrics();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "scope": sm.Scope = ReadScope(ref r); break;
                case "schemaurl": sm.SchemaUrl = String(ref r); break;
                case "metrics": ReadArray(ref r, "metrics", sm.Metrics, ReadMetric); break;
                default: r.Skip(); break;
            }
        }

        return sm;
    }

    private static Metric ReadMetric(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "metrics[]");
        var m = new Metric();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "name": m.Name = String(ref r); break;
                case "description": m.Description = String(ref r); break;
                case "unit": m.Unit = String(ref r); break;
                case "metadata": ReadAttributes(ref r, m.Metadata); break;
                case "gauge":
                    var gauge = new Gauge();
                    ReadPoints(ref r, "gauge", gauge.DataPoints, out _, out _);
                    m.Gauge = gauge;
                    break;
                case "sum":
                    var sum = new Sum();
                    ReadPoints(ref r, "sum", sum.DataPoints, out var sumTemporality, out var monotonic);
                    sum.AggregationTemporality = sumTemporality;
                    sum.IsMonotonic = monotonic;
                    m.Sum = sum;
                    break;
                case "histogram":
                    m.Histogram = ReadHistogram(ref r);
                    break;
                case "exponentialhistogram":
                    m.ExponentialHistogram = ReadExponentialHistogram(ref r);
                    break;
                case "summary":
                    m.Summary = ReadSummary(ref r);
                    break;
                default: r.Skip(); break;
            }
        }

        return m;
    }

    private static void ReadPoints(ref Utf8JsonReader r, string what, RepeatedField<NumberDataPoint> into, out AggregationTemporality temporality, out bool monotonic)
    {
        temporality = AggregationTemporality.Unspecified;
        monotonic = false;
        ExpectObject(ref r, what);
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "aggregationtemporality": temporality = Enum<AggregationTemporality>(ref r, "aggregationTemporality"); break;
                case "ismonotonic": monotonic = Bool(ref r); break;
                case "datapoints": ReadArray(ref r, "dataPoints", into, ReadNumberPoint); break;
                default: r.Skip(); break;
            }
        }
    }

    private static NumberDataPoint ReadNumberPoint(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "dataPoints[]");
        var p = new NumberDataPoint();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "attributes": ReadAttributes(ref r, p.Attributes); break;
                case "starttimeunixnano": p.StartTimeUnixNano = UInt64(ref r); break;
                case "timeunixnano": p.TimeUnixNano = UInt64(ref r); break;
                case "asdouble": p.AsDouble = Double(ref r); break;
                case "asint": p.AsInt = Int64(ref r); break;
                case "exemplars": ReadExemplars(ref r, p.Exemplars); break;
                case "flags": p.Flags = UInt32(ref r); break;
                default: r.Skip(); break;
            }
        }

        return p;
    }

    private static Histogram ReadHistogram(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "histogram");
        var h = new Histogram();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "aggregationtemporality": h.AggregationTemporality = Enum<AggregationTemporality>(ref r, "aggregationTemporality"); break;
                case "datapoints": ReadArray(ref r, "dataPoints", h.DataPoints, ReadHistogramPoint); break;
                default: r.Skip(); break;
            }
        }

        return h;
    }

    private static HistogramDataPoint ReadHistogramPoint(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "dataPoints[]");
        var p = new HistogramDataPoint();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "attributes": ReadAttributes(ref r, p.Attributes); break;
                case "starttimeunixnano": p.StartTimeUnixNano = UInt64(ref r); break;
                case "timeunixnano": p.TimeUnixNano = UInt64(ref r); break;
                case "count": p.Count = UInt64(ref r); break;
                case "sum": p.Sum = Double(ref r); break;
                case "min": p.Min = Double(ref r); break;
                case "max": p.Max = Double(ref r); break;
                case "flags": p.Flags = UInt32(ref r); break;
                case "bucketcounts": ReadArray(ref r, "bucketCounts", p.BucketCounts, UInt64); break;
                case "explicitbounds": ReadArray(ref r, "explicitBounds", p.ExplicitBounds, Double); break;
                case "exemplars": ReadExemplars(ref r, p.Exemplars); break;
                default: r.Skip(); break;
            }
        }

        return p;
    }

    private static ExponentialHistogram ReadExponentialHistogram(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "exponentialHistogram");
        var h = new ExponentialHistogram();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "aggregationtemporality": h.AggregationTemporality = Enum<AggregationTemporality>(ref r, "aggregationTemporality"); break;
                case "datapoints": ReadArray(ref r, "dataPoints", h.DataPoints, ReadExponentialPoint); break;
                default: r.Skip(); break;
            }
        }

        return h;
    }

    private static ExponentialHistogramDataPoint ReadExponentialPoint(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "dataPoints[]");
        var p = new ExponentialHistogramDataPoint();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "attributes": ReadAttributes(ref r, p.Attributes); break;
                case "starttimeunixnano": p.StartTimeUnixNano = UInt64(ref r); break;
                case "timeunixnano": p.TimeUnixNano = UInt64(ref r); break;
                case "count": p.Count = UInt64(ref r); break;
                case "sum": p.Sum = Double(ref r); break;
                case "min": p.Min = Double(ref r); break;
                case "max": p.Max = Double(ref r); break;
                case "scale": p.Scale = Int32(ref r); break;
                case "zerocount": p.ZeroCount = UInt64(ref r); break;
                case "zerothreshold": p.ZeroThreshold = Double(ref r); break;
                case "flags": p.Flags = UInt32(ref r); break;
                case "positive": p.Positive = ReadBuckets(ref r); break;
                case "negative": p.Negative = ReadBuckets(ref r); break;
                case "exemplars": ReadExemplars(ref r, p.Exemplars); break;
                default: r.Skip(); break;
            }
        }

        return p;
    }

    private static ExponentialHistogramDataPoint.Types.Buckets ReadBuckets(ref Utf8JsonReader r)
    {
        var b = new ExponentialHistogramDataPoint.Types.Buckets();
        if (IsNull(ref r))
        {
            return b;
        }

        ExpectObject(ref r, "buckets");
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "offset": b.Offset = Int32(ref r); break;
                case "bucketcounts": ReadArray(ref r, "bucketCounts", b.BucketCounts, UInt64); break;
                default: r.Skip(); break;
            }
        }

        return b;
    }

    private static Summary ReadSummary(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "summary");
        var s = new Summary();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "datapoints": ReadArray(ref r, "dataPoints", s.DataPoints, ReadSummaryPoint); break;
                default: r.Skip(); break;
            }
        }

        return s;
    }

    private static SummaryDataPoint ReadSummaryPoint(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "dataPoints[]");
        var p = new SummaryDataPoint();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "attributes": ReadAttributes(ref r, p.Attributes); break;
                case "starttimeunixnano": p.StartTimeUnixNano = UInt64(ref r); break;
                case "timeunixnano": p.TimeUnixNano = UInt64(ref r); break;
                case "count": p.Count = UInt64(ref r); break;
                case "sum": p.Sum = Double(ref r); break;
                case "flags": p.Flags = UInt32(ref r); break;
                case "quantilevalues": ReadArray(ref r, "quantileValues", p.QuantileValues, ReadQuantile); break;
                default: r.Skip(); break;
            }
        }

        return p;
    }

    private static SummaryDataPoint.Types.ValueAtQuantile ReadQuantile(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "quantileValues[]");
        var q = new SummaryDataPoint.Types.ValueAtQuantile();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "quantile": q.Quantile = Double(ref r); break;
                case "value": q.Value = Double(ref r); break;
                default: r.Skip(); break;
            }
        }

        return q;
    }

    private static void ReadExemplars(ref Utf8JsonReader r, RepeatedField<Exemplar> into)
        => ReadArray(ref r, "exemplars", into, ReadExemplar);

    private static Exemplar ReadExemplar(ref Utf8JsonReader r)
    {
        ExpectObject(ref r, "exemplars[]");
        var e = new Exemplar();
        while (NextProperty(ref r, out var name))
        {
            switch (name)
            {
                case "filteredattributes": ReadAttributes(ref r, e.FilteredAttributes); break;
                case "timeunixnano": e.TimeUnixNano = UInt64(ref r); break;
                case "asdouble": e.AsDouble = Double(ref r); break;
                case "asint": e.AsInt = Int64(ref r); break;
                case "spanid": e.SpanId = HexId(ref r, "exemplars[].spanId"); break;
                case "traceid": e.TraceId = HexId(ref r, "exemplars[].traceId"); break;
                default: r.Skip(); break;
            }
        }

        return e;
    }
}
