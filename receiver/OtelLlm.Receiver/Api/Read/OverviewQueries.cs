using System.Globalization;
using System.Text.Json;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api.Read;

/// <summary>The dimensions overview reads group by, and the column of each.</summary>
internal static class Dimensions
{
    public static readonly string[] Names = ["model", "provider", "service", "environment", "project", "errorType", "status"];

    public static string Column(string name) => name switch
    {
        "model" => "RequestModel",
        "provider" => "Provider",
        "service" => "ServiceName",
        "environment" => "Environment",
        "project" => "Project",
        "errorType" => "ErrorType",
        "status" => "StatusCode",
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a dimension"),
    };

    /// <summary>Whether the latency rollups are keyed by the dimension.</summary>
    public static bool HasLatency(string name) => name is not ("errorType" or "status");
}

/// <summary>
/// Overview reads: totals, breakdowns and time series over <see cref="CallSources.Minutes"/> and latency
/// percentiles over <see cref="CallSources.Latency"/>, so they come from the rollups whenever the filter allows.
/// </summary>
internal static class OverviewQueries
{
    private const string Sums =
        "sum(Calls) AS Calls, sum(Errors) AS Errors, sum(InputTokensSum) AS InputTokens, sum(OutputTokensSum) AS OutputTokens, " +
        "sum(CacheReadTokensSum) AS CacheReadTokens, sum(ReasoningTokensSum) AS ReasoningTokens, sum(TotalTokensSum) AS TotalTokens, " +
        "sum(CostUsdSum) AS CostUsd, sum(EnergyWhSum) AS EnergyWh, sum(Co2eGramsSum) AS Co2eGrams, sum(DurationSum) AS DurationSum";

    private const string Digests =
        "quantilesTDigestMerge(0.5, 0.95, 0.99)(DurationQuantiles) AS Latency, quantilesTDigestMerge(0.5, 0.95, 0.99)(TimeToFirstTokenMsQuantiles) AS Ttft";

    public static async Task<OverviewFigures> FiguresAsync(ClickHouseClient client, StorageColumns columns, CallFilter f, CancellationToken ct)
    {
        var sums = client.QueryJsonAsync($"SELECT {Sums} FROM ({CallSources.Minutes(f, columns)})", "read the overview's totals", ct);
        var digests = client.QueryJsonAsync($"SELECT {Digests} FROM ({CallSources.Latency(f)})", "read the overview's latency", ct);
        await Task.WhenAll(sums, digests);
        var s = new SumsRow((await sums)[0], columns.CallEnergy);
        var d = (await digests)[0];
        return new OverviewFigures(
            s.Calls,
            s.Errors,
            s.ErrorRate,
            s.Long("InputTokens"),
            s.Long("OutputTokens"),
            s.Long("CacheReadTokens"),
            s.Long("ReasoningTokens"),
            s.Long("TotalTokens"),
            s.CostUsd,
            s.EnergyWh,
            s.Co2eGrams,
            s.AvgDurationMs,
            Quantiles(d.GetProperty("Latency"), 1e6),
            Quantiles(d.GetProperty("Ttft"), 1));
    }

    /// <summary>Totals per value of <paramref name="by"/>, highest cost first, at most <paramref name="limit"/>.</summary>
    public static async Task<List<BreakdownGroup>> BreakdownAsync(ClickHouseClient client, StorageColumns columns, CallFilter f, string by, int limit, CancellationToken ct)
    {
        var column = Dimensions.Column(by);
        var having = by == "errorType" ? "HAVING Errors > 0" : string.Empty;
        var order = by == "errorType" ? "Errors DESC, Key" : "CostUsd DESC, Calls DESC, Key";
        var sums = client.QueryJsonAsync(
            $"SELECT {column} AS Key, {Sums} FROM ({CallSources.Minutes(f, columns)}) GROUP BY Key {having} ORDER BY {order} LIMIT {limit}",
            $"read the calls per {by}",
            ct);
        Task<IReadOnlyList<JsonElement>>? digests = Dimensions.HasLatency(by)
            ? client.QueryJsonAsync($"SELECT {column} AS Key, {Digests} FROM ({CallSources.Latency(f)}) GROUP BY Key", $"read the latency per {by}", ct)
            : null;
        var latency = new Dictionary<string, Percentiles>(StringComparer.Ordinal);
        if (digests is not null)
        {
            foreach (var row in await digests)
            {
                latency[row.GetProperty("Key").GetString()!] = Quantiles(row.GetProperty("Latency"), 1e6);
            }
        }

        var groups = new List<BreakdownGroup>();
        foreach (var row in await sums)
        {
            var key = row.GetProperty("Key").GetString()!;
            var g = new SumsRow(row, columns.CallEnergy);
            groups.Add(new BreakdownGroup(
                key,
                g.Calls,
                g.Errors,
                g.ErrorRate,
                g.Long("InputTokens"),
                g.Long("OutputTokens"),
                g.Long("TotalTokens"),
                g.CostUsd,
                g.EnergyWh,
                g.Co2eGrams,
                g.AvgDurationMs,
                digests is null ? null : latency.GetValueOrDefault(key, new Percentiles(null, null, null))));
        }

        return groups;
    }

