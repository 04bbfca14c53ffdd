using System.Globalization;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Api.Alerts;

/// <summary>A rule's value over its window. <see cref="Value"/> is <see langword="null"/> when the window has nothing to compute it from.</summary>
internal readonly record struct AlertMeasurement(double? Value, long Calls, DateTimeOffset WindowStart, DateTimeOffset WindowEnd);

/// <summary>
/// Computes a rule's value from the minute rollups, as the dashboards read them: <c>llm_calls_1m</c> for calls, errors,
/// tokens and cost, <c>llm_latency_1m</c> (t-digest states) for the 95th percentile. The window is the rule's number of
/// whole minutes ending with the current one, so a call counts as soon as it is stored.
/// </summary>
internal static class AlertConditions
{
    public static (DateTimeOffset Start, DateTimeOffset BucketEnd) Window(uint windowMinutes, DateTimeOffset now)
    {
        var minute = now.ToUnixTimeSeconds() / 60 * 60;
        var bucketEnd = DateTimeOffset.FromUnixTimeSeconds(minute + 60);
        return (bucketEnd.AddMinutes(-windowMinutes), bucketEnd);
    }

    public static async Task<AlertMeasurement> MeasureAsync(ClickHouseClient client, AlertRuleRow rule, DateTimeOffset now, CancellationToken ct)
    {
        var (start, end) = Window(rule.WindowMinutes, now);
        var previous = start.AddMinutes(-rule.WindowMinutes);
        var filters = Filters(rule);
        var s = Seconds(start);
        var row = (await client.QueryAsync(
            $"""
            SELECT sumIf(Calls, Timestamp >= toDateTime({s})), sumIf(Errors, Timestamp >= toDateTime({s})),
                   sumIf(TotalTokensSum, Timestamp >= toDateTime({s})), sumIf(TotalTokensSum, Timestamp < toDateTime({s})),
                   sumIf(CostUsdSum, Timestamp >= toDateTime({s}))
            FROM llm_calls_1m
            WHERE {filters} AND Timestamp >= toDateTime({Seconds(previous)}) AND Timestamp < toDateTime({Seconds(end)})
            """,
            $"evaluate alert rule {rule.RuleId}",
            ct))[0];
        var calls = long.Parse(row[0], CultureInfo.InvariantCulture);
        var errors = long.Parse(row[1], CultureInfo.InvariantCulture);
        var tokens = double.Parse(row[2], CultureInfo.InvariantCulture);
        var previousTokens = double.Parse(row[3], CultureInfo.InvariantCulture);
        var cost = double.Parse(row[4], CultureInfo.InvariantCulture);
        double? value = rule.Kind switch
        {
            AlertKinds.ErrorRate => calls > 0 ? 100.0 * errors / calls : null,
            AlertKinds.TokenSpike => previousTokens > 0 ? tokens / previousTokens : null,
            AlertKinds.Cost => cost,
            AlertKinds.LatencyP95 when calls > 0 => await P95Async(client, rule, filters, start, end, ct),
            _ => null,
        };
        return new AlertMeasurement(value, calls, start, now);
    }

    private static async Task<double?> P95Async(ClickHouseClient client, AlertRuleRow rule, string filters, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var text = await client.ScalarAsync(
            $"""
            SELECT quantilesTDigestMerge(0.5, 0.95, 0.99)(DurationQuantiles)[2] / 1000000
            FROM llm_latency_1m
            WHERE {filters} AND Timestamp >= toDateTime({Seconds(start)}) AND Timestamp < toDateTime({Seconds(end)})
            """,
            $"evaluate alert rule {rule.RuleId} (p95 latency)",
            ct);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var p95) && double.IsFinite(p95) ? p95 : null;
    }

    private static string Filters(AlertRuleRow rule)
        => $"Project = {SqlLiteral.Quote(rule.Project)} AND {ApiSql.Equal("ServiceName", rule.FilterService)} AND {ApiSql.Equal("Environment", rule.FilterEnvironment)} " +
           $"AND {ApiSql.Equal("Provider", rule.FilterProvider)} AND {ApiSql.Equal("RequestModel", rule.FilterModel)}";

    private static string Seconds(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
