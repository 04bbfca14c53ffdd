using System.Globalization;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api.Read;

/// <summary>
/// The row sources every aggregate read is written over, each giving the same columns whichever table answers:
/// minute sums (<see cref="Minutes"/>: from <c>llm_calls_1m</c> when the filter is on its keys, otherwise summed from
/// <c>llm_calls</c>), latency digests (<see cref="Latency"/>: whole hours from <c>llm_latency_1h</c> and the partial
/// hours at the range's ends from <c>llm_latency_1m</c>, as the dashboards do, or digests of <c>llm_calls</c>) and the
/// calls themselves, newest revision of each (<see cref="Calls"/>): a later revision (content that arrived after the
/// span, a re-priced cost) replaces the first one, which merges remove.
/// </summary>
internal static class CallSources
{
    /// <summary>
    /// Rows of <c>Timestamp</c> (the minute), <c>Project, ServiceName, Environment, Provider, RequestModel, StatusCode,
    /// ErrorType</c> and the sums <c>Calls, Errors, InputTokensSum, OutputTokensSum, CacheReadTokensSum,
    /// ReasoningTokensSum, TotalTokensSum, CostUsdSum, DurationSum, TimeToFirstTokenMsSum, TimeToFirstTokenCount,
    /// EnergyWhSum, Co2eGramsSum</c> (0 without the energy columns). Rows are to be summed: from the rollups, a minute's
    /// energy comes in rows of its own (<c>llm_energy_1m</c>, every other sum 0).
    /// </summary>
    public static string Minutes(CallFilter f, StorageColumns columns)
    {
        if (f.RollupServed)
        {
            var energy = !columns.RollupEnergy ? string.Empty : $"""

                UNION ALL
                SELECT Timestamp, Project, ServiceName, Environment, Provider, RequestModel, StatusCode, ErrorType,
                       toUInt64(0) AS Calls, toUInt64(0) AS Errors, toUInt64(0) AS InputTokensSum, toUInt64(0) AS OutputTokensSum,
                       toUInt64(0) AS CacheReadTokensSum, toUInt64(0) AS ReasoningTokensSum, toUInt64(0) AS TotalTokensSum,
                       toFloat64(0) AS CostUsdSum, toUInt64(0) AS DurationSum, toFloat64(0) AS TimeToFirstTokenMsSum,
                       toUInt64(0) AS TimeToFirstTokenCount, EnergyWhSum, Co2eGramsSum
                FROM llm_energy_1m
                WHERE {f.TimeWhere()} AND {f.RollupWhere()}
                """;
            return $"""
                SELECT Timestamp, Project, ServiceName, Environment, Provider, RequestModel, StatusCode, ErrorType,
                       Calls, Errors, InputTokensSum, OutputTokensSum, CacheReadTokensSum, ReasoningTokensSum, TotalTokensSum,
                       CostUsdSum, DurationSum, TimeToFirstTokenMsSum, TimeToFirstTokenCount, toFloat64(0) AS EnergyWhSum, toFloat64(0) AS Co2eGramsSum
                FROM llm_calls_1m
                WHERE {f.TimeWhere()} AND {f.RollupWhere()}{energy}
                """;
        }

        var rawEnergy = columns.CallEnergy ? "sum(ifNull(EnergyWh, 0)) AS EnergyWhSum, sum(ifNull(Co2eGrams, 0)) AS Co2eGramsSum" : "toFloat64(0) AS EnergyWhSum, toFloat64(0) AS Co2eGramsSum";
        return $"""
            SELECT toStartOfMinute(Timestamp) AS Timestamp, Project, ServiceName, Environment, Provider, RequestModel, StatusCode, ErrorType,
                   count() AS Calls, countIf(StatusCode = 'Error') AS Errors, sum(InputTokens) AS InputTokensSum,
                   sum(OutputTokens) AS OutputTokensSum, sum(CacheReadTokens) AS CacheReadTokensSum, sum(ReasoningTokens) AS ReasoningTokensSum,
                   sum(TotalTokens) AS TotalTokensSum, sum(ifNull(CostUsd, 0)) AS CostUsdSum, sum(Duration) AS DurationSum,
                   sum(ifNull(TimeToFirstTokenMs, 0)) AS TimeToFirstTokenMsSum, countIf(isNotNull(TimeToFirstTokenMs)) AS TimeToFirstTokenCount,
                   {rawEnergy}
            FROM ({Calls(f, columns.CallEnergy ? CallColumns.Aggregated + ", EnergyWh, Co2eGrams" : CallColumns.Aggregated)})
            GROUP BY Timestamp, Project, ServiceName, Environment, Provider, RequestModel, StatusCode, ErrorType
            """;
    }

