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
    public ulong Duration => TraceColumns.Duration(StartTimeUnixNano, EndTimeUnixNano);

    /// <summary>Writes the row in <see cref="Columns"/> order.</summary>
    public void Write(RowBinaryWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var values = new Values(this);
        TraceColumns.Write(w, ref values);
    }

    /// <summary>This row's values as <see cref="TraceColumns"/> reads them.</summary>
    private readonly struct Values(TraceRow row) : ITraceColumnValues
    {
        public string Project => row.Project;

        public ulong StartTimeUnixNano => row.StartTimeUnixNano;

        public ulong EndTimeUnixNano => row.EndTimeUnixNano;

        public uint TraceFlags => row.TraceFlags;

        public string SpanKind => row.SpanKind;

        public string StatusCode => row.StatusCode;

        public uint DroppedAttributesCount => row.DroppedAttributesCount;

        public uint DroppedEventsCount => row.DroppedEventsCount;

        public uint DroppedLinksCount => row.DroppedLinksCount;

        public void WriteTraceId(RowBinaryWriter w) => w.WriteString(row.TraceId);

        public void WriteSpanId(RowBinaryWriter w) => w.WriteString(row.SpanId);

        public void WriteParentSpanId(RowBinaryWriter w) => w.WriteString(row.ParentSpanId);

        public void WriteTraceState(RowBinaryWriter w) => w.WriteString(row.TraceState);

        public void WriteSpanName(RowBinaryWriter w) => w.WriteString(row.SpanName);

        public void WriteServiceName(RowBinaryWriter w) => w.WriteString(row.ServiceName);

        public void WriteResourceSchemaUrl(RowBinaryWriter w) => w.WriteString(row.ResourceSchemaUrl);

        public void WriteResourceAttributes(RowBinaryWriter w) => WritePairs(w, row.ResourceAttributes);

        public void WriteScopeName(RowBinaryWriter w) => w.WriteString(row.ScopeName);

        public void WriteScopeVersion(RowBinaryWriter w) => w.WriteString(row.ScopeVersion);

        public void WriteScopeSchemaUrl(RowBinaryWriter w) => w.WriteString(row.ScopeSchemaUrl);

        public void WriteSpanAttributes(RowBinaryWriter w) => WritePairs(w, row.SpanAttributes);

        public void WriteStatusMessage(RowBinaryWriter w) => w.WriteString(row.StatusMessage);

        public void WriteEvents(RowBinaryWriter w)
        {
            w.WriteUInt64Array(row.EventTimes);
            w.WriteStringArray(row.EventNames);
            w.WriteStringArray(row.EventAttributes);
        }

        public void WriteLinks(RowBinaryWriter w)
        {
            w.WriteStringArray(row.LinkTraceIds);
            w.WriteStringArray(row.LinkSpanIds);
            w.WriteStringArray(row.LinkTraceStates);
            w.WriteStringArray(row.LinkAttributes);
        }

        private static void WritePairs(RowBinaryWriter w, KeyValueList pairs)
        {
            w.WriteStringArray(pairs.Keys);
            w.WriteStringArray(pairs.Values);
        }
    }
}

/// <summary>
/// The values of one <c>otel_traces</c> row, in whatever form the writer holds them: a <see cref="TraceRow"/>'s
/// strings, or the receiver's span-at-a-time reader's UTF-8 slices of an OTLP request. Plain values are properties;
/// a column whose encoding depends on that form is written by its source. <see cref="TraceColumns.Write"/> puts them
/// in <see cref="TraceRow.Columns"/> order.
/// </summary>
internal interface ITraceColumnValues
{
    string Project { get; }

    ulong StartTimeUnixNano { get; }

    ulong EndTimeUnixNano { get; }

    uint TraceFlags { get; }

    /// <summary><c>Internal</c>, <c>Server</c>, <c>Client</c>, <c>Producer</c>, <c>Consumer</c> or empty.</summary>
    string SpanKind { get; }

    /// <summary><c>Unset</c>, <c>Ok</c> or <c>Error</c>.</summary>
    string StatusCode { get; }

    uint DroppedAttributesCount { get; }

    uint DroppedEventsCount { get; }

    uint DroppedLinksCount { get; }

    /// <summary>Lowercase hex.</summary>
    void WriteTraceId(RowBinaryWriter w);

    /// <summary>Lowercase hex.</summary>
    void WriteSpanId(RowBinaryWriter w);

    /// <summary>Lowercase hex, empty for a root span.</summary>
    void WriteParentSpanId(RowBinaryWriter w);

    void WriteTraceState(RowBinaryWriter w);

    void WriteSpanName(RowBinaryWriter w);

    void WriteServiceName(RowBinaryWriter w);

    void WriteResourceSchemaUrl(RowBinaryWriter w);

    /// <summary><c>ResourceAttributes.Key</c>, then <c>ResourceAttributes.Value</c>.</summary>
    void WriteResourceAttributes(RowBinaryWriter w);

    void WriteScopeName(RowBinaryWriter w);

    void WriteScopeVersion(RowBinaryWriter w);

    void WriteScopeSchemaUrl(RowBinaryWriter w);

    /// <summary><c>SpanAttributes.Key</c>, then <c>SpanAttributes.Value</c>.</summary>
    void WriteSpanAttributes(RowBinaryWriter w);

    void WriteStatusMessage(RowBinaryWriter w);

    /// <summary><c>Events.TimeUnixNano</c>, <c>Events.Name</c>, <c>Events.Attributes</c> (one JSON object per event).</summary>
    void WriteEvents(RowBinaryWriter w);

    /// <summary><c>Links.TraceId</c>, <c>Links.SpanId</c>, <c>Links.TraceState</c>, <c>Links.Attributes</c> (one JSON object per link).</summary>
    void WriteLinks(RowBinaryWriter w);
}

/// <summary>The <c>otel_traces</c> row layout: every writer of that table writes its rows here, column by column.</summary>
internal static class TraceColumns
{
    /// <summary>Duration in nanoseconds (0 when the end precedes the start).</summary>
    public static ulong Duration(ulong start, ulong end) => end > start ? end - start : 0;

    /// <summary>Writes one row in <see cref="TraceRow.Columns"/> order.</summary>
    public static void Write<TValues>(RowBinaryWriter w, scoped ref TValues row)
        where TValues : ITraceColumnValues, allows ref struct
    {
        w.WriteString(row.Project);
        w.WriteDateTimeFromUnixNano(row.StartTimeUnixNano);
        w.WriteUInt64(row.StartTimeUnixNano);
        w.WriteUInt64(row.EndTimeUnixNano);
        w.WriteUInt64(Duration(row.StartTimeUnixNano, row.EndTimeUnixNano));
        row.WriteTraceId(w);
        row.WriteSpanId(w);
        row.WriteParentSpanId(w);
        row.WriteTraceState(w);
        w.WriteUInt32(row.TraceFlags);
        row.WriteSpanName(w);
        w.WriteString(row.SpanKind);
        row.WriteServiceName(w);
        row.WriteResourceSchemaUrl(w);
        row.WriteResourceAttributes(w);
        row.WriteScopeName(w);
        row.WriteScopeVersion(w);
        row.WriteScopeSchemaUrl(w);
        row.WriteSpanAttributes(w);
        w.WriteString(row.StatusCode);
        row.WriteStatusMessage(w);
        row.WriteEvents(w);
        row.WriteLinks(w);
        w.WriteUInt32(row.DroppedAttributesCount);
        w.WriteUInt32(row.DroppedEventsCount);
        w.WriteUInt32(row.DroppedLinksCount);
    }
}
