using ProtoAnyValue = OpenTelemetry.Proto.Common.V1.AnyValue;
using ProtoArrayValue = OpenTelemetry.Proto.Common.V1.ArrayValue;
using ProtoExportTraceServiceRequest = OpenTelemetry.Proto.Collector.Trace.V1.ExportTraceServiceRequest;
using ProtoInstrumentationScope = OpenTelemetry.Proto.Common.V1.InstrumentationScope;
using ProtoKeyValue = OpenTelemetry.Proto.Common.V1.KeyValue;
using ProtoKeyValueList = OpenTelemetry.Proto.Common.V1.KeyValueList;
using ProtoResource = OpenTelemetry.Proto.Resource.V1.Resource;
using ProtoResourceSpans = OpenTelemetry.Proto.Trace.V1.ResourceSpans;
using ProtoScopeSpans = OpenTelemetry.Proto.Trace.V1.ScopeSpans;
using ProtoSpan = OpenTelemetry.Proto.Trace.V1.Span;
using ProtoStatus = OpenTelemetry.Proto.Trace.V1.Status;

namespace OtelLlm.Receiver.Decoding;

/// <summary>
/// The field numbers of the OTLP trace messages that the span-at-a-time reader walks, one nested class per message, as
/// opentelemetry-dotnet's hand-written serializer names them (<c>ProtobufOtlpTraceFieldNumberConstants</c>).
/// </summary>
/// <remarks>
/// Source: the OTLP <c>.proto</c> files in <c>Protos/</c> — <c>opentelemetry/proto/collector/trace/v1/trace_service.proto</c>,
/// <c>opentelemetry/proto/trace/v1/trace.proto</c>, <c>opentelemetry/proto/resource/v1/resource.proto</c> and
/// <c>opentelemetry/proto/common/v1/common.proto</c>. Each value is the <c>…FieldNumber</c> constant protoc generates from
/// those files, so a number here cannot drift from its declaration; the wire type each field is read with is named
/// beside it where the reader checks it.
/// </remarks>
internal static class OtlpFieldNumbers
{
    /// <summary><c>ExportTraceServiceRequest</c> (trace_service.proto).</summary>
    public static class ExportTraceServiceRequest
    {
        /// <summary><c>repeated ResourceSpans resource_spans = 1</c>.</summary>
        public const int ResourceSpans = ProtoExportTraceServiceRequest.ResourceSpansFieldNumber;
    }

    /// <summary><c>ResourceSpans</c> (trace.proto).</summary>
    public static class ResourceSpans
    {
        /// <summary><c>Resource resource = 1</c>.</summary>
        public const int Resource = ProtoResourceSpans.ResourceFieldNumber;

        /// <summary><c>repeated ScopeSpans scope_spans = 2</c>.</summary>
        public const int ScopeSpans = ProtoResourceSpans.ScopeSpansFieldNumber;

        /// <summary><c>string schema_url = 3</c>.</summary>
        public const int SchemaUrl = ProtoResourceSpans.SchemaUrlFieldNumber;
    }

    /// <summary><c>ScopeSpans</c> (trace.proto).</summary>
    public static class ScopeSpans
    {
        /// <summary><c>InstrumentationScope scope = 1</c>.</summary>
        public const int Scope = ProtoScopeSpans.ScopeFieldNumber;

        /// <summary><c>repeated Span spans = 2</c>.</summary>
        public const int Spans = ProtoScopeSpans.SpansFieldNumber;

        /// <summary><c>string schema_url = 3</c>.</summary>
        public const int SchemaUrl = ProtoScopeSpans.SchemaUrlFieldNumber;
    }

    /// <summary><c>Resource</c> (resource.proto).</summary>
    public static class Resource
    {
        /// <summary><c>repeated KeyValue attributes = 1</c>.</summary>
        public const int Attributes = ProtoResource.AttributesFieldNumber;
    }

    /// <summary><c>InstrumentationScope</c> (common.proto).</summary>
    public static class InstrumentationScope
    {
        /// <summary><c>string name = 1</c>.</summary>
        public const int Name = ProtoInstrumentationScope.NameFieldNumber;

        /// <summary><c>string version = 2</c>.</summary>
        public const int Version = ProtoInstrumentationScope.VersionFieldNumber;
    }

    /// <summary><c>Span</c> (trace.proto).</summary>
    public static class Span
    {
        /// <summary><c>bytes trace_id = 1</c>.</summary>
        public const int TraceId = ProtoSpan.TraceIdFieldNumber;

        /// <summary><c>bytes span_id = 2</c>.</summary>
        public const int SpanId = ProtoSpan.SpanIdFieldNumber;

        /// <summary><c>string trace_state = 3</c>.</summary>
        public const int TraceState = ProtoSpan.TraceStateFieldNumber;

        /// <summary><c>bytes parent_span_id = 4</c>.</summary>
        public const int ParentSpanId = ProtoSpan.ParentSpanIdFieldNumber;

        /// <summary><c>string name = 5</c>.</summary>
        public const int Name = ProtoSpan.NameFieldNumber;

        /// <summary><c>SpanKind kind = 6</c> (varint).</summary>
        public const int Kind = ProtoSpan.KindFieldNumber;

        /// <summary><c>fixed64 start_time_unix_nano = 7</c>.</summary>
        public const int StartTimeUnixNano = ProtoSpan.StartTimeUnixNanoFieldNumber;

        /// <summary><c>fixed64 end_time_unix_nano = 8</c>.</summary>
        public const int EndTimeUnixNano = ProtoSpan.EndTimeUnixNanoFieldNumber;

