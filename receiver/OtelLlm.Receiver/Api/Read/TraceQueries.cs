using System.Globalization;
using System.Text.Json;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api.Read;

/// <summary>
/// Reads of one trace and of one call. Neither table is keyed by trace id first, so the trace's time span is taken
/// from <c>otel_traces_trace_id_ts</c> (keyed by trace id) and every read is bounded by it, as the Trace dashboard
/// does; copies of a record stored twice are read once (<c>LIMIT 1 BY</c>) rather than merged with <c>FINAL</c>.
/// </summary>
internal static class TraceQueries
{
    /// <summary>The columns of a call beyond its summary (the first six those of <see cref="CallParameters"/>).</summary>
    private const string Detail =
        "Temperature, TopP, MaxTokens, FinishReasons, ResponseId, ServerAddress, StatusMessage, CostSource, SystemInstructions, InputMessages, OutputMessages, ToolDefinitions, Revision";

    /// <summary>Log records of a trace are looked for this long around its spans.</summary>
    private static readonly TimeSpan s_logSlack = TimeSpan.FromMinutes(5);

    /// <summary>The seconds a trace's spans started in (end exclusive), or <see langword="null"/> when it has no span stored.</summary>
    public static async Task<(DateTimeOffset Start, DateTimeOffset End)?> BoundsAsync(ClickHouseClient client, string traceId, CancellationToken ct)
    {
        var rows = await client.QueryAsync(
            $"SELECT toUnixTimestamp(min(Start)), toUnixTimestamp(max(End)), count() FROM otel_traces_trace_id_ts WHERE TraceId = {SqlLiteral.Quote(traceId)}",
            "find the trace's time span",
            ct);
        if (rows.Count == 0 || rows[0][2] == "0")
        {
            return null;
        }

        // End is the start second of the trace's last span: the range ends after that second.
        return (DateTimeOffset.FromUnixTimeSeconds(long.Parse(rows[0][0], CultureInfo.InvariantCulture)),
                DateTimeOffset.FromUnixTimeSeconds(long.Parse(rows[0][1], CultureInfo.InvariantCulture) + 1));
    }