    /// <summary>
    /// Rows of <c>Timestamp</c> (the hour or minute), <c>Project, ServiceName, Environment, Provider, RequestModel</c>,
    /// <c>DurationQuantiles</c> and <c>TimeToFirstTokenMsQuantiles</c> (<c>quantilesTDigest(0.5, 0.95, 0.99)</c> states).
    /// With <paramref name="hourly"/> whole hours come from <c>llm_latency_1h</c>; every bucket of a step that is a
    /// multiple of an hour then lies in one table or the other.
    /// </summary>
    public static string Latency(CallFilter f, bool hourly = true)
    {
        if (!f.LatencyRollupServed)
        {
            return $"""
                SELECT toStartOfMinute(Timestamp) AS Timestamp, Project, ServiceName, Environment, Provider, RequestModel,
                       quantilesTDigestState(0.5, 0.95, 0.99)(Duration) AS DurationQuantiles,
                       quantilesTDigestStateIf(0.5, 0.95, 0.99)(ifNull(TimeToFirstTokenMs, 0), isNotNull(TimeToFirstTokenMs)) AS TimeToFirstTokenMsQuantiles
                FROM ({Calls(f, CallColumns.Aggregated)})
                GROUP BY Timestamp, Project, ServiceName, Environment, Provider, RequestModel
                """;
        }

        const string columns = "Project, ServiceName, Environment, Provider, RequestModel, DurationQuantiles, TimeToFirstTokenMsQuantiles";
        if (!hourly)
        {
            return $"SELECT Timestamp, {columns} FROM llm_latency_1m WHERE {f.TimeWhere()} AND {f.RollupWhere(withStatus: false)}";
        }

        // Whole hours inside the range from the hourly rollup, the minutes of the partial hours at its ends from the minute one.
        var firstHour = HourCeiling(f.From);
        var endHour = HourFloor(EndExclusive(f.To));
        return $"""
            SELECT Hour AS Timestamp, {columns}
            FROM llm_latency_1h
            WHERE Hour >= {firstHour} AND Hour < {endHour} AND {f.RollupWhere(withStatus: false)}
            UNION ALL
            SELECT Timestamp, {columns}
            FROM llm_latency_1m
            WHERE {f.TimeWhere()} AND (Timestamp < {firstHour} OR Timestamp >= {endHour}) AND {f.RollupWhere(withStatus: false)}
            """;
    }

    /// <summary>
    /// The calls of the filter's range, newest revision of each (what <c>FINAL</c> gives, without merging the whole
    /// range in one stream), with <paramref name="columns"/> (plain column names) and every column of the table the
    /// filters read. Filters on what a revision may change (cost, content) and <paramref name="revisedWhere"/> apply
    /// to the newest revision; the others narrow the rows first.
    /// </summary>
    public static string Calls(CallFilter f, string columns, string? revisedWhere = null)
    {
        var revised = f.RevisedWhere() + (revisedWhere is null ? string.Empty : " AND " + revisedWhere);
        var read = string.Join(", ", $"{columns}, {f.RevisedColumns}, Revision".Split(',', StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal));
        return $"""
            SELECT *
            FROM
            (
                SELECT {read}
                FROM llm_calls
                WHERE {f.TimeWhere()} AND {f.RollupWhere()} AND {f.StableWhere()}
                ORDER BY Revision DESC
                LIMIT 1 BY Project, TraceId, SpanId
            )
            WHERE {revised}
            """;
    }