        /// <summary><c>repeated KeyValue attributes = 9</c>.</summary>
        public const int Attributes = ProtoSpan.AttributesFieldNumber;

        /// <summary><c>uint32 dropped_attributes_count = 10</c>.</summary>
        public const int DroppedAttributesCount = ProtoSpan.DroppedAttributesCountFieldNumber;

        /// <summary><c>repeated Event events = 11</c>.</summary>
        public const int Events = ProtoSpan.EventsFieldNumber;

        /// <summary><c>uint32 dropped_events_count = 12</c>.</summary>
        public const int DroppedEventsCount = ProtoSpan.DroppedEventsCountFieldNumber;

        /// <summary><c>repeated Link links = 13</c>.</summary>
        public const int Links = ProtoSpan.LinksFieldNumber;

        /// <summary><c>uint32 dropped_links_count = 14</c>.</summary>
        public const int DroppedLinksCount = ProtoSpan.DroppedLinksCountFieldNumber;

        /// <summary><c>Status status = 15</c>.</summary>
        public const int Status = ProtoSpan.StatusFieldNumber;

        /// <summary><c>fixed32 flags = 16</c>.</summary>
        public const int Flags = ProtoSpan.FlagsFieldNumber;
    }

    /// <summary><c>Span.Event</c> (trace.proto).</summary>
    public static class Event
    {
        /// <summary><c>fixed64 time_unix_nano = 1</c>.</summary>
        public const int TimeUnixNano = ProtoSpan.Types.Event.TimeUnixNanoFieldNumber;

        /// <summary><c>string name = 2</c>.</summary>
        public const int Name = ProtoSpan.Types.Event.NameFieldNumber;

        /// <summary><c>repeated KeyValue attributes = 3</c>.</summary>
        public const int Attributes = ProtoSpan.Types.Event.AttributesFieldNumber;

        /// <summary><c>uint32 dropped_attributes_count = 4</c>.</summary>
        public const int DroppedAttributesCount = ProtoSpan.Types.Event.DroppedAttributesCountFieldNumber;
    }

    /// <summary><c>Span.Link</c> (trace.proto).</summary>
    public static class Link
    {
        /// <summary><c>bytes trace_id = 1</c>.</summary>
        public const int TraceId = ProtoSpan.Types.Link.TraceIdFieldNumber;

        /// <summary><c>bytes span_id = 2</c>.</summary>
        public const int SpanId = ProtoSpan.Types.Link.SpanIdFieldNumber;

        /// <summary><c>string trace_state = 3</c>.</summary>
        public const int TraceState = ProtoSpan.Types.Link.TraceStateFieldNumber;

        /// <summary><c>repeated KeyValue attributes = 4</c>.</summary>
        public const int Attributes = ProtoSpan.Types.Link.AttributesFieldNumber;

        /// <summary><c>uint32 dropped_attributes_count = 5</c>.</summary>
        public const int DroppedAttributesCount = ProtoSpan.Types.Link.DroppedAttributesCountFieldNumber;

        /// <summary><c>fixed32 flags = 6</c>.</summary>
        public const int Flags = ProtoSpan.Types.Link.FlagsFieldNumber;
    }

    /// <summary><c>Status</c> (trace.proto).</summary>
    public static class Status
    {
        /// <summary><c>string message = 2</c>.</summary>
        public const int Message = ProtoStatus.MessageFieldNumber;

        /// <summary><c>StatusCode code = 3</c> (varint).</summary>
        public const int Code = ProtoStatus.CodeFieldNumber;
    }

    /// <summary><c>KeyValue</c> (common.proto).</summary>
    public static class KeyValue
    {
        /// <summary><c>string key = 1</c>.</summary>
        public const int Key = ProtoKeyValue.KeyFieldNumber;

        /// <summary><c>AnyValue value = 2</c>.</summary>
        public const int Value = ProtoKeyValue.ValueFieldNumber;
    }

    /// <summary><c>AnyValue</c> (common.proto): the members of its <c>oneof value</c>.</summary>
    public static class AnyValue
    {
        /// <summary><c>string string_value = 1</c>.</summary>
        public const int StringValue = ProtoAnyValue.StringValueFieldNumber;

        /// <summary><c>bool bool_value = 2</c> (varint).</summary>
        public const int BoolValue = ProtoAnyValue.BoolValueFieldNumber;

        /// <summary><c>int64 int_value = 3</c> (varint).</summary>
        public const int IntValue = ProtoAnyValue.IntValueFieldNumber;

        /// <summary><c>double double_value = 4</c> (fixed64).</summary>
        public const int DoubleValue = ProtoAnyValue.DoubleValueFieldNumber;

        /// <summary><c>ArrayValue array_value = 5</c>.</summary>
        public const int ArrayValue = ProtoAnyValue.ArrayValueFieldNumber;

        /// <summary><c>KeyValueList kvlist_value = 6</c>.</summary>
        public const int KvlistValue = ProtoAnyValue.KvlistValueFieldNumber;

        /// <summary><c>bytes bytes_value = 7</c>.</summary>
        public const int BytesValue = ProtoAnyValue.BytesValueFieldNumber;
    }

    /// <summary><c>ArrayValue</c> (common.proto).</summary>
    public static class ArrayValue
    {
        /// <summary><c>repeated AnyValue values = 1</c>.</summary>
        public const int Values = ProtoArrayValue.ValuesFieldNumber;
    }

    /// <summary><c>KeyValueList</c> (common.proto).</summary>
    public static class KeyValueList
    {
        /// <summary><c>repeated KeyValue values = 1</c>.</summary>
        public const int Values = ProtoKeyValueList.ValuesFieldNumber;
    }
}
