using OtelLlm.Receiver.Normalization;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Receiver.Admission;
using OtelLlm.Receiver.Configuration;
using OtelLlm.Semantics.Pricing;

namespace OtelLlm.Receiver.Api.Ingest;

/// <summary>
/// Bulk ingest for applications without OpenTelemetry: <c>POST /api/v1/ingest/llm|logs|metrics</c> (scope
/// <c>ingest</c>). Every item of a batch is checked before anything is queued and a batch with any invalid item is
/// refused whole; a valid batch goes through the same pipeline as OTLP (same budget, durability and acknowledgement)
/// and is answered once it is stored.
/// </summary>
internal sealed class IngestEndpoints(TelemetryPipeline pipeline, RequestAdmission admission, IOptions<ApiOptions> api, IOptions<ReceiverOptions> receiver, IOptions<GenAiNormalizationOptions> normalization)
{
    private readonly ModelPriceTable _prices = GenAiNormalizer.LoadPrices(normalization.Value);
    private readonly EnergyCalculator _energy = EnergyCalculator.Create(normalization.Value);
    private readonly int _maxContentChars = normalization.Value.MaxContentChars;
    private readonly int _maxItems = api.Value.MaxIngestItems;
    private readonly int _maxBytes = Math.Min(api.Value.MaxIngestBytes, receiver.Value.MaxRequestBytes);

    public Task<ApiResult> LlmAsync(HttpContext context)
        => IngestAsync(context, (item, project, now) => LlmCallItem.Read(item, project, _prices, _energy, _maxContentChars, now), static (rows, output) =>
        {
            rows.Call.Write(output.Writer(TableId.LlmCalls));
            output.RowWritten(TableId.LlmCalls);
            rows.Span.Write(output.Writer(TableId.Traces));
            output.RowWritten(TableId.Traces);
        }, static calls => new IngestAccepted(calls.Count, [.. calls.Select(c => new IngestedCall(c.Call.TraceId, c.Call.SpanId, c.Call.CostUsd, c.Call.EnergyWh))]));

    public Task<ApiResult> LogsAsync(HttpContext context)
        => IngestAsync(context, TelemetryItems.ReadLog, static (row, output) =>
        {
            row.Write(output.Writer(TableId.Logs));
            output.RowWritten(TableId.Logs);
        }, static rows => new IngestAccepted(rows.Count, null));

    public Task<ApiResult> MetricsAsync(HttpContext context)
        => IngestAsync(context, TelemetryItems.ReadMetric, static (row, output) =>
        {
            row.Write(output.Writer(TableId.Metrics));
            output.RowWritten(TableId.Metrics);
        }, static rows => new IngestAccepted(rows.Count, null));

    private async Task<ApiResult> IngestAsync<TRows>(
        HttpContext context,
        Func<JsonItem, string, DateTimeOffset, TRows?> read,
        Action<TRows, EncodedRequest> write,
        Func<List<TRows>, IngestAccepted> answer)
        where TRows : class
    {
        var caller = context.ApiCaller();
        var now = DateTimeOffset.UtcNow;
        var rows = new List<TRows>();
        using (var body = await ApiBody.ReadAsync(context, _maxBytes, admission))
        {
            var errors = new ApiErrors();
            var items = ApiBatch.Items(body.Root, "items", _maxItems, errors);
            for (var i = 0; i < items.Count; i++)
            {
                if (read(new JsonItem(items[i], i, errors), caller.Project, now) is { } row)
                {
                    rows.Add(row);
                }
            }

            errors.ThrowIfAny();
        }

        using var encoded = new EncodedRequest();
        foreach (var row in rows)
        {
            write(row, encoded);
        }

        await pipeline.SubmitAsync(encoded).WaitAsync(context.RequestAborted);
        return ApiResult.Ok(answer(rows));
    }
}

/// <summary>The answer to an ingest request: everything in it is stored.</summary>
/// <param name="Accepted">Items stored.</param>
/// <param name="Calls">For <c>/ingest/llm</c>: each call's trace and span id (generated when not given) cost and energy, in request order.</param>
public sealed record IngestAccepted(int Accepted, IReadOnlyList<IngestedCall>? Calls);

/// <summary>Where an ingested call is stored, to link feedback or find its trace.</summary>
/// <param name="TraceId">The call's trace id.</param>
/// <param name="SpanId">The call's span id.</param>
/// <param name="CostUsd">The cost given, or priced from the price table; absent when the model has no price.</param>
/// <param name="EnergyWh">The energy given, or estimated from the energy factors; absent when the model has none.</param>
public sealed record IngestedCall(string TraceId, string SpanId, double? CostUsd, double? EnergyWh);
