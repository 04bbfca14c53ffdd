using System.Globalization;
using System.Text.Json.Nodes;
using OtelLlm.Semantics.Pricing;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Fills <c>CostUsd</c>/<c>CostSource</c>, and gives token counts one meaning before (<see cref="CountCacheInsideInput"/>). A cost the span carries wins
/// (<c>span</c>); otherwise the price table prices the row's tokens at the call's time (<c>price_table</c>), response
/// model first, then request model. Unknown models leave the cost NULL and are counted in
/// <c>otel_llm.receiver.unknown_model_price</c>.
/// </summary>
internal sealed class CostCalculator(ModelPriceTable prices, NormalizationMetrics metrics)
{
    /// <summary>Span attributes that carry the call's cost in USD, in priority order, whatever the dialect.</summary>
    public static readonly string[] SpanCostAttributes =
        [GenAi.Usage.Cost, OpenInference.CostTotal, GenAi.Usage.TotalCost, GenAi.Usage.TotalCostUsd, OtelLlmNames.CostUsd];

    public void Apply(AttributeMap a, LlmCallRow row)
    {
        var spanCost = a.FirstDouble(SpanCostAttributes) ?? LangfuseTotal(a);
        if (spanCost is >= 0)
        {
            row.CostUsd = spanCost;
            row.CostSource = CostSources.Span;
            return;
        }

        var usage = UsageReport.WithDetails(Usage(row), new SpanCounts(a));
        var at = DateTimeOffset.UnixEpoch.AddTicks((long)(row.StartTimeUnixNano / 100));
        var cost = prices.PriceCall(row.Provider, row.ResponseModel, row.RequestModel, usage, at, out _);
        if (cost is not null)
        {
            row.CostUsd = cost;
            row.CostSource = CostSources.PriceTable;
            return;
        }

        metrics.UnknownModelPrice.Add(
            1,
            new KeyValuePair<string, object?>("model", row.ResponseModel.Length > 0 ? row.ResponseModel : row.RequestModel),
            new KeyValuePair<string, object?>("provider", row.Provider));
    }

    /// <summary>
    /// When nothing on the span named the provider, the provider the price data knows the model under (response model
    /// first), so the row groups and is priced with its provider; the model it was inferred from is kept in
    /// <c>otel_llm.provider_inferred_from</c>. Unknown models leave the provider empty.
    /// </summary>
    public void InferProvider(LlmCallRow row)
    {
        if (row.Provider.Length == 0 && prices.InferProvider(row.ResponseModel, row.RequestModel, out var model) is { } provider)
        {
            row.Provider = provider;
            row.Attributes.Add(OtelLlmNames.ProviderInferredFrom, model!);
        }
    }

    /// <summary>The usage the token columns of a row hold.</summary>
    public static TokenUsage Usage(LlmCallRow row) => new(
        (long)Math.Min(row.InputTokens, long.MaxValue),
        (long)Math.Min(row.OutputTokens, long.MaxValue),
        (long)Math.Min(row.CacheReadTokens, long.MaxValue),
        (long)Math.Min(row.CacheWriteTokens, long.MaxValue),
        (long)Math.Min(row.ReasoningTokens, long.MaxValue));

    /// <summary>
    /// Adds cache reads and writes to input when the dialect counted them apart (<see cref="UsageReport.CacheCountedApart"/>),
    /// keeping the reported input in <c>otel_llm.raw.input_tokens</c>. Runs before a missing total is derived, so a reported
    /// total can decide. OpenInference instrumentations of Anthropic models pass Anthropic's usage through: input without the cache.
    /// (The Vercel AI SDK 5, whose Anthropic total leaves the cache out too, is made inclusive by its dialect.)
    /// </summary>
    public static void CountCacheInsideInput(LlmCallRow row)
    {
        var anthropicShaped = row.SourceFormat == SourceFormats.OpenInference
            && (row.Provider is ProviderNames.Anthropic || row.RequestModel.Contains("claude", StringComparison.OrdinalIgnoreCase));
        long? total = row.TotalTokens > 0 ? (long)Math.Min(row.TotalTokens, long.MaxValue) : null;
        var usage = Usage(row);
        if (UsageReport.CacheCountedApart(usage.InputTokens, usage.OutputTokens, usage.CacheReadTokens, usage.CacheWriteTokens, total, anthropicShaped))
        {
            row.Attributes.Add(OtelLlmNames.RawInputTokens, row.InputTokens.ToString(CultureInfo.InvariantCulture));
            row.InputTokens += row.CacheReadTokens + row.CacheWriteTokens;
        }
    }

    private static double? LangfuseTotal(AttributeMap a) =>
        MessageJson.TryParse(a.GetString(OtelLlmNames.LangfuseCostDetails)) is JsonObject details
        && details["total"] is JsonValue total && total.TryGetValue<double>(out var usd) ? usd : null;

    private readonly struct SpanCounts(AttributeMap a) : ITokenCountSource
    {
        public long? GetCount(string attribute) => a.GetInt64(attribute);
    }
}
