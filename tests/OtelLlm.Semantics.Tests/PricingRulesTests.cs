using OtelLlm.Semantics.Pricing;

namespace OtelLlm.Semantics.Tests;

/// <summary>
/// The billing rules, each checked against the shipped price data with a cost worked out by hand from the provider's
/// published price page (the prices are written in each test, per million tokens, with the arithmetic). A failure means
/// either the engine or the data bills differently from the provider.
/// </summary>
public sealed class PricingRulesTests
{
    private const int Digits = 10;
    private static readonly ModelPriceTable Prices = ModelPriceTable.Default;

    private static double Cost(string? provider, string model, TokenUsage usage, DateTimeOffset? at = null) =>
        Prices.GetCostUsd(provider, model, usage, at) ?? throw new Xunit.Sdk.XunitException($"{provider}/{model} has no price");

    [Fact]
    public void Anthropic_CacheReadsAndWritesArePartOfInput_EachAtItsOwnRate()
    {
        // Claude Sonnet 4.5 (anthropic.com/pricing): input $3, 5-minute cache write $3.75, cache read $0.30, output $15.
        // 10,000 input tokens of which 6,000 cache reads and 3,000 cache writes leave 1,000 uncached.
        var usage = new TokenUsage(InputTokens: 10_000, OutputTokens: 500, CacheReadTokens: 6_000, CacheWriteTokens: 3_000);

        // 1,000 × 3 + 6,000 × 0.30 + 3,000 × 3.75 + 500 × 15 = 3,000 + 1,800 + 11,250 + 7,500 = 23,550 $/M
        Assert.Equal(0.02355, Cost("anthropic", "claude-sonnet-4-5-20250929", usage), Digits);
    }

    [Fact]
    public void Anthropic_OneHourCacheWrites_AtTwiceTheInputPrice()
    {
        // Claude Sonnet 4.5: 5-minute writes $3.75, 1-hour writes $6 (2 × $3 input).
        // 10,000 input = 6,000 uncached + 4,000 cache writes, of which 1,000 with a 1-hour lifetime.
        var usage = new TokenUsage(InputTokens: 10_000, OutputTokens: 0, CacheWriteTokens: 4_000) { CacheWrite1hTokens = 1_000 };

        // 6,000 × 3 + 3,000 × 3.75 + 1,000 × 6 = 18,000 + 11,250 + 6,000 = 35,250 $/M
        Assert.Equal(0.03525, Cost("anthropic", "claude-sonnet-4-5", usage), Digits);
    }

    [Fact]
    public void ClaudeSonnet45_PromptOver200k_WholeCallAtLongContextRates()
    {
        // Claude Sonnet 4.5 above 200K prompt tokens: input $6, cache read $0.60, output $22.50.
        // The prompt is all input, cache reads included: 250,000 > 200,000.
        var over = new TokenUsage(InputTokens: 250_000, OutputTokens: 2_000, CacheReadTokens: 50_000);

        // 200,000 × 6 + 50,000 × 0.60 + 2,000 × 22.50 = 1,200,000 + 30,000 + 45,000 = 1,275,000 $/M
        Assert.Equal(1.275, Cost("anthropic", "claude-sonnet-4-5", over), Digits);

        // Exactly 200,000 is not above the threshold: 200,000 × 3 + 2,000 × 15 = 630,000 $/M
        Assert.Equal(0.63, Cost("anthropic", "claude-sonnet-4-5", new TokenUsage(200_000, 2_000)), Digits);
    }

