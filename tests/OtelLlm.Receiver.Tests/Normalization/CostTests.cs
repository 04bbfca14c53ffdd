using OtelLlm.Receiver.Normalization;
using static OtelLlm.Receiver.Tests.Normalization.NormalizerKit;

namespace OtelLlm.Receiver.Tests.Normalization;

public sealed class CostTests : IDisposable
{
    private readonly NormalizerKit _kit = new();

    public void Dispose() => _kit.Dispose();

    private static OpenTelemetry.Proto.Trace.V1.Span Call(string model, params OpenTelemetry.Proto.Common.V1.KeyValue[] extra)
    {
        var span = NewSpan("chat " + model, Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.provider.name", "openai"), Attr("gen_ai.request.model", model),
            Attr("gen_ai.usage.input_tokens", 10_000L), Attr("gen_ai.usage.output_tokens", 2_000L),
            Attr("gen_ai.usage.cache_read.input_tokens", 6_000L), Attr("gen_ai.usage.reasoning.output_tokens", 500L));
        span.Attributes.Add(extra);
        return span;
    }

    [Fact]
    public void CostFromSpan_WinsOverPriceTable()
    {
        var row = _kit.Span(Call("gpt-4.1", Attr("gen_ai.usage.cost", 0.5)));

        Assert.NotNull(row);
        Assert.Equal(0.5, row.CostUsd);
        Assert.Equal("span", row.CostSource);
    }

    [Fact]
    public void PriceTable_CachedTokensAtCacheRateAndReasoningAsOutput()
    {
        var row = _kit.Span(Call("gpt-4.1"));

        // GPT-4.1: input $2, cached input $0.50, output $8 per million. 10,000 input = 4,000 uncached + 6,000 cached;
        // the 500 reasoning tokens are inside the 2,000 output: 4,000 × 2 + 6,000 × 0.50 + 2,000 × 8 = 27,000 $/M.
        Assert.NotNull(row);
        Assert.Equal("price_table", row.CostSource);
        Assert.Equal(0.027, row.CostUsd!.Value, 12);
    }

    [Fact]
    public void OpenInferenceAnthropic_CacheCountedApartFromPrompt_IsAddedToInputBeforePricing()
    {
        // Anthropic's usage as OpenInference passes it: prompt 1,000 is only the uncached part.
        var row = _kit.Span(NewSpan("Messages",
            Attr("openinference.span.kind", "LLM"), Attr("llm.system", "anthropic"), Attr("llm.provider", "anthropic"),
            Attr("llm.model_name", "claude-sonnet-4-5-20250929"), Attr("llm.token_count.prompt", 1_000L), Attr("llm.token_count.completion", 500L),
            Attr("llm.token_count.prompt_details.cache_read", 6_000L), Attr("llm.token_count.prompt_details.cache_write", 3_000L)));

        // Claude Sonnet 4.5: 1,000 × 3 + 6,000 × 0.30 + 3,000 × 3.75 + 500 × 15 = 23,550 $/M.
        Assert.NotNull(row);
        Assert.Equal(10_000UL, row.InputTokens);
        Assert.Equal("1000", Attribute(row, "otel_llm.raw.input_tokens"));
        Assert.Equal(0.02355, row.CostUsd!.Value, 12);
    }

    [Fact]
    public void OpenInference_TotalSaysCacheIsInsidePrompt_NothingAdded()
    {
        var row = _kit.Span(NewSpan("Messages",
            Attr("openinference.span.kind", "LLM"), Attr("llm.provider", "anthropic"), Attr("llm.model_name", "claude-sonnet-4-5"),
            Attr("llm.token_count.prompt", 10_000L), Attr("llm.token_count.completion", 500L), Attr("llm.token_count.total", 10_500L),
            Attr("llm.token_count.prompt_details.cache_read", 6_000L), Attr("llm.token_count.prompt_details.cache_write", 3_000L)));

        Assert.NotNull(row);
        Assert.Equal(10_000UL, row.InputTokens);
        Assert.Equal(0.02355, row.CostUsd!.Value, 12);
    }

    [Fact]
    public void CacheReadsLargerThanInput_WereCountedApart_AndAreAdded()
    {
        var row = _kit.Span(NewSpan("chat", Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.provider.name", "anthropic"),
            Attr("gen_ai.request.model", "claude-sonnet-4-5"), Attr("gen_ai.usage.input_tokens", 100L), Attr("gen_ai.usage.output_tokens", 10L),
            Attr("gen_ai.usage.cache_read.input_tokens", 5_000L)));

        // 100 × 3 + 5,000 × 0.30 + 10 × 15 = 300 + 1,500 + 150 = 1,950 $/M.
        Assert.NotNull(row);
        Assert.Equal(5_100UL, row.InputTokens);
        Assert.Equal(0.00195, row.CostUsd!.Value, 12);
    }

