using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api.Read;

/// <summary><c>/api/v1/sessions</c> and <c>/api/v1/users</c> (scope <c>read</c>): lists with totals, and one with its calls in order.</summary>
internal static class ConversationEndpoints
{
    /// <summary>One session or user is looked for over this range when <c>from</c> is not given.</summary>
    public static readonly TimeSpan DetailRange = TimeSpan.FromDays(30);

    public static Task<ApiResult> SessionsAsync(HttpContext context, ClickHouseClient clickHouse, string? project, string? limit)
        => ListAsync(context, clickHouse, project, limit, ConversationQueries.SessionsAsync);

    public static Task<ApiResult> UsersAsync(HttpContext context, ClickHouseClient clickHouse, string? project, string? limit)
        => ListAsync(context, clickHouse, project, limit, ConversationQueries.UsersAsync);

    public static Task<ApiResult> SessionAsync(HttpContext context, ClickHouseClient clickHouse, StorageColumns columns, string sessionId, string? project)
        => DetailAsync(context, clickHouse, columns, sessionId, project, session: true);

    public static Task<ApiResult> UserAsync(HttpContext context, ClickHouseClient clickHouse, StorageColumns columns, string userId, string? project)
        => DetailAsync(context, clickHouse, columns, userId, project, session: false);

    private static async Task<ApiResult> ListAsync(
        HttpContext context,
        ClickHouseClient clickHouse,
        string? project,
        string? limit,
        Func<ClickHouseClient, CallFilter, int, CancellationToken, Task<(List<ConversationTotals> Items, bool Truncated)>> list)
    {
        var query = new ApiQuery(new ApiErrors());
        var f = CallFilter.Read(query, context.Request, context.ApiCaller().ReadableProject(project), OverviewEndpoints.DefaultRange);
        var max = query.Int("limit", limit, 100, 1, 1000);
        query.Errors.ThrowIfAny();
        var (items, truncated) = await list(clickHouse, f, max, context.RequestAborted);
        return ApiResult.Ok(new ConversationList(items, truncated));
    }

    private static async Task<ApiResult> DetailAsync(HttpContext context, ClickHouseClient clickHouse, StorageColumns columns, string id, string? project, bool session)
    {
        var query = new ApiQuery(new ApiErrors());
        var name = session ? "sessionId" : "userId";
        if (id.Length is 0 or > 256)
        {
            query.Errors.Add(null, name, "Must be 1 to 256 characters.");
        }

        var f = CallFilter.Read(query, context.Request, context.ApiCaller().ReadableProject(project), DetailRange);
        query.Errors.ThrowIfAny();
        f = session ? f with { SessionId = id } : f with { UserId = id };
        await columns.RefreshAsync(context.RequestAborted);
        var detail = await ConversationQueries.DetailAsync(clickHouse, columns, f, session, context.RequestAborted);
        return detail is null
            ? ApiResult.Failure(ApiFailure.NotFound, $"No call of {(session ? "session" : "user")} '{id}' between {ApiTime.Format(f.From)} and {ApiTime.Format(f.To)}.")
            : ApiResult.Ok(detail);
    }
}
