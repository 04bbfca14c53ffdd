using OtelLlm.Demo.Summary;

namespace OtelLlm.Demo.Tests;

public sealed class SummaryPrinterTests
{
    private static string Print(params SummaryLine[] models)
    {
        var total = new SummaryLine(
            "", "", models.Sum(m => m.Calls), 0, models.Sum(m => m.CostUsd), 0, 0, 0, models.Sum(m => m.UnpricedCalls),
            models.Sum(m => m.EnergyWh), models.Sum(m => m.Co2eGrams), models.Sum(m => m.UnestimatedCalls));
        using var output = new StringWriter();
        SummaryPrinter.Print(new SummaryReport("otel_llm", new SummaryFilter(), models, total), new Uri("http://127.0.0.1:8123"), output);
        return output.ToString();
    }

    [Fact]
    public void Print_UnpricedCalls_CountAndShareByModelUnderTheTable()
    {
        var text = Print(
            new SummaryLine("openai", "gpt-4.1", 30, 0, 0.5, 0, 0, 0),
            new SummaryLine("vllm", "llama-ft", 8, 0, 0, 0, 0, 0, UnpricedCalls: 8),
            new SummaryLine("openai", "ft:gpt-4.1:acme", 2, 0, 0.1, 0, 0, 0, UnpricedCalls: 2));

        Assert.Contains("Calls without a price (not in the cost column): 10 of 40 (25.0%)", text, StringComparison.Ordinal);
        var lines = text.Split('\n');
        var llama = Assert.Single(lines, l => l.Contains("llama-ft", StringComparison.Ordinal) && l.Contains("unpriced", StringComparison.Ordinal));
        Assert.Contains("8 unpriced  100.0% of its calls   20.0% of all", llama, StringComparison.Ordinal);
        var fineTune = Assert.Single(lines, l => l.Contains("ft:gpt-4.1:acme", StringComparison.Ordinal) && l.Contains("unpriced", StringComparison.Ordinal));
        Assert.Contains("2 unpriced  100.0% of its calls    5.0% of all", fineTune, StringComparison.Ordinal);
        Assert.True(Array.IndexOf(lines, llama) < Array.IndexOf(lines, fineTune));
        Assert.DoesNotContain(lines, l => l.Contains("gpt-4.1 ", StringComparison.Ordinal) && l.Contains("unpriced", StringComparison.Ordinal));
    }

    [Fact]
    public void Print_EveryCallPriced_SaysSo()
    {
        Assert.Contains("Every call has a price.", Print(new SummaryLine("openai", "gpt-4.1", 30, 0, 0.5, 0, 0, 0)), StringComparison.Ordinal);
    }

    [Fact]
    public void Print_Energy_TotalsAndCo2eUnderTheTable_AndTheCallsWithoutAnEstimate()
    {
        var text = Print(
            new SummaryLine("openai", "gpt-4.1", 30, 0, 0.5, 0, 0, 0, EnergyWh: 12.3456, Co2eGrams: 5.38268),
            new SummaryLine("vllm", "llama-ft", 8, 0, 0, 0, 0, 0, UnestimatedCalls: 8),
            new SummaryLine("openai", "gpt-4o-mini-tts", 2, 0, 0.1, 0, 0, 0, UnestimatedCalls: 2));

        var gpt = Assert.Single(text.Split('\n'), l => l.Contains("gpt-4.1 ", StringComparison.Ordinal));
        Assert.EndsWith("    12.346", gpt.TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("Energy (estimated from tokens, docs/energy.md): 12.346 Wh, 5.383 g CO2e", text, StringComparison.Ordinal);
        Assert.Contains("Calls without an energy estimate (not in the energy column): 10 of 40 (llama-ft 8, gpt-4o-mini-tts 2).", text, StringComparison.Ordinal);
    }
}
