using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Storage.Rows;

/// <summary>A score or a thumbs up/down on a response, as stored in <c>llm_feedback</c>.</summary>
public sealed class FeedbackRow
{
    /// <summary>The insert column list, in the order <see cref="Write"/> writes them.</summary>
    public const string Columns =
        "Project, Timestamp, FeedbackId, TraceId, SpanId, ResponseId, Name, Value, StringValue, Comment, Source, UserId, Attributes.Key, Attributes.Value";

    /// <summary>The table name.</summary>
    public const string Table = "llm_feedback";

#pragma warning disable CS1591 // Column properties are documented by the schema section of docs/storage.md.
    public string Project { get; set; } = string.Empty;
    public ulong TimeUnixSeconds { get; set; }
    public string FeedbackId { get; set; } = string.Empty;
    public string TraceId { get; set; } = string.Empty;
    public string SpanId { get; set; } = string.Empty;
    public string ResponseId { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public double? Value { get; set; }
    public string StringValue { get; set; } = string.Empty;
    public string Comment { get; set; } = string.Empty;
    public string Source { get; set; } = string.Empty;
    public string UserId { get; set; } = string.Empty;
    public KeyValueList Attributes { get; set; } = KeyValueList.Empty;
#pragma warning restore CS1591

    /// <summary>Writes the row in <see cref="Columns"/> order.</summary>
    public void Write(RowBinaryWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteString(Project);
        w.WriteDateTime(TimeUnixSeconds);
        w.WriteString(FeedbackId);
        w.WriteString(TraceId);
        w.WriteString(SpanId);
        w.WriteString(ResponseId);
        w.WriteString(Name);
        w.WriteNullableFloat64(Value);
        w.WriteString(StringValue);
        w.WriteString(Comment);
        w.WriteString(Source);
        w.WriteString(UserId);
        w.WriteStringArray(Attributes.Keys);
        w.WriteStringArray(Attributes.Values);
    }
}
