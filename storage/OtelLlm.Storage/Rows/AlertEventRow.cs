using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Storage.Rows;

/// <summary>
/// One revision of an alert event, as stored in <c>alert_events</c> (<c>ReplacingMergeTree(Revision)</c>). An event is
/// written when a rule fires or resolves; its acknowledgement and the outcome of its webhook deliveries are later
/// revisions of the same event (same <see cref="EventId"/> and <see cref="TimeUnixSeconds"/>).
/// </summary>
public sealed class AlertEventRow
{
    /// <summary>The insert column list, in the order <see cref="Write"/> writes them.</summary>
    public const string Columns =
        "Project, EventId, Revision, Timestamp, RuleId, RuleName, Kind, State, IncidentId, Value, Threshold, WindowStart, WindowEnd, Message, " +
        "AcknowledgedAt, AcknowledgedBy, Deliveries.Url, Deliveries.Attempts, Deliveries.Delivered, Deliveries.LastStatus, Deliveries.LastError, Deliveries.LastAttemptAt";

    /// <summary>The table name.</summary>
    public const string Table = "alert_events";

#pragma warning disable CS1591 // Column properties are documented by the schema section of docs/storage.md.
    public string Project { get; set; } = string.Empty;
    public string EventId { get; set; } = string.Empty;
    public ulong Revision { get; set; }
    public ulong TimeUnixSeconds { get; set; }
    public string RuleId { get; set; } = string.Empty;
    public string RuleName { get; set; } = string.Empty;
    public string Kind { get; set; } = string.Empty;
    public string State { get; set; } = string.Empty;
    public string IncidentId { get; set; } = string.Empty;
    public double Value { get; set; }
    public double Threshold { get; set; }
    public ulong WindowStartUnixSeconds { get; set; }
    public ulong WindowEndUnixSeconds { get; set; }
    public string Message { get; set; } = string.Empty;
    public ulong? AcknowledgedAtUnixSeconds { get; set; }
    public string AcknowledgedBy { get; set; } = string.Empty;
    public List<AlertDeliveryRow> Deliveries { get; set; } = [];
#pragma warning restore CS1591

    /// <summary>Writes the row in <see cref="Columns"/> order.</summary>
    public void Write(RowBinaryWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteString(Project);
        w.WriteString(EventId);
        w.WriteUInt64(Revision);
        w.WriteDateTime(TimeUnixSeconds);
        w.WriteString(RuleId);
        w.WriteString(RuleName);
        w.WriteString(Kind);
        w.WriteString(State);
        w.WriteString(IncidentId);
        w.WriteFloat64(Value);
        w.WriteFloat64(Threshold);
        w.WriteDateTime(WindowStartUnixSeconds);
        w.WriteDateTime(WindowEndUnixSeconds);
        w.WriteString(Message);
        w.WriteNullableDateTime(AcknowledgedAtUnixSeconds);
        w.WriteString(AcknowledgedBy);
        w.WriteStringArray(Deliveries.ConvertAll(d => d.Url));
        w.WriteUInt32Array(Deliveries.ConvertAll(d => d.Attempts));
        w.WriteUInt8Array(Deliveries.ConvertAll(d => d.Delivered ? (byte)1 : (byte)0));
        w.WriteUInt32Array(Deliveries.ConvertAll(d => d.LastStatus));
        w.WriteStringArray(Deliveries.ConvertAll(d => d.LastError));
        w.WriteDateTimeArray(Deliveries.ConvertAll(d => d.LastAttemptAtUnixSeconds));
    }

    /// <summary>A copy to change into the next revision (deliveries copied too).</summary>
    public AlertEventRow Copy()
    {
        var copy = (AlertEventRow)MemberwiseClone();
        copy.Deliveries = Deliveries.ConvertAll(d => d with { });
        return copy;
    }
}

/// <summary>One webhook of an alert event: how often it was tried and how the last try went.</summary>
/// <param name="Url">The webhook's URL.</param>
/// <param name="Attempts">Tries so far (0: not tried yet).</param>
/// <param name="Delivered">Whether a try got a 2xx answer.</param>
/// <param name="LastStatus">The HTTP status of the last try; 0 when it got no answer.</param>
/// <param name="LastError">Why the last try failed; empty when delivered.</param>
/// <param name="LastAttemptAtUnixSeconds">When the last try was made (0: never).</param>
public sealed record AlertDeliveryRow(string Url, uint Attempts, bool Delivered, uint LastStatus, string LastError, ulong LastAttemptAtUnixSeconds);