    public static async Task<TraceDetail?> TraceAsync(ClickHouseClient client, StorageColumns columns, string? project, string traceId, CancellationToken ct)
    {
        if (await BoundsAsync(client, traceId, ct) is not { } bounds)
        {
            return null;
        }

        var trace = SqlLiteral.Quote(traceId);
        var inProject = project is null ? "1" : $"Project = {SqlLiteral.Quote(project)}";
        var spans = client.QueryJsonAsync(
            $"""
            SELECT SpanId, ParentSpanId, SpanName AS Name, SpanKind AS Kind, ServiceName AS Service, StartTimeUnixNano, {ApiSql.IsoNanos("StartTimeUnixNano")} AS Start,
                   EndTimeUnixNano, Duration / 1e6 AS DurationMs, StatusCode AS Status, StatusMessage, ScopeName AS Scope, SpanAttributes.Key AS AttributeKeys, SpanAttributes.Value AS AttributeValues,
                   ResourceAttributes.Key AS ResourceKeys, ResourceAttributes.Value AS ResourceValues,
                   Events.TimeUnixNano AS EventTimes, Events.Name AS EventNames, Events.Attributes AS EventAttributes
            FROM otel_traces
            WHERE {ApiSql.Between("Timestamp", bounds.Start, bounds.End)} AND TraceId = {trace} AND {inProject}
            ORDER BY StartTimeUnixNano, SpanId
            LIMIT 1 BY SpanId
            LIMIT 10000
            """,
            "read the trace's spans",
            ct);
        var calls = client.QueryJsonAsync(
            $"""
            SELECT {CallQueries.SummaryFields(columns)}
            FROM
            (
                SELECT {CallQueries.SummaryColumns(columns)}
                FROM llm_calls
                WHERE {ApiSql.Between("Timestamp", bounds.Start, bounds.End)} AND TraceId = {trace} AND {inProject}
                ORDER BY Revision DESC
                LIMIT 1 BY Project, TraceId, SpanId
            )
            """,
            "read the trace's calls",
            ct);
        var logs = client.QueryJsonAsync(
            $"""
            SELECT {ApiSql.IsoNanos("TimeUnixNano")} AS Time, SpanId, SeverityText AS Severity, SeverityNumber, ServiceName AS Service, EventName, Body,
                   LogAttributes.Key AS AttributeKeys, LogAttributes.Value AS AttributeValues
            FROM otel_logs
            WHERE {ApiSql.Between("Timestamp", bounds.Start - s_logSlack, bounds.End + s_logSlack)} AND TraceId = {trace} AND {inProject}
            ORDER BY TimeUnixNano, RecordHash
            LIMIT 1 BY RecordHash
            LIMIT 1000
            """,
            "read the trace's logs",
            ct);
        await Task.WhenAll(spans, calls, logs);
        var callSummaries = (await calls).Select(ApiRows.Read<CallSummary>).OrderBy(c => c.Timestamp, StringComparer.Ordinal).ToList();
        var callSpans = callSummaries.Select(c => c.SpanId).ToHashSet(StringComparer.Ordinal);
        var spanList = (await spans).Select(r => Span(r, callSpans)).ToList();
        if (spanList.Count == 0)
        {
            return null;
        }

        var first = spanList.Min(s => ulong.Parse(s.StartTimeUnixNano, CultureInfo.InvariantCulture));
        var last = (await spans).Max(r => ApiSql.Long(r.GetProperty("EndTimeUnixNano")));
        return new TraceDetail(
            traceId,
            Nanos(first),
            Math.Max(0, ((double)last - first) / 1e6),
            spanList,
            callSummaries,
            [.. (await logs).Select(Log)]);
    }

    /// <summary>
    /// One call, newest revision, with its feedback. <paramref name="at"/> (its start, from a list) bounds the read to
    /// that second; otherwise the trace's time span does, and without either every day is read.
    /// </summary>
    public static async Task<CallDetail?> CallAsync(ClickHouseClient client, StorageColumns columns, string? project, string traceId, string spanId, DateTimeOffset? at, CancellationToken ct)
    {
        string time;
        if (at is { } t)
        {
            time = ApiSql.Between("Timestamp", t.AddSeconds(-1), t.AddSeconds(1));
        }
        else if (await BoundsAsync(client, traceId, ct) is { } bounds)
        {
            time = ApiSql.Between("Timestamp", bounds.Start, bounds.End);
        }
        else
        {
            time = "1";
        }

        var trace = SqlLiteral.Quote(traceId);
        var inProject = project is null ? "1" : $"Project = {SqlLiteral.Quote(project)}";
        var detail = columns.CallEnergy ? Detail + ", EnergySource" : Detail;
        var rows = await client.QueryJsonAsync(
            $"""
            SELECT {CallQueries.SummaryFields(columns)}, {detail}, AttributeKeys, AttributeValues, LastSpanOfTrace
            FROM
            (
                SELECT {CallQueries.SummaryColumns(columns)}, {detail},
                       Attributes.Key AS AttributeKeys, Attributes.Value AS AttributeValues,
                       (SELECT argMax(SpanId, StartTimeUnixNano) FROM llm_calls WHERE {time} AND TraceId = {trace} AND {inProject}) AS LastSpanOfTrace
                FROM llm_calls
                WHERE {time} AND TraceId = {trace} AND SpanId = {SqlLiteral.Quote(spanId)} AND {inProject}
                ORDER BY Revision DESC
                LIMIT 1
            )
            """,
            "read the call",
            ct);
        if (rows.Count == 0)
        {
            return null;
        }

        var r = rows[0];
        var summary = ApiRows.Read<CallSummary>(r);
        var parameters = ApiRows.Read<CallParameters>(r);
        var responseId = parameters.ResponseId;
        var isLast = r.GetProperty("LastSpanOfTrace").GetString() == spanId;
        var feedback = await client.QueryJsonAsync(
            $"""
            SELECT FeedbackId AS Id, {ApiSql.IsoTime("Timestamp")} AS Timestamp, Name, Value, StringValue, Comment, Source, UserId
            FROM
            (
                SELECT FeedbackId, Timestamp, Name, Value, StringValue, Comment, Source, UserId
                FROM llm_feedback
                WHERE Project = {SqlLiteral.Quote(summary.Project)} AND TraceId = {trace}
                  AND (SpanId = {SqlLiteral.Quote(spanId)}
                       OR (SpanId = '' AND ResponseId != '' AND ResponseId = {SqlLiteral.Quote(responseId ?? string.Empty)})
                       OR (SpanId = '' AND ResponseId = '' AND {(isLast ? 1 : 0)} = 1))
                ORDER BY Timestamp, FeedbackId
                LIMIT 1 BY FeedbackId
            )
            """,
            "read the call's feedback",
            ct);
        return new CallDetail(
            summary,
            parameters,
            new CallContent(Json(r.GetProperty("SystemInstructions")), Json(r.GetProperty("InputMessages")), Json(r.GetProperty("OutputMessages")), Json(r.GetProperty("ToolDefinitions"))),
            ApiSql.Text(r.GetProperty("StatusMessage")),
            ApiSql.Text(r.GetProperty("CostSource")),
            columns.CallEnergy ? ApiSql.Text(r.GetProperty("EnergySource")) : null,
            Pairs(r, "AttributeKeys", "AttributeValues"),
            ApiSql.Long(r.GetProperty("Revision")),
            ApiRows.ReadAll<CallFeedback>(feedback));
    }

