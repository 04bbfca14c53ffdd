using System.Globalization;
using System.Text;
using System.Text.Json;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api.Read;

/// <summary>A position in a sorted list of calls: the last row of a page.</summary>
internal sealed record CallCursor(string Sort, string Order, string Value, string TraceId, string SpanId)
{
    public string Encode()
        => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Sort}|{Order}|{Value}|{TraceId}|{SpanId}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static CallCursor? Decode(string text)
    {
        try
        {
            var b64 = text.Replace('-', '+').Replace('_', '/');
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '='))).Split('|');
            return parts.Length == 5
                && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                && ApiIds.IsHexId(parts[3], 32) && ApiIds.IsHexId(parts[4], 16)
                ? new CallCursor(parts[0], parts[1], parts[2], parts[3], parts[4])
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// Reads of single calls and pages of calls from <c>llm_calls</c>. A page is found in two steps: the keys of the page
/// (sort value, trace and span id) over the range, reading only those columns, then the page's rows by primary key.
/// Pages continue from a cursor (keyset pagination), so calls stored while someone pages neither repeat nor shift rows.
/// </summary>
internal static class CallQueries
{
    private const string KeyColumns = "Project, Timestamp, TraceId, SpanId, StartTimeUnixNano, CostUsd, Duration, TotalTokens";

    public static async Task<(List<CallSummary> Items, string? Next)> ListAsync(
        ClickHouseClient client, StorageColumns columns, CallFilter f, string sort, bool descending, int limit, CallCursor? cursor, CancellationToken ct)
    {
        var sortValue = SortExpression(sort);
        var order = descending ? "DESC" : "ASC";
        var keyset = cursor is null ? null : Keyset(sortValue, descending, cursor);
        List<JsonElement> keys;
        if (sort == "time")
        {
            keys = await NewestFirstAsync(client, f, cursor, descending, limit, keyset, sortValue, order, ct);
        }
        else
        {
            keys = [];
            if (descending && cursor is null && sort is "cost" or "duration" && await ThresholdAsync(client, f, sort, limit, ct) is { } threshold)
            {
                // The (limit+1)-th largest hourly maximum: at least limit+1 calls of the range reach it, so when the
                // filtered calls also do, the top of the list is among them (docs/console.md, "How pages stay fast").
                keys = await KeysAsync(client, f, $"{sortValue} >= {threshold}", sortValue, order, limit, ct);
            }

            if (keys.Count <= limit)
            {
                keys = await KeysAsync(client, f, keyset, sortValue, order, limit, ct);
            }
        }

        var page = keys.Take(limit).ToList();
        var rows = await RowsAsync(client, columns, page, ct);
        var items = new List<CallSummary>(page.Count);
        foreach (var key in page)
        {
            if (rows.TryGetValue((key.GetProperty("TraceId").GetString()!, key.GetProperty("SpanId").GetString()!), out var row))
            {
                items.Add(Summary(row, columns.CallEnergy));
            }
        }

        string? next = null;
        if (keys.Count > limit && page.Count > 0)
        {
            var last = page[^1];
            next = new CallCursor(sort, descending ? "desc" : "asc", Text(last.GetProperty("SortValue")), last.GetProperty("TraceId").GetString()!, last.GetProperty("SpanId").GetString()!).Encode();
        }

        return (items, next);
    }

    /// <summary>The newest (or oldest) calls, found in windows growing from the range's end (start) until the page is full.</summary>
    private static async Task<List<JsonElement>> NewestFirstAsync(
        ClickHouseClient client, CallFilter f, CallCursor? cursor, bool descending, int limit, string? keyset, string sortValue, string order, CancellationToken ct)
    {
        var from = f.From;
        var to = f.To;
        if (cursor is not null)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds((long)(ulong.Parse(cursor.Value, CultureInfo.InvariantCulture) / 1_000_000));
            if (descending)
            {
                to = at < to ? at.AddSeconds(1) : to;
            }
            else
            {
                from = at > from ? DateTimeOffset.FromUnixTimeSeconds(at.ToUnixTimeSeconds()) : from;
            }
        }

