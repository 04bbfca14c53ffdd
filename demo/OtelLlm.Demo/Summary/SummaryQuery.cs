using System.Globalization;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Demo.Summary;

/// <summary>Which calls a summary covers.</summary>
internal sealed record SummaryFilter
{
    public string? Project { get; init; }

    /// <summary>Calls that started at most this long ago (by the server's clock). Ignored when <see cref="From"/> is set.</summary>
    public TimeSpan? Since { get; init; } = TimeSpan.FromHours(24);

    public DateTime? From { get; init; }

    public DateTime? To { get; init; }

    public string Describe()
    {
        var project = Project is null ? "all projects" : "project " + Project;
        var range = From is { } from
            ? $"from {from:yyyy-MM-dd HH:mm:ss} UTC" + (To is { } to ? $" to {to:yyyy-MM-dd HH:mm:ss} UTC" : string.Empty)
            : Since is { } since ? "last " + DurationText.Format(since) : "all time";
        return project + ", " + range;
    }
}

/// <summary>
/// One line of the summary: a model, or the totals (<see cref="Model"/> empty). <see cref="UnpricedCalls"/> are the calls
/// stored without a cost, because their model is in no price list; <see cref="UnestimatedCalls"/> those without an energy
/// estimate (docs/energy.md).
/// </summary>
internal sealed record SummaryLine(
    string Provider, string Model, long Calls, long Errors, double CostUsd, long InputTokens, long OutputTokens, double P95Ms, long UnpricedCalls = 0,
    double EnergyWh = 0, double Co2eGrams = 0, long UnestimatedCalls = 0)
{
    public double ErrorRate => Calls == 0 ? 0 : (double)Errors / Calls;

    public double UnpricedShare => Calls == 0 ? 0 : (double)UnpricedCalls / Calls;
}

internal sealed record SummaryReport(string Database, SummaryFilter Filter, IReadOnlyList<SummaryLine> Models, SummaryLine Total);

/// <summary>
/// Reads <c>llm_calls FINAL</c>, so a call stored twice or with a later content revision counts once. Only SQL that
/// ClickHouse 18.16 and modern servers both run: <c>quantileExact</c>, <c>countIf</c>, <c>ifNull</c>, <c>toDateTime(s, 'UTC')</c>.
/// </summary>
internal static class SummaryQuery
{
    public static async Task<SummaryReport> RunAsync(ClickHouseClient client, SummaryFilter filter, CancellationToken cancellationToken = default)
    {
        var table = SqlLiteral.Identifier(client.Database) + ".llm_calls";
        var where = Where(filter);
        const string Measures = """
            count() AS calls,
            countIf(StatusCode = 'Error') AS errors,
            sum(ifNull(CostUsd, 0)) AS cost_usd,
            sum(InputTokens) AS input_tokens,
            sum(OutputTokens) AS output_tokens,
            quantileExact(0.95)(Duration) / 1000000 AS p95_ms,
            countIf(isNull(CostUsd)) AS unpriced_calls,
            sum(ifNull(EnergyWh, 0)) AS energy_wh,
            sum(ifNull(Co2eGrams, 0)) AS co2e_g,
            countIf(isNull(EnergyWh)) AS unestimated_calls
            """;
        var byModel = await client.QueryAsync(
            $"""
            SELECT Provider, RequestModel, {Measures}
            FROM {table} FINAL
            WHERE {where}
            GROUP BY Provider, RequestModel
            ORDER BY cost_usd DESC, RequestModel
            """,
            "summarize LLM calls by model",
            cancellationToken);
        var total = await client.QueryAsync(
            $"""
            SELECT '', '', {Measures}
            FROM {table} FINAL
            WHERE {where}
            """,
            "summarize all LLM calls",
            cancellationToken);
        var models = byModel.Select(Parse).ToList();
        return new SummaryReport(client.Database, filter, models, total.Count > 0 ? Parse(total[0]) : new SummaryLine("", "", 0, 0, 0, 0, 0, 0));
    }

    /// <summary>Counts the calls the filter covers, for waiting until a run's rows are queryable.</summary>
    public static async Task<long> CountAsync(ClickHouseClient client, SummaryFilter filter, CancellationToken cancellationToken = default)
    {
        var text = await client.ScalarAsync(
            $"SELECT count() FROM {SqlLiteral.Identifier(client.Database)}.llm_calls FINAL WHERE {Where(filter)}",
            "count LLM calls",
            cancellationToken);
        return long.Parse(text, CultureInfo.InvariantCulture);
    }

    internal static string Where(SummaryFilter filter)
    {
        var conditions = new List<string>();
        if (filter.Project is { } project)
        {
            conditions.Add("Project = " + SqlLiteral.Quote(project));
        }

        if (filter.From is { } from)
        {
            conditions.Add($"Timestamp >= toDateTime({SqlLiteral.Quote(from.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))}, 'UTC')");
            if (filter.To is { } to)
            {
                conditions.Add($"Timestamp < toDateTime({SqlLiteral.Quote(to.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))}, 'UTC')");
            }
        }
        else if (filter.Since is { } since)
        {
            conditions.Add(string.Create(CultureInfo.InvariantCulture, $"Timestamp >= now() - INTERVAL {(long)Math.Ceiling(since.TotalSeconds)} SECOND"));
        }

        return conditions.Count == 0 ? "1" : string.Join(" AND ", conditions);
    }

    private static SummaryLine Parse(string[] row) => new(
        row[0],
        row[1],
        long.Parse(row[2], CultureInfo.InvariantCulture),
        long.Parse(row[3], CultureInfo.InvariantCulture),
        ParseDouble(row[4]),
        long.Parse(row[5], CultureInfo.InvariantCulture),
        long.Parse(row[6], CultureInfo.InvariantCulture),
        ParseDouble(row[7]),
        long.Parse(row[8], CultureInfo.InvariantCulture),
        ParseDouble(row[9]),
        ParseDouble(row[10]),
        long.Parse(row[11], CultureInfo.InvariantCulture));

    private static double ParseDouble(string text) => text switch
    {
        "nan" or "-nan" or "inf" or "-inf" or "" => 0,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}

/// <summary>Durations written as <c>90s</c>, <c>15m</c>, <c>1h</c>, <c>7d</c>.</summary>
internal static class DurationText
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (text.Length < 2 || !double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return false;
        }

        switch (text[^1])
        {
            case 's': value = TimeSpan.FromSeconds(amount); return true;
            case 'm': value = TimeSpan.FromMinutes(amount); return true;
            case 'h': value = TimeSpan.FromHours(amount); return true;
            case 'd': value = TimeSpan.FromDays(amount); return true;
            default: return false;
        }
    }

    public static string Format(TimeSpan value) =>
        value.TotalDays >= 1 && value.TotalDays == Math.Floor(value.TotalDays) ? $"{value.TotalDays:0}d"
        : value.TotalHours >= 1 && value.TotalHours == Math.Floor(value.TotalHours) ? $"{value.TotalHours:0}h"
        : value.TotalMinutes >= 1 && value.TotalMinutes == Math.Floor(value.TotalMinutes) ? $"{value.TotalMinutes:0}m"
        : $"{value.TotalSeconds:0}s";
}
