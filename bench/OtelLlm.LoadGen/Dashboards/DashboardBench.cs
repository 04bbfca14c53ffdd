using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OtelLlm.Dashboards.Tests;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;
using OtelLlm.Storage.Schema;

namespace OtelLlm.LoadGen.Dashboards;

/// <summary>One panel query over one time range.</summary>
/// <param name="Dashboard">The dashboard file's name.</param>
/// <param name="Panel">The panel title, or <c>variable $name</c>.</param>
/// <param name="Range">24h, 7d or 30d.</param>
/// <param name="MedianMs">Median client-side milliseconds.</param>
/// <param name="ServerMs">Median elapsed milliseconds reported by ClickHouse.</param>
/// <param name="ServerCpuMs">
/// Median CPU milliseconds the server spent on the query, all its threads (user + system time from
/// <c>system.query_log</c>): unlike elapsed time, it does not grow when other work competes for the cores.
/// </param>
/// <param name="RowsReturned">Rows the query returned.</param>
/// <param name="RowsRead">Rows the server read.</param>
/// <param name="Error">The server's error, or <see langword="null"/>.</param>
internal sealed record PanelTiming(string Dashboard, string Panel, string Range, double MedianMs, double ServerMs, double ServerCpuMs, long RowsReturned, long RowsRead, string? Error);

/// <summary>The dashboard-query benchmark's result.</summary>
/// <param name="Rows">The <c>llm_calls</c> rows timed over.</param>
/// <param name="InsertSeconds">How long inserting them took (0 when reused).</param>
/// <param name="Reused">Whether the rows were already there.</param>
/// <param name="Migrated">Schema versions applied to an existing database before timing (for example a new rollup and its backfill).</param>
/// <param name="MigrateSeconds">How long applying them took.</param>
/// <param name="Timings">Every timed query.</param>
internal sealed record DashboardResult(long Rows, double InsertSeconds, bool Reused, IReadOnlyList<int> Migrated, double MigrateSeconds, IReadOnlyList<PanelTiming> Timings);

/// <summary>
/// Fills a dedicated database with synthetic <c>llm_calls</c> (the rollup views fill as rows arrive), then times
/// every shipped panel query with Grafana's macros expanded for 24 h, 7 d and 30 d and every variable set to All.
/// </summary>
internal sealed class DashboardBench(ClickHouseClient clickHouse, string dashboardsFolder, long rows, int runs, bool regenerate) : IDisposable
{
    private const int BatchRows = 250_000;

    // Timed queries go through their own HTTP client so each run carries a query id and is written to system.query_log.
    private readonly HttpClient _http = new() { BaseAddress = clickHouse.Options.Url, Timeout = TimeSpan.FromMinutes(10) };

    public void Dispose() => _http.Dispose();

    public async Task<DashboardResult> RunAsync()
    {
        var (end, insertSeconds, reused, migrated, migrateSeconds) = await PrepareAsync();
        var timings = new List<PanelTiming>();
        foreach (var path in Directory.GetFiles(dashboardsFolder, "*.json").Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(path));
            var name = Path.GetFileNameWithoutExtension(path);
            foreach (var (label, span, interval) in new[] { ("24h", TimeSpan.FromHours(24), 60), ("7d", TimeSpan.FromDays(7), 600), ("30d", TimeSpan.FromDays(30), 1800) })
            {
                var from = end - span;
                var variables = await VariablesAsync(doc.RootElement, name, label, from, end, interval, timings);
                foreach (var (title, sql) in Panels(doc.RootElement))
                {
                    timings.Add(await TimeAsync(name, title, label, GrafanaMacros.Expand(sql, variables, from, end, interval)));
                }
            }
        }

