using System.Globalization;
using System.Text;
using System.Text.Json;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Api.Alerts;

/// <summary>The latest state of a rule, from its events: whether it is firing, the open incident, the last time it fired.</summary>
internal sealed record AlertRuleStatus(string State, string IncidentId, DateTimeOffset LastFiredAt);

/// <summary>Which events a list covers. <see cref="Project"/> <see langword="null"/> means every project.</summary>
internal sealed record AlertEventFilter(string? Project, DateTimeOffset From, DateTimeOffset To, string? RuleId, string? State, bool? Acknowledged);

/// <summary>
/// Alert rules and events in ClickHouse. Both tables are <c>ReplacingMergeTree(Revision)</c>: every change is a new
/// revision of the whole row and reads take the highest (<c>LIMIT 1 BY</c>), so nothing is ever updated or deleted in
/// place (ClickHouse 18.16's mutations lose rows). Revisions are microseconds since the epoch, and always above the
/// revision they replace.
/// </summary>
internal sealed class AlertStore(ClickHouseClient client, [FromKeyedServices(AlertEvaluator.ClockKey)] TimeProvider time) : IDisposable
{
    // Rows are read by ApiRows into the storage rows: each column is named after its property. An event's value (NaN,
    // which JSON cannot carry, comes as NULL) and its deliveries (one array per field) are put together in ToEvent.
    private const string RuleColumns =
        "Project, RuleId, Revision, Deleted, Name, Kind, Threshold, WindowMinutes, CooldownMinutes, FilterService, FilterEnvironment, " +
        "FilterProvider, FilterModel, Webhooks, WebhookFormats, Enabled, toUInt32(CreatedAt) AS CreatedAtUnixSeconds, toUInt32(UpdatedAt) AS UpdatedAtUnixSeconds";

    private const string EventColumns =
        "Project, EventId, Revision, toUInt32(Timestamp) AS TimeUnixSeconds, RuleId, RuleName, Kind, State, IncidentId, if(isNaN(Value), NULL, Value) AS ValueOrNull, " +
        "Threshold, toUInt32(WindowStart) AS WindowStartUnixSeconds, toUInt32(WindowEnd) AS WindowEndUnixSeconds, Message, " +
        "toUInt32(AcknowledgedAt) AS AcknowledgedAtUnixSeconds, AcknowledgedBy, Deliveries.Url AS DeliveryUrl, Deliveries.Attempts AS DeliveryAttempts, Deliveries.Delivered AS DeliveryDelivered, " +
        "Deliveries.LastStatus AS DeliveryStatus, Deliveries.LastError AS DeliveryError, arrayMap(t -> toUInt32(t), Deliveries.LastAttemptAt) AS DeliveryAt";

    // One writer at a time changes an event in this process, so an acknowledgement and a delivery outcome written at
    // the same moment do not both build on the same revision (the later would drop the other's change).
    private readonly SemaphoreSlim _eventChanges = new(1, 1);
    private long _lastRevision;

    public TimeProvider Time => time;

    public void Dispose() => _eventChanges.Dispose();

