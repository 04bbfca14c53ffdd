using OtelLlm.Demo.Summary;

namespace OtelLlm.Demo.Tests;

public sealed class SummaryPrinterTests
{
    private static string Print(params SummaryLine[] models)
    {
        var total = new SummaryLine("", "", models.Sum(m => m.Calls), 0, models.Sum(m => m.CostUsd), 0, 0, 0, models.Sum(m => m.UnpricedCalls));
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
}