    [Fact]
    public void Gemini25Pro_PromptOver200k_LongContextRates_AndCachedInputAtTheCurrentRate()
    {
        // ai.google.dev/gemini-api/docs/pricing, Gemini 2.5 Pro: input $1.25 / $2.50 above 200K, output $10 / $15,
        // context caching $0.125 / $0.25.
        // 250,000 × 2.50 + 1,000 × 15 = 625,000 + 15,000 = 640,000 $/M
        Assert.Equal(0.64, Cost("gcp.gemini", "gemini-2.5-pro", new TokenUsage(250_000, 1_000)), Digits);

        // 100,000 input of which 40,000 cached: 60,000 × 1.25 + 40,000 × 0.125 + 1,000 × 10 = 75,000 + 5,000 + 10,000 = 90,000 $/M
        Assert.Equal(0.09, Cost("gcp.gemini", "gemini-2.5-pro", new TokenUsage(100_000, 1_000, CacheReadTokens: 40_000)), Digits);
    }

    [Fact]
    public void ReasoningTokens_ArePartOfOutput_BilledOnceAtTheOutputPrice()
    {
        // OpenAI o4-mini: input $1.10, output $4.40; reasoning tokens are output tokens.
        // 1,000 × 1.10 + 5,000 × 4.40 = 1,100 + 22,000 = 23,100 $/M (the 4,000 reasoning tokens are inside the 5,000)
        Assert.Equal(0.0231, Cost("openai", "o4-mini", new TokenUsage(1_000, 5_000, ReasoningTokens: 4_000)), Digits);
    }

    [Fact]
    public void AudioTokens_AtTheModelsAudioRates()
    {
        // OpenAI gpt-realtime: text input $4, cached input $0.40, audio input $32, cached audio $0.40, text output $16, audio output $64.
        // Input 10,000 = 6,000 audio (2,000 of them cached) + 4,000 text; output 3,000 = 2,000 audio + 1,000 text.
        var usage = new TokenUsage(InputTokens: 10_000, OutputTokens: 3_000, CacheReadTokens: 2_000)
        {
            InputAudioTokens = 6_000,
            CacheAudioReadTokens = 2_000,
            OutputAudioTokens = 2_000,
        };

        // 4,000 × 4 + 4,000 × 32 + 2,000 × 0.40 + 1,000 × 16 + 2,000 × 64 = 16,000 + 128,000 + 800 + 16,000 + 128,000 = 288,800 $/M
        Assert.Equal(0.2888, Cost("openai", "gpt-realtime", usage), Digits);
    }

    [Fact]
    public void PriceInForceAtTheCallsTime_NotToday()
    {
        // OpenAI cut o3 from $10 / $40 to $2 / $8 on 2025-06-10.
        var usage = new TokenUsage(1_000_000, 100_000);

        // Before: 1,000,000 × 10 + 100,000 × 40 = 14,000,000 $/M; after: 1,000,000 × 2 + 100,000 × 8 = 2,800,000 $/M
        Assert.Equal(14.0, Cost("openai", "o3", usage, new DateTimeOffset(2025, 6, 9, 23, 59, 0, TimeSpan.Zero)), Digits);
        Assert.Equal(2.8, Cost("openai", "o3", usage, new DateTimeOffset(2025, 6, 10, 0, 0, 0, TimeSpan.Zero)), Digits);
    }

