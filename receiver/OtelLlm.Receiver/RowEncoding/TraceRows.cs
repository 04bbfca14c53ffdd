using System.Globalization;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Receiver.Configuration;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Receiver.Normalization;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.RowEncoding;

/// <summary>
/// Spans into <c>otel_traces</c> rows, and model calls among them into <c>llm_calls</c> rows. Protobuf bytes take the
/// span-at-a-time reader (<see cref="ProtobufTraceEncoder"/>); what it leaves to Google.Protobuf, and OTLP/JSON, take
/// the reference path from decoded objects, which writes the same bytes.
/// </summary>
/// <param name="normalizer">Turns model-call spans into <c>llm_calls</c> rows; <see langword="null"/> writes spans only.</param>
/// <param name="maxValueBytes">Longest stored attribute value (<see cref="ReceiverOptions.MaxAttributeValueBytes"/>).</param>
/// <param name="metrics">Counts requests the reader left to the reference path.</param>
internal sealed class TraceRows(IGenAiNormalizer? normalizer, int maxValueBytes, ReceiverMetrics metrics)
{
    private static readonly Resource s_emptyResource = new();
    private static readonly InstrumentationScope s_emptyScope = new();

    public TraceRows(IGenAiNormalizer normalizer, IOptions<ReceiverOptions> options, ReceiverMetrics metrics)
        : this(normalizer, options.Value.MaxAttributeValueBytes, metrics)
    {
    }

    /// <summary>
    /// Encodes protobuf trace bytes with the span-at-a-time reader, or, for input it leaves to Google.Protobuf, by
    /// parsing the request and taking the reference path into a fresh <paramref name="output"/>.
    /// </summary>
    /// <exception cref="InvalidProtocolBufferException">The bytes are not a valid request.</exception>
    public EncodedCounts Encode(string project, ReadOnlySpan<byte> protobuf, ref EncodedRequest output)
    {
        try
        {
            return ProtobufTraceEncoder.Encode(project, protobuf, output, normalizer, maxValueBytes);
        }
        catch (Exception e) when (e is ProtoWireException or InvalidProtocolBufferException)
        {
            output.Dispose();
            output = new EncodedRequest();
        }

        metrics.DecodeFallback();
        return Encode(project, ExportTraceServiceRequest.Parser.ParseFrom(protobuf), output);
    }

    /// <summary>The reference path: rows from a decoded request.</summary>
    public EncodedCounts Encode(string project, ExportTraceServiceRequest request, EncodedRequest output)
    {
        long total = 0, rejected = 0;
        string? error = null;
        var row = new TraceRow { Project = project };
        foreach (var rs in request.ResourceSpans)
        {
            var resource = rs.Resource ?? s_emptyResource;
            row.ResourceAttributes = AnyValueText.Flatten(resource.Attributes, maxValueBytes);
            row.ServiceName = RowValues.ServiceName(resource);
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
                    if (normalizer?.NormalizeSpan(project, resource, scope, span) is { } call)
                    {
                        call.Write(output.Writer(TableId.LlmCalls));
                        output.RowWritten(TableId.LlmCalls);
                    }
                }
            }
        }

        return new EncodedCounts(total, rejected, error ?? string.Empty);
    }

    private void FillSpan(TraceRow row, Span span)
    {
        row.TraceId = OtlpIds.Hex(span.TraceId);
        row.SpanId = OtlpIds.Hex(span.SpanId);
        row.ParentSpanId = OtlpIds.Hex(span.ParentSpanId);
        row.TraceState = span.TraceState;
        row.TraceFlags = span.Flags;
        row.SpanName = span.Name;
        row.SpanKind = RowValues.SpanKindText(span.Kind);
        row.StartTimeUnixNano = span.StartTimeUnixNano;
        row.EndTimeUnixNano = span.EndTimeUnixNano;
        row.SpanAttributes = AnyValueText.Flatten(span.Attributes, maxValueBytes);
        row.StatusCode = RowValues.StatusText(span.Status);
        row.StatusMessage = span.Status?.Message ?? string.Empty;
        row.EventTimes.Clear();
        row.EventNames.Clear();
        row.EventAttributes.Clear();
        foreach (var e in span.Events)
        {
            row.EventTimes.Add(e.TimeUnixNano);
            row.EventNames.Add(e.Name);
            row.EventAttributes.Add(AnyValueText.ToJsonObject(e.Attributes, maxValueBytes));
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
            row.LinkAttributes.Add(AnyValueText.ToJsonObject(l.Attributes, maxValueBytes));
        }

        row.DroppedAttributesCount = span.DroppedAttributesCount;
        row.DroppedEventsCount = span.DroppedEventsCount;
        row.DroppedLinksCount = span.DroppedLinksCount;
    }
}
