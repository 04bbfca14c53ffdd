using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api.Read;

/// <summary><c>/api/v1/calls</c> and <c>/api/v1/traces</c> (scope <c>read</c>): pages of calls, one call, one trace.</summary>
internal static class CallEndpoints
{
    private static readonly string[] s_sorts = ["time", "cost", "duration", "tokens"];

    public static async Task<ApiResult> ListAsync(
        HttpContext context, ClickHouseClient clickHouse, StorageColumns columns, string? project, string? sort, string? order, string? limit, string? cursor)
    {
        var query = new ApiQuery(new ApiErrors());
        var f = CallFilter.Read(query, context.Request, context.ApiCaller().ReadableProject(project), OverviewEndpoints.DefaultRange);
        var by = query.OneOf("sort", sort, "time", s_sorts);
        var direction = query.OneOf("order", order, "desc", "desc", "asc");
        var max = query.Int("limit", limit, 50, 1, 500);
        CallCursor? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            after = CallCursor.Decode(cursor);
            if (after is null)
            {
                query.Errors.Add(null, "cursor", "Not a cursor this API gave: pass nextCursor from the previous page as it is.");
            }
            else if (after.Sort != by || after.Order != direction)
            {
                query.Errors.Add(null, "cursor", $"The cursor continues a list sorted by {after.Sort} {after.Order}, not {by} {direction}; keep the sort of the first page.");
            }
        }

        query.Errors.ThrowIfAny();
        await columns.RefreshAsync(context.RequestAborted);
        var (items, next) = await CallQueries.ListAsync(clickHouse, columns, f, by, direction == "desc", max, after, context.RequestAborted);
        return ApiResult.Ok(new CallPage(items, next, by, direction));
    }

    public static async Task<ApiResult> GetAsync(HttpContext context, ClickHouseClient clickHouse, StorageColumns columns, string traceId, string spanId, string? at, string? project)
    {
        var query = new ApiQuery(new ApiErrors());
        CheckTraceId(query, traceId);
        if (!ApiIds.IsHexId(spanId, 16) || spanId.Any(char.IsAsciiLetterUpper))
        {
            query.Errors.Add(null, "spanId", $"'{spanId}' is not a span id: 16 lowercase hex digits, not all zero.");
        }

        var time = query.Time("at", at);
        query.Errors.ThrowIfAny();
        var readable = context.ApiCaller().ReadableProject(project);
        await columns.RefreshAsync(context.RequestAborted);
        var call = await TraceQueries.CallAsync(clickHouse, columns, readable, traceId, spanId, time, context.RequestAborted);
        return call is null
            ? ApiResult.Failure(ApiFailure.NotFound, $"No call with trace id {traceId} and span id {spanId} is stored{(readable is null ? string.Empty : $" in project '{readable}'")}.")
            : ApiResult.Ok(call);
    }

    public static async Task<ApiResult> TraceAsync(HttpContext context, ClickHouseClient clickHouse, StorageColumns columns, string traceId, string? project)
    {
        var query = new ApiQuery(new ApiErrors());
        CheckTraceId(query, traceId);
        query.Errors.ThrowIfAny();
        var readable = context.ApiCaller().ReadableProject(project);
        await columns.RefreshAsync(context.RequestAborted);
        var trace = await TraceQueries.TraceAsync(clickHouse, columns, readable, traceId, context.RequestAborted);
        return trace is null
            ? ApiResult.Failure(ApiFailure.NotFound, $"No span of trace {traceId} is stored{(readable is null ? string.Empty : $" in project '{readable}'")}.")
            : ApiResult.Ok(trace);
    }

    private static void CheckTraceId(ApiQuery query, string traceId)
    {
        if (!ApiIds.IsHexId(traceId, 32) || traceId.Any(char.IsAsciiLetterUpper))
        {
            query.Errors.Add(null, "traceId", $"'{traceId}' is not a trace id: 32 lowercase hex digits, not all zero.");
        }
    }
}
