using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api.Export;

/// <summary>
/// <c>/api/v1/export</c> (scope <c>read</c>): calls as CSV, a JSON array or JSON Lines, and OpenAI chat fine-tuning
/// JSONL. Both stream: rows go from ClickHouse to the client as they are read, one day of calls at a time
/// (<see cref="DailyFinalReader"/>), in constant memory however many there are. Everything that can be refused is checked, and the query started, before the first byte is sent; a failure
/// after that ends the response without its last chunk, so a client never takes a cut-off export for a whole one.
/// </summary>
internal static class ExportEndpoints
{
    private const int FlushBytes = 64 * 1024;

    private static readonly string[] s_formats = ["csv", "json", "jsonl"];

    public static async Task<ApiResult> CallsAsync(
        HttpContext context, ClickHouseClient clickHouse, string? format, string? from, string? to,
        string? project, string? service, string? model, string? provider, string? status, string? userId, string? workload, string? content, string? limit)
    {
        var query = new ApiQuery(new ApiErrors());
        var chosen = query.OneOf("format", format, "csv", s_formats);
        var range = query.Range(from, to, TimeSpan.FromDays(1));
        var state = query.OneOf("status", status, string.Empty, "ok", "error");
        var withContent = query.Bool("content", content, false);
        var max = string.IsNullOrEmpty(limit) ? 0 : query.Int("limit", limit, 0, 1, int.MaxValue);
        query.Errors.ThrowIfAny();

        var columns = CallExportColumns.For(withContent);
        var where = new StringBuilder(Where(context.ApiCaller().ReadableProject(project), range.From, range.To));
        where.Append(" AND ").Append(ApiSql.Equal("ServiceName", service));
        where.Append(" AND ").Append(ApiSql.Equal("Provider", string.IsNullOrEmpty(provider) ? null : ProviderNames.Normalize(provider) ?? provider));
        where.Append(" AND ").Append(ApiSql.Equal("UserId", userId));
        where.Append(" AND ").Append(ApiSql.Equal("Workload", workload));
        if (!string.IsNullOrEmpty(model))
        {
            where.Append($" AND (RequestModel = {SqlLiteral.Quote(model)} OR ResponseModel = {SqlLiteral.Quote(model)})");
        }

        if (state.Length > 0)
        {
            where.Append(state == "error" ? " AND StatusCode = 'Error'" : " AND StatusCode != 'Error'");
        }

        // FINAL keeps one row per call (its latest revision) while reading, without holding the keys seen; a day at a time.
        var reader = await DailyFinalReader.OpenAsync(clickHouse, string.Join(", ", columns.Select(c => c.Sql)), where.ToString(), "export calls", max, context.RequestAborted);
        var fileName = $"llm-calls-{range.From.UtcDateTime:yyyyMMdd'T'HHmmss}-{range.To.UtcDateTime:yyyyMMdd'T'HHmmss}.{chosen}";
        return ApiResult.Stream(ExportWriter.ContentType(chosen), fileName, async (body, ct) =>
        {
            await using (reader)
            {
                var pipe = PipeWriter.Create(body, new StreamPipeWriterOptions(leaveOpen: true));
                using var writer = ExportWriter.Create(chosen, pipe, columns);
                writer.Begin();
                while (await reader.ReadRowAsync(ct) is { } row)
                {
                    writer.Row(row);
                    if (pipe.UnflushedBytes >= FlushBytes)
                    {
                        await pipe.FlushAsync(ct);
                    }
                }

                writer.End();
                await pipe.CompleteAsync();
            }
        });
    }

