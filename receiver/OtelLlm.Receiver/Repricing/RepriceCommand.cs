using System.Globalization;
using OtelLlm.Receiver.Normalization;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Repricing;

/// <summary>
/// <c>OtelLlm.Receiver reprice --from 2026-11-01 --to 2026-11-08 [--project P] [--dry-run]</c>: re-prices the stored calls
/// of a time range with the price table the receiver is configured with (the built-in prices and
/// <c>OtelLlm:Receiver:Normalization:PriceTablePath</c>), and prints what changed.
/// </summary>
internal static class RepriceCommand
{
    public const string Name = "reprice";

    private const string Usage = """
        usage: OtelLlm.Receiver reprice --from <UTC date or time> --to <UTC date or time> [--project <project>] [--dry-run]
                                        [--OtelLlm:ClickHouse:Url=…] [--OtelLlm:Receiver:Normalization:PriceTablePath=…]
        Re-prices the calls stored in [from, to) with the configured prices; calls that carry their own cost are kept.
        """;

    public static async Task<int> RunAsync(string[] args, string clickHouseSection, TextWriter output, TextWriter errors, TimeProvider time, CancellationToken cancellationToken = default)
    {
        DateTime? from = null, to = null;
        string? project = null;
        var dryRun = false;
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--from" when i + 1 < args.Length:
                    from = ParseTime(args[++i]);
                    break;
                case "--to" when i + 1 < args.Length:
                    to = ParseTime(args[++i]);
                    break;
                case "--project" when i + 1 < args.Length:
                    project = args[++i];
                    break;
                case "--dry-run":
                    dryRun = true;
                    break;
                case var setting when setting.StartsWith("--OtelLlm:", StringComparison.Ordinal) || setting.StartsWith("--OtelLlm__", StringComparison.Ordinal):
                    settings.Add(setting);
                    break;
                default:
                    await errors.WriteLineAsync($"reprice: unexpected argument '{args[i]}'.\n{Usage}");
                    return 2;
            }
        }

        if (from is null || to is null || from >= to)
        {
            await errors.WriteLineAsync($"reprice: --from and --to are required, --from before --to (UTC, like 2026-11-01 or 2026-11-01T12:00:00).\n{Usage}");
            return 2;
        }

        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. settings])
            .Build();
        var clickHouse = configuration.GetSection(clickHouseSection).Get<ClickHouseOptions>() ?? new ClickHouseOptions();
        var normalization = configuration.GetSection(GenAiNormalizationOptions.SectionName).Get<GenAiNormalizationOptions>() ?? new GenAiNormalizationOptions();
        if (clickHouse.Cluster.Length > 0)
        {
            // The statements below join a staging table of one server against llm_calls and rebuild maxima by dropping a
            // partition: neither is written for Distributed tables over shards yet.
            await errors.WriteLineAsync(
                $"reprice: OtelLlm:ClickHouse:Cluster is set ('{clickHouse.Cluster}'); re-pricing runs against a single ClickHouse server only. "
                + "Nothing was changed. On a cluster, re-price by hand per shard or leave the stored costs as they are.");
            return 2;
        }

        var prices = GenAiNormalizer.LoadPrices(normalization);
        using var client = new ClickHouseClient(clickHouse);
        var report = await new Repricer(client, prices, time).RunAsync(from.Value, to.Value, project, dryRun, cancellationToken);
        await output.WriteAsync(Describe(report, prices.Source, dryRun));
        return 0;
    }

    public static string Describe(RepriceReport report, string source, bool dryRun)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        text.AppendLine(c, $"{(dryRun ? "Would re-price" : "Re-priced")} calls from {report.FromUtc:yyyy-MM-dd HH:mm} to {report.ToUtc:yyyy-MM-dd HH:mm} UTC with {source}");
        text.AppendLine(c, $"  calls read              {report.Scanned,12:N0}");
        text.AppendLine(c, $"  re-priced               {report.Repriced,12:N0}");
        text.AppendLine(c, $"  price unchanged         {report.Unchanged,12:N0}");
        text.AppendLine(c, $"  cost from the span, kept{report.SpanCosts,12:N0}");
        text.AppendLine(c, $"  no price                {report.Unpriced,12:N0}");
        text.AppendLine(c, $"  cost before  ${report.CostBeforeUsd,14:N4}   after  ${report.CostAfterUsd,14:N4}   (calls priced by the table)");
        if (report.MaximaDaysRebuilt > 0)
        {
            text.AppendLine(c, $"  hourly maxima rebuilt for {report.MaximaDaysRebuilt} day(s) whose costs went down");
        }

        foreach (var (provider, model, calls, kept) in report.UnpricedModels.Take(20))
        {
            text.AppendLine(c, $"  no price: {provider}/{model} × {calls:N0}{(kept ? " (earlier cost kept)" : string.Empty)}");
        }

        return text.ToString();
    }

    private static DateTime? ParseTime(string text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc)
            : null;
}
