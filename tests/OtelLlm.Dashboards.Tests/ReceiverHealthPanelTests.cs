using System.Globalization;
using System.Text;

namespace OtelLlm.Dashboards.Tests;

/// <summary>
/// The receiver-health dashboard over what a real receiver exported about itself: every panel's query runs on the real
/// server and its rates add up to the counters' totals, its gauges show their last values.
/// </summary>
public sealed class ReceiverHealthPanelTests(ReceiverHealthDatabase health) : IClassFixture<ReceiverHealthDatabase>
{
    private const string Dashboard = DashboardFiles.ReceiverHealth;

    /// <summary>A day: the whole run falls in one interval, so a panel's one row per series holds the run's totals.</summary>
    private const int WholeRun = 86_400;

    private const int Minute = 60;

    /// <summary>Metrics the run does not provoke (no dead letters, duplicates, decode fallbacks or failed inserts).</summary>
    private static readonly string[] s_quiet =
    [
        "Dead-lettered rows per second", "Duplicate rows dropped per second", "Decode fallbacks per second", "Failed batches per second by table",
    ];

    [Fact]
    public async Task EveryPanel_RunsAsATimeSeries_AndShowsTheReceiversOwnMetrics()
    {
        var failures = new StringBuilder();
        var queries = DashboardFiles.Queries(Dashboard);
        Assert.Equal(16, queries.Count);
        var variables = await health.AllSelectedAsync(Dashboard, health.From, health.To, Minute);
        Assert.Equal([ReceiverHealthDatabase.Service], variables["service"].Values);
        foreach (var query in queries)
        {
            var result = await health.RunAsync(GrafanaMacros.Expand(query.Sql, variables, health.From, health.To, Minute));
            Assert.Equal(0, query.Format);
            Assert.StartsWith("DateTime", result.Columns.Single(c => c.Name == "time").Type, StringComparison.Ordinal);
            var quiet = s_quiet.Contains(query.Title);
            if (quiet != (result.Rows.Count == 0))
            {
                failures.AppendLine(CultureInfo.InvariantCulture, $"{query}: {result.Rows.Count} rows");
            }
        }

        Assert.True(failures.Length == 0, failures.ToString());

        foreach (var metric in new[] { "dead_letter.rows", "dedup.dropped_rows", "decode_fallbacks", "failed_batches" })
        {
            Assert.Equal(0, await Count($"MetricName = 'otel_llm.receiver.{metric}'"));
        }
    }

    [Theory]
    [InlineData(Minute)]
    [InlineData(WholeRun)]
    public async Task CounterPanels_RatesAddUpToTheCountersTotals(int interval)
    {
        var received = await TotalsAsync("Received per second by signal", "signal", "items_per_second", interval);
        // Its own spans (the ClickHouse inserts) arrive beside the test's.
        Assert.True(received["traces"] >= ReceiverHealthDatabase.Spans + 1, $"{received["traces"]} spans");
        Assert.Equal(ReceiverHealthDatabase.LogRecords, received["logs"]);
        Assert.True(received["metrics"] > 0, "the receiver's own metric points are received too");
        AssertSameTotals(await LastTotalsAsync("otel_llm.receiver.received", "signal"), received);

        var refused = await TotalsAsync("Refusals per second by reason", "reason", "refusals_per_second", interval);
        Assert.Equal(new Dictionary<string, double> { ["invalid_item"] = 1 }, refused);

        var written = await TotalsAsync("Rows written per second by table", "table", "rows_per_second", interval);
        AssertSameTotals(await LastTotalsAsync("otel_llm.receiver.written_rows", "table"), written);
        Assert.True(written["otel_traces"] >= ReceiverHealthDatabase.Spans);
        Assert.Equal(ReceiverHealthDatabase.LogRecords, written["otel_logs"]);
        Assert.True(written["otel_metrics"] > 0);

        var cpu = await TotalsAsync("CPU seconds per second", "mode", "cpu_seconds_per_second", interval);
        AssertSameTotals(await LastTotalsAsync("dotnet.process.cpu.time", "cpu.mode"), cpu);
        Assert.True(cpu["user"] > 0);

        var collections = await TotalsAsync("Garbage collections per second by generation", "generation", "collections_per_second", interval);
        AssertSameTotals(await LastTotalsAsync("dotnet.gc.collections", "gc.heap.generation"), collections);
    }

