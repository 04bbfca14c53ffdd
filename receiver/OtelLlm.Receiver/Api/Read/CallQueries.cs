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
/// Reads of pages of calls from <c>llm_calls</c>. A page is found in two steps: candidate rows of the range in the sort
/// order, reading only the key columns (ClickHouse keeps just the top rows while it sorts), then the newest revision
/// of each candidate by primary key (project and second). A later revision may change a call's cost or content, so
/// the candidates' newest revisions are checked against the filters and sorted again; every call ranked no later than
/// the last candidate row is known exactly, and when fewer than a page are, more candidates are read. Pages continue
/// from a cursor (keyset pagination), so calls stored while someone pages neither repeat nor shift rows.
/// </summary>
internal static class CallQueries
{
    private const string KeyColumns = "Project, Timestamp, TraceId, SpanId, StartTimeUnixNano, CostUsd, Duration, TotalTokens";

    public static async Task<(List<CallSummary> Items, string? Next)> ListAsync(
        ClickHouseClient client, StorageColumns columns, CallFilter f, string sort, bool descending, int limit, CallCursor? cursor, CancellationToken ct)
    {
        var order = new SortOrder(sort, descending);
        var keyset = cursor is null ? null : Keyset(order, cursor);
        List<JsonElement> rows;
        if (sort == "time")
        {
            rows = await NewestFirstAsync(client, columns, f, cursor, order, limit, keyset, ct);
        }
        else
        {
            rows = [];
            if (descending && cursor is null && sort is "cost" or "duration" && await ThresholdAsync(client, f, sort, limit, ct) is { } threshold)
            {
                // The (limit+1)-th largest hourly maximum: at least limit+1 calls of the range reach it, so when the
                // filtered calls also do, the top of the list is among them (docs/api.md, "Finding calls fast").
                rows = await PageAsync(client, columns, f, order, $"{order.Expression} >= {threshold}", limit, ct);
            }

            if (rows.Count <= limit)
            {
                rows = await PageAsync(client, columns, f, order, keyset, limit, ct);
            }
        }

        var page = rows.Take(limit).ToList();
        string? next = null;
        if (rows.Count > limit && page.Count > 0)
        {
            var last = page[^1];
            next = new CallCursor(sort, descending ? "desc" : "asc", Text(last.GetProperty("SortValue")), last.GetProperty("TraceId").GetString()!, last.GetProperty("SpanId").GetString()!).Encode();
        }

        return (ApiRows.ReadAll<CallSummary>(page), next);
    }