    /// <summary>
    /// OpenAI chat fine-tuning JSONL from successful calls whose content was captured; identical examples are written
    /// once. 400 when no call in the range has content, saying how to turn capture on.
    /// </summary>
    public static async Task<ApiResult> FineTuneAsync(
        HttpContext context, ClickHouseClient clickHouse, string? from, string? to, string? project, string? workload, string? minFeedback, string? limit)
    {
        var query = new ApiQuery(new ApiErrors());
        var range = query.Range(from, to, TimeSpan.FromDays(7));
        var feedback = query.Double("minFeedback", minFeedback, double.MinValue, double.MaxValue);
        var max = string.IsNullOrEmpty(limit) ? 0 : query.Int("limit", limit, 0, 1, int.MaxValue);
        query.Errors.ThrowIfAny();

        var readable = context.ApiCaller().ReadableProject(project);
        var where = $"{Where(readable, range.From, range.To)} AND {ApiSql.Equal("Workload", workload)} AND StatusCode != 'Error' AND InputMessages != '' AND OutputMessages != ''";
        var found = await clickHouse.ScalarAsync($"SELECT count() FROM (SELECT 1 FROM llm_calls WHERE {where} LIMIT 1)", "look for calls with content", context.RequestAborted);
        if (found == "0")
        {
            throw new ApiException(
                ApiFailure.Invalid,
                $"No successful call from {ApiTime.Format(range.From)} to {ApiTime.Format(range.To)}{(string.IsNullOrEmpty(workload) ? string.Empty : $" of workload '{workload}'")} " +
                "has its content captured (InputMessages and OutputMessages are empty), so there is nothing to fine-tune on. Content capture is off by default: " +
                "turn it on in the application (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true, or UseOtelLlm(o => o.EnableSensitiveData = true) in .NET; " +
                "the ingest API stores input and output as sent), then export a range after that.",
                "from");
        }

        if (feedback is { } minimum)
        {
            // Calls whose feedback (each feedback id once), named by span id or response id, averages at least the minimum.
            string Rated(string column) => $"""
                SELECT TraceId, {column} FROM
                (
                    SELECT Project, FeedbackId, TraceId, SpanId, ResponseId, Value FROM llm_feedback
                    WHERE {ApiSql.Equal("Project", readable)} AND Timestamp >= {ApiSql.Time(range.From)} AND isNotNull(Value)
                    ORDER BY Timestamp LIMIT 1 BY Project, FeedbackId
                )
                WHERE {column} != '' GROUP BY TraceId, {column} HAVING avg(Value) >= {ApiSql.Number(minimum)}
                """;
            where += $" AND ((TraceId, SpanId) IN ({Rated("SpanId")}) OR (ResponseId != '' AND (TraceId, ResponseId) IN ({Rated("ResponseId")})))";
        }

        var reader = await DailyFinalReader.OpenAsync(clickHouse, "SystemInstructions, InputMessages, OutputMessages, ToolDefinitions", where, "export fine-tuning examples", limit: 0, context.RequestAborted);
        var fileName = $"finetune{(string.IsNullOrEmpty(workload) ? string.Empty : "-" + Safe(workload))}-{range.From.UtcDateTime:yyyyMMdd}-{range.To.UtcDateTime:yyyyMMdd}.jsonl";
        return ApiResult.Stream("application/x-ndjson; charset=utf-8", fileName, async (body, ct) =>
        {
            await using (reader)
            {
                var pipe = PipeWriter.Create(body, new StreamPipeWriterOptions(leaveOpen: true));

                // 16 bytes of SHA-256 per distinct example: the memory a de-duplicated export needs grows with the examples
                // written, not with the calls read.
                var seen = new HashSet<UInt128>();
                var written = 0;
                while ((max == 0 || written < max) && await reader.ReadRowAsync(ct) is { } row)
                {
                    if (FineTuneExamples.Convert(row[0], row[1], row[2], row[3]) is not { } line
                        || !seen.Add(System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(SHA256.HashData(line))))
                    {
                        continue;
                    }

                    pipe.Write(line);
                    pipe.Write("\n"u8);
                    written++;
                    if (pipe.UnflushedBytes >= FlushBytes)
                    {
                        await pipe.FlushAsync(ct);
                    }
                }

                await pipe.CompleteAsync();
            }
        });
    }

    private static string Where(string? project, DateTimeOffset from, DateTimeOffset to)
        => $"{ApiSql.Equal("Project", project)} AND {ApiSql.Between("Timestamp", from, to)}";

    private static string Safe(string text) => new([.. text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').Take(64)]);
}