    /// <summary>Sums per time bucket, split by <paramref name="groupBy"/> (the 8 costliest groups and <c>(other)</c>).</summary>
    public static async Task<List<Series>> SeriesAsync(ClickHouseClient client, StorageColumns columns, CallFilter f, string groupBy, int step, CancellationToken ct)
    {
        var rows = await BucketsAsync(client, CallSources.Minutes(f, columns), groupBy, "sum(CostUsdSum) DESC, sum(Calls) DESC", Sums, step, "read the overview's series", ct);
        return Group(rows, row =>
        {
            var p = new SumsRow(row, columns.CallEnergy);
            return new SeriesPoint(Time(row), p.Calls, p.Errors, p.Long("InputTokens"), p.Long("OutputTokens"), p.Long("TotalTokens"), p.CostUsd, p.EnergyWh, p.AvgDurationMs);
        }).ConvertAll(g => new Series(g.Key, g.Points));
    }

    /// <summary>Latency percentiles per time bucket, split by <paramref name="groupBy"/> (the 8 groups with the most rollup rows).</summary>
    public static async Task<List<LatencySeries>> LatencySeriesAsync(ClickHouseClient client, CallFilter f, string groupBy, int step, CancellationToken ct)
    {
        var rows = await BucketsAsync(client, CallSources.Latency(f, hourly: step % 3600 == 0), groupBy, "count() DESC", Digests, step, "read the latency series", ct);
        return Group(rows, row => new LatencyPoint(Time(row), Quantiles(row.GetProperty("Latency"), 1e6), Quantiles(row.GetProperty("Ttft"), 1)))
            .ConvertAll(g => new LatencySeries(g.Key, g.Points));
    }

    // Rows of Time (the bucket's start in Unix seconds), Key and the aggregates, by key then time.
    private static Task<IReadOnlyList<JsonElement>> BucketsAsync(ClickHouseClient client, string source, string groupBy, string topOrder, string aggregates, int step, string purpose, CancellationToken ct)
        => client.QueryJsonAsync(
            $"""
            SELECT toUInt32(intDiv(toUInt32(Timestamp), {step}) * {step}) AS Time, {KeyExpression(groupBy, source, topOrder)} AS Key, {aggregates}
            FROM ({source})
            GROUP BY Time, Key
            ORDER BY Key, Time
            """,
            purpose,
            ct);

    /// <summary>The bucket width for a range: about 120 buckets, a whole number of minutes (hours from 2 days on).</summary>
    public static int AutoStep(TimeSpan range)
    {
        int[] steps = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
        var wanted = range.TotalSeconds / 120;
        foreach (var s in steps)
        {
            if (s >= wanted)
            {
                return s;
            }
        }

        return 86400;
    }

    /// <summary>Three quantiles from a <c>quantilesTDigestMerge</c> array; NaN (no values) becomes <see langword="null"/>.</summary>
    public static Percentiles Quantiles(JsonElement array, double divisor)
    {
        double? At(int i)
        {
            if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() <= i)
            {
                return null;
            }

            var e = array[i];
            return e.ValueKind == JsonValueKind.Number && e.GetDouble() is var d && double.IsFinite(d) ? d / divisor
                : e.ValueKind == JsonValueKind.String && double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && double.IsFinite(p) ? p / divisor
                : null;
        }

        return new Percentiles(At(0), At(1), At(2));
    }

    private static string KeyExpression(string groupBy, string source, string order)
    {
        if (groupBy == "none")
        {
            return "''";
        }

        var column = Dimensions.Column(groupBy);
        return $"if({column} IN (SELECT {column} FROM ({source}) GROUP BY {column} ORDER BY {order} LIMIT 8), {column}, '(other)')";
    }

    private static string Time(JsonElement row)
        => ApiTime.Format(DateTimeOffset.FromUnixTimeSeconds(ApiSql.Long(row.GetProperty("Time"))));

    private static List<(string Key, List<T> Points)> Group<T>(IReadOnlyList<JsonElement> rows, Func<JsonElement, T> point)
    {
        var groups = new List<(string Key, List<T> Points)>();
        foreach (var row in rows)
        {
            var key = row.GetProperty("Key").GetString()!;
            if (groups.Count == 0 || groups[^1].Key != key)
            {
                groups.Add((key, []));
            }

            groups[^1].Points.Add(point(row));
        }

        return groups;
    }

    /// <summary>A row with the columns of <see cref="Sums"/>, and what is worked out of them.</summary>
    private readonly struct SumsRow(JsonElement row, bool energy)
    {
        public long Calls => Long(nameof(Calls));

        public long Errors => Long(nameof(Errors));

        public double ErrorRate => Calls == 0 ? 0 : (double)Errors / Calls;

        public double CostUsd => ApiSql.Double(row.GetProperty(nameof(CostUsd)));

        public double? EnergyWh => energy ? ApiSql.Double(row.GetProperty(nameof(EnergyWh))) : null;

        public double? Co2eGrams => energy ? ApiSql.Double(row.GetProperty(nameof(Co2eGrams))) : null;

        public double? AvgDurationMs => Calls == 0 ? null : ApiSql.Double(row.GetProperty("DurationSum")) / Calls / 1e6;

        public long Long(string column) => ApiSql.Long(row.GetProperty(column));
    }
}
