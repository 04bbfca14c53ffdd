using System.Text;
using OtelLlm.Semantics.Pricing;

namespace OtelLlm.Semantics.Tests;

/// <summary>The file format's features on small hand-written tables: match rules, periods, tiers, overrides, errors.</summary>
public sealed class PriceFileFormatTests
{
    private static ModelPriceTable Load(string json, string source = "test") => ModelPriceTable.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)), source);

    private const string Table = """
        {
          "format": "otel-llm-prices/2", "currency": "USD", "taken_on": "2026-05-01",
          "source": { "name": "hand-written", "version": "1" },
          "providers": [
            { "id": "acme", "provider_match": { "contains": "acme" }, "model_match": { "starts_with": "rocket-" },
              "models": [
                { "id": "rocket-mini", "match": { "or": [ { "starts_with": "rocket-mini" }, { "equals": "rm" } ] },
                  "prices": { "input_mtok": 1, "output_mtok": 2, "web_searches_kcount": 10 } },
                { "id": "rocket", "match": { "and": [ { "starts_with": "rocket" }, { "regex": "^(?!.*-tts)" } ] },
                  "prices": [
                    { "prices": { "input_mtok": 10, "output_mtok": 20 } },
                    { "constraint": { "type": "start_date", "start_date": "2026-03-01" },
                      "prices": { "input_mtok": { "base": 5, "tiers": [ { "start": 1000, "price": 7 } ] }, "output_mtok": 10 } },
                    { "constraint": { "type": "time_of_date", "start_time": "22:00:00Z", "end_time": "02:00:00Z" },
                      "prices": { "input_mtok": 1, "output_mtok": 1 } }
                  ] },
                { "id": "free", "prices": {} }
              ] }
          ]
        }
        """;

    [Fact]
    public void MatchRules_OrAndRegexAndBareIdEquality()
    {
        var table = Load(Table);

        Assert.Equal("rocket-mini", Model(table, "rocket-mini-2026"));
        Assert.Equal("rocket-mini", Model(table, "RM"));
        Assert.Equal("rocket", Model(table, "rocket-large"));
        Assert.False(table.TryGetPrice("acme", "rocket-tts", out _));
        Assert.Equal("free", Model(table, "free"));
        Assert.Equal(0d, table.GetCostUsd("acme", "free", new TokenUsage(1000, 1000)));
    }

    [Fact]
    public void Periods_StartDateAndDailyWindowIncludingOneThatCrossesMidnight()
    {
        var table = Load(Table);
        var usage = new TokenUsage(1_000_000, 1_000_000);

        Assert.Equal(30d, table.GetCostUsd("acme", "rocket", usage, new DateTimeOffset(2026, 2, 28, 12, 0, 0, TimeSpan.Zero))!.Value, 9);
        Assert.Equal(17d, table.GetCostUsd("acme", "rocket", usage, new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero))!.Value, 9);
        Assert.Equal(2d, table.GetCostUsd("acme", "rocket", usage, new DateTimeOffset(2026, 2, 1, 23, 0, 0, TimeSpan.Zero))!.Value, 9);
        Assert.Equal(2d, table.GetCostUsd("acme", "rocket", usage, new DateTimeOffset(2026, 2, 1, 1, 59, 0, TimeSpan.Zero))!.Value, 9);
        Assert.Equal(17d, table.GetCostUsd("acme", "rocket", usage, new DateTimeOffset(2026, 4, 1, 2, 0, 0, TimeSpan.Zero))!.Value, 9);
    }

    [Fact]
    public void Tiers_ApplyAboveTheirStart_ToTheWholeCall()
    {
        var table = Load(Table);
        var at = new DateTimeOffset(2026, 4, 1, 12, 0, 0, TimeSpan.Zero);

        // 1,000 tokens is not above 1,000: base $5; 1,001 is: $7 for all of them.
        Assert.Equal(1_000 * 5 / 1e6, table.GetCostUsd("acme", "rocket", new TokenUsage(1_000, 0), at)!.Value, 12);
        Assert.Equal(1_001 * 7 / 1e6, table.GetCostUsd("acme", "rocket", new TokenUsage(1_001, 0), at)!.Value, 12);
    }

    [Fact]
    public void ProviderMatch_And_ModelMatch_RouteUnknownProvidersAndCallsWithoutOne()
    {
        var table = Load(Table);

        Assert.Equal("rocket-mini", Model(table, "rocket-mini", provider: "acme_cloud"));
        Assert.Equal("rocket-mini", Model(table, "rocket-mini", provider: null));
        Assert.False(table.TryGetPrice("other", "rocket-mini", out _));
    }

    [Fact]
    public void Source_IsTheFilesSourceOrItsName()
    {
        Assert.Equal("hand-written 1", Load(Table).Source);
        Assert.True(Load(Table).TryGetPrice("acme", "rm", out var price));
        Assert.Equal("hand-written 1", price.Source);
        Assert.Equal("my-prices.json", Load("""{ "providers": [] }""", "my-prices.json").Source);
    }

    [Fact]
    public void Overrides_WinInsideTheSameListAndAddProviders_AndCarryTheirSource()
    {
        var overrides = Load("""
            { "source": "contract 2026", "providers": [
                { "id": "acme", "models": [ { "id": "rocket-mini", "match": { "starts_with": "rocket-mini" }, "prices": { "input_mtok": 0.5, "output_mtok": 1 } } ] },
                { "id": "self-hosted", "models": [ { "id": "llama-ft", "prices": { "input_mtok": 0.1, "output_mtok": 0.1 } } ] } ] }
            """);

        var merged = Load(Table).WithOverrides(overrides);

        Assert.True(merged.TryGetPrice("acme", "rocket-mini-2026", out var price));
        Assert.Equal("contract 2026", price.Source);
        Assert.Equal(1.5, price.GetCostUsd(new TokenUsage(1_000_000, 1_000_000)), 9);
        Assert.Equal("rocket", Model(merged, "rocket"));
        Assert.Equal("llama-ft", Model(merged, "llama-ft", provider: "self-hosted"));
        Assert.Equal(4, merged.Count);
    }

    [Theory]
    [InlineData("""{ "providers": [ { "models": [] } ] }""", "providers[0] has no \"id\"")]
    [InlineData("""{ "providers": [ { "id": "a", "models": [ { "id": "m" } ] } ] }""", "providers[0] (a).models[0] (m) has no \"prices\"")]
    [InlineData("""{ "providers": [ { "id": "a", "models": [ { "id": "m", "prices": { "input_mtok": -1 } } ] } ] }""", "input_mtok must be a non-negative number")]
    [InlineData("""{ "providers": [ { "id": "a", "models": [ { "id": "m", "match": { "starts": "x" }, "prices": {} } ] } ] }""", "unknown match rule \"starts\"")]
    [InlineData("""{ "providers": [ { "id": "a", "models": [ { "id": "m", "prices": { "input_mtok": { "base": 1, "tiers": [ { "price": 2 } ] } } } ] } ] }""", "every tier needs")]
    [InlineData("""{ "providers": [ { "id": "a", "models": [ { "id": "m", "prices": [ { "constraint": { "start_date": "March" }, "prices": {} } ] } ] } ] }""", "start_date must be YYYY-MM-DD")]
    [InlineData("""{ "currency": "EUR", "providers": [] }""", "Unsupported currency")]
    public void Load_InvalidFile_SaysWhereAndWhat(string json, string message)
    {
        var error = Assert.Throws<FormatException>(() => Load(json));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static string Model(ModelPriceTable table, string name, string? provider = "acme") =>
        table.TryGetPrice(provider, name, out var price) ? price.Model : "(none)";
}
