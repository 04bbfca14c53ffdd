using System.Globalization;

namespace OtelLlm.Demo.Summary;

/// <summary>Renders a <see cref="SummaryReport"/> as a plain-text table, plus how to query the data and open the dashboards.</summary>
internal static class SummaryPrinter
{
    public static void Print(SummaryReport report, Uri clickHouse, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"LLM calls by model — {report.Database}.llm_calls FINAL, {report.Filter.Describe()}");
        output.WriteLine();
        if (report.Total.Calls == 0)
        {
            output.WriteLine("  No calls in this range. Send some with 'generate', or widen the range with --since 7d.");
        }
        else
        {
            output.WriteLine(Row("provider", "model", "calls", "errors", "error %", "p95 ms", "cost USD", "input tok", "output tok", "energy Wh"));
            output.WriteLine(Row("--------", "-----", "-----", "------", "-------", "------", "--------", "---------", "----------", "---------"));
            foreach (var line in report.Models)
            {
                output.WriteLine(Format(line, line.Provider, line.Model));
            }

            output.WriteLine(Format(report.Total, "total", string.Empty));
            PrintUnpriced(report, output);
            PrintEnergy(report, output);
        }

        var database = report.Database;
        var sql = $"SELECT RequestModel, count() AS calls, sum(CostUsd) AS cost_usd, quantileExact(0.95)(Duration) / 1e6 AS p95_ms FROM {database}.llm_calls FINAL GROUP BY RequestModel ORDER BY cost_usd DESC";
        output.WriteLine();
        output.WriteLine("Query it yourself:");
        output.WriteLine($"  curl '{clickHouse.GetLeftPart(UriPartial.Authority)}/' --data-binary \"{sql} FORMAT PrettyCompact\"");
        output.WriteLine($"  clickhouse-client --query \"{sql}\"");
        output.WriteLine();
        output.WriteLine("Dashboards:");
        output.WriteLine("  docker compose up -d    # ClickHouse, the receiver and Grafana with the OtelLlm dashboards");
        output.WriteLine("  open http://localhost:3000 (admin / admin), folder OtelLlm: Overview, Models and providers, Errors, Users and sessions, Trace");
    }

    // A call without a price has no cost, which is not the same as costing nothing: say how many, so the total is read right.
    private static void PrintUnpriced(SummaryReport report, TextWriter output)
    {
        output.WriteLine();
        if (report.Total.UnpricedCalls == 0)
        {
            output.WriteLine("  Every call has a price.");
            return;
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  Calls without a price (not in the cost column): {report.Total.UnpricedCalls} of {report.Total.Calls} ({report.Total.UnpricedShare * 100:0.0}%)"));
        foreach (var line in report.Models.Where(m => m.UnpricedCalls > 0).OrderByDescending(m => m.UnpricedCalls))
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"    {line.Provider,-10} {line.Model,-24} {line.UnpricedCalls,7} unpriced  {line.UnpricedShare * 100,5:0.0}% of its calls  {(double)line.UnpricedCalls / report.Total.Calls * 100,5:0.0}% of all"));
        }

        output.WriteLine("  Add their prices to a price file and re-price (docs/prices.md).");
    }

    // Energy and CO2e are estimates from the tokens (docs/energy.md); a call without one is not counted as 0 Wh, so say how many.
    private static void PrintEnergy(SummaryReport report, TextWriter output)
    {
        var total = report.Total;
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  Energy (estimated from tokens, docs/energy.md): {FormatEnergy(total.EnergyWh)} Wh, {total.Co2eGrams:0.000} g CO2e on the receiver's grid intensity."));
        if (total.UnestimatedCalls > 0)
        {
            var models = string.Join(", ", report.Models.Where(m => m.UnestimatedCalls > 0).OrderByDescending(m => m.UnestimatedCalls).Select(m => $"{m.Model} {m.UnestimatedCalls}"));
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  Calls without an energy estimate (not in the energy column): {total.UnestimatedCalls} of {total.Calls} ({models})."));
        }
    }

    public static string FormatEnergy(double wh) => wh.ToString("0.000", CultureInfo.InvariantCulture);

    public static string FormatCost(double usd) => usd.ToString("0.000000", CultureInfo.InvariantCulture);

    private static string Format(SummaryLine line, string provider, string model) => Row(
        provider,
        model,
        line.Calls.ToString(CultureInfo.InvariantCulture),
        line.Errors.ToString(CultureInfo.InvariantCulture),
        (line.ErrorRate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%",
        line.P95Ms.ToString("0.0", CultureInfo.InvariantCulture),
        FormatCost(line.CostUsd),
        line.InputTokens.ToString(CultureInfo.InvariantCulture),
        line.OutputTokens.ToString(CultureInfo.InvariantCulture),
        FormatEnergy(line.EnergyWh));

    private static string Row(string provider, string model, string calls, string errors, string rate, string p95, string cost, string input, string output, string energy) =>
        string.Create(CultureInfo.InvariantCulture, $"  {provider,-10} {model,-24} {calls,7} {errors,7} {rate,8} {p95,9} {cost,12} {input,11} {output,11} {energy,10}");
}
