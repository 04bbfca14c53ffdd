using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Storage.Rows;

/// <summary>One log record, as stored in <c>otel_logs</c>.</summary>
public sealed class LogRow
{
    /// <summary>The insert column list, in the order <see cref="Write"/> writes them.</summary>
    public const string Columns =
        "Project, Timestamp, TimeUnixNano, ObservedTimeUnixNano, TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, ServiceName, Body, EventName, " +
        "ResourceSchemaUrl, ResourceAttributes.Key, ResourceAttributes.Value, ScopeName, ScopeVersion, ScopeSchemaUrl, ScopeAttributes.Key, ScopeAttributes.Value, " +
        "LogAttributes.Key, LogAttributes.Value, DroppedAttributesCount, RecordHash";

    /// <summary>The table name.</summary>
    public const string Table = "otel_logs";

#pragma warning disable CS1591 // Column properties are documented by the schema section of docs/storage.md.
    public string Project { get; set; } = string.Empty;
    public ulong TimeUnixNano { get; set; }
    public ulong ObservedTimeUnixNano { get; set; }
    public string TraceId { get; set; } = string.Empty;
    public string SpanId { get; set; } = string.Empty;
    public uint TraceFlags { get; set; }
    public string SeverityText { get; set; } = string.Empty;
    public int SeverityNumber { get; set; }
    public string ServiceName { get; set; } = string.Empty;
    public string Body { get; set; } = string.Empty;
    public string EventName { get; set; } = string.Empty;
    public string ResourceSchemaUrl { get; set; } = string.Empty;
    public KeyValueList ResourceAttributes { get; set; } = KeyValueList.Empty;
    public string ScopeName { get; set; } = string.Empty;
    public string ScopeVersion { get; set; } = string.Empty;
    public string ScopeSchemaUrl { get; set; } = string.Empty;
    public KeyValueList ScopeAttributes { get; set; } = KeyValueList.Empty;
    public KeyValueList LogAttributes { get; set; } = KeyValueList.Empty;
    public uint DroppedAttributesCount { get; set; }
    public ulong RecordHash { get; set; }
#pragma warning restore CS1591

    /// <summary>The time the row is filed under: the record's time, or when it was observed if it has none.</summary>
    public ulong EffectiveTimeUnixNano => TimeUnixNano != 0 ? TimeUnixNano : ObservedTimeUnixNano;

    /// <summary>Writes the row in <see cref="Columns"/> order.</summary>
    public void Write(RowBinaryWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteString(Project);
        w.WriteDateTimeFromUnixNano(EffectiveTimeUnixNano);
        w.WriteUInt64(TimeUnixNano);
        w.WriteUInt64(ObservedTimeUnixNano);
        w.WriteString(TraceId);
        w.WriteString(SpanId);
        w.WriteUInt32(TraceFlags);
        w.WriteString(SeverityText);
        w.WriteInt32(SeverityNumber);
        w.WriteString(ServiceName);
        w.WriteString(Body);
        w.WriteString(EventName);
        w.WriteString(ResourceSchemaUrl);
        w.WriteStringArray(ResourceAttributes.Keys);
        w.WriteStringArray(ResourceAttributes.Values);
        w.WriteString(ScopeName);
        w.WriteString(ScopeVersion);
        w.WriteString(ScopeSchemaUrl);
        w.WriteStringArray(ScopeAttributes.Keys);
        w.WriteStringArray(ScopeAttributes.Values);
        w.WriteStringArray(LogAttributes.Keys);
        w.WriteStringArray(LogAttributes.Values);
        w.WriteUInt32(DroppedAttributesCount);
        w.WriteUInt64(RecordHash);
    }
}
