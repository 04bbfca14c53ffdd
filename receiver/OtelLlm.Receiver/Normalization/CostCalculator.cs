using System.Text.Json.Nodes;
using OtelLlm.Semantics.Pricing;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Fills <c>CostUsd</c>/<c>CostSource</c>: a cost the span carries wins (<c>span</c>); otherwise the price table
/// prices the row's tokens (<c>price_table</c>), response model first, then request model. Unknown models leave the
/// cost NULL and are counted in <c>otel_llm.receiver.unknown_model_price</c>.
/// </summary>
internal sealed class CostCalculator(ModelPriceTable prices, NormalizationMetrics metrics)
{
    public void Apply(AttributeMap a, LlmCallRow row)
    {
        var spanCost = a.FirstDouble(GenAi.Usage.Cost, OpenInference.CostTotal, GenAi.Usage.TotalCost, GenAi.Usage.TotalCostUsd, OtelLlmNames.CostUsd)
            ?? LangfuseTotal(a);
        if (spanCost is >= 0)
        {
            row.CostUsd = spanCost;
            row.CostSource = CostSources.Span;
            return;
        }

        var usage = new TokenUsage(
            (long)Math.Min(row.InputTokens, long.MaxValue),
            (long)Math.Min(row.OutputTokens, long.MaxValue),
            (long)Math.Min(row.CacheReadTokens, long.MaxValue),
            (long)Math.Min(row.CacheWriteTokens, long.MaxValue),
            (long)Math.Min(row.ReasoningTokens, long.MaxValue));
        var provider = row.Provider.Length == 0 ? null : row.Provider;
        var cost = (row.ResponseModel.Length > 0 ? prices.GetCostUsd(provider, row.ResponseModel, usage) : null)
            ?? (row.RequestModel.Length > 0 ? prices.GetCostUsd(provider, row.RequestModel, usage) : null);
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

    private static double? LangfuseTotal(AttributeMap a) =>
        MessageJson.TryParse(a.GetString(OtelLlmNames.LangfuseCostDetails)) is JsonObject details
        && details["total"] is JsonValue total && total.TryGetValue<double>(out var usd) ? usd : null;
}
