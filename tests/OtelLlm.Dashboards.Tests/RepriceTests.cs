using System.Globalization;
using System.Text.Json;
using OtelLlm.Demo.Summary;
using OtelLlm.Receiver.Repricing;
using OtelLlm.Semantics.Pricing;

namespace OtelLlm.Dashboards.Tests;

/// <summary>
/// Four days of calls stored at the demo's own prices (some without a cost, some with content revisions), re-priced with
/// the shipped price table; then the same final rows stored once, from scratch, in a second database. Every panel of every
/// dashboard, rollup-backed or not, and the terminal summary must answer the same in both: the re-priced cost reaches
/// FINAL and every rollup exactly once.
/// </summary>
public sealed class RepriceTests(RepriceTests.Fixture data) : IClassFixture<RepriceTests.Fixture>
{
    public static TheoryData<string, string> Ranges => new()
    {
        { "2025-11-10T00:00:00", "2025-11-14T00:00:00" },
        { "2025-11-10T16:00:00", "2025-11-13T20:59:59" },
    };

    [Fact]
    public void Reprice_ChangedCostsBothWays_PricedTheUnpriced_AndASecondRunChangesNothing()
    {
        var first = data.First;
        Assert.Equal(MultiDayDemoDatabase.MultiDayCalls + MultiDayDemoDatabase.ProbeCalls, first.Scanned);
        Assert.True(first.Repriced > 500, $"{first.Repriced} re-priced");
        Assert.True(first.MaximaDaysRebuilt > 0, "no cost went down");
        Assert.Equal(MultiDayDemoDatabase.ProbeCalls, first.Unpriced);
        Assert.Contains(first.UnpricedModels, m => m.Model == "probe-edge");
        Assert.Equal(0, data.Second.Repriced);
        Assert.Equal(first.Repriced + first.Unchanged, data.Second.Unchanged);
    }

    [Fact]
    public async Task Reprice_WritesOneRevisionPerChangedCall_WithTheOldCostAndThePriceTableAsSource()
    {
        var revisions = await data.Repriced.ScalarAsync("SELECT count() FROM llm_calls WHERE CostSource = 'repriced'");
        Assert.Equal(data.First.Repriced, (long)revisions);
        Assert.Equal(revisions, await data.Repriced.ScalarAsync("SELECT count() FROM llm_calls FINAL WHERE CostSource = 'repriced' AND Revision > 0 AND has(Attributes.Key, 'otel_llm.cost_before')"));

        // A sample checked by hand: claude-sonnet-4-5 at $3 / $0.30 cached / $15, no cache writes in the demo data.
        var row = (await data.Repriced.RunAsync(
            "SELECT InputTokens, CacheReadTokens, OutputTokens, CostUsd, Attributes.Value[indexOf(Attributes.Key, 'otel_llm.cost_before')] AS before FROM llm_calls FINAL WHERE RequestModel = 'claude-sonnet-4-5' AND CostSource = 'repriced' AND CacheReadTokens > 0 ORDER BY SpanId LIMIT 1")).Rows[0];
        var input = QueryResult.Number(row.GetProperty("InputTokens"));
        var cached = QueryResult.Number(row.GetProperty("CacheReadTokens"));
        var output = QueryResult.Number(row.GetProperty("OutputTokens"));
        Assert.Equal((((input - cached) * 3) + (cached * 0.3) + (output * 15)) / 1e6, QueryResult.Number(row.GetProperty("CostUsd")), 12);
        // The demo priced it without the cache discount: input × 3 + output × 15.
        Assert.Equal(((input * 3) + (output * 15)) / 1e6, double.Parse(row.GetProperty("before").GetString()!, CultureInfo.InvariantCulture), 9);
    }

