using OtelLlm.Receiver.Normalization;
using static OtelLlm.Receiver.Tests.Normalization.NormalizerKit;

namespace OtelLlm.Receiver.Tests.Normalization;

/// <summary>Energy and CO₂e of every normalized call: estimated from the factors, or the span's own figure, on the configured grid.</summary>
public sealed class EnergyTests : IDisposable
{
    private readonly NormalizerKit _kit = new(new GenAiNormalizationOptions { GridCarbonIntensity = 200 });

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
    public void Estimated_FromTheModelsFactors_WithCo2eOnTheConfiguredGrid()
    {
        var row = _kit.Span(Call("gpt-4.1"));

        // GPT-4.1 is "large": 4,000 uncached input × 0.221 + 6,000 cache reads × 0.0221 + 2,000 output × 0.602 (reasoning
        // included) = 884 + 132.6 + 1,204 = 2,220.6 per 1,000 tokens → 2.2206 Wh; on 200 g/kWh, 0.44412 g.
        Assert.NotNull(row);
        Assert.Equal(2.2206, row.EnergyWh!.Value, 9);
        Assert.Equal(0.44412, row.Co2eGrams!.Value, 9);
        Assert.Equal("energy_factors", row.EnergySource);
    }

    [Fact]
    public void EnergyOnTheSpan_Wins_AndIsNotKeptAsAnAttribute()
    {
        var row = _kit.Span(Call("gpt-4.1", Attr("otel_llm.usage.energy_wh", 0.75)));

        Assert.NotNull(row);
        Assert.Equal(0.75, row.EnergyWh);
        Assert.Equal(0.15, row.Co2eGrams!.Value, 12);
        Assert.Equal("span", row.EnergySource);
        Assert.DoesNotContain("otel_llm.usage.energy_wh", row.Attributes.Keys);
    }

    [Theory]
    [InlineData("no-such-model-xyz")]
    [InlineData("gpt-4o-mini-tts")]
    public void UnknownOrUnestimatedModel_LeavesEnergyEmpty(string model)
    {
        var row = _kit.Span(Call(model));

        Assert.NotNull(row);
        Assert.Null(row.EnergyWh);
        Assert.Null(row.Co2eGrams);
        Assert.Equal(string.Empty, row.EnergySource);
    }

    [Fact]
    public void FactorsOverrideFile_ReplacesAndAddsModels()
    {
        var path = Path.Combine(Path.GetTempPath(), "otel-llm-energy-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, """
            {"source":"measured","providers":[{"id":"openai","models":[
              {"id":"gpt-4.1","match":{"starts_with":"gpt-4.1"},"input_wh_per_1k":1,"cache_read_wh_per_1k":0,"output_wh_per_1k":2},
              {"id":"in-house","match":{"equals":"in-house-model"},"family":"small"}]}]}
            """);
        try
        {
            using var kit = new NormalizerKit(new GenAiNormalizationOptions { EnergyFactorsPath = path });

            var overridden = kit.Span(Call("gpt-4.1"));
            var added = kit.Span(Call("in-house-model"));

            // 4,000 × 1 + 6,000 × 0 + 2,000 × 2 per 1,000 = 8 Wh; on the default grid of 436 g/kWh, 3.488 g.
            Assert.Equal(8, overridden!.EnergyWh!.Value, 9);
            Assert.Equal(3.488, overridden.Co2eGrams!.Value, 9);
            // "small": 4,000 × 0.0177 + 6,000 × 0.00177 + 2,000 × 0.0481 = 70.8 + 10.62 + 96.2 = 177.62 per 1,000.
            Assert.Equal(0.17762, added!.EnergyWh!.Value, 9);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