        return new DashboardResult(rows, insertSeconds, reused, migrated, migrateSeconds, timings);
    }

    /// <summary>Migrates the database and fills it when its row count differs; returns the data's end (a minute after its last call).</summary>
    public async Task<(DateTimeOffset End, double InsertSeconds, bool Reused, IReadOnlyList<int> Migrated, double MigrateSeconds)> PrepareAsync()
    {
        var migrateClock = Stopwatch.StartNew();
        var migrated = await new MigrationRunner(clickHouse).ApplyAsync();
        var migrateSeconds = Math.Round(migrateClock.Elapsed.TotalSeconds, 1);
        var (insertSeconds, reused) = await EnsureDataAsync();
        var end = DateTimeOffset.FromUnixTimeSeconds(long.Parse(
            await clickHouse.ScalarAsync("SELECT toUnixTimestamp(max(Timestamp)) FROM llm_calls", "read the data's end"), CultureInfo.InvariantCulture) + 60);
        return (end, insertSeconds, reused, migrated, migrateSeconds);
    }

    private async Task<(double Seconds, bool Reused)> EnsureDataAsync()
    {
        var existing = long.Parse(await clickHouse.ScalarAsync("SELECT count() FROM llm_calls", "count benchmark rows"), CultureInfo.InvariantCulture);
        if (!regenerate && existing == rows)
        {
            return (0, true);
        }

        if (existing > 0)
        {
            await clickHouse.ExecuteAsync($"DROP DATABASE {SqlLiteral.Identifier(clickHouse.Database)}", "drop the old benchmark data", useDatabase: false);
            await new MigrationRunner(clickHouse).ApplyAsync();
        }

        var generator = new LlmCallGenerator(rows, DateTimeOffset.UtcNow);
        var clock = Stopwatch.StartNew();
        using var a = new RowBinaryWriter(BatchRows * 320);
        using var b = new RowBinaryWriter(BatchRows * 320);
        var current = a;
        Task? inFlight = null;
        while (generator.Produced < rows)
        {
            current.Reset();
            generator.WriteBatch(current, BatchRows);
            if (inFlight is not null)
            {
                await inFlight;
            }

            // Generate the next batch while ClickHouse inserts this one.
            inFlight = clickHouse.InsertRowBinaryAsync(LlmCallRow.Table, LlmCallRow.Columns, current.WrittenMemory, "insert benchmark llm calls");
            current = current == a ? b : a;
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r  inserted {generator.Produced:N0} / {rows:N0} llm_calls rows"));
        }

        if (inFlight is not null)
        {
            await inFlight;
        }

        Console.Error.WriteLine();
        return (Math.Round(clock.Elapsed.TotalSeconds, 1), false);
    }

    private async Task<Dictionary<string, VariableValue>> VariablesAsync(JsonElement dashboard, string name, string range, DateTimeOffset from, DateTimeOffset to, int interval, List<PanelTiming> timings)
    {
        var values = new Dictionary<string, VariableValue>();
        foreach (var v in dashboard.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            var variable = v.GetProperty("name").GetString()!;
            switch (v.GetProperty("type").GetString())
            {
                case "constant":
                    values[variable] = VariableValue.Of(variable == "database" ? clickHouse.Database : v.GetProperty("query").GetString()!);
                    break;
                case "query":
                    var q = v.GetProperty("query");
                    var sql = GrafanaMacros.Expand(q.ValueKind == JsonValueKind.String ? q.GetString()! : q.GetProperty("rawSql").GetString()!, values, from, to, interval);
                    var timing = await TimeAsync(name, "variable $" + variable, range, sql);
                    timings.Add(timing);
                    var options = (await clickHouse.QueryAsync(sql, "read variable options")).Select(r => r[0]).ToList();
                    var includeAll = v.TryGetProperty("includeAll", out var all) && all.GetBoolean();
                    values[variable] = includeAll ? VariableValue.All(options) : VariableValue.Of(options.Count > 0 ? options[0] : string.Empty);
                    break;
                case "textbox":
                    values[variable] = VariableValue.Of((await clickHouse.QueryAsync("SELECT any(TraceId) FROM llm_calls", "pick a trace id"))[0][0]);
                    break;
                default:
                    break;
            }
        }

        return values;
    }

    private static IEnumerable<(string Title, string Sql)> Panels(JsonElement dashboard)
    {
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            foreach (var inner in panel.TryGetProperty("panels", out var nested) ? nested.EnumerateArray().Prepend(panel) : [panel])
            {
                if (!inner.TryGetProperty("targets", out var targets))
                {
                    continue;
                }

                var i = 0;
                foreach (var target in targets.EnumerateArray())
                {
                    var title = inner.GetProperty("title").GetString()!;
                    yield return (targets.GetArrayLength() > 1 ? $"{title} [{(char)('A' + i)}]" : title, target.GetProperty("rawSql").GetString()!);
                    i++;
                }
            }
        }
    }

    private async Task<PanelTiming> TimeAsync(string dashboard, string panel, string range, string sql)
    {
        var wall = new List<double>();
        var server = new List<double>();
        var ids = new List<string>();
        long returned = 0, read = 0;
        try
        {
            // One unmeasured run warms the caches the way a dashboard refresh would.
            var planned = runs;
            for (var i = 0; i <= planned; i++)
            {
                var id = Guid.NewGuid().ToString("N");
                var clock = Stopwatch.StartNew();
                var text = await QueryLoggedAsync(sql + "\nFORMAT JSON", id);
                var elapsed = clock.Elapsed.TotalMilliseconds;
                if (i == 0)
                {
                    // A query this slow misses the target whatever its median; one timed run keeps the suite short.
                    if (elapsed > 3000)
                    {
                        planned = 1;
                    }

                    continue;
                }

                using var doc = JsonDocument.Parse(text);
                var root = doc.RootElement;
                ids.Add(id);
                wall.Add(elapsed);
                returned = root.GetProperty("rows").GetInt64();
                var stats = root.GetProperty("statistics");
                server.Add(stats.GetProperty("elapsed").GetDouble() * 1000);
                read = stats.GetProperty("rows_read").GetInt64();
            }
        }
        catch (ClickHouseException e)
        {
            return new PanelTiming(dashboard, panel, range, 0, 0, 0, 0, 0, e.Message);
        }

        var timing = new PanelTiming(
            dashboard, panel, range, Math.Round(Median(wall), 1), Math.Round(Median(server), 1), Math.Round(Median(await CpuMillisecondsAsync(ids)), 1), returned, read, null);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {dashboard} / {panel} / {range}: {timing.MedianMs} ms, server CPU {timing.ServerCpuMs} ms, {returned} rows returned, {read:N0} rows read"));
        return timing;
    }

    private async Task<string> QueryLoggedAsync(string sql, string queryId)
    {
        var path = $"/?database={Uri.EscapeDataString(clickHouse.Database)}&log_queries=1&query_id={queryId}";
        using var content = new StringContent(sql, System.Text.Encoding.UTF8, "text/plain");
        using var response = await _http.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            var code = System.Text.RegularExpressions.Regex.Match(text, @"^Code:\s*(\d+)");
            throw new ClickHouseException(code.Success ? int.Parse(code.Groups[1].Value, CultureInfo.InvariantCulture) : 0, text.Trim(), "time a panel query", (int)response.StatusCode);
        }

        return text;
    }

    private async Task<List<double>> CpuMillisecondsAsync(List<string> ids)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        await clickHouse.ExecuteAsync("SYSTEM FLUSH LOGS", "flush the query log", useDatabase: false);
        var rows = await clickHouse.QueryAsync(
            "SELECT (ProfileEvents.Values[indexOf(ProfileEvents.Names, 'UserTimeMicroseconds')] + ProfileEvents.Values[indexOf(ProfileEvents.Names, 'SystemTimeMicroseconds')]) / 1000 " +
            $"FROM system.query_log WHERE type = 2 AND query_id IN ({string.Join(", ", ids.Select(SqlLiteral.Quote))})",
            "read the timed queries' CPU time");
        return [.. rows.Select(r => double.Parse(r[0], CultureInfo.InvariantCulture))];
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count == 0 ? 0 : values[values.Count / 2];
    }
}
