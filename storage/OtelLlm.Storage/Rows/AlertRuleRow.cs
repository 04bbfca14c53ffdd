using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Storage.Rows;

/// <summary>
/// One revision of an alert rule, as stored in <c>alert_rules</c> (<c>ReplacingMergeTree(Revision)</c>): the highest
/// revision of a rule is the rule; a revision with <see cref="Deleted"/> set removes it.
/// </summary>
public sealed class AlertRuleRow
{
    /// <summary>The insert column list, in the order <see cref="Write"/> writes them.</summary>
    public const string Columns =
        "Project, RuleId, Revision, Deleted, Name, Kind, Threshold, WindowMinutes, CooldownMinutes, FilterService, FilterEnvironment, " +
        "FilterProvider, FilterModel, Webhooks, WebhookFormats, Enabled, CreatedAt, UpdatedAt";

    /// <summary>The table name.</summary>
    public const string Table = "alert_rules";

#pragma warning disable CS1591 // Column properties are documented by the schema section of docs/storage.md.
    public string Project { get; set; } = string.Empty;
    public string RuleId { get; set; } = string.Empty;
    public ulong Revision { get; set; }
    public bool Deleted { get; set; }
    public string Name { get; set; } = string.Empty;
    public string Kind { get; set; } = string.Empty;
    public double Threshold { get; set; }
    public uint WindowMinutes { get; set; }
    public uint CooldownMinutes { get; set; }
    public string FilterService { get; set; } = string.Empty;
    public string FilterEnvironment { get; set; } = string.Empty;
    public string FilterProvider { get; set; } = string.Empty;
    public string FilterModel { get; set; } = string.Empty;
    public IReadOnlyList<string> Webhooks { get; set; } = [];
    public IReadOnlyList<string> WebhookFormats { get; set; } = [];
    public bool Enabled { get; set; }
    public ulong CreatedAtUnixSeconds { get; set; }
    public ulong UpdatedAtUnixSeconds { get; set; }
#pragma warning restore CS1591

    /// <summary>Writes the row in <see cref="Columns"/> order.</summary>
    public void Write(RowBinaryWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteString(Project);
        w.WriteString(RuleId);
        w.WriteUInt64(Revision);
        w.WriteBool(Deleted);
        w.WriteString(Name);
        w.WriteString(Kind);
        w.WriteFloat64(Threshold);
        w.WriteUInt32(WindowMinutes);
        w.WriteUInt32(CooldownMinutes);
        w.WriteString(FilterService);
        w.WriteString(FilterEnvironment);
        w.WriteString(FilterProvider);
        w.WriteString(FilterModel);
        w.WriteStringArray(Webhooks);
        w.WriteStringArray(WebhookFormats);
        w.WriteBool(Enabled);
        w.WriteDateTime(CreatedAtUnixSeconds);
        w.WriteDateTime(UpdatedAtUnixSeconds);
    }
}