    [Fact]
    public async Task CostRollups_EqualFinal_AfterReprice()
    {
        var final = await data.Repriced.RunAsync("SELECT sum(ifNull(CostUsd, 0)) AS cost, countIf(isNotNull(CostUsd)) AS costed FROM llm_calls FINAL");
        var minute = await data.Repriced.RunAsync("SELECT sum(CostUsdSum) AS cost, sum(CostedCalls) AS costed FROM llm_calls_1m");
        var daily = await data.Repriced.RunAsync("SELECT sum(CostUsdSum) AS cost, sum(CostedCalls) AS costed FROM llm_users_1d");
        var maxima = await data.Repriced.RunAsync("SELECT maxMerge(MaxCostUsd) AS top FROM llm_maxima_1h");
        var top = await data.Repriced.ScalarAsync("SELECT max(ifNull(CostUsd, 0)) FROM llm_calls FINAL");

        foreach (var rollup in new[] { minute, daily })
        {
            Assert.Equal(final.Sum("cost"), rollup.Sum("cost"), 9);
            Assert.Equal(final.Sum("costed"), rollup.Sum("costed"));
        }

        Assert.Equal(top, maxima.Sum("top"), 12);
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task EveryPanel_AfterReprice_EqualsTheFinalRowsStoredOnce(string fromText, string toText)
    {
        var from = DateTimeOffset.Parse(fromText + "Z", CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(toText + "Z", CultureInfo.InvariantCulture);
        var panels = DashboardFiles.Queries();
        Assert.True(panels.Count > 30);
        foreach (var panel in panels)
        {
            var repriced = await data.Repriced.RunPanelAsync(panel.Dashboard, panel.Title, from, to, 60);
            var fresh = await data.Fresh.RunPanelAsync(panel.Dashboard, panel.Title, from, to, 60);
            AssertSame(fresh, repriced, panel.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task UnpricedCallsPanel_CountsAndSharesTheCallsWithoutACost_AsFinal(string fromText, string toText)
    {
        // Minute rollups: the panel covers the whole minutes of the range, as every minute-rollup panel does.
        var from = DateTimeOffset.Parse(fromText + "Z", CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(toText + "Z", CultureInfo.InvariantCulture);
        var where = $"Timestamp >= toDateTime({from.ToUnixTimeSeconds()}) AND Timestamp <= toDateTime({to.ToUnixTimeSeconds()})";

        var panel = await data.Repriced.RunPanelAsync("models-and-providers", "Unpriced calls by model", from, to, 60);

        var expected = await data.Repriced.RunAsync(
            $"""
            SELECT Provider, RequestModel, countIf(isNull(CostUsd)) AS unpriced_calls, count() AS calls,
                unpriced_calls / count() AS unpriced_share, unpriced_calls / (SELECT count() FROM llm_calls FINAL WHERE {where}) AS share_of_all_calls
            FROM llm_calls FINAL WHERE {where}
            GROUP BY Provider, RequestModel HAVING unpriced_calls > 0
            """);
        Assert.Equal(["probe-edge", "probe-hour"], expected.Rows.Select(r => r.GetProperty("RequestModel").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(expected.Rows, r => Assert.Equal(1.0, QueryResult.Number(r.GetProperty("unpriced_share"))));
        Assert.Equal(expected.Rows.Count, panel.Rows.Count);
        foreach (var row in expected.Rows)
        {
            var model = row.GetProperty("RequestModel").GetString();
            var shown = panel.Rows.Single(r => r.GetProperty("RequestModel").GetString() == model);
            Assert.Equal(QueryResult.Number(row.GetProperty("unpriced_calls")), QueryResult.Number(shown.GetProperty("unpriced_calls")));
            Assert.Equal(QueryResult.Number(row.GetProperty("share_of_all_calls")), QueryResult.Number(shown.GetProperty("share_of_all_calls")), 12);
        }
    }

    [Fact]
    public async Task UnpricedCallsPanel_BeforeReprice_ShowsTheDemoCallsWithoutACost()
    {
        var from = MultiDayDemoDatabase.Start;
        var to = from + MultiDayDemoDatabase.Span;
        var panel = await data.Unrepriced.RunPanelAsync("models-and-providers", "Unpriced calls by model", from, to, 60);
        var expected = await data.Unrepriced.ScalarAsync("SELECT countIf(isNull(CostUsd)) FROM llm_calls FINAL");

        Assert.True(expected > 100, $"{expected} unpriced calls");
        Assert.Equal(expected, panel.Sum("unpriced_calls"));
        Assert.Contains(panel.Rows, r => r.GetProperty("RequestModel").GetString() == "gpt-4o");
    }

    [Fact]
    public async Task Summary_AfterReprice_EqualsTheFinalRowsStoredOnce()
    {
        var filter = new SummaryFilter { Since = null };
        var repriced = await SummaryQuery.RunAsync(data.Repriced.Db.Client, filter);
        var fresh = await SummaryQuery.RunAsync(data.Fresh.Db.Client, filter);

        Assert.Equal(fresh.Models.Count, repriced.Models.Count);
        foreach (var (expected, actual) in fresh.Models.Zip(repriced.Models))
        {
            Assert.Equal(expected with { CostUsd = 0 }, actual with { CostUsd = 0 });
            Assert.Equal(expected.CostUsd, actual.CostUsd, 9);
        }

        Assert.Equal(fresh.Total.CostUsd, repriced.Total.CostUsd, 9);
    }

    // Latency quantiles come from t-digest states, which depend on how rows were split into inserts: the two databases
    // hold the same calls in different inserts, so those are compared to two significant digits, every other value to 1e-6.
    private static void AssertSame(QueryResult expected, QueryResult actual, string what)
    {
        var digits = what.Contains("latency", StringComparison.OrdinalIgnoreCase) || what.Contains("first token", StringComparison.OrdinalIgnoreCase) ? 1 : 6;
        List<string> Canonical(QueryResult r) =>
            [.. r.Rows.Select(row => string.Join("|", row.EnumerateObject().Select(p => p.Value.ValueKind == JsonValueKind.Number
                ? Significant(p.Value.GetDouble(), digits)
                : p.Value.ToString()))).Order(StringComparer.Ordinal)];

        Assert.Equal(expected.Columns, actual.Columns);
        var e = Canonical(expected);
        var a = Canonical(actual);
        Assert.True(e.SequenceEqual(a), $"{what}: {e.Except(a).FirstOrDefault()} expected, {a.Except(e).FirstOrDefault()} found ({e.Count} and {a.Count} rows)");
    }

    private static string Significant(double value, int digits) =>
        value == 0 ? "0" : (digits == 1 ? Math.Round(value / Math.Pow(10, Math.Floor(Math.Log10(Math.Abs(value))) - 1)) : Math.Round(value, digits)).ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The re-priced database and one holding the same final rows written once (Revision 0) from scratch.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public MultiDayDemoDatabase Repriced { get; } = new();

        public CopyDatabase Fresh { get; } = new();

        /// <summary>The same four days, not re-priced.</summary>
        public MultiDayDemoDatabase Unrepriced { get; } = new();

        internal RepriceReport First { get; private set; } = null!;

        internal RepriceReport Second { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await Repriced.InitializeAsync();
            await Unrepriced.InitializeAsync();
            var repricer = new Repricer(Repriced.Db.Client, ModelPriceTable.Default, TimeProvider.System);
            var from = new DateTime(2025, 11, 10, 0, 0, 0, DateTimeKind.Utc);
            var to = new DateTime(2025, 11, 15, 0, 0, 0, DateTimeKind.Utc);
            First = await repricer.RunAsync(from, to, project: null, dryRun: false);
            Second = await repricer.RunAsync(from, to, project: null, dryRun: false);

            await Fresh.InitializeAsync();
            var source = Repriced.Db.Name;
            var columns = (await Fresh.Db.Client.QueryAsync("DESCRIBE TABLE llm_calls", "columns")).Select(r => r[0]).ToList();
            // Written once as Revision 0, as if ingested at these prices; the re-price views must not see them.
            foreach (var view in new[] { "llm_calls_1m_reprice_mv", "llm_users_1d_reprice_mv", "llm_maxima_1h_reprice_mv" })
            {
                await Fresh.Db.Client.ExecuteAsync($"DROP TABLE {view}", "drop the re-price views of the fresh copy");
            }

            var select = string.Join(", ", columns.Select(c => c == "Revision" ? "toUInt32(0)" : $"`{c}`"));
            await Fresh.Db.Client.ExecuteAsync(
                $"INSERT INTO llm_calls ({string.Join(", ", columns.Select(c => $"`{c}`"))}) SELECT {select} FROM {source}.llm_calls FINAL", "store the final rows once");
            foreach (var table in new[] { "otel_traces", "otel_logs", "otel_metrics", "llm_feedback" })
            {
                await Fresh.Db.Client.ExecuteAsync($"INSERT INTO {table} SELECT * FROM {source}.{table}", "copy " + table);
            }
        }

        public async Task DisposeAsync()
        {
            await Repriced.DisposeAsync();
            await Unrepriced.DisposeAsync();
            await Fresh.DisposeAsync();
        }
    }

    /// <summary>A migrated database that starts empty; the fixture fills it.</summary>
    public sealed class CopyDatabase : DemoDatabase
    {
        protected override Task WriteAsync() => Task.CompletedTask;
    }
}
