using System.Globalization;
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
using OtelLlm.Receiver.Normalization;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Storage.Rows;
using StoredKeyValueList = OtelLlm.Storage.Rows.KeyValueList;

namespace OtelLlm.Receiver.Decoding;

/// <summary>
/// One transport-neutral export per signal, shared by OTLP/gRPC and OTLP/HTTP: turns a request into rows, queues
/// them and returns the OTLP response once they are written. Items that cannot be stored (for example a span
/// whose trace id is not 16 bytes) are counted in <c>partial_success</c>; the rest are stored.
/// </summary>
internal sealed class OtlpIngestor(TelemetryPipeline pipeline, IGenAiNormalizer normalizer, ReceiverMetrics metrics)
{
    private static readonly Resource s_emptyResource = new();
    private static readonly InstrumentationScope s_emptyScope = new();

    public async Task<ExportTraceServiceResponse> ExportAsync(string project, ExportTraceServiceRequest request, CancellationToken ct)
    {
        using var rows = new EncodedRequest();
        var (total, rejected, error) = EncodeTraces(project, request, rows);
        await SubmitAsync("traces", rows, total, rejected, ct);
        var response = new ExportTraceServiceResponse();
        if (rejected > 0)
        {
            response.PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = rejected, ErrorMessage = error };
        }

