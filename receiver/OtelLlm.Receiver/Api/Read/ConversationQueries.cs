using System.Globalization;
using System.Text;
using System.Text.Json;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api.Read;

/// <summary>
/// Sessions (calls sharing <c>ConversationId</c>) and end users (<c>UserId</c>): lists with totals, and one session or
/// user with its calls in order. User totals come from <c>llm_users_1d</c> for the whole UTC days of the range and from
/// <c>llm_calls</c> for the partial days at its ends (the Users dashboard's method) when the filter is on project and
/// user only; otherwise, and for sessions, from <c>llm_calls</c>.
/// </summary>
internal static class ConversationQueries
{
    public const int MaxCalls = 1000;
    private const int PreviewChars = 2000;

    // Sessions are looked for among the range's latest calls with a session id, as the Sessions panel does.
    private const int SessionScanCalls = 20_000;

    private const string TotalsColumns = "Project, TraceId, SpanId, StartTimeUnixNano, ConversationId, UserId, RequestModel, StatusCode, InputTokens, OutputTokens, TotalTokens, CostUsd, Duration";

    public static async Task<(List<ConversationTotals> Items, bool Truncated)> SessionsAsync(ClickHouseClient client, CallFilter f, int limit, CancellationToken ct)
    {
        var latest = $"""
            SELECT ConversationId FROM (
                SELECT ConversationId, Timestamp FROM ({CallSources.Calls(f, "Project, TraceId, SpanId, Timestamp, ConversationId", "ConversationId != ''")})
                ORDER BY Timestamp DESC LIMIT {SessionScanCalls})
            GROUP BY ConversationId ORDER BY max(Timestamp) DESC LIMIT {limit + 1}
            """;
        var rows = await client.QueryJsonAsync(
            $"""
            SELECT ConversationId AS Id, {Totals(users: true)}
            FROM ({CallSources.Calls(f, TotalsColumns, $"ConversationId IN ({latest})")})
            GROUP BY Id
            ORDER BY max(StartTimeUnixNano) DESC, Id
            """,
            "list sessions",
            ct);
        return ApiSql.Page(rows, limit, ApiRows.Read<ConversationTotals>);
    }

    public static async Task<(List<ConversationTotals> Items, bool Truncated)> UsersAsync(ClickHouseClient client, CallFilter f, int limit, CancellationToken ct)
    {
        var rows = await client.QueryJsonAsync(
            $"""
            SELECT UserId AS Id, sum(Calls) AS Calls, sum(Errors) AS Errors, sum(InputTokensSum) AS InputTokens, sum(OutputTokensSum) AS OutputTokens,
                   sum(TotalTokensSum) AS TotalTokens, sum(CostUsdSum) AS CostUsd, sum(DurationSum) / 1e6 AS DurationMs, uniqMerge(Sessions) AS Sessions,
                   {Time("toUInt64(toUnixTimestamp(minMerge(FirstSeen))) * 1000000000")} AS FirstCall,
                   {Time("toUInt64(toUnixTimestamp(maxMerge(LastSeen))) * 1000000000")} AS LastCall
            FROM ({UserDays(f)})
            GROUP BY Id
            ORDER BY CostUsd DESC, Calls DESC, Id
            LIMIT {limit + 1}
            """,
            "list users",
            ct);
        return ApiSql.Page(rows, limit, ApiRows.Read<ConversationTotals>);
    }

    /// <summary>A session's calls from its first, or a user's latest calls, in the order they started, with totals.</summary>
    public static async Task<ConversationDetail?> DetailAsync(ClickHouseClient client, StorageColumns columns, CallFilter f, bool session, CancellationToken ct)
    {
        var id = session ? f.SessionId! : f.UserId!;
        var sessions = session ? string.Empty : ", uniq(ConversationId) AS Sessions";
        var totalsTask = client.QueryJsonAsync($"SELECT {SqlLiteral.Quote(id)} AS Id, {Totals(users: session)}{sessions} FROM ({CallSources.Calls(f, TotalsColumns)})", "total the calls", ct);

        // A session is read from its start; a user's history from its latest calls (then put back in order).
        var order = session ? "ASC" : "DESC";
        var callsTask = client.QueryJsonAsync(
            $"""
            SELECT {CallQueries.SummaryFields(columns)}, InputMessages, OutputMessages
            FROM ({CallSources.Calls(f, CallQueries.SummaryColumns(columns) + ", InputMessages, OutputMessages")})
            ORDER BY StartTimeUnixNano {order}, TraceId {order}, SpanId {order}
            LIMIT {MaxCalls + 1}
            """,
            "read the calls in order",
            ct);
        await Task.WhenAll(totalsTask, callsTask);
        var totals = ApiRows.Read<ConversationTotals>((await totalsTask)[0]);
        if (totals.Calls == 0)
        {
            return null;
        }

        var calls = (await callsTask).Take(MaxCalls).Select(r => new ConversationCall(
            ApiRows.Read<CallSummary>(r),
            Preview(r.GetProperty("InputMessages").GetString(), lastUser: true),
            Preview(r.GetProperty("OutputMessages").GetString(), lastUser: false))).ToList();
        if (!session)
        {
            calls.Reverse();
        }

        return new ConversationDetail(totals, calls, (await callsTask).Count > MaxCalls);
    }