    [Fact]
    public void OneHourCacheWrites_AttributeBilledAtTheOneHourRate()
    {
        var row = _kit.Span(NewSpan("chat", Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.provider.name", "anthropic"),
            Attr("gen_ai.request.model", "claude-sonnet-4-5"), Attr("gen_ai.usage.input_tokens", 10_000L), Attr("gen_ai.usage.output_tokens", 0L),
            Attr("gen_ai.usage.cache_creation.input_tokens", 4_000L), Attr("otel_llm.usage.cache_write_1h.input_tokens", 1_000L)));

        // 6,000 × 3 + 3,000 × 3.75 + 1,000 × 6 = 35,250 $/M.
        Assert.NotNull(row);
        Assert.Equal(0.03525, row.CostUsd!.Value, 12);
    }

    [Fact]
    public void AzureDeploymentName_PricedByTheResponseModel()
    {
        var row = _kit.Span(NewSpan("chat prod-assistant", Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.provider.name", "azure.ai.openai"),
            Attr("gen_ai.request.model", "prod-assistant"), Attr("gen_ai.response.model", "gpt-4.1-2025-04-14"),
            Attr("gen_ai.usage.input_tokens", 1_000L), Attr("gen_ai.usage.output_tokens", 1_000L)));

        // GPT-4.1 at Azure OpenAI: 1,000 × 2 + 1,000 × 8 = 10,000 $/M.
        Assert.NotNull(row);
        Assert.Equal(0.01, row.CostUsd!.Value, 12);
    }

    [Fact]
    public void PriceInForceAtTheSpansStart_NotAtArrival()
    {
        var span = NewSpan("chat o3", Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.provider.name", "openai"), Attr("gen_ai.request.model", "o3"),
            Attr("gen_ai.usage.input_tokens", 1_000_000L), Attr("gen_ai.usage.output_tokens", 100_000L));
        span.StartTimeUnixNano = (ulong)new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000UL;
        span.EndTimeUnixNano = span.StartTimeUnixNano + 1_000_000_000UL;

        var row = _kit.Span(span);

        // o3 before OpenAI's 2025-06-10 cut: 1,000,000 × 10 + 100,000 × 40 = 14,000,000 $/M.
        Assert.NotNull(row);
        Assert.Equal(14.0, row.CostUsd!.Value, 9);
    }

    private static string? Attribute(Storage.Rows.LlmCallRow row, string key)
    {
        var i = row.Attributes.Keys.IndexOf(key);
        return i < 0 ? null : row.Attributes.Values[i];
    }

    [Fact]
    public void PriceOverrideFile_ReplacesAndAddsModels()
    {
        var path = Path.Combine(Path.GetTempPath(), "otel-llm-prices-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, """
            {"taken_on":"2030-01-01","currency":"USD","unit":"per_token","models":[
              {"provider":"openai","model":"gpt-4.1","input":1e-3,"output":2e-3,"cache_read":null,"cache_write":null},
              {"provider":"openai","model":"in-house-model","input":1e-6,"output":1e-6,"cache_read":null,"cache_write":null}]}
            """);
        try
        {
            var options = new GenAiNormalizationOptions { PriceTablePath = path };
            using var kit = new NormalizerKit(options, GenAiNormalizer.LoadPrices(options));

            var overridden = kit.Span(Call("gpt-4.1"));
            var added = kit.Span(Call("in-house-model"));

            Assert.NotNull(overridden);
            Assert.Equal(((4_000 + 6_000) * 1e-3) + (2_000 * 2e-3), overridden.CostUsd!.Value, 9);
            Assert.NotNull(added);
            Assert.Equal((10_000 * 1e-6) + (2_000 * 1e-6), added.CostUsd!.Value, 12);
            Assert.Equal("price_table", added.CostSource);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void UnknownModel_CostNullAndCounted()
    {
        var model = "no-such-model-" + Guid.NewGuid().ToString("N");

        var row = _kit.Span(Call(model));

        Assert.NotNull(row);
        Assert.Null(row.CostUsd);
        Assert.Equal(string.Empty, row.CostSource);
        Assert.Equal(1, _kit.Sum("otel_llm.receiver.unknown_model_price", "model", model));
    }
}
