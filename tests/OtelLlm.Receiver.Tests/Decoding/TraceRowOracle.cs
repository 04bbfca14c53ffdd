using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.RowEncoding;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Tests.Decoding;

/// <summary>
/// An independent second writer of <c>otel_traces</c> rows for the differential test: Google.Protobuf's decoded objects
/// copied field by field into a <see cref="TraceRow"/>, whose <see cref="TraceRow.Write"/> the storage tests round-trip
/// through ClickHouse. The receiver's one writer (the span-at-a-time reader, also behind its reference path) must give
/// the same bytes.
/// </summary>
internal static class TraceRowOracle
{
    private static readonly Resource s_emptyResource = new();
    private static readonly InstrumentationScope s_emptyScope = new();

    /// <summary>The request's <c>otel_traces</c> RowBinary (spans with ids of the wrong length have no row).</summary>
    public static byte[] Rows(ExportTraceServiceRequest request, int maxValueBytes)
    {
        using var w = new RowBinaryWriter(4096);
        foreach (var rs in request.ResourceSpans)
        {
            var resource = rs.Resource ?? s_emptyResource;
            foreach (var ss in rs.ScopeSpans)
            {
                var scope = ss.Scope ?? s_emptyScope;
                foreach (var span in ss.Spans)
                {
                    if (OtlpIds.AreValid(span))
                    {
                        Row(span, resource, rs.SchemaUrl, scope, ss.SchemaUrl, maxValueBytes).Write(w);
                    }
                }
            }
        }

        return w.WrittenSpan.ToArray();
    }

    private static TraceRow Row(Span span, Resource resource, string resourceSchemaUrl, InstrumentationScope scope, string scopeSchemaUrl, int maxValueBytes)
    {
        var row = new TraceRow
        {
            Project = TraceDifferential.Project,
            ResourceAttributes = AnyValueText.Flatten(resource.Attributes, maxValueBytes),
            ServiceName = RowValues.ServiceName(resource),
            ResourceSchemaUrl = resourceSchemaUrl,
            ScopeName = scope.Name,
            ScopeVersion = scope.Version,
            ScopeSchemaUrl = scopeSchemaUrl,
            TraceId = OtlpIds.Hex(span.TraceId),
            SpanId = OtlpIds.Hex(span.SpanId),
            ParentSpanId = OtlpIds.Hex(span.ParentSpanId),
            TraceState = span.TraceState,
            TraceFlags = span.Flags,
            SpanName = span.Name,
            SpanKind = RowValues.SpanKindText(span.Kind),
            StartTimeUnixNano = span.StartTimeUnixNano,
            EndTimeUnixNano = span.EndTimeUnixNano,
            SpanAttributes = AnyValueText.Flatten(span.Attributes, maxValueBytes),
            StatusCode = RowValues.StatusText(span.Status),
            StatusMessage = span.Status?.Message ?? string.Empty,
            DroppedAttributesCount = span.DroppedAttributesCount,
            DroppedEventsCount = span.DroppedEventsCount,
            DroppedLinksCount = span.DroppedLinksCount,
        };
        foreach (var e in span.Events)
        {
            row.EventTimes.Add(e.TimeUnixNano);
            row.EventNames.Add(e.Name);
            row.EventAttributes.Add(AnyValueText.ToJsonObject(e.Attributes, maxValueBytes));
        }

        foreach (var l in span.Links)
        {
            row.LinkTraceIds.Add(OtlpIds.Hex(l.TraceId));
            row.LinkSpanIds.Add(OtlpIds.Hex(l.SpanId));
            row.LinkTraceStates.Add(l.TraceState);
            row.LinkAttributes.Add(AnyValueText.ToJsonObject(l.Attributes, maxValueBytes));
        }

        return row;
    }
}
