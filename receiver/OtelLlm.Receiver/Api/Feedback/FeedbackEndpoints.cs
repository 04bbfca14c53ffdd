using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Api.Feedback;

/// <summary><c>/api/v1/feedback</c>: add feedback (scope <c>feedback</c>), list it with its call and summarize it (scope <c>read</c>).</summary>
internal static class FeedbackEndpoints
{
    private const int MaxNameLength = 128;
    private static readonly string[] s_sources = ["user", "api", "eval"];

    /// <summary>
    /// Stores one object or an array of them. Every item is checked first and a request with any error stores
    /// nothing; ids already stored for the project (or repeated in the request) are skipped, so a retried request
    /// is stored once. All new items go to ClickHouse in one insert before the answer.
    /// </summary>
    public static async Task<ApiResult> PostAsync(HttpContext context, ClickHouseClient clickHouse, IOptions<ApiOptions> options)
    {
        var caller = context.ApiCaller();
        var limits = options.Value;
        using var body = await ApiBody.ReadAsync(context, limits.MaxBodyBytes);
        var errors = new ApiErrors();
        var items = ApiBatch.Items(body.Root, null, limits.MaxFeedbackItems, errors);
        var rows = new List<FeedbackRow>(items.Count);
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        for (var i = 0; i < items.Count; i++)
        {
            if (Read(new JsonItem(items[i], i, errors), caller.Project, now) is { } row)
            {
                rows.Add(row);
            }
        }

        errors.ThrowIfAny();

        var ids = rows.ConvertAll(r => r.FeedbackId);
        var stored = await FeedbackQueries.ExistingIdsAsync(clickHouse, caller.Project, ids, context.RequestAborted);
        using var writer = new RowBinaryWriter(4096);
        var fresh = 0;
        foreach (var row in rows)
        {
            // HashSet.Add is false for an id stored before or seen earlier in this request.
            if (stored.Add(row.FeedbackId))
            {
                row.Write(writer);
                fresh++;
            }
        }

        if (fresh > 0)
        {
            await clickHouse.InsertRowBinaryAsync(FeedbackRow.Table, FeedbackRow.Columns, writer.WrittenMemory, "store feedback", context.RequestAborted);
        }

        var answer = new FeedbackAccepted(fresh, rows.Count - fresh, ids);
        return fresh > 0 ? ApiResult.Created(answer) : ApiResult.Ok(answer);
    }

    /// <summary>Feedback in a time range, newest first, joined with the call it is about.</summary>
    public static async Task<ApiResult> ListAsync(
        HttpContext context, ClickHouseClient clickHouse, string? from, string? to, string? name, string? model, string? workload, string? project, string? limit)
    {
        var query = new ApiQuery(new ApiErrors());
        var range = query.Range(from, to, TimeSpan.FromDays(7));
        var max = query.Int("limit", limit, 100, 1, 10_000);
        query.Errors.ThrowIfAny();
        var filter = new FeedbackFilter(context.ApiCaller().ReadableProject(project), range.From, range.To, name, model, workload);
        var (items, truncated) = await FeedbackQueries.ListAsync(clickHouse, filter, max, context.RequestAborted);
        return ApiResult.Ok(new FeedbackPage(items, truncated));
    }

    /// <summary>Count, mean and positive rate per feedback name and model, workload or service.</summary>
    public static async Task<ApiResult> SummaryAsync(
        HttpContext context, ClickHouseClient clickHouse, string? from, string? to, string? groupBy, string? name, string? project, string? positiveAbove)
    {
        var query = new ApiQuery(new ApiErrors());
        var range = query.Range(from, to, TimeSpan.FromDays(7));
        var group = query.OneOf("groupBy", groupBy, "model", "model", "workload", "service");
        var threshold = query.Double("positiveAbove", positiveAbove, double.MinValue, double.MaxValue) ?? 0;
        query.Errors.ThrowIfAny();
        var filter = new FeedbackFilter(context.ApiCaller().ReadableProject(project), range.From, range.To, name, null, null);
        var groups = await FeedbackQueries.SummaryAsync(clickHouse, filter, group, threshold, context.RequestAborted);
        return ApiResult.Ok(new FeedbackSummary(group, groups));
    }

    private static FeedbackRow? Read(JsonItem item, string project, ulong now)
    {
        if (!item.IsObject)
        {
            return null;
        }

        var traceId = item.HexId("traceId", 32, required: true);
        var spanId = item.HexId("spanId", 16);
        var responseId = item.String("responseId", maxLength: 256);
        var name = item.String("name", maxLength: MaxNameLength) ?? "thumbs";
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-'))
        {
            item.Error("name", $"'{name}' is not a feedback name: use letters, digits and _ . : - (for example thumbs, helpfulness, eval.correctness).");
        }

        var value = item.Number("value");
        var stringValue = item.String("stringValue", maxLength: 1000);
        var comment = item.String("comment", maxLength: 10_000);
        var userId = item.String("userId", maxLength: 256);
        var source = item.OneOf("source", s_sources) ?? "api";
        var id = item.String("id", maxLength: 128);
        if (id is { Length: 0 })
        {
            item.Error("id", "Must not be empty; leave it out to have one generated.");
        }

        var metadata = item.StringMap("metadata", maxEntries: 64);
        item.RejectUnknown();

        if (value is null && stringValue is null && item.Value("value") is null)
        {
            item.Error("value", name == "thumbs" ? "Required: 1 for thumbs up, 0 for thumbs down." : "Required: a number (or give stringValue).");
        }
        else if (name == "thumbs" && value is { } v && v is not (0 or 1))
        {
            item.Error("value", $"Thumbs are 1 (up) or 0 (down), not {ApiSql.Number(v)}.");
        }

        if (traceId is null)
        {
            return null;
        }

        var attributes = new StoredKeyValueList();
        foreach (var (key, text) in metadata ?? [])
        {
            attributes.Add(key, text);
        }

        return new FeedbackRow
        {
            Project = project,
            TimeUnixSeconds = now,
            FeedbackId = id ?? Guid.NewGuid().ToString("N"),
            TraceId = traceId,
            SpanId = spanId ?? string.Empty,
            ResponseId = responseId ?? string.Empty,
            Name = name,
            Value = value,
            StringValue = stringValue ?? string.Empty,
            Comment = comment ?? string.Empty,
            Source = source,
            UserId = userId ?? string.Empty,
            Attributes = attributes,
        };
    }
}
