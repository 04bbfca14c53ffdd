using OtelLlm.Semantics.Pricing;
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
        Assert.True(ModelPriceTable.Default.TryGetPrice("openai", "gpt-4.1", out var price));

        var row = _kit.Span(Call("gpt-4.1"));

        Assert.NotNull(row);
        Assert.Equal("price_table", row.CostSource);
        var expected = ((10_000 - 6_000) * price.InputPerToken) + (6_000 * (price.CacheReadPerToken ?? price.InputPerToken)) + (2_000 * price.OutputPerToken);
        Assert.NotNull(row.CostUsd);
        Assert.Equal(expected, row.CostUsd.Value, 12);
        Assert.NotEqual(((10_000 * price.InputPerToken) + (2_500 * price.OutputPerToken)), row.CostUsd.Value, 12);
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
            Assert.Equal((10_000 * 1e-3) + (2_000 * 2e-3), overridden.CostUsd!.Value, 9);
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