    /// <summary>Per-user rows with the columns of <c>llm_users_1d</c> (<c>AggregateFunction</c> states included) for the filter's range.</summary>
    private static string UserDays(CallFilter f)
    {
        const string raw =
            "UserId, count() AS Calls, countIf(StatusCode = 'Error') AS Errors, sum(InputTokens) AS InputTokensSum, sum(OutputTokens) AS OutputTokensSum, " +
            "sum(TotalTokens) AS TotalTokensSum, sum(ifNull(CostUsd, 0)) AS CostUsdSum, sum(Duration) AS DurationSum, uniqState(ConversationId) AS Sessions, " +
            "minState(Timestamp) AS FirstSeen, maxState(Timestamp) AS LastSeen";
        const string rawColumns = "Project, TraceId, SpanId, Timestamp, UserId, ConversationId, StatusCode, InputTokens, OutputTokens, TotalTokens, CostUsd, Duration";
        var byProjectAndUserOnly = f.RollupServed && f.Service is null && f.Environment is null && f.Provider is null && f.Model is null && f.Status is null && f.ErrorType is null;
        if (!byProjectAndUserOnly)
        {
            return $"SELECT {raw} FROM ({CallSources.Calls(f, rawColumns)}) GROUP BY UserId";
        }

        var firstDay = (f.From.ToUnixTimeSeconds() + 86399) / 86400 * 86400;
        var endDay = Math.Max(firstDay, f.To.ToUnixTimeSeconds() / 86400 * 86400);
        var first = $"toDateTime({firstDay.ToString(CultureInfo.InvariantCulture)})";
        var end = $"toDateTime({endDay.ToString(CultureInfo.InvariantCulture)})";
        var user = f.UserId is null ? "1" : $"UserId = {SqlLiteral.Quote(f.UserId)}";
        var project = f.Project is null ? "1" : $"Project = {SqlLiteral.Quote(f.Project)}";
        return $"""
            SELECT UserId, Calls, Errors, InputTokensSum, OutputTokensSum, TotalTokensSum, CostUsdSum, DurationSum, Sessions, FirstSeen, LastSeen
            FROM llm_users_1d
            WHERE Day >= {first} AND Day < {end} AND {project} AND {user}
            UNION ALL
            SELECT {raw}
            FROM ({CallSources.Calls(f, rawColumns, $"(Timestamp < {first} OR Timestamp >= {end})")})
            GROUP BY UserId
            """;
    }

    /// <summary>
    /// The <see cref="ConversationTotals"/> of calls, from their columns (<see cref="TotalsColumns"/>); the users only
    /// for a session.
    /// </summary>
    private static string Totals(bool users)
        => "count() AS Calls, countIf(StatusCode = 'Error') AS Errors, sum(InputTokens) AS InputTokens, sum(OutputTokens) AS OutputTokens, " +
            "sum(TotalTokens) AS TotalTokens, sum(ifNull(CostUsd, 0)) AS CostUsd, sum(Duration) / 1e6 AS DurationMs, " +
            $"{Time("min(StartTimeUnixNano)")} AS FirstCall, {Time("max(StartTimeUnixNano)")} AS LastCall, " +
            (users ? "arrayFilter(u -> u != '', arraySlice(groupUniqArray(UserId), 1, 10)) AS Users, " : string.Empty) +
            "arrayFilter(m -> m != '', arraySlice(groupUniqArray(RequestModel), 1, 10)) AS Models";

    /// <summary>SQL for a time in nanoseconds in ISO 8601, <c>NULL</c> for 0 (no calls).</summary>
    private static string Time(string nanos) => $"if({nanos} = 0, NULL, {ApiSql.IsoNanos(nanos)})";

    /// <summary>The text parts of the last user message (or of every output message), up to <see cref="PreviewChars"/>.</summary>
    public static string? Preview(string? messages, bool lastUser)
    {
        if (string.IsNullOrEmpty(messages))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(messages);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var text = new StringBuilder();
            foreach (var message in doc.RootElement.EnumerateArray())
            {
                if (message.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (lastUser)
                {
                    if (!message.TryGetProperty("role", out var role) || role.GetString() != "user")
                    {
                        continue;
                    }

                    text.Clear();
                }

                if (message.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
                {
                    foreach (var part in parts.EnumerateArray())
                    {
                        if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var type) && type.GetString() == "text"
                            && part.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                        {
                            text.Append(text.Length > 0 ? "\n" : string.Empty).Append(content.GetString());
                        }
                    }
                }
            }

            return text.Length == 0 ? null : text.Length > PreviewChars ? text.ToString(0, PreviewChars) + "…" : text.ToString();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
