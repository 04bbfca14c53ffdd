using System.Text;
using OtelLlm.Semantics.Pricing;
using OtelLlm.TestSupport;

namespace OtelLlm.Semantics.Tests;

public sealed class ModelPriceTableTests
{
    private const string TestTable = """
        {
          "taken_on": "2026-01-02",
          "currency": "USD",
          "unit": "per_token",
          "models": [
            { "provider": "openai", "model": "gpt-test", "match": "^gpt-test(-\\d{4}-\\d{2}-\\d{2})?$", "input": 2e-6, "output": 8e-6, "cache_read": 5e-7, "cache_write": null },
            { "provider": "anthropic", "model": "claude-test", "match": "^claude-test(-\\d{8})?$", "input": 3e-6, "output": 1.5e-5, "cache_read": 3e-7, "cache_write": 3.75e-6 },
            { "provider": "mistral_ai", "model": "nocache", "match": null, "input": 1e-6, "output": 1e-6, "cache_read": null, "cache_write": null }
          ]
        }
        """;

    private static ModelPriceTable Table() => ModelPriceTable.Load(new MemoryStream(Encoding.UTF8.GetBytes(TestTable)));

    [Fact]
    public void GetCostUsd_PlainUsage_IsInputPlusOutput()
    {
        var cost = Table().GetCostUsd("openai", "gpt-test", new TokenUsage(1000, 500));

        Assert.NotNull(cost);
        Assert.Equal((1000 * 2e-6) + (500 * 8e-6), cost.Value, 12);
    }

    [Fact]
    public void GetCostUsd_CachedTokens_AreSubtractedFromInputAndPricedAtCacheRates()
    {
        var usage = new TokenUsage(InputTokens: 10_000, OutputTokens: 200, CacheReadTokens: 6000, CacheWriteTokens: 3000);

        var cost = Table().GetCostUsd("anthropic", "claude-test", usage);

        var expected = (1000 * 3e-6) + (6000 * 3e-7) + (3000 * 3.75e-6) + (200 * 1.5e-5);
        Assert.Equal(expected, cost!.Value, 12);
    }

    [Fact]
    public void GetCostUsd_NoCachePrice_FallsBackToInputPrice()
    {
        var usage = new TokenUsage(InputTokens: 100, OutputTokens: 0, CacheReadTokens: 40, CacheWriteTokens: 10);

        Assert.Equal(100 * 1e-6, Table().GetCostUsd("mistral_ai", "nocache", usage)!.Value, 12);
        Assert.Equal((60 * 2e-6) + (40 * 5e-7) + (0 * 8e-6), Table().GetCostUsd("openai", "gpt-test", new TokenUsage(100, 0, 40))!.Value, 12);
        Assert.Equal((50 * 2e-6) + (50 * 2e-6), Table().GetCostUsd("openai", "gpt-test", new TokenUsage(100, 0, 0, 50))!.Value, 12);
    }

    [Fact]
    public void GetCostUsd_ReasoningTokens_ArePartOfOutputAndNotAddedAgain()
    {
        var withReasoning = Table().GetCostUsd("openai", "gpt-test", new TokenUsage(0, 1000, ReasoningTokens: 800));

        Assert.Equal(1000 * 8e-6, withReasoning!.Value, 12);
    }

    [Fact]
    public void GetCostUsd_NegativeCounts_AreClampedToZero()
    {
        var cost = Table().GetCostUsd("openai", "gpt-test", new TokenUsage(-5, -7, -1, -1, -1));

        Assert.Equal(0d, cost!.Value);
        Assert.Equal(0d, Table().GetCostUsd("openai", "gpt-test", new TokenUsage(10, 0, CacheReadTokens: 50))!.Value - (50 * 5e-7), 12);
    }

    [Fact]
    public void GetCostUsd_UnknownModel_ReturnsNull()
    {
        Assert.Null(Table().GetCostUsd("openai", "no-such-model", new TokenUsage(1, 1)));
        Assert.Null(Table().GetCostUsd(null, "", new TokenUsage(1, 1)));
        Assert.False(Table().TryGetPrice(null, "gpt-test-extra", out _));
    }