    /// <summary>A revision above <paramref name="previous"/> and every revision this process made before.</summary>
    public ulong NextRevision(ulong previous = 0)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        while (true)
        {
            var last = Interlocked.Read(ref _lastRevision);
            var next = Math.Max(Math.Max(now, last + 1), (long)previous + 1);
            if (Interlocked.CompareExchange(ref _lastRevision, next, last) == last)
            {
                return (ulong)next;
            }
        }
    }

    /// <summary>
    /// A new id that sorts by creation time (12 hex digits of Unix milliseconds, then 8 random), so the latest event of a
    /// rule is its largest id even within one second.
    /// </summary>
    public string NewId()
    {
        Span<byte> random = stackalloc byte[4];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        var ms = time.GetUtcNow().ToUnixTimeMilliseconds();
        return ms.ToString("x12", CultureInfo.InvariantCulture) + Convert.ToHexStringLower(random);
    }

    /// <summary>The latest revision of each rule (deleted ones left out unless asked for), by name.</summary>
    public async Task<List<AlertRuleRow>> RulesAsync(string? project, string? ruleId, bool includeDeleted, CancellationToken ct)
    {
        var sql = $"""
            SELECT * FROM
            (
                SELECT {RuleColumns}
                FROM alert_rules
                WHERE {ApiSql.Equal("Project", project)} AND {ApiSql.Equal("RuleId", ruleId)}
                ORDER BY Revision DESC
                LIMIT 1 BY Project, RuleId
            )
            WHERE {(includeDeleted ? "1" : "Deleted = 0")}
            ORDER BY Name, RuleId
            """;
        var rows = await client.QueryJsonAsync(sql, "read alert rules", ct);
        return ApiRows.ReadAll<AlertRuleRow>(rows);
    }

    public async Task<AlertRuleRow?> RuleAsync(string? project, string ruleId, CancellationToken ct)
        => (await RulesAsync(project, ruleId, includeDeleted: false, ct)) is [var rule, ..] ? rule : null;

    public async Task WriteRuleAsync(AlertRuleRow rule, CancellationToken ct)
    {
        using var writer = new RowBinaryWriter(1024);
        rule.Write(writer);
        await client.InsertRowBinaryAsync(AlertRuleRow.Table, AlertRuleRow.Columns, writer.WrittenMemory, "store an alert rule", ct);
    }

    /// <summary>Each rule's state from its events: the state and incident of its latest event, and when it last fired.</summary>
    public async Task<Dictionary<(string Project, string RuleId), AlertRuleStatus>> StatusesAsync(string? project, CancellationToken ct)
    {
        // State and IncidentId never change between revisions of an event, so every revision row may be counted.
        var rows = await client.QueryAsync(
            $"""
            SELECT Project, RuleId, argMax(State, EventId), argMax(IncidentId, EventId), toUInt32(maxIf(Timestamp, State = '{AlertStates.Firing}'))
            FROM alert_events
            WHERE {ApiSql.Equal("Project", project)}
            GROUP BY Project, RuleId
            """,
            "read the state of alert rules",
            ct);
        var statuses = new Dictionary<(string, string), AlertRuleStatus>();
        foreach (var r in rows)
        {
            statuses[(r[0], r[1])] = new AlertRuleStatus(r[2], r[3], DateTimeOffset.FromUnixTimeSeconds(long.Parse(r[4], CultureInfo.InvariantCulture)));
        }

        return statuses;
    }

    /// <summary>Events in a range, newest first.</summary>
    public async Task<(List<AlertEventRow> Items, bool Truncated)> EventsAsync(AlertEventFilter f, int limit, CancellationToken ct)
    {
        var where = new StringBuilder($"{ApiSql.Equal("Project", f.Project)} AND {ApiSql.Between("Timestamp", f.From, f.To)}");
        where.Append(" AND ").Append(ApiSql.Equal("RuleId", f.RuleId)).Append(" AND ").Append(ApiSql.Equal("State", f.State));
        var acknowledged = f.Acknowledged switch
        {
            true => "isNotNull(AcknowledgedAtUnixSeconds)",
            false => "isNull(AcknowledgedAtUnixSeconds)",
            null => "1",
        };
        var sql = $"""
            SELECT * FROM
            (
                SELECT {EventColumns}
                FROM alert_events
                WHERE {where}
                ORDER BY Revision DESC
                LIMIT 1 BY Project, EventId
            )
            WHERE {acknowledged}
            ORDER BY TimeUnixSeconds DESC, EventId DESC
            LIMIT {limit + 1}
            """;
        return ApiSql.Page(await client.QueryJsonAsync(sql, "list alert events", ct), limit, ToEvent);
    }

    /// <summary>The latest revision of one event, in <paramref name="project"/> (any when <see langword="null"/>).</summary>
    public async Task<AlertEventRow?> EventAsync(string? project, string eventId, CancellationToken ct)
    {
        var rows = await client.QueryJsonAsync(
            $"""
            SELECT {EventColumns}
            FROM alert_events
            WHERE {ApiSql.Equal("Project", project)} AND EventId = {SqlLiteral.Quote(eventId)}
            ORDER BY Revision DESC
            LIMIT 1
            """,
            "read an alert event",
            ct);
        return rows.Count == 0 ? null : ToEvent(rows[0]);
    }

    public async Task WriteEventAsync(AlertEventRow row, CancellationToken ct)
    {
        using var writer = new RowBinaryWriter(1024);
        row.Write(writer);
        await client.InsertRowBinaryAsync(AlertEventRow.Table, AlertEventRow.Columns, writer.WrittenMemory, "store an alert event", ct);
    }

    /// <summary>
    /// Writes the next revision of an event: reads the latest, lets <paramref name="change"/> change a copy (it returns
    /// false to leave the event as it is) and stores the copy with a higher revision. Returns the event as it now is, or
    /// <see langword="null"/> when there is no such event.
    /// </summary>
    public async Task<AlertEventRow?> ChangeEventAsync(string? project, string eventId, Func<AlertEventRow, bool> change, CancellationToken ct)
    {
        await _eventChanges.WaitAsync(ct);
        try
        {
            var current = await EventAsync(project, eventId, ct);
            if (current is null)
            {
                return null;
            }

            var next = current.Copy();
            if (!change(next))
            {
                return current;
            }

            next.Revision = NextRevision(current.Revision);
            await WriteEventAsync(next, ct);
            return next;
        }
        finally
        {
            _eventChanges.Release();
        }
    }

    private static AlertEventRow ToEvent(JsonElement r)
    {
        var row = ApiRows.Read<AlertEventRow>(r);
        row.Value = ApiSql.NullableDouble(r.GetProperty("ValueOrNull")) ?? double.NaN;
        var urls = r.GetProperty("DeliveryUrl");
        var attempts = r.GetProperty("DeliveryAttempts");
        var delivered = r.GetProperty("DeliveryDelivered");
        var status = r.GetProperty("DeliveryStatus");
        var error = r.GetProperty("DeliveryError");
        var at = r.GetProperty("DeliveryAt");
        for (var i = 0; i < urls.GetArrayLength(); i++)
        {
            row.Deliveries.Add(new AlertDeliveryRow(
                urls[i].GetString()!,
                (uint)ApiSql.Long(attempts[i]),
                ApiSql.Long(delivered[i]) != 0,
                (uint)ApiSql.Long(status[i]),
                error[i].GetString()!,
                (ulong)ApiSql.Long(at[i])));
        }

        return row;
    }
}