    /// <summary>Stored JSON text as JSON; text that is not JSON as a JSON string; nothing when empty.</summary>
    public static JsonElement? Json(JsonElement column)
    {
        var text = column.GetString();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }

    /// <summary>Two parallel arrays (a <c>Nested</c> column's keys and values) as a dictionary.</summary>
    public static Dictionary<string, string> Pairs(JsonElement row, string keys, string values)
    {
        var k = row.GetProperty(keys);
        var v = row.GetProperty(values);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < k.GetArrayLength() && i < v.GetArrayLength(); i++)
        {
            map.TryAdd(k[i].GetString()!, v[i].GetString()!);
        }

        return map;
    }

    private static TraceSpan Span(JsonElement r, HashSet<string> callSpans)
    {
        var times = r.GetProperty("EventTimes");
        var names = r.GetProperty("EventNames");
        var attributes = r.GetProperty("EventAttributes");
        var events = new List<SpanEvent>(times.GetArrayLength());
        for (var i = 0; i < times.GetArrayLength(); i++)
        {
            events.Add(new SpanEvent(times[i].ValueKind == JsonValueKind.String ? times[i].GetString()! : times[i].GetRawText(), names[i].GetString()!, Json(attributes[i])));
        }

        var span = ApiRows.Read<TraceSpan>(r);
        return span with
        {
            Attributes = Pairs(r, "AttributeKeys", "AttributeValues"),
            Resource = Pairs(r, "ResourceKeys", "ResourceValues"),
            Events = events,
            IsLlmCall = callSpans.Contains(span.SpanId),
        };
    }

    private static TraceLog Log(JsonElement r) => ApiRows.Read<TraceLog>(r) with { Attributes = Pairs(r, "AttributeKeys", "AttributeValues") };

    /// <summary>Nanoseconds since the epoch as an ISO 8601 UTC time (to the 100 ns).</summary>
    private static string Nanos(ulong nanos) => ApiTime.Format(DateTimeOffset.UnixEpoch.AddTicks((long)(nanos / 100)));
}