    [Fact]
    public void TryGetPrice_WrongProvider_DoesNotMatchButNullProviderDoes()
    {
        var table = Table();

        Assert.False(table.TryGetPrice("anthropic", "gpt-test", out _));
        Assert.True(table.TryGetPrice(null, "gpt-test", out var any));
        Assert.True(table.TryGetPrice("", "gpt-test", out var empty));
        Assert.Equal("openai", any.Provider);
        Assert.Same(any, empty);
    }

    [Fact]
    public void TryGetPrice_HostingPlatform_FallsBackToTheListsItNames()
    {
        var table = ModelPriceTable.Load(new MemoryStream(Encoding.UTF8.GetBytes("""
            { "providers": [
                { "id": "openai", "models": [ { "id": "gpt-test", "match": { "starts_with": "gpt-test" }, "prices": { "input_mtok": 2, "output_mtok": 8 } } ] },
                { "id": "azure.ai.openai", "aliases": ["azure.ai.inference"], "fallback": ["openai"], "models": [] } ] }
            """)));

        Assert.True(table.TryGetPrice("azure.ai.openai", "gpt-test", out var price));
        Assert.Equal("gpt-test", price.Model);
        Assert.True(table.TryGetPrice("azure.ai.inference", "gpt-test-2025-01-01", out _));
        Assert.False(table.TryGetPrice("anthropic", "gpt-test", out _));
    }

    [Theory]
    [InlineData("gpt-test-2025-04-14", "gpt-test")]
    [InlineData("GPT-TEST", "gpt-test")]
    [InlineData("claude-test-20250514", "claude-test")]
    [InlineData("openai/gpt-test", "gpt-test")]
    [InlineData("openrouter/openai/gpt-test-2025-04-14", "gpt-test")]
    public void TryGetPrice_DatedOrPrefixedNames_ResolveToCanonicalModel(string name, string canonical)
    {
        Assert.True(Table().TryGetPrice(null, name, out var price));

        Assert.Equal(canonical, price.Model);
    }

