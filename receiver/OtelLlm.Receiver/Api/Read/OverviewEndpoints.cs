using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api.Read;

/// <summary>
/// <c>/api/v1/overview</c> (scope <c>read</c>): totals, breakdowns and time series of the calls a filter covers, from
/// the rollups whenever the filter is on their keys.
/// </summary>
internal static class OverviewEndpoints
{
    /// <summary>The range when <c>from</c> is not given.</summary>
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(24);

    private static readonly string[] s_groupBy = ["none", "model", "provider", "service", "environment", "project"];

    public static async Task<ApiResult> OverviewAsync(HttpContext context, ClickHouseClient clickHouse, StorageColumns columns, string? project)
    {
        var f = ReadFilter(context, project);
        await columns.RefreshAsync(context.RequestAborted);
        var figures = OverviewQueries.FiguresAsync(clickHouse, columns, f, context.RequestAborted);
        var models = OverviewQueries.BreakdownAsync(clickHouse, columns, f, "model", 10, context.RequestAborted);
        var errors = OverviewQueries.BreakdownAsync(clickHouse, columns, f, "errorType", 20, context.RequestAborted);
        await Task.WhenAll(figures, models, errors);
        return ApiResult.Ok(new Overview(ApiTime.Format(f.From), ApiTime.Format(f.To), await figures, await models, await errors));
    }

    public static async Task<ApiResult> BreakdownAsync(HttpContext context, ClickHouseClient clickHouse, StorageColumns columns, string? project, string? by, string? limit)
    {
        var query = new ApiQuery(new ApiErrors());
        var dimension = query.OneOf("by", by, "model", Dimensions.Names);
        var max = query.Int("limit", limit, 100, 1, 1000);
        var f = CallFilter.Read(query, context.Request, context.ApiCaller().ReadableProject(project), DefaultRange);
        query.Errors.ThrowIfAny();
        await columns.RefreshAsync(context.RequestAborted);
        return ApiResult.Ok(new Breakdown(dimension, await OverviewQueries.BreakdownAsync(clickHouse, columns, f, dimension, max, context.RequestAborted)));
    }

    public static async Task<ApiResult> SeriesAsync(HttpContext context, ClickHouseClient clickHouse, StorageColumns columns, string? project, string? groupBy, string? step)
    {
        var query = new ApiQuery(new ApiErrors());
        var group = query.OneOf("groupBy", groupBy, "none", s_groupBy);
        var f = CallFilter.Read(query, context.Request, context.ApiCaller().ReadableProject(project), DefaultRange);
        var seconds = Step(query, step, f);
        query.Errors.ThrowIfAny();
        await columns.RefreshAsync(context.RequestAborted);
        var series = await OverviewQueries.SeriesAsync(clickHouse, columns, f, group, seconds, context.RequestAborted);
        return ApiResult.Ok(new SeriesSet(ApiTime.Format(f.From), ApiTime.Format(f.To), seconds, group, series));
    }

    public static async Task<ApiResult> LatencyAsync(HttpContext context, ClickHouseClient clickHouse, string? project, string? groupBy, string? step)
    {
        var query = new ApiQuery(new ApiErrors());
        var group = query.OneOf("groupBy", groupBy, "none", s_groupBy);
        var f = CallFilter.Read(query, context.Request, context.ApiCaller().ReadableProject(project), DefaultRange);
        var seconds = Step(query, step, f);
        query.Errors.ThrowIfAny();
        var series = await OverviewQueries.LatencySeriesAsync(clickHouse, f, group, seconds, context.RequestAborted);
        return ApiResult.Ok(new LatencySeriesSet(ApiTime.Format(f.From), ApiTime.Format(f.To), seconds, group, series));
    }

    private static CallFilter ReadFilter(HttpContext context, string? project)
    {
        var query = new ApiQuery(new ApiErrors());
        var f = CallFilter.Read(query, context.Request, context.ApiCaller().ReadableProject(project), DefaultRange);
        query.Errors.ThrowIfAny();
        return f;
    }

    // Buckets are whole minutes (the rollups' resolution), at most 2,000 of them.
    private static int Step(ApiQuery query, string? step, CallFilter f)
    {
        var auto = OverviewQueries.AutoStep(f.To - f.From);
        if (string.IsNullOrEmpty(step) || step == "auto")
        {
            return auto;
        }

        var seconds = query.Int("step", step, auto, 60, 31 * 86400);
        if (seconds % 60 != 0)
        {
            query.Errors.Add(null, "step", $"'{step}' is not a whole number of minutes in seconds (60, 300, 3600…).");
        }
        else if ((f.To - f.From).TotalSeconds / seconds > 2000)
        {
            query.Errors.Add(null, "step", $"A step of {seconds} s gives more than 2,000 buckets over this range; use a larger one.");
        }

        return seconds;
    }
}
