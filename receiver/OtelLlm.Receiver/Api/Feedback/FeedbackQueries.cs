using System.Text;
using System.Text.Json;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api.Feedback;

/// <summary>Which feedback a list or summary covers. <see cref="Project"/> <see langword="null"/> means every project.</summary>
internal sealed record FeedbackFilter(string? Project, DateTimeOffset From, DateTimeOffset To, string? Name, string? Model, string? Workload);

/// <summary>
/// Feedback reads. Feedback is joined with its call in ClickHouse: by span id, else by response id, else with the
/// trace's last call. Feedback with the same id counts once (<c>LIMIT 1 BY</c>), even when two requests raced past
/// the id check or the copies sit in different day partitions.
/// </summary>
internal static class FeedbackQueries
{
    /// <summary>Calls are looked for up to this long before the start of the feedback's range.</summary>
    public static readonly TimeSpan CallLookback = TimeSpan.FromDays(30);

    /// <summary>The ids of <paramref name="ids"/> already stored for <paramref name="project"/>.</summary>
    public static async Task<HashSet<string>> ExistingIdsAsync(ClickHouseClient client, string project, IReadOnlyList<string> ids, CancellationToken ct)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return found;
        }

        var list = string.Join(", ", ids.Distinct(StringComparer.Ordinal).Select(SqlLiteral.Quote));
        var rows = await client.QueryAsync(
            $"SELECT DISTINCT FeedbackId FROM llm_feedback WHERE Project = {SqlLiteral.Quote(project)} AND FeedbackId IN ({list})",
            "look up feedback ids already stored",
            ct);
        foreach (var row in rows)
        {
            found.Add(row[0]);
        }

        return found;
    }

    public static async Task<(List<FeedbackItem> Items, bool Truncated)> ListAsync(ClickHouseClient client, FeedbackFilter filter, int limit, CancellationToken ct)
    {
        var sql = $"""
            SELECT FeedbackId AS Id, {ApiSql.IsoTime("Timestamp")} AS Timestamp, TraceId, SpanId, ResponseId, Name, Value, StringValue, Comment, Source, UserId,
                   MetaKeys, MetaValues, CallSpanId, {ApiSql.IsoTime("CallTimestamp")} AS CallTimestamp, CallModel, CallResponseModel, CallProvider,
                   CallWorkload, CallService, CallEnvironment, CallOperation, CallStatus, CallCostUsd, CallDuration / 1e6 AS CallDurationMs
            FROM ({Joined(filter)})
            ORDER BY Timestamp DESC, FeedbackId
            LIMIT {limit + 1}
            """;
        return ApiSql.Page(await client.QueryJsonAsync(sql, "list feedback", ct), limit, ToItem);
    }

    public static async Task<List<FeedbackGroup>> SummaryAsync(ClickHouseClient client, FeedbackFilter filter, string groupBy, double positiveAbove, CancellationToken ct)
    {
        var key = groupBy switch
        {
            "workload" => "CallWorkload",
            "service" => "CallService",
            _ => "CallModel",
        };
        var sql = $"""
            SELECT Name, {key} AS Key, count() AS Count,
                   avg(Value) AS Mean,
                   if(countIf(isNotNull(Value)) = 0, NULL, countIf(isNotNull(Value) AND assumeNotNull(Value) > {ApiSql.Number(positiveAbove)}) / countIf(isNotNull(Value))) AS PositiveRate
            FROM ({Joined(filter)})
            GROUP BY Name, Key
            ORDER BY Count DESC, Name, Key
            LIMIT 1000
            """;
        return ApiRows.ReadAll<FeedbackGroup>(await client.QueryJsonAsync(sql, "summarize feedback", ct));
    }

    /// <summary>Feedback in the filter's range, each with the columns of its call (empty when the call is not stored).</summary>
    private static string Joined(FeedbackFilter f)
    {
        var project = f.Project is null ? "1" : $"Project = {SqlLiteral.Quote(f.Project)}";
        var feedback = $"{project} AND {ApiSql.Between("Timestamp", f.From, f.To)} AND {ApiSql.Equal("Name", f.Name)}";
        var calls = $"""
            SELECT Project, TraceId, SpanId AS CallSpanId, ResponseId AS CallResponseId, Timestamp AS CallTimestamp, StartTimeUnixNano AS CallStart,
                   RequestModel AS CallModel, ResponseModel AS CallResponseModel, Provider AS CallProvider, Workload AS CallWorkload,
                   ServiceName AS CallService, Environment AS CallEnvironment, Operation AS CallOperation, StatusCode AS CallStatus,
                   CostUsd AS CallCostUsd, Duration AS CallDuration
            FROM llm_calls
            WHERE {project} AND {ApiSql.Between("Timestamp", f.From - CallLookback, f.To)}
              AND TraceId IN (SELECT TraceId FROM llm_feedback WHERE {feedback})
            ORDER BY Revision DESC
            LIMIT 1 BY Project, TraceId, CallSpanId
            """;
        var where = new StringBuilder("1");
        if (!string.IsNullOrEmpty(f.Model))
        {
            where.Append($" AND (CallModel = {SqlLiteral.Quote(f.Model)} OR CallResponseModel = {SqlLiteral.Quote(f.Model)})");
        }

        if (!string.IsNullOrEmpty(f.Workload))
        {
            where.Append($" AND CallWorkload = {SqlLiteral.Quote(f.Workload)}");
        }

        // Each call answers to its span id and its response id; a trace's last call also to '' (feedback naming neither).
        return $"""
            SELECT *
            FROM
            (
                SELECT Project, FeedbackId, Timestamp, TraceId, SpanId, ResponseId, Name, Value, StringValue, Comment, Source, UserId,
                       Attributes.Key AS MetaKeys, Attributes.Value AS MetaValues,
                       if(SpanId != '', SpanId, if(ResponseId != '', concat('r:', ResponseId), '')) AS JoinKey
                FROM llm_feedback
                WHERE {feedback}
                ORDER BY Timestamp
                LIMIT 1 BY Project, FeedbackId
            )
            ANY LEFT JOIN
            (
                SELECT Project, TraceId, JoinKey, CallSpanId, CallTimestamp, CallModel, CallResponseModel, CallProvider, CallWorkload, CallService,
                       CallEnvironment, CallOperation, CallStatus, CallCostUsd, CallDuration
                FROM ({calls})
                ARRAY JOIN arrayFilter(k -> k != 'r:', [CallSpanId, concat('r:', CallResponseId)]) AS JoinKey
                UNION ALL
                SELECT Project, TraceId, '' AS JoinKey, argMax(CallSpanId, CallStart) AS CallSpanId, max(CallTimestamp) AS CallTimestamp,
                       argMax(CallModel, CallStart) AS CallModel, argMax(CallResponseModel, CallStart) AS CallResponseModel,
                       argMax(CallProvider, CallStart) AS CallProvider, argMax(CallWorkload, CallStart) AS CallWorkload,
                       argMax(CallService, CallStart) AS CallService, argMax(CallEnvironment, CallStart) AS CallEnvironment,
                       argMax(CallOperation, CallStart) AS CallOperation, argMax(CallStatus, CallStart) AS CallStatus,
                       argMax(CallCostUsd, CallStart) AS CallCostUsd, argMax(CallDuration, CallStart) AS CallDuration
                FROM ({calls})
                GROUP BY Project, TraceId
            )
            USING (Project, TraceId, JoinKey)
            WHERE {where}
            """;
    }

    private static FeedbackItem ToItem(JsonElement r)
    {
        var keys = r.GetProperty("MetaKeys");
        var values = r.GetProperty("MetaValues");
        Dictionary<string, string>? metadata = null;
        for (var i = 0; i < keys.GetArrayLength(); i++)
        {
            (metadata ??= new(StringComparer.Ordinal))[keys[i].GetString()!] = values[i].GetString()!;
        }

        // An unmatched ANY LEFT JOIN leaves the call's columns at their defaults: an empty span id.
        var call = ApiRows.Read<FeedbackCall>(r, "Call");
        return ApiRows.Read<FeedbackItem>(r) with { Metadata = metadata, Call = call.SpanId.Length == 0 ? null : call };
    }
}