    [Fact]
    public void TryGetPrice_RepeatedLookup_DoesNotAllocate()
    {
        var table = Table();
        var model = "gpt-test-2025-04-14";
        table.TryGetPrice("openai", model, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            table.GetCostUsd("openai", model, new TokenUsage(i, i));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void WithOverrides_OverrideEntryWins_OtherEntriesKept()
    {
        var overrides = ModelPriceTable.Load(new MemoryStream(Encoding.UTF8.GetBytes("""
            { "taken_on": "2026-03-04", "unit": "per_token",
              "models": [ { "provider": "openai", "model": "gpt-test", "match": "^gpt-test(-\\d{4}-\\d{2}-\\d{2})?$", "input": 1e-6, "output": 1e-6 },
                          { "provider": "openai", "model": "private-ft", "input": 4e-6, "output": 4e-6 } ] }
            """)));

        var merged = Table().WithOverrides(overrides);

        Assert.Equal(2e-6, merged.GetCostUsd("openai", "gpt-test-2025-01-01", new TokenUsage(1, 1))!.Value, 15);
        Assert.Equal(8e-6, merged.GetCostUsd("openai", "private-ft", new TokenUsage(1, 1))!.Value, 15);
        Assert.NotNull(merged.GetCostUsd("anthropic", "claude-test", new TokenUsage(1, 1)));
        Assert.Equal("2026-03-04", merged.TakenOn);
        Assert.Equal(4, merged.Count);
        Assert.Equal(1e-5, Table().GetCostUsd("openai", "gpt-test", new TokenUsage(1, 1))!.Value, 15);
    }

    [Fact]
    public void Load_OverrideFileOnDisk_WinsOverDefault()
    {
        var path = Path.Combine(Path.GetTempPath(), $"prices-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"taken_on":"2030-01-01","unit":"per_token","models":[{"provider":"openai","model":"gpt-4o","input":1,"output":2}]}""");
        try
        {
            var table = ModelPriceTable.Default.WithOverrides(ModelPriceTable.Load(path));

            Assert.Equal(3d, table.GetCostUsd("openai", "gpt-4o", new TokenUsage(1, 1))!.Value);
            Assert.NotNull(table.GetCostUsd("anthropic", "claude-sonnet-4-5", new TokenUsage(1, 1)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"models":[{"provider":"openai","model":"x","output":1}]}""")]
    [InlineData("""{"models":[{"provider":"openai","model":"x","input":-1,"output":1}]}""")]
    [InlineData("""{"models":[{"provider":"openai","model":"x","input":1,"output":1,"match":"("}]}""")]
    [InlineData("""{"unit":"per_million","models":[]}""")]
    [InlineData("not json")]
    public void Load_InvalidTable_ThrowsFormatException(string json)
    {
        Assert.Throws<FormatException>(() => ModelPriceTable.Load(new MemoryStream(Encoding.UTF8.GetBytes(json))));
    }

    [Fact]
    public void Default_IsTheRepositoryPriceFile()
    {
        var fromFile = ModelPriceTable.Load(RepoPaths.Combine("pricing", "model-prices.json"));

        Assert.Equal(fromFile.TakenOn, ModelPriceTable.Default.TakenOn);
        Assert.Equal(fromFile.Count, ModelPriceTable.Default.Count);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", ModelPriceTable.Default.TakenOn);
    }

    [Theory]
    [InlineData("openai", "gpt-4o-mini", "gpt-4o-mini")]
    [InlineData("openai", "gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("openai", "gpt-4.1-mini-2025-04-14", "gpt-4.1-mini")]
    [InlineData("openai", "text-embedding-3-small", "text-embedding-3-small")]
    [InlineData("anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [InlineData("gcp.gemini", "gemini-2.5-flash", "gemini-2.5-flash")]
    [InlineData("gcp.vertex_ai", "gemini-2.5-flash", "gemini-2.5-flash")]
    [InlineData("mistral_ai", "mistral-large-latest", "mistral-large")]
    [InlineData("deepseek", "deepseek-chat", "deepseek-chat")]
    [InlineData("x_ai", "grok-4", "grok-4-0709")]
    [InlineData("groq", "llama-3.3-70b-versatile", "llama-3.3-70b-versatile")]
    [InlineData("aws.bedrock", "anthropic.claude-3-haiku-20240307-v1:0", "regional.anthropic.claude-3-haiku-20240307-v1:0")]
    [InlineData("aws.bedrock", "claude-3-haiku-20240307", "regional.anthropic.claude-3-haiku-20240307-v1:0")]
    public void Default_PopularModels_ArePriced(string provider, string model, string expectedId)
    {
        Assert.True(ModelPriceTable.Default.TryGetPrice(provider, model, out var price), model);

        Assert.Equal(expectedId, price.Model);
        Assert.True(price.InputPerMillion > 0);
    }

    [Fact]
    public void Default_NamesItsSourceAndCoversTheMajorProviders()
    {
        var table = ModelPriceTable.Default;

        Assert.StartsWith("@pydantic/genai-prices ", table.Source, StringComparison.Ordinal);
        Assert.True(table.Count > 1_000, $"{table.Count} models");
        foreach (var provider in new[] { "openai", "anthropic", "gcp.gemini", "aws.bedrock", "azure.ai.openai", "x_ai", "groq", "mistral_ai", "deepseek", "cohere", "openrouter" })
        {
            Assert.Contains(provider, table.Providers);
        }
    }

    [Theory]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini", "openai", "gpt-4o-mini-2024-07-18")]
    [InlineData("", "gpt-4o-mini", "openai", "gpt-4o-mini")]
    [InlineData("", "text-embedding-3-small", "openai", "text-embedding-3-small")]
    [InlineData("claude-sonnet-4-5-20250929", "", "anthropic", "claude-sonnet-4-5-20250929")]
    [InlineData("", "gemini-2.5-flash", "gcp.gemini", "gemini-2.5-flash")]
    [InlineData("", "mistral-large-latest", "mistral_ai", "mistral-large-latest")]
    [InlineData("", "grok-4", "x_ai", "grok-4")]
    [InlineData("my-deployment", "gpt-4o", "openai", "gpt-4o")]
    public void InferProvider_KnownModel_GivesTheProviderItIsPricedAt(string responseModel, string requestModel, string expected, string foundBy)
    {
        var provider = ModelPriceTable.Default.InferProvider(responseModel, requestModel, out var model);

        Assert.Equal(expected, provider);
        Assert.Equal(foundBy, model);
        Assert.True(ModelPriceTable.Default.TryGetPrice(provider, model!, out _));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("my-deployment", "error-model")]
    public void InferProvider_UnknownModel_GivesNull(string responseModel, string requestModel)
    {
        Assert.Null(ModelPriceTable.Default.InferProvider(responseModel, requestModel, out var model));
        Assert.Null(model);
    }
}