    /// <summary>The first whole hour at or after <paramref name="time"/>, as a <c>DateTime</c> literal.</summary>
    public static string HourCeiling(DateTimeOffset time) => HourLiteral((time.ToUnixTimeSeconds() + 3599) / 3600 * 3600);

    private static string HourFloor(DateTimeOffset time) => HourLiteral(time.ToUnixTimeSeconds() / 3600 * 3600);

    // The range's end is exclusive at whole seconds; a fractional end includes its second (as ApiSql.Between does).
    private static DateTimeOffset EndExclusive(DateTimeOffset to) => to.ToUnixTimeMilliseconds() % 1000 == 0 ? to : to.AddSeconds(1);

    private static string HourLiteral(long seconds) => $"toDateTime({seconds.ToString(CultureInfo.InvariantCulture)})";
}

/// <summary>Column lists of <c>llm_calls</c> the reads select.</summary>
internal static class CallColumns
{
    /// <summary>What the aggregate sources need.</summary>
    public const string Aggregated =
        "Project, Timestamp, TraceId, SpanId, ServiceName, Environment, Provider, RequestModel, StatusCode, ErrorType, InputTokens, OutputTokens, " +
        "CacheReadTokens, ReasoningTokens, TotalTokens, CostUsd, Duration, TimeToFirstTokenMs";

    /// <summary>What a row of the calls table shows (no content).</summary>
    public const string Summary =
        "Project, Timestamp, StartTimeUnixNano, Duration, TraceId, SpanId, ParentSpanId, ServiceName, Environment, Operation, Provider, " +
        "RequestModel, ResponseModel, InputTokens, OutputTokens, CacheReadTokens, CacheWriteTokens, ReasoningTokens, TotalTokens, CostUsd, " +
        "Streaming, TimeToFirstTokenMs, ConversationId, UserId, Workload, AgentName, StatusCode, ErrorType, SourceFormat";
}

/// <summary>
/// Which optional parts of the schema the database has: the energy columns and rollup arrive with migration 9, and a
/// read may come before the start-up migration ran (or while another receiver runs it). Checked once a minute, so a
/// migration applied while the receiver runs is seen without a restart.
/// </summary>
internal sealed class StorageColumns(ClickHouseClient clickHouse)
{
    private static readonly TimeSpan s_recheck = TimeSpan.FromMinutes(1);
    private DateTime _checkedAt = DateTime.MinValue;

    /// <summary>Whether <c>llm_calls</c> has <c>EnergyWh</c>.</summary>
    public bool CallEnergy { get; private set; }

    /// <summary>Whether the energy rollup <c>llm_energy_1m</c> exists.</summary>
    public bool RollupEnergy { get; private set; }

    /// <summary>Refreshes what is known when it is older than a minute.</summary>
    public async Task<StorageColumns> RefreshAsync(CancellationToken ct)
    {
        if (DateTime.UtcNow - _checkedAt < s_recheck)
        {
            return this;
        }

        var rows = await clickHouse.QueryAsync(
            $"SELECT table, name FROM system.columns WHERE database = {SqlLiteral.Quote(clickHouse.Database)} AND table IN ('llm_calls', 'llm_energy_1m') AND name IN ('EnergyWh', 'EnergyWhSum')",
            "look up the energy columns",
            ct);
        CallEnergy = rows.Any(r => r[0] == "llm_calls" && r[1] == "EnergyWh");
        RollupEnergy = rows.Any(r => r[0] == "llm_energy_1m" && r[1] == "EnergyWhSum");
        _checkedAt = DateTime.UtcNow;
        return this;
    }
}
