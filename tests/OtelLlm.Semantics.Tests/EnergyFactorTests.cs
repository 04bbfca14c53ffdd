using System.Text;
using System.Text.Json;
using OtelLlm.Semantics.Energy;
using OtelLlm.Semantics.Pricing;
using OtelLlm.TestSupport;

namespace OtelLlm.Semantics.Tests;

/// <summary>The shipped energy factors (their derivation, names, hand-worked calls), override files and the CO₂e arithmetic.</summary>
public sealed class EnergyFactorTests
{
    private static EnergyFactorTable Load(string json, string source = "test") => EnergyFactorTable.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)), source);

    [Fact]
    public void ShippedFile_EveryFactorFollowsTheDocumentedFormulaFromItsActiveParameters()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(RepoPaths.Combine("pricing", "energy-factors.json")));
        var method = file.RootElement.GetProperty("method");
        var perBillion = method.GetProperty("output_wh_per_1k_per_billion_active_parameters").GetDouble();
        var inputShare = method.GetProperty("input_share_of_output").GetDouble();
        var cacheShare = method.GetProperty("cache_read_share_of_input").GetDouble();

        // Epoch AI's arithmetic: 2 FLOP per active parameter per token, an H100's 989 TFLOP/s at 10%, 1,071 W per GPU.
        Assert.Equal(2e9 * 1000 / (989e12 * 0.10) * 1071 / 3600, perBillion, 5);
        // Its 10,000-token prompt at 2.5 Wh with a 0.3 Wh answer of 500 tokens: 0.22 Wh per 1,000 input tokens, 0.60 per 1,000 output.
        Assert.Equal((2.5 - 0.3) / 10 / (0.3 / 0.5), inputShare, 3);

        var entries = file.RootElement.GetProperty("families").EnumerateArray()
            .Concat(file.RootElement.GetProperty("providers").EnumerateArray().SelectMany(p => p.GetProperty("models").EnumerateArray()))
            .Where(e => e.TryGetProperty("active_parameters_b", out _))
            .ToList();
        Assert.True(entries.Count > 20);
        foreach (var e in entries)
        {
            var n = e.GetProperty("active_parameters_b").GetDouble();
            var id = e.GetProperty("id").GetString();
            var output = e.GetProperty("output_wh_per_1k").GetDouble();
            var input = e.GetProperty("input_wh_per_1k").GetDouble();
            var expectedOutput = id == "embedding" ? 0 : perBillion * n;
            Assert.True(Math.Abs(output - expectedOutput) <= expectedOutput * 0.005, $"{id}: output {output}, formula {expectedOutput}");
            var expectedInput = perBillion * n * inputShare;
            Assert.True(Math.Abs(input - expectedInput) <= expectedInput * 0.005, $"{id}: input {input}, formula {expectedInput}");
            Assert.Equal(input * cacheShare, e.GetProperty("cache_read_wh_per_1k").GetDouble(), 6);
        }
    }

    [Fact]
    public void Default_HandWorkedCall_CountsCacheReadsAtTheirOwnFactor()
    {
        var table = EnergyFactorTable.Default;

        // gpt-4o is a "large" model: 0.221 Wh per 1,000 uncached input, 0.0221 per 1,000 cache reads, 0.602 per 1,000 output.
        // 10,000 input of which 6,000 cache reads, 500 output (200 of them reasoning, which is output):
        // 4,000 × 0.221 + 6,000 × 0.0221 + 500 × 0.602 = 884 + 132.6 + 301 = 1,317.6 Wh per 1,000 → 1.3176 Wh.
        var usage = new TokenUsage(InputTokens: 10_000, OutputTokens: 500, CacheReadTokens: 6_000, CacheWriteTokens: 1_000, ReasoningTokens: 200);
        var wh = table.EstimateCall("openai", "gpt-4o-2024-08-06", "gpt-4o", usage, out var factors);

        Assert.Equal(1.3176, wh!.Value, 9);
        Assert.Equal("large", factors!.Family);
        Assert.Equal("frontier", factors.Model);
        Assert.Equal("OtelLlm energy factors 1", factors.Source);
        // 1.3176 Wh on the world-average grid of 436 g/kWh: 0.5744736 g CO2e.
        Assert.Equal(0.5744736, GridIntensity.Co2eGrams(wh.Value, GridIntensity.WorldAverageGramsPerKwh), 9);
    }

    [Theory]
    [InlineData("openai", "gpt-4o-mini-2024-07-18", "medium")]
    [InlineData("openai", "gpt-4.1-nano", "small")]
    [InlineData("openai", "o3-pro", "xl")]
    [InlineData("openai", "gpt-4", "xl")]
    [InlineData("openai", "gpt-4-turbo", "large")]
    [InlineData("openai", "o3", "large")]
    [InlineData("openai", "text-embedding-3-small", "embedding")]
    [InlineData("azure.ai.openai", "gpt-4.1", "large")]
    [InlineData("anthropic", "claude-sonnet-4-5-20250929", "large")]
    [InlineData("anthropic", "claude-opus-4-1", "xl")]
    [InlineData("aws.bedrock", "us.anthropic.claude-3-5-haiku-20241022-v1:0", "medium")]
    [InlineData("gcp.vertex_ai", "claude-opus-4-1@20250805", "xl")]
    [InlineData("gcp.gemini", "gemini-2.5-flash", "medium")]
    [InlineData("gcp.vertex_ai", "projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro", "large")]
    [InlineData("gcp.gen_ai", "gemini-2.5-flash-lite", "small")]
    [InlineData("openrouter", "anthropic/claude-haiku-4.5", "medium")]
    [InlineData(null, "claude-3-7-sonnet-latest", "large")]
    [InlineData("mistral_ai", "mistral-large-latest", "large")]
    [InlineData("x_ai", "grok-3-mini", "medium")]
    [InlineData("groq", "llama-3.1-8b-instant", "small")]
    public void Names_FindTheirFamily_WhoeverServesThem(string? provider, string model, string family)
    {
        Assert.True(EnergyFactorTable.Default.TryGetFactors(provider, model, out var factors), $"{provider}/{model} has no factors");
        Assert.Equal(family, factors.Family);
    }

    [Theory]
    [InlineData("groq", "llama-3.3-70b-versatile", "llama-70b", 0.421)]
    [InlineData("together", "meta-llama/Llama-3.1-405B-Instruct-Turbo", "llama-405b", 2.44)]
    [InlineData("deepseek", "deepseek-reasoner", "deepseek", 0.223)]
    [InlineData("fireworks", "accounts/fireworks/models/deepseek-v3", "deepseek", 0.223)]
    [InlineData("openai", "gpt-oss-120b", "gpt-oss-120b", 0.0307)]
    [InlineData(null, "mixtral-8x7b-instruct", "mixtral-8x7b", 0.0776)]
    [InlineData("moonshot_ai", "kimi-k2-instruct", "kimi", 0.193)]
    public void OpenWeightModels_HaveFactorsFromTheirKnownActiveParameters(string? provider, string model, string entry, double outputWhPer1k)
    {
        Assert.True(EnergyFactorTable.Default.TryGetFactors(provider, model, out var factors), $"{provider}/{model} has no factors");
        Assert.Equal(entry, factors.Model);
        Assert.Null(factors.Family);
        Assert.Equal(outputWhPer1k, factors.OutputWhPer1k, 9);
    }

    [Theory]
    [InlineData("openai", "gpt-4o-mini-tts")]
    [InlineData("openai", "whisper-1")]
    [InlineData("openai", "gpt-image-1")]
    [InlineData("gcp.gemini", "gemini-2.5-flash-image")]
    [InlineData("acme", "rocket-9")]
    [InlineData(null, "my-fine-tune")]
    public void SpeechImagesAndUnknownModels_AreNotEstimated(string? provider, string model)
    {
        Assert.False(EnergyFactorTable.Default.TryGetFactors(provider, model, out _));
        Assert.Null(EnergyFactorTable.Default.EstimateCall(provider, model, model, new TokenUsage(1000, 1000), out var factors));
        Assert.Null(factors);
    }

    [Fact]
    public void EstimateCall_ResponseModelFirst_ThenRequestModel()
    {
        var table = EnergyFactorTable.Default;
        var usage = new TokenUsage(1000, 1000);

        table.EstimateCall("azure.ai.openai", "gpt-4.1-mini-2025-04-14", "prod-assistant", usage, out var byResponse);
        table.EstimateCall("azure.ai.openai", "", "gpt-4.1-nano", usage, out var byRequest);

        Assert.Equal("medium", byResponse!.Family);
        Assert.Equal("small", byRequest!.Family);
    }

    [Fact]
    public void Overrides_WinInsideAndAcrossLists_AndMayNameTheShippedFamilies()
    {
        var overrides = Load("""
            {
              "source": "our measured GPUs",
              "families": [ { "id": "h200-70b", "input_wh_per_1k": 0.05, "output_wh_per_1k": 0.2 } ],
              "providers": [
                { "id": "openai", "models": [ { "id": "gpt-4o", "match": { "starts_with": "gpt-4o" }, "family": "medium" } ] },
                { "id": "vllm", "provider_match": { "equals": "vllm" }, "models": [
                    { "id": "acme-70b", "match": { "contains": "acme-70b" }, "family": "h200-70b" },
                    { "id": "acme-7b", "match": { "contains": "acme-7b" }, "input_wh_per_1k": 0.01, "cache_read_wh_per_1k": 0, "output_wh_per_1k": 0.03 } ] }
              ]
            }
            """);
        var table = EnergyFactorTable.Default.WithOverrides(overrides);

        Assert.True(table.TryGetFactors("openai", "gpt-4o-2024-08-06", out var gpt4o));
        Assert.Equal("medium", gpt4o.Family);
        Assert.Equal(EnergyFactorTable.Default.Families["medium"].OutputWhPer1k, gpt4o.OutputWhPer1k);
        Assert.True(table.TryGetFactors("openai", "gpt-4.1", out var gpt41));
        Assert.Equal("large", gpt41.Family);

        // 1,000 input of which 400 cache reads, 100 output: 600 × 0.05 + 400 × 0.005 (a tenth of input) + 100 × 0.2 = 52 Wh per 1,000.
        Assert.Equal(0.052, table.EstimateCall("vllm", null, "acme-70b-instruct", new TokenUsage(1000, 100, CacheReadTokens: 400), out var acme)!.Value, 9);
        Assert.Equal("our measured GPUs", acme!.Source);
        Assert.Equal(0.0, table.EstimateCall("vllm", null, "acme-7b", new TokenUsage(1000, 0, CacheReadTokens: 1000), out _)!.Value, 9);
        Assert.StartsWith("our measured GPUs over OtelLlm energy factors", table.Source, StringComparison.Ordinal);
        Assert.False(EnergyFactorTable.Default.TryGetFactors("vllm", "acme-70b", out _));
    }

    [Theory]
    [InlineData("""{"providers":[{"id":"p","models":[{"id":"m","family":"huge"}]}]}""", "providers[0] (p).models[0] (m): no family \"huge\"")]
    [InlineData("""{"providers":[{"id":"p","models":[{"id":"m","input_wh_per_1k":0.1}]}]}""", "providers[0] (p).models[0] (m) needs both")]
    [InlineData("""{"providers":[{"id":"p","models":[{"id":"m","input_wh_per_1k":-1,"output_wh_per_1k":1}]}]}""", "providers[0] (p).models[0] (m).input_wh_per_1k must be a non-negative number")]
    [InlineData("""{"providers":[{"id":"p","models":[{"id":"m"}]}]}""", "providers[0] (p).models[0] (m) has neither a \"family\"")]
    [InlineData("""{"families":[{"id":"f"}],"providers":[]}""", "families[0] (f) has no \"input_wh_per_1k\"")]
    [InlineData("""{"families":[]}""", "no \"providers\" array")]
    [InlineData("""{"providers": [""", "not valid JSON")]
    public void Load_InvalidFile_NamesWhatIsWrong(string json, string message)
    {
        var error = Assert.Throws<FormatException>(() => Load(json));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
