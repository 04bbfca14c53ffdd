using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Storage.Rows;

/// <summary>One span, as stored in <c>otel_traces</c>.</summary>
public sealed class TraceRow
{
    /// <summary>The insert column list, in the order <see cref="Write"/> writes them.</summary>
    public const string Columns =
        "Project, Timestamp, StartTimeUnixNano, EndTimeUnixNano, Duration, TraceId, SpanId, ParentSpanId, TraceState, TraceFlags, " +
        "SpanName, SpanKind, ServiceName, ResourceSchemaUrl, ResourceAttributes.Key, ResourceAttributes.Value, ScopeName, ScopeVersion, ScopeSchemaUrl, " +
        "SpanAttributes.Key, SpanAttributes.Value, StatusCode, StatusMessage, Events.TimeUnixNano, Events.Name, Events.Attributes, " +
        "Links.TraceId, Links.SpanId, Links.TraceState, Links.Attributes, DroppedAttributesCount, DroppedEventsCount, DroppedLinksCount";

    /// <summary>The table name.</summary>
    public const string Table = "otel_traces";

#pragma warning disable CS1591 // Column properties are documented by the schema section of docs/storage.md.
    public string Project { get; set; } = string.Empty;
    public ulong StartTimeUnixNano { get; set; }
    public ulong EndTimeUnixNano { get; set; }
    public string TraceId { get; set; } = string.Empty;
    public string SpanId { get; set; } = string.Empty;
    public string ParentSpanId { get; set; } = string.Empty;
    public string TraceState { get; set; } = string.Empty;
    public uint TraceFlags { get; set; }
    public string SpanName { get; set; } = string.Empty;
    public string SpanKind { get; set; } = string.Empty;
    public string ServiceName { get; set; } = string.Empty;
    public string ResourceSchemaUrl { get; set; } = string.Empty;
    public KeyValueList ResourceAttributes { get; set; } = KeyValueList.Empty;
    public string ScopeName { get; set; } = string.Empty;
    public string ScopeVersion { get; set; } = string.Empty;
    public string ScopeSchemaUrl { get; set; } = string.Empty;
    public KeyValueList SpanAttributes { get; set; } = KeyValueList.Empty;
    public string StatusCode { get; set; } = "Unset";
    public string StatusMessage { get; set; } = string.Empty;
    public List<ulong> EventTimes { get; } = [];
    public List<string> EventNames { get; } = [];
    public List<string> EventAttributes { get; } = [];
    public List<string> LinkTraceIds { get; } = [];
    public List<string> LinkSpanIds { get; } = [];
    public List<string> LinkTraceStates { get; } = [];
    public List<string> LinkAttributes { get; } = [];
    public uint DroppedAttributesCount { get; set; }
    public uint DroppedEventsCount { get; set; }
    public uint DroppedLinksCount { get; set; }
#pragma warning restore CS1591

    /// <summary>Duration in nanoseconds (0 when the end precedes the start).</summary>
    public ulong Duration => EndTimeUnixNano > StartTimeUnixNano ? EndTimeUnixNano - StartTimeUnixNano : 0;

    /// <summary>Writes the row in <see cref="Columns"/> order.</summary>
    public void Write(RowBinaryWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteString(Project);
        w.WriteDateTimeFromUnixNano(StartTimeUnixNano);
        w.WriteUInt64(StartTimeUnixNano);
        w.WriteUInt64(EndTimeUnixNano);
        w.WriteUInt64(Duration);
        w.WriteString(TraceId);
        w.WriteString(SpanId);
        w.WriteString(ParentSpanId);
        w.WriteString(TraceState);
        w.WriteUInt32(TraceFlags);
        w.WriteString(SpanName);
        w.WriteString(SpanKind);
        w.WriteString(ServiceName);
        w.WriteString(ResourceSchemaUrl);
        w.WriteStringArray(ResourceAttributes.Keys);
        w.WriteStringArray(ResourceAttributes.Values);
        w.WriteString(ScopeName);
        w.WriteString(ScopeVersion);
        w.WriteString(ScopeSchemaUrl);
        w.WriteStringArray(SpanAttributes.Keys);
        w.WriteStringArray(SpanAttributes.Values);
        w.WriteString(StatusCode);
        w.WriteString(StatusMessage);
        w.WriteUInt64Array(EventTimes);
        w.WriteStringArray(EventNames);
        w.WriteStringArray(EventAttributes);
        w.WriteStringArray(LinkTraceIds);
        w.WriteStringArray(LinkSpanIds);
        w.WriteStringArray(LinkTraceStates);
        w.WriteStringArray(LinkAttributes);
        w.WriteUInt32(DroppedAttributesCount);
        w.WriteUInt32(DroppedEventsCount);
        w.WriteUInt32(DroppedLinksCount);
    }
}