        var window = TimeSpan.FromMinutes(15);
        while (true)
        {
            var lo = descending ? Max(from, to - window) : from;
            var hi = descending ? to : Min(to, from + window);
            var keys = await KeysAsync(client, f.Within(lo, hi), keyset, sortValue, order, limit, ct);
            if (keys.Count > limit || (lo <= from && hi >= to))
            {
                return keys;
            }

            window *= 8;
        }
    }

    private static async Task<List<JsonElement>> KeysAsync(ClickHouseClient client, CallFilter f, string? where, string sortValue, string order, int limit, CancellationToken ct)
    {
        var sql = $"""
            SELECT Project, Timestamp, TraceId, SpanId, {sortValue} AS SortValue
            FROM ({CallSources.Calls(f, KeyColumns, where)})
            ORDER BY SortValue {order}, TraceId {order}, SpanId {order}
            LIMIT 1 BY Project, TraceId, SpanId
            LIMIT {limit + 1}
            """;
        return [.. await client.QueryJsonAsync(sql, "find a page of calls", ct)];
    }

    /// <summary>The page's rows by primary key (project and second), newest revision of each.</summary>
    private static async Task<Dictionary<(string, string), JsonElement>> RowsAsync(ClickHouseClient client, StorageColumns columns, List<JsonElement> keys, CancellationToken ct)
    {
        var rows = new Dictionary<(string, string), JsonElement>();
        if (keys.Count == 0)
        {
            return rows;
        }

        var projects = string.Join(", ", keys.Select(k => k.GetProperty("Project").GetString()!).Distinct(StringComparer.Ordinal).Select(SqlLiteral.Quote));
        var seconds = string.Join(", ", keys.Select(k => $"toDateTime({SqlLiteral.Quote(k.GetProperty("Timestamp").GetString()!)}, 'UTC')").Distinct(StringComparer.Ordinal));
        var ids = string.Join(", ", keys.Select(k => $"({SqlLiteral.Quote(k.GetProperty("TraceId").GetString()!)}, {SqlLiteral.Quote(k.GetProperty("SpanId").GetString()!)})"));
        var sql = $"""
            SELECT {SummaryColumns(columns)}
            FROM llm_calls
            WHERE Project IN ({projects}) AND Timestamp IN ({seconds}) AND (TraceId, SpanId) IN ({ids})
            ORDER BY Revision DESC
            LIMIT 1 BY Project, TraceId, SpanId
            """;
        foreach (var row in await client.QueryJsonAsync(sql, "read a page of calls", ct))
        {
            rows.TryAdd((row.GetProperty("TraceId").GetString()!, row.GetProperty("SpanId").GetString()!), row);
        }

        return rows;
    }

    /// <summary>The (limit+1)-th largest hourly maximum of the sort value over the range's whole hours, if there are that many.</summary>
    private static async Task<string?> ThresholdAsync(ClickHouseClient client, CallFilter f, string sort, int limit, CancellationToken ct)
    {
        var state = sort == "cost" ? "MaxCostUsd" : "MaxDuration";
        var end = f.To.ToUnixTimeSeconds() / 3600 * 3600;
        var sql = $"""
            SELECT toString(Maximum)
            FROM
            (
                SELECT maxMerge({state}) AS Maximum
                FROM llm_maxima_1h
                WHERE Hour >= {CallSources.HourCeiling(f.From)} AND Hour < toDateTime({end.ToString(CultureInfo.InvariantCulture)}) AND {f.RollupWhere(withStatus: false)}
                GROUP BY Project, Hour, ServiceName, Environment, Provider, RequestModel
            )
            ORDER BY Maximum DESC
            LIMIT 1 OFFSET {limit}
            """;
        var value = await client.ScalarAsync(sql, "find the page's lower bound", ct);
        return value.Length > 0 && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 ? ApiSql.Number(d) : null;
    }

    /// <summary>Rows after <paramref name="cursor"/> in the sort order (sort value, then trace id, then span id).</summary>
    private static string Keyset(string sortValue, bool descending, CallCursor cursor)
    {
        var op = descending ? "<" : ">";
        var value = cursor.Sort == "time" || cursor.Sort == "duration" || cursor.Sort == "tokens"
            ? ulong.Parse(cursor.Value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)
            : ApiSql.Number(double.Parse(cursor.Value, CultureInfo.InvariantCulture));
        var trace = SqlLiteral.Quote(cursor.TraceId);
        var span = SqlLiteral.Quote(cursor.SpanId);
        return $"({sortValue} {op} {value} OR ({sortValue} = {value} AND (TraceId {op} {trace} OR (TraceId = {trace} AND SpanId {op} {span}))))";
    }

    private static string SortExpression(string sort) => sort switch
    {
        "cost" => "ifNull(CostUsd, 0)",
        "duration" => "Duration",
        "tokens" => "TotalTokens",
        _ => "StartTimeUnixNano",
    };

    public static string SummaryColumns(StorageColumns columns) => columns.CallEnergy ? CallColumns.Summary + ", EnergyWh" : CallColumns.Summary;

    /// <summary>A <see cref="CallSummary"/> from a row with <see cref="CallColumns.Summary"/>.</summary>
    public static CallSummary Summary(JsonElement r, bool energy)
    {
        var nanos = ulong.Parse(Text(r.GetProperty("StartTimeUnixNano")), CultureInfo.InvariantCulture);
        return new CallSummary(
            r.GetProperty("TraceId").GetString()!,
            r.GetProperty("SpanId").GetString()!,
            ApiSql.Text(r.GetProperty("ParentSpanId")),
            TraceQueries.Nanos(nanos),
            r.GetProperty("Project").GetString()!,
            ApiSql.Text(r.GetProperty("ServiceName")),
            ApiSql.Text(r.GetProperty("Environment")),
            ApiSql.Text(r.GetProperty("Operation")),
            ApiSql.Text(r.GetProperty("Provider")),
            r.GetProperty("RequestModel").GetString()!,
            ApiSql.Text(r.GetProperty("ResponseModel")),
            ApiSql.Long(r.GetProperty("InputTokens")),
            ApiSql.Long(r.GetProperty("OutputTokens")),
            ApiSql.Long(r.GetProperty("CacheReadTokens")),
            ApiSql.Long(r.GetProperty("CacheWriteTokens")),
            ApiSql.Long(r.GetProperty("ReasoningTokens")),
            ApiSql.Long(r.GetProperty("TotalTokens")),
            ApiSql.NullableDouble(r.GetProperty("CostUsd")),
            energy ? ApiSql.NullableDouble(r.GetProperty("EnergyWh")) : null,
            ApiSql.Double(r.GetProperty("Duration")) / 1e6,
            ApiSql.Long(r.GetProperty("Streaming")) == 1,
            ApiSql.NullableDouble(r.GetProperty("TimeToFirstTokenMs")),
            ApiSql.Text(r.GetProperty("ConversationId")),
            ApiSql.Text(r.GetProperty("UserId")),
            ApiSql.Text(r.GetProperty("Workload")),
            ApiSql.Text(r.GetProperty("AgentName")),
            r.GetProperty("StatusCode").GetString()!,
            ApiSql.Text(r.GetProperty("ErrorType")),
            ApiSql.Text(r.GetProperty("SourceFormat")));
    }

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
