using System.Text;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api.Read;

/// <summary>
/// Which calls a read covers: a time range and the filters every read endpoint takes. <see cref="Project"/>
/// <see langword="null"/> means every project (a caller without keys). The rollups are keyed by project, service,
/// environment, provider, model and status, so a filter on only those (<see cref="RollupServed"/>) is answered from
/// them; any other filter (user, session, workload, text, cost or duration bounds) reads <c>llm_calls</c>.
/// </summary>
internal sealed record CallFilter(
    string? Project, DateTimeOffset From, DateTimeOffset To,
    string? Service = null, string? Environment = null, string? Provider = null, string? Model = null, string? Status = null, string? ErrorType = null,
    string? UserId = null, string? SessionId = null, string? Workload = null, string? Text = null,
    double? MinCostUsd = null, double? MaxCostUsd = null, double? MinDurationMs = null, double? MaxDurationMs = null)
{
    /// <summary>The longest range a read may cover.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(400);

    /// <summary>Whether the minute rollups answer for this filter (no filter on a column they do not keep).</summary>
    public bool RollupServed => UserId is null && SessionId is null && Workload is null && Text is null
        && MinCostUsd is null && MaxCostUsd is null && MinDurationMs is null && MaxDurationMs is null;

    /// <summary>Whether the latency rollups answer (they are not keyed by status or error type).</summary>
    public bool LatencyRollupServed => RollupServed && Status is null && ErrorType is null;

    /// <summary>
    /// Reads the range and every filter from the query string, adding every problem to <paramref name="query"/>'s
    /// errors; <paramref name="defaultSpan"/> is the range when <c>from</c> is absent.
    /// </summary>
    public static CallFilter Read(ApiQuery query, HttpRequest request, string? project, TimeSpan defaultSpan)
    {
        var q = request.Query;
        var (from, to) = query.Range(q["from"], q["to"], defaultSpan);
        if (to - from > MaxRange)
        {
            query.Errors.Add(null, "from", $"The range is longer than {MaxRange.TotalDays:0} days; narrow it.");
        }

        var minCost = query.Double("minCost", q["minCost"], 0, double.MaxValue);
        var maxCost = query.Double("maxCost", q["maxCost"], 0, double.MaxValue);
        var minDuration = query.Double("minDurationMs", q["minDurationMs"], 0, double.MaxValue);
        var maxDuration = query.Double("maxDurationMs", q["maxDurationMs"], 0, double.MaxValue);
        if (minCost > maxCost)
        {
            query.Errors.Add(null, "minCost", "'minCost' must not be above 'maxCost'.");
        }

        if (minDuration > maxDuration)
        {
            query.Errors.Add(null, "minDurationMs", "'minDurationMs' must not be above 'maxDurationMs'.");
        }

        var status = q["status"].ToString() is { Length: > 0 } s ? query.OneOf("status", s, "ok", "ok", "error") : null;
        var text = Optional(query, "q", q["q"], 200);
        if (text is { Length: > 0 and < 2 })
        {
            query.Errors.Add(null, "q", "Search for at least 2 characters.");
        }

        return new CallFilter(
            project,
            from,
            to,
            Optional(query, "service", q["service"]),
            Optional(query, "environment", q["environment"]),
            Optional(query, "provider", q["provider"]),
            Optional(query, "model", q["model"]),
            status,
            Optional(query, "errorType", q["errorType"]),
            Optional(query, "userId", q["userId"]),
            Optional(query, "sessionId", q["sessionId"]),
            Optional(query, "workload", q["workload"]),
            text,
            minCost,
            maxCost,
            minDuration,
            maxDuration);
    }

    /// <summary>
    /// The conditions on the rollups' key columns (no time), as SQL joined by <c>AND</c>; without
    /// <paramref name="withStatus"/> those on status and error type, which only the minute sums keep, are left out.
    /// </summary>
    public string RollupWhere(bool withStatus = true)
    {
        var sql = new StringBuilder();
        Append(sql, "Project", Project);
        Append(sql, "ServiceName", Service);
        Append(sql, "Environment", Environment);
        Append(sql, "Provider", Provider);
        Append(sql, "RequestModel", Model);
        if (withStatus && Status is not null)
        {
            sql.Append(Status == "error" ? " AND StatusCode = 'Error'" : " AND StatusCode != 'Error'");
        }

        if (withStatus)
        {
            Append(sql, "ErrorType", ErrorType);
        }

        return sql.Length == 0 ? "1" : sql.ToString(5, sql.Length - 5);
    }

    /// <summary>
    /// The conditions on <c>llm_calls</c> columns the rollups lack whose values every revision of a call shares (user,
    /// session, workload, duration: they come from the span), as SQL joined by <c>AND</c>.
    /// </summary>
    public string StableWhere()
    {
        var sql = new StringBuilder();
        Append(sql, "UserId", UserId);
        Append(sql, "ConversationId", SessionId);
        Append(sql, "Workload", Workload);
        Bound(sql, "Duration", ">=", MinDurationMs, 1e6);
        Bound(sql, "Duration", "<=", MaxDurationMs, 1e6);
        return sql.Length == 0 ? "1" : sql.ToString(5, sql.Length - 5);
    }

    /// <summary>
    /// The conditions on what a later revision of a call may change (the cost when re-priced, the content when it
    /// arrives after the span), as SQL joined by <c>AND</c>: they must hold for the call's newest revision.
    /// </summary>
    public string RevisedWhere()
    {
        var sql = new StringBuilder();
        if (Text is not null)
        {
            var needle = SqlLiteral.Quote(Text);
            sql.Append($" AND (positionCaseInsensitiveUTF8(InputMessages, {needle}) > 0 OR positionCaseInsensitiveUTF8(OutputMessages, {needle}) > 0 OR positionCaseInsensitiveUTF8(SystemInstructions, {needle}) > 0)");
        }

        Bound(sql, "ifNull(CostUsd, 0)", ">=", MinCostUsd, 1);
        Bound(sql, "ifNull(CostUsd, 0)", "<=", MaxCostUsd, 1);
        return sql.Length == 0 ? "1" : sql.ToString(5, sql.Length - 5);
    }

    /// <summary>The columns <see cref="RevisedWhere"/> reads.</summary>
    public string RevisedColumns => Text is null ? "CostUsd" : "CostUsd, InputMessages, OutputMessages, SystemInstructions";

    /// <summary>The range on <c>Timestamp</c> (a <c>DateTime</c>), whole seconds, the end's second included.</summary>
    public string TimeWhere(string column = "Timestamp") => ApiSql.Between(column, From, To);

    /// <summary>This filter with another time range.</summary>
    public CallFilter Within(DateTimeOffset from, DateTimeOffset to) => this with { From = from, To = to };

    private static void Append(StringBuilder sql, string column, string? value)
    {
        if (value is not null)
        {
            sql.Append($" AND {column} = {SqlLiteral.Quote(value)}");
        }
    }

    private static void Bound(StringBuilder sql, string column, string op, double? value, double scale)
    {
        if (value is { } v)
        {
            sql.Append($" AND {column} {op} {ApiSql.Number(v * scale)}");
        }
    }

    private static string? Optional(ApiQuery query, string name, string? value, int maxLength = 256)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value.Length > maxLength)
        {
            query.Errors.Add(null, name, $"Longer than {maxLength} characters.");
            return null;
        }

        return value;
    }
}