    [Theory]
    [InlineData("Insert duration by table", "otel_llm.receiver.insert_duration", "table", "table", "mean_ms")]
    [InlineData("Write-ahead log fsync duration", "otel_llm.receiver.wal.fsync_duration", null, "series", "mean_ms")]
    [InlineData("HTTP and gRPC requests by route", "http.server.request.duration", "http.route", "route", "mean_s")]
    public async Task HistogramPanels_ShowTheMeanAndRateOfTheRecordings(string title, string metric, string? label, string column, string mean)
    {
        var attribute = label is null ? "''" : $"Attributes.Value[indexOf(Attributes.Key, '{label}')]";
        var expected = await health.Db.QueryAsync(
            $"""
            SELECT l, sum(c), sum(s) FROM
            (SELECT {attribute} AS l, argMax(Count, TimeUnixNano) AS c, argMax(Sum, TimeUnixNano) AS s
             FROM otel_metrics WHERE ServiceName = '{ReceiverHealthDatabase.Service}' AND MetricName = '{metric}' GROUP BY SeriesHash, l)
            GROUP BY l ORDER BY l
            """);
        Assert.NotEmpty(expected);
        Assert.All(expected, r => Assert.True(double.Parse(r[1], CultureInfo.InvariantCulture) > 0, $"{metric} {r[0]} has no recordings"));

        var run = await health.RunPanelAsync(Dashboard, title, health.From, health.To, WholeRun);
        Assert.Equal(expected.Count, run.Rows.Count);
        foreach (var row in expected)
        {
            var panel = run.Rows.Single(r => r.GetProperty(column).GetString() == row[0]);
            var count = double.Parse(row[1], CultureInfo.InvariantCulture);
            var sum = double.Parse(row[2], CultureInfo.InvariantCulture);
            AssertClose(count, QueryResult.Number(panel.GetProperty("per_second")) * WholeRun);
            AssertClose(sum / count, QueryResult.Number(panel.GetProperty(mean)));
        }

        var minutes = await health.RunPanelAsync(Dashboard, title, health.From, health.To, Minute);
        AssertClose(expected.Sum(r => double.Parse(r[1], CultureInfo.InvariantCulture)), minutes.Sum("per_second") * Minute);
    }

    [Fact]
    public async Task GaugePanels_ShowTheLastValues()
    {
        var wal = await health.RunPanelAsync(Dashboard, "Write-ahead log bytes and budget", health.From, health.To, Minute);
        var last = wal.Rows[^1];
        Assert.Equal(ReceiverHealthDatabase.MaxLogBytes, QueryResult.Number(last.GetProperty("max_bytes")));
        Assert.Equal(await LastAsync("otel_llm.receiver.wal.bytes"), QueryResult.Number(last.GetProperty("wal_bytes")));
        Assert.All(wal.Rows, r => Assert.InRange(QueryResult.Number(r.GetProperty("wal_bytes")), 0, ReceiverHealthDatabase.MaxLogBytes));

        // The receiver keeps taking its own metrics, so the last unwritten count need not be 0: the panels show the last points.
        var unwritten = await health.RunPanelAsync(Dashboard, "Unwritten rows", health.From, health.To, Minute);
        Assert.Equal(await LastAsync("otel_llm.receiver.wal.unwritten_rows"), QueryResult.Number(unwritten.Rows[^1].GetProperty("unwritten_rows")));
        var age = await health.RunPanelAsync(Dashboard, "Oldest unwritten age", health.From, health.To, Minute);
        Assert.Equal(await LastAsync("otel_llm.receiver.wal.oldest_unwritten_age"), QueryResult.Number(age.Rows[^1].GetProperty("oldest_unwritten_s")), 9);
        Assert.Equal(await Count("MetricName = 'otel_llm.receiver.wal.unwritten_rows'"), await Count("MetricName = 'otel_llm.receiver.wal.oldest_unwritten_age'"));

        var memory = await health.RunPanelAsync(Dashboard, "Memory", health.From, health.To, Minute);
        Assert.Equal(await LastAsync("dotnet.process.memory.working_set"), QueryResult.Number(memory.Rows[^1].GetProperty("working_set")));
        Assert.True(QueryResult.Number(memory.Rows[^1].GetProperty("working_set")) > 1_000_000);
    }

    private async Task<Dictionary<string, double>> TotalsAsync(string title, string label, string column, int interval)
    {
        var result = await health.RunPanelAsync(Dashboard, title, health.From, health.To, interval);
        return result.Rows.GroupBy(r => r.GetProperty(label).GetString()!)
            .ToDictionary(g => g.Key, g => g.Sum(r => QueryResult.Number(r.GetProperty(column))) * interval);
    }

    /// <summary>A cumulative counter's total per attribute value: the last point of each series, added over series.</summary>
    private async Task<Dictionary<string, double>> LastTotalsAsync(string metric, string label)
    {
        var rows = await health.Db.QueryAsync(
            $"""
            SELECT l, sum(v) FROM
            (SELECT Attributes.Value[indexOf(Attributes.Key, '{label}')] AS l, argMax(Value, TimeUnixNano) AS v
             FROM otel_metrics WHERE ServiceName = '{ReceiverHealthDatabase.Service}' AND MetricName = '{metric}' GROUP BY SeriesHash, l)
            GROUP BY l
            """);
        Assert.NotEmpty(rows);
        return rows.ToDictionary(r => r[0], r => double.Parse(r[1], CultureInfo.InvariantCulture));
    }

    private async Task<double> LastAsync(string metric) =>
        await health.ScalarAsync($"SELECT argMax(Value, TimeUnixNano) FROM otel_metrics WHERE ServiceName = '{ReceiverHealthDatabase.Service}' AND MetricName = '{metric}'");

    private Task<long> Count(string condition) =>
        health.Db.CountAsync($"SELECT count() FROM otel_metrics WHERE ServiceName = '{ReceiverHealthDatabase.Service}' AND {condition}");

    private static void AssertSameTotals(Dictionary<string, double> expected, Dictionary<string, double> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, value) in expected)
        {
            AssertClose(value, actual[key]);
        }
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");
}