    /// <summary>The newest (or oldest) calls, found in windows growing from the range's end (start) until the page is full.</summary>
    private static async Task<List<JsonElement>> NewestFirstAsync(
        ClickHouseClient client, StorageColumns columns, CallFilter f, CallCursor? cursor, SortOrder order, int limit, string? keyset, CancellationToken ct)
    {
        var from = f.From;
        var to = f.To;
        if (cursor is not null)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds((long)(ulong.Parse(cursor.Value, CultureInfo.InvariantCulture) / 1_000_000));
            if (order.Descending)
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
            var lo = order.Descending ? Max(from, to - window) : from;
            var hi = order.Descending ? to : Min(to, from + window);
            var rows = await PageAsync(client, columns, f.Within(lo, hi), order, keyset, limit, ct);
            if (rows.Count > limit || (lo <= from && hi >= to))
            {
                return rows;
            }

            window *= 8;
        }
    }

    /// <summary>Up to <paramref name="limit"/>+1 calls in order, each its newest revision, exact (see the class summary).</summary>
    private static async Task<List<JsonElement>> PageAsync(ClickHouseClient client, StorageColumns columns, CallFilter f, SortOrder order, string? where, int limit, CancellationToken ct)
    {
        var direction = order.Descending ? "DESC" : "ASC";
        for (var candidates = (2 * (limit + 1)) + 16; ; candidates *= 8)
        {
            var keys = await client.QueryJsonAsync(
                $"""
                SELECT Project, Timestamp, TraceId, SpanId, {order.Expression} AS SortValue
                FROM llm_calls
                WHERE {f.TimeWhere()} AND {f.RollupWhere()} AND {f.StableWhere()} AND {f.RevisedWhere()}{(where is null ? string.Empty : " AND " + where)}
                ORDER BY SortValue {direction}, TraceId {direction}, SpanId {direction}
                LIMIT {candidates}
                """,
                "find a page of calls",
                ct);
            var newest = await NewestAsync(client, columns, f, order, where, keys, ct);

            // Calls outside the candidates rank after the last candidate row, so everything up to it is in its place.
            var complete = keys.Count < candidates;
            var known = complete ? newest : newest.Where(r => order.Compare(r, keys[^1]) <= 0).ToList();
            if (complete || known.Count > limit)
            {
                return [.. known.Take(limit + 1)];
            }
        }
    }

    /// <summary>The newest revision of each call in <paramref name="keys"/> that still matches, in the sort order.</summary>
    private static async Task<List<JsonElement>> NewestAsync(
        ClickHouseClient client, StorageColumns columns, CallFilter f, SortOrder order, string? where, IReadOnlyList<JsonElement> keys, CancellationToken ct)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        var projects = string.Join(", ", keys.Select(k => k.GetProperty("Project").GetString()!).Distinct(StringComparer.Ordinal).Select(SqlLiteral.Quote));
        var seconds = string.Join(", ", keys.Select(k => $"toDateTime({SqlLiteral.Quote(k.GetProperty("Timestamp").GetString()!)}, 'UTC')").Distinct(StringComparer.Ordinal));
        var ids = string.Join(", ", keys.Select(k => $"({SqlLiteral.Quote(k.GetProperty("TraceId").GetString()!)}, {SqlLiteral.Quote(k.GetProperty("SpanId").GetString()!)})").Distinct(StringComparer.Ordinal));
        var read = string.Join(", ", $"{SummaryColumns(columns)}, {f.RevisedColumns}".Split(',', StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal));
        var rows = await client.QueryJsonAsync(
            $"""
            SELECT {SummaryFields(columns)}, {order.Expression} AS SortValue
            FROM
            (
                SELECT {read}
                FROM llm_calls
                WHERE Project IN ({projects}) AND Timestamp IN ({seconds}) AND (TraceId, SpanId) IN ({ids})
                ORDER BY Revision DESC
                LIMIT 1 BY Project, TraceId, SpanId
            )
            WHERE {f.RevisedWhere()}{(where is null ? string.Empty : " AND " + where)}
            """,
            "read a page of calls",
            ct);
        var list = rows.ToList();
        list.Sort(order.Compare);
        return list;
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
    private static string Keyset(SortOrder order, CallCursor cursor)
    {
        var op = order.Descending ? "<" : ">";
        var value = order.Sort == "cost"
            ? ApiSql.Number(double.Parse(cursor.Value, CultureInfo.InvariantCulture))
            : ulong.Parse(cursor.Value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        var trace = SqlLiteral.Quote(cursor.TraceId);
        var span = SqlLiteral.Quote(cursor.SpanId);
        var sortValue = order.Expression;
        return $"({sortValue} {op} {value} OR ({sortValue} = {value} AND (TraceId {op} {trace} OR (TraceId = {trace} AND SpanId {op} {span}))))";
    }

    public static string SummaryColumns(StorageColumns columns) => columns.CallEnergy ? CallColumns.Summary + ", EnergyWh, Co2eGrams" : CallColumns.Summary;

    /// <summary>
    /// The fields of a <see cref="CallSummary"/> under its property names, selected from a source with
    /// <see cref="SummaryColumns"/> (in an outer query: <c>Timestamp</c> names the start time there).
    /// </summary>
    public static string SummaryFields(StorageColumns columns)
        => "TraceId, SpanId, ParentSpanId, " + ApiSql.IsoNanos("StartTimeUnixNano") + " AS Timestamp, Project, ServiceName AS Service, Environment, Operation, " +
            "Provider, RequestModel AS Model, ResponseModel, InputTokens, OutputTokens, CacheReadTokens, CacheWriteTokens, ReasoningTokens, TotalTokens, " +
            "CostUsd, " + (columns.CallEnergy ? "EnergyWh, Co2eGrams, " : string.Empty) + "Duration / 1e6 AS DurationMs, Streaming, TimeToFirstTokenMs, " +
            "ConversationId AS SessionId, UserId, Workload, AgentName, StatusCode AS Status, ErrorType, SourceFormat";

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

/// <summary>A sort key of the calls list and its direction; rows are ordered by it, then by trace id, then span id.</summary>
internal sealed record SortOrder(string Sort, bool Descending)
{
    public string Expression => Sort switch
    {
        "cost" => "ifNull(CostUsd, 0)",
        "duration" => "Duration",
        "tokens" => "TotalTokens",
        _ => "StartTimeUnixNano",
    };

    /// <summary>Negative when <paramref name="a"/> comes first (rows with <c>SortValue</c>, <c>TraceId</c>, <c>SpanId</c>).</summary>
    public int Compare(JsonElement a, JsonElement b)
    {
        var byValue = ApiSql.Double(a.GetProperty("SortValue")).CompareTo(ApiSql.Double(b.GetProperty("SortValue")));
        if (byValue == 0 && Sort != "cost")
        {
            // 64-bit integers (nanoseconds) lose digits as doubles.
            byValue = ulong.Parse(a.GetProperty("SortValue").GetString()!, CultureInfo.InvariantCulture).CompareTo(ulong.Parse(b.GetProperty("SortValue").GetString()!, CultureInfo.InvariantCulture));
        }

        if (byValue == 0)
        {
            byValue = string.CompareOrdinal(a.GetProperty("TraceId").GetString(), b.GetProperty("TraceId").GetString());
        }

        if (byValue == 0)
        {
            byValue = string.CompareOrdinal(a.GetProperty("SpanId").GetString(), b.GetProperty("SpanId").GetString());
        }

        return Descending ? -byValue : byValue;
    }
}