    [Fact]
    public void DailyDiscountWindow_PricedByTheCallsTimeOfDay()
    {
        // DeepSeek chat: standard hours (00:30-16:30 UTC) input $0.27, cache hit $0.07, output $1.10; off-peak half of that.
        // 1,000,000 input of which 200,000 cache hits, 100,000 output:
        // 800,000 × 0.27 + 200,000 × 0.07 + 100,000 × 1.10 = 216,000 + 14,000 + 110,000 = 340,000 $/M
        var usage = new TokenUsage(1_000_000, 100_000, CacheReadTokens: 200_000);

        Assert.Equal(0.34, Cost("deepseek", "deepseek-chat", usage, new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero)), Digits);
        Assert.Equal(0.17, Cost("deepseek", "deepseek-chat", usage, new DateTimeOffset(2025, 3, 1, 20, 0, 0, TimeSpan.Zero)), Digits);
    }

    [Theory]
    // Bedrock (aws.amazon.com/bedrock/pricing), Claude Sonnet 4.5: global profile $3 / $15, in-region and geographic profiles $3.30 / $16.50.
    // 1,000 input + 1,000 output: (3 + 15) × 1,000 = 18,000 $/M; (3.30 + 16.50) × 1,000 = 19,800 $/M.
    [InlineData("aws.bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", 0.018)]
    [InlineData("aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", 0.0198)]
    [InlineData("aws.bedrock", "eu.anthropic.claude-sonnet-4-5-20250929-v1:0", 0.0198)]
    [InlineData("aws.bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0", 0.0198)]
    [InlineData("aws.bedrock", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0", 0.0198)]
    // Anthropic's own API: $3 / $15, whatever shape the name has.
    [InlineData("anthropic", "claude-sonnet-4-5", 0.018)]
    [InlineData("anthropic", "claude-sonnet-4-5-20250929", 0.018)]
    [InlineData(null, "anthropic/claude-sonnet-4-5", 0.018)]
    [InlineData("gcp.vertex_ai", "claude-sonnet-4-5@20250929", 0.018)]
    [InlineData("gcp.vertex_ai", "projects/acme/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929", 0.018)]
    // Gemini 2.5 Pro $1.25 / $10: (1.25 + 10) × 1,000 = 11,250 $/M.
    [InlineData("gcp.vertex_ai", "projects/acme/locations/us-central1/publishers/google/models/gemini-2.5-pro", 0.01125)]
    [InlineData("gcp.gen_ai", "models/gemini-2.5-pro", 0.01125)]
    // GPT-4.1 $2 / $8 at OpenAI, at Azure OpenAI, and behind a vendor prefix: 10,000 $/M.
    [InlineData("openai", "gpt-4.1-2025-04-14", 0.01)]
    [InlineData("azure.ai.openai", "gpt-4.1", 0.01)]
    [InlineData(null, "openai/gpt-4.1", 0.01)]
    // OpenRouter ids at OpenRouter's price, the same $3 / $15 for Claude Sonnet 4.5.
    [InlineData("openrouter", "anthropic/claude-sonnet-4.5", 0.018)]
    // xAI Grok 4 $3 / $15; Groq Llama 3.3 70B $0.59 / $0.79: 1,380 $/M.
    [InlineData("x_ai", "grok-4", 0.018)]
    [InlineData("groq", "llama-3.3-70b-versatile", 0.00138)]
    public void ModelNames_AsApplicationsReportThem_FindTheBilledPrice(string? provider, string model, double expected)
    {
        Assert.Equal(expected, Cost(provider, model, new TokenUsage(1_000, 1_000)), Digits);
    }

    [Theory]
    [InlineData("x_ai", "grok-4")]
    [InlineData("x_ai", "grok-code-fast-1")]
    [InlineData("groq", "llama-3.1-8b-instant")]
    [InlineData("groq", "openai/gpt-oss-120b")]
    [InlineData("aws.bedrock", "amazon.nova-pro-v1:0")]
    [InlineData("aws.bedrock", "meta.llama3-3-70b-instruct-v1:0")]
    [InlineData("aws.bedrock", "us.anthropic.claude-3-7-sonnet-20250219-v1:0")]
    [InlineData("mistral_ai", "mistral-large-latest")]
    [InlineData("cohere", "command-r-plus")]
    [InlineData("deepseek", "deepseek-reasoner")]
    [InlineData("gcp.gemini", "gemini-2.5-flash")]
    [InlineData("moonshot_ai", "kimi-k2-0905-preview")]
    [InlineData("perplexity", "sonar-pro")]
    public void ProvidersWithoutAPriceBefore_ArePriced(string provider, string model)
    {
        Assert.True(Prices.TryGetPrice(provider, model, out var price), $"{provider}/{model}");
        Assert.True(price.GetCostUsd(new TokenUsage(1_000, 1_000)) > 0);
    }
}