        return response;
    }

    /// <summary>
    /// Exports an <c>ExportTraceServiceRequest</c> given as protobuf bytes. The rows are encoded before this returns
    /// (the bytes need not outlive the call); the task completes when they are written.
    /// </summary>
    /// <exception cref="InvalidProtocolBufferException">The bytes are not a valid request.</exception>
    public Task<ExportTraceServiceResponse> ExportTracesAsync(string project, ReadOnlySpan<byte> protobuf, CancellationToken ct)
    {
        var rows = new EncodedRequest();
        (long Total, long Rejected, string Error) counts;
        try
        {
            counts = EncodeTraces(project, protobuf, ref rows);
        }
        catch
        {
            rows.Dispose();
            throw;
        }

        return CompleteTracesAsync(rows, counts.Total, counts.Rejected, counts.Error, ct);
    }

    public async Task<ExportLogsServiceResponse> ExportAsync(string project, ExportLogsServiceRequest request, CancellationToken ct)
    {
        using var rows = new EncodedRequest();
        var (total, rejected, error) = EncodeLogs(project, request, rows);
        await SubmitAsync("logs", rows, total, rejected, ct);
        var response = new ExportLogsServiceResponse();
        if (rejected > 0)
        {
            response.PartialSuccess = new ExportLogsPartialSuccess { RejectedLogRecords = rejected, ErrorMessage = error };
        }

        return response;
    }

    public async Task<ExportMetricsServiceResponse> ExportAsync(string project, ExportMetricsServiceRequest request, CancellationToken ct)
    {
        using var rows = new EncodedRequest();
        var (total, rejected, error) = EncodeMetrics(project, request, rows);
        await SubmitAsync("metrics", rows, total, rejected, ct);
        var response = new ExportMetricsServiceResponse();
        if (rejected > 0)
        {
            response.PartialSuccess = new ExportMetricsPartialSuccess { RejectedDataPoints = rejected, ErrorMessage = error };
        }

        return response;
    }

    /// <summary>
    /// Encodes protobuf trace bytes with the span-at-a-time reader (<see cref="ProtobufTraceEncoder"/>), or, for input
    /// it leaves to Google.Protobuf, by parsing the request and taking the reference path into a fresh
    /// <paramref name="output"/>.
    /// </summary>
    internal (long Total, long Rejected, string Error) EncodeTraces(string project, ReadOnlySpan<byte> protobuf, ref EncodedRequest output)
    {
        try
        {
            return ProtobufTraceEncoder.Encode(project, protobuf, output, normalizer);
        }
        catch (Exception e) when (e is ProtoWireException or InvalidProtocolBufferException)
        {
            output.Dispose();
            output = new EncodedRequest();
        }

        metrics.DecodeFallback();
        return EncodeTraces(project, ExportTraceServiceRequest.Parser.ParseFrom(protobuf), output);
    }

    internal (long Total, long Rejected, string Error) EncodeTraces(string project, ExportTraceServiceRequest request, EncodedRequest output)
    {
        long total = 0, rejected = 0;
        string? error = null;
        var row = new TraceRow { Project = project };
        foreach (var rs in request.ResourceSpans)
        {
            var resource = rs.Resource ?? s_emptyResource;
            row.ResourceAttributes = AnyValueText.Flatten(resource.Attributes);
            row.ServiceName = ServiceName(resource);
            row.ResourceSchemaUrl = rs.SchemaUrl;
            foreach (var ss in rs.ScopeSpans)
            {
                var scope = ss.Scope ?? s_emptyScope;
                row.ScopeName = scope.Name;
                row.ScopeVersion = scope.Version;
                row.ScopeSchemaUrl = ss.SchemaUrl;
                foreach (var span in ss.Spans)
                {
                    total++;
                    if (span.TraceId.Length != 16 || span.SpanId.Length != 8 || (span.ParentSpanId.Length != 0 && span.ParentSpanId.Length != 8))
                    {
                        rejected++;
                        error ??= string.Create(
                            CultureInfo.InvariantCulture,
                            $"span '{span.Name}' has a trace id of {span.TraceId.Length} bytes, span id of {span.SpanId.Length} bytes and parent span id of {span.ParentSpanId.Length} bytes; they must be 16, 8 and 0 or 8");
                        continue;
                    }

                    FillSpan(row, span);
                    row.Write(output.Writer(TableId.Traces));
                    output.RowWritten(TableId.Traces);
                    if (normalizer.NormalizeSpan(project, resource, scope, span) is { } call)
                    {
                        call.Write(output.Writer(TableId.LlmCalls));
                        output.RowWritten(TableId.LlmCalls);
                    }
                }
            }
        }

        return (total, rejected, error ?? string.Empty);
    }

    internal (long Total, long Rejected, string Error) EncodeLogs(string project, ExportLogsServiceRequest request, EncodedRequest output)
    {
        long total = 0, rejected = 0;
        string? error = null;
        var row = new LogRow { Project = project };
        List<LlmCallRow>? calls = null;
        foreach (var rl in request.ResourceLogs)
        {
            var resource = rl.Resource ?? s_emptyResource;
            row.ResourceAttributes = AnyValueText.Flatten(resource.Attributes);
            row.ServiceName = ServiceName(resource);
            row.ResourceSchemaUrl = rl.SchemaUrl;
            foreach (var sl in rl.ScopeLogs)
            {
                var scope = sl.Scope ?? s_emptyScope;
                row.ScopeName = scope.Name;
                row.ScopeVersion = scope.Version;
                row.ScopeSchemaUrl = sl.SchemaUrl;
                row.ScopeAttributes = AnyValueText.Flatten(scope.Attributes);
                foreach (var log in sl.LogRecords)
                {
                    total++;
                    if ((log.TraceId.Length != 0 && log.TraceId.Length != 16) || (log.SpanId.Length != 0 && log.SpanId.Length != 8))
                    {
                        rejected++;
                        error ??= string.Create(
                            CultureInfo.InvariantCulture,
                            $"a log record has a trace id of {log.TraceId.Length} bytes and span id of {log.SpanId.Length} bytes; they must be empty or 16 and 8");
                        continue;
                    }

                    FillLog(row, log);
                    row.Write(output.Writer(TableId.Logs));
                    output.RowWritten(TableId.Logs);
                    calls ??= [];
                    calls.Clear();
                    normalizer.ObserveLog(project, resource, scope, log, calls);
                    foreach (var call in calls)
                    {
                        call.Write(output.Writer(TableId.LlmCalls));
                        output.RowWritten(TableId.LlmCalls);
                    }
                }
            }
        }

        return (total, rejected, error ?? string.Empty);
    }

    internal static (long Total, long Rejected, string Error) EncodeMetrics(string project, ExportMetricsServiceRequest request, EncodedRequest output)
    {
        long total = 0, rejected = 0;
        string? error = null;
        var row = new MetricRow { Project = project };
        foreach (var rm in request.ResourceMetrics)
        {
            var resource = rm.Resource ?? s_emptyResource;
            row.ResourceAttributes = AnyValueText.Flatten(resource.Attributes);
            row.ServiceName = ServiceName(resource);
            row.ResourceSchemaUrl = rm.SchemaUrl;
            var resourceHash = new StableHash();
            AddToHash(ref resourceHash, row.ResourceAttributes);
            foreach (var sm in rm.ScopeMetrics)
            {
                var scope = sm.Scope ?? s_emptyScope;
                row.ScopeName = scope.Name;
                row.ScopeVersion = scope.Version;
                row.ScopeSchemaUrl = sm.SchemaUrl;
                foreach (var metric in sm.Metrics)
                {
                    row.MetricName = metric.Name;
                    row.MetricDescription = metric.Description;
                    row.MetricUnit = metric.Unit;
                    var written = metric.DataCase switch
                    {
                        Metric.DataOneofCase.Gauge => WriteNumberPoints(row, "Gauge", AggregationTemporality.Unspecified, false, metric.Gauge.DataPoints, resourceHash, output),
                        Metric.DataOneofCase.Sum => WriteNumberPoints(row, "Sum", metric.Sum.AggregationTemporality, metric.Sum.IsMonotonic, metric.Sum.DataPoints, resourceHash, output),
                        Metric.DataOneofCase.Histogram => WriteHistogramPoints(row, metric.Histogram, resourceHash, output),
                        Metric.DataOneofCase.ExponentialHistogram => WriteExponentialPoints(row, metric.ExponentialHistogram, resourceHash, output),
                        Metric.DataOneofCase.Summary => WriteSummaryPoints(row, metric.Summary, resourceHash, output),
                        _ => -1,
                    };
                    if (written < 0)
                    {
                        // A metric without data has no points to count; say so without failing the request.
                        error ??= $"metric '{metric.Name}' has no data (gauge, sum, histogram, exponential histogram or summary)";
                        continue;
                    }

                    total += written;
                }
            }
        }

        return (total, rejected, error ?? string.Empty);
    }

    internal static string SpanKindText(Span.Types.SpanKind kind) => kind switch
    {
        Span.Types.SpanKind.Internal => "Internal",
        Span.Types.SpanKind.Server => "Server",
        Span.Types.SpanKind.Client => "Client",
        Span.Types.SpanKind.Producer => "Producer",
        Span.Types.SpanKind.Consumer => "Consumer",
        _ => string.Empty,
    };

    internal static string StatusText(Status? status) => status?.Code switch
    {
        Status.Types.StatusCode.Ok => "Ok",
        Status.Types.StatusCode.Error => "Error",
        _ => "Unset",
    };

    internal static string ServiceName(Resource resource)
    {
        var attributes = resource.Attributes;
        for (var i = 0; i < attributes.Count; i++)
        {
            if (attributes[i].Key == OtelNames.Resource.ServiceName)
            {
                return AnyValueText.ToText(attributes[i].Value);
            }
        }

        return string.Empty;
    }

    private static void FillSpan(TraceRow row, Span span)
    {
        row.TraceId = OtlpIds.Hex(span.TraceId);
        row.SpanId = OtlpIds.Hex(span.SpanId);
        row.ParentSpanId = OtlpIds.Hex(span.ParentSpanId);
        row.TraceState = span.TraceState;
        row.TraceFlags = span.Flags;
        row.SpanName = span.Name;
        row.SpanKind = SpanKindText(span.Kind);
        row.StartTimeUnixNano = span.StartTimeUnixNano;
        row.EndTimeUnixNano = span.EndTimeUnixNano;
        row.SpanAttributes = AnyValueText.Flatten(span.Attributes);
        row.StatusCode = StatusText(span.Status);
        row.StatusMessage = span.Status?.Message ?? string.Empty;
        row.EventTimes.Clear();
        row.EventNames.Clear();
        row.EventAttributes.Clear();
        foreach (var e in span.Events)
        {
            row.EventTimes.Add(e.TimeUnixNano);
            row.EventNames.Add(e.Name);
            row.EventAttributes.Add(AnyValueText.ToJsonObject(e.Attributes));
        }

        row.LinkTraceIds.Clear();
        row.LinkSpanIds.Clear();
        row.LinkTraceStates.Clear();
        row.LinkAttributes.Clear();
        foreach (var l in span.Links)
        {
            row.LinkTraceIds.Add(OtlpIds.Hex(l.TraceId));
            row.LinkSpanIds.Add(OtlpIds.Hex(l.SpanId));
            row.LinkTraceStates.Add(l.TraceState);
            row.LinkAttributes.Add(AnyValueText.ToJsonObject(l.Attributes));
        }

        row.DroppedAttributesCount = span.DroppedAttributesCount;
        row.DroppedEventsCount = span.DroppedEventsCount;
        row.DroppedLinksCount = span.DroppedLinksCount;
    }

    private static void FillLog(LogRow row, LogRecord log)
    {
        row.TimeUnixNano = log.TimeUnixNano;
        row.ObservedTimeUnixNano = log.ObservedTimeUnixNano;
        row.TraceId = OtlpIds.Hex(log.TraceId);
        row.SpanId = OtlpIds.Hex(log.SpanId);
        row.TraceFlags = log.Flags;
        row.SeverityText = log.SeverityText;
        row.SeverityNumber = (int)log.SeverityNumber;
        row.Body = AnyValueText.ToText(log.Body);
        row.LogAttributes = AnyValueText.Flatten(log.Attributes);
        row.EventName = log.EventName.Length > 0 ? log.EventName : row.LogAttributes.Get(OtelNames.Log.EventName) ?? string.Empty;
        row.DroppedAttributesCount = log.DroppedAttributesCount;

        var hash = new StableHash();
        hash.Add(row.EffectiveTimeUnixNano);
        hash.Add(row.TraceId);
        hash.Add(row.SpanId);
        hash.Add(row.Body);
        hash.Add(row.EventName);
        AddToHash(ref hash, row.LogAttributes);
        row.RecordHash = hash.Value;
    }

    private static void AddToHash(ref StableHash hash, StoredKeyValueList attributes)
    {
        for (var i = 0; i < attributes.Count; i++)
        {
            hash.Add(attributes.Keys[i]);
            hash.Add(attributes.Values[i]);
        }
    }

    private static void StartPoint(MetricRow row, string type, AggregationTemporality temporality, bool monotonic, RepeatedField<KeyValue> attributes, ulong start, ulong time, uint flags, StableHash resourceHash)
    {
        row.MetricType = type;
        row.AggregationTemporality = temporality switch
        {
            AggregationTemporality.Delta => "Delta",
            AggregationTemporality.Cumulative => "Cumulative",
            _ => string.Empty,
        };
        row.IsMonotonic = monotonic;
        row.Attributes = AnyValueText.Flatten(attributes);
        row.StartTimeUnixNano = start;
        row.TimeUnixNano = time;
        row.Flags = flags;
        row.Value = 0;
        row.Count = 0;
        row.Sum = null;
        row.Min = null;
        row.Max = null;
        row.BucketCounts.Clear();
        row.ExplicitBounds.Clear();
        row.Scale = 0;
        row.ZeroCount = 0;
        row.ZeroThreshold = 0;
        row.PositiveOffset = 0;
        row.PositiveBucketCounts.Clear();
        row.NegativeOffset = 0;
        row.NegativeBucketCounts.Clear();
        row.QuantileQuantiles.Clear();
        row.QuantileValues.Clear();
        row.ExemplarTimes.Clear();
        row.ExemplarValues.Clear();
        row.ExemplarTraceIds.Clear();
        row.ExemplarSpanIds.Clear();
        row.ExemplarFilteredAttributes.Clear();

        var hash = resourceHash;
        hash.Add(row.MetricName);
        AddToHash(ref hash, row.Attributes);
        row.SeriesHash = hash.Value;
    }

    private static void AddExemplars(MetricRow row, RepeatedField<Exemplar> exemplars)
    {
        foreach (var e in exemplars)
        {
            row.ExemplarTimes.Add(e.TimeUnixNano);
            row.ExemplarValues.Add(e.ValueCase == Exemplar.ValueOneofCase.AsInt ? e.AsInt : e.AsDouble);
            row.ExemplarTraceIds.Add(OtlpIds.Hex(e.TraceId));
            row.ExemplarSpanIds.Add(OtlpIds.Hex(e.SpanId));
            row.ExemplarFilteredAttributes.Add(AnyValueText.ToJsonObject(e.FilteredAttributes));
        }
    }

    private static void EndPoint(MetricRow row, EncodedRequest output)
    {
        row.Write(output.Writer(TableId.Metrics));
        output.RowWritten(TableId.Metrics);
    }

    private static int WriteNumberPoints(MetricRow row, string type, AggregationTemporality temporality, bool monotonic, RepeatedField<NumberDataPoint> points, StableHash resourceHash, EncodedRequest output)
    {
        foreach (var p in points)
        {
            StartPoint(row, type, temporality, monotonic, p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano, p.Flags, resourceHash);
            row.Value = p.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? p.AsInt : p.AsDouble;
            AddExemplars(row, p.Exemplars);
            EndPoint(row, output);
        }

        return points.Count;
    }

    private static int WriteHistogramPoints(MetricRow row, Histogram histogram, StableHash resourceHash, EncodedRequest output)
    {
        foreach (var p in histogram.DataPoints)
        {
            StartPoint(row, "Histogram", histogram.AggregationTemporality, false, p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano, p.Flags, resourceHash);
            row.Count = p.Count;
            row.Sum = p.HasSum ? p.Sum : null;
            row.Min = p.HasMin ? p.Min : null;
            row.Max = p.HasMax ? p.Max : null;
            row.BucketCounts.AddRange(p.BucketCounts);
            row.ExplicitBounds.AddRange(p.ExplicitBounds);
            AddExemplars(row, p.Exemplars);
            EndPoint(row, output);
        }

        return histogram.DataPoints.Count;
    }

    private static int WriteExponentialPoints(MetricRow row, ExponentialHistogram histogram, StableHash resourceHash, EncodedRequest output)
    {
        foreach (var p in histogram.DataPoints)
        {
            StartPoint(row, "ExponentialHistogram", histogram.AggregationTemporality, false, p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano, p.Flags, resourceHash);
            row.Count = p.Count;
            row.Sum = p.HasSum ? p.Sum : null;
            row.Min = p.HasMin ? p.Min : null;
            row.Max = p.HasMax ? p.Max : null;
            row.Scale = p.Scale;
            row.ZeroCount = p.ZeroCount;
            row.ZeroThreshold = p.ZeroThreshold;
            if (p.Positive is { } positive)
            {
                row.PositiveOffset = positive.Offset;
                row.PositiveBucketCounts.AddRange(positive.BucketCounts);
            }

            if (p.Negative is { } negative)
            {
                row.NegativeOffset = negative.Offset;
                row.NegativeBucketCounts.AddRange(negative.BucketCounts);
            }

            AddExemplars(row, p.Exemplars);
            EndPoint(row, output);
        }

        return histogram.DataPoints.Count;
    }

    private static int WriteSummaryPoints(MetricRow row, Summary summary, StableHash resourceHash, EncodedRequest output)
    {
        foreach (var p in summary.DataPoints)
        {
            StartPoint(row, "Summary", AggregationTemporality.Unspecified, false, p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano, p.Flags, resourceHash);
            row.Count = p.Count;
            row.Sum = p.Sum;
            foreach (var q in p.QuantileValues)
            {
                row.QuantileQuantiles.Add(q.Quantile);
                row.QuantileValues.Add(q.Value);
            }

            EndPoint(row, output);
        }

        return summary.DataPoints.Count;
    }

    private async Task<ExportTraceServiceResponse> CompleteTracesAsync(EncodedRequest rows, long total, long rejected, string error, CancellationToken ct)
    {
        using (rows)
        {
            await SubmitAsync("traces", rows, total, rejected, ct);
        }

        var response = new ExportTraceServiceResponse();
        if (rejected > 0)
        {
            response.PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = rejected, ErrorMessage = error };
        }

        return response;
    }

    private async Task SubmitAsync(string signal, EncodedRequest rows, long total, long rejected, CancellationToken ct)
    {
        metrics.Received(signal, total);
        if (rejected > 0)
        {
            metrics.Rejected("invalid_item", rejected);
        }

        await pipeline.SubmitAsync(rows).WaitAsync(ct);
    }
}
