using System.Globalization;
using System.Text.Json;
using OtelLlm.TestSupport;

namespace OtelLlm.Dashboards.Tests;

/// <summary>A migrated test database holding <see cref="DemoData"/>, shared by the tests of one class.</summary>
public class DemoDatabase : IAsyncLifetime
{
    public const int Calls = 3000;

    public DemoDatabase()
        : this(new ClickHouseDatabase())
    {
    }

    /// <param name="db">The database to write and read, on a single server or a cluster.</param>
    protected DemoDatabase(ClickHouseDatabase db) => Db = db;

    internal ClickHouseDatabase Db { get; }

    public async Task InitializeAsync()
    {
        await Db.InitializeAsync();
        await WriteAsync();
    }

    public async Task DisposeAsync()
    {
        await Db.DisposeAsync();
        Db.Dispose();
    }

    /// <summary>Runs SQL and returns the column names and types and the rows, read as JSON.</summary>
    internal async Task<QueryResult> RunAsync(string sql)
    {
        var text = await Db.Client.QueryTextAsync(sql + "\nFORMAT JSON", "dashboard query");
        using var doc = JsonDocument.Parse(text);
        var columns = doc.RootElement.GetProperty("meta").EnumerateArray()
            .Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("type").GetString()!)).ToList();
        var rows = doc.RootElement.GetProperty("data").EnumerateArray().Select(r => r.Clone()).ToList();
        return new QueryResult(columns, rows);
    }

    internal async Task<double> ScalarAsync(string sql) =>
        double.Parse(await Db.Client.ScalarAsync(sql, "expected value"), CultureInfo.InvariantCulture);

    /// <summary>Runs one panel's query, expanded for a time range and the variables (default: every variable at All).</summary>
    internal async Task<QueryResult> RunPanelAsync(
        string dashboard, string title, DateTimeOffset from, DateTimeOffset to, int intervalSeconds, Dictionary<string, VariableValue>? variables = null)
    {
        var query = DashboardFiles.Queries(dashboard).Single(q => q.Title == title);
        variables ??= await AllSelectedAsync(dashboard, from, to, intervalSeconds);
        return await RunAsync(GrafanaMacros.Expand(query.Sql, variables, from, to, intervalSeconds));
    }

    /// <summary>Every variable of a dashboard at its default: query variables at All (their options read by running them in order).</summary>
    internal async Task<Dictionary<string, VariableValue>> AllSelectedAsync(string dashboard, DateTimeOffset from, DateTimeOffset to, int intervalSeconds)
    {
        using var doc = DashboardFiles.Load(Path.Combine(DashboardFiles.Folder, dashboard + ".json"));
        var values = new Dictionary<string, VariableValue>();
        foreach (var v in DashboardFiles.Variables(doc.RootElement))
        {
            switch (v.Type)
            {
                case "constant":
                    values[v.Name] = VariableValue.Of(v.Name == "database" ? Db.Name : v.Constant!);
                    break;
                case "query":
                    var result = await RunAsync(GrafanaMacros.Expand(v.Sql!, values, from, to, intervalSeconds));
                    var options = result.Rows.Select(r => r.EnumerateObject().First().Value.GetString()!).ToList();
                    values[v.Name] = v.IncludeAll ? VariableValue.All(options) : VariableValue.Of(options.Count > 0 ? options[0] : string.Empty);
                    break;
                case "textbox" when v.Name == "trace_id":
                    // As if a trace id was pasted or arrived through a link.
                    values[v.Name] = VariableValue.Of((await Db.QueryAsync("SELECT min(TraceId) FROM llm_calls"))[0][0]);
                    break;
            }
        }

        return values;
    }

    /// <summary>Writes the traffic the tests read.</summary>
    protected virtual Task WriteAsync() => DemoData.WriteAsync(Db.Client, Calls);
}

/// <summary>
/// <see cref="DemoData"/> spread over several UTC days, so panels that read daily rollups for whole days and the raw
/// table for the partial days at a range's ends are checked on both parts.
/// </summary>
public sealed class MultiDayDemoDatabase : DemoDatabase
{
    public const int MultiDayCalls = 4000;

    /// <summary>Starts mid-afternoon and ends late evening four days later, so most ranges have partial days at both ends.</summary>
    public static readonly DateTimeOffset Start = new(2025, 11, 10, 15, 20, 0, TimeSpan.Zero);

    public static readonly TimeSpan Span = TimeSpan.FromHours(80);

    /// <summary>Extra calls of two probe models whose latencies are known exactly (see <see cref="WriteAsync"/>).</summary>
    public const int ProbeCalls = 20;

    protected override async Task WriteAsync()
    {
        await DemoData.WriteAsync(Db.Client, MultiDayCalls, seed: 7, Start, Span);

        // probe-edge: 1,000 ms calls in the partial hours at both ends of 2025-11-11 10:20 .. 2025-11-12 14:39:59 and
        // 9,000 ms calls in the same hours outside that range; probe-hour: 3,000 ms calls inside one whole hour.
        using var rows = new OtelLlm.Storage.ClickHouse.RowBinaryWriter();
        var probes = new (string Model, string Time, int Ms)[]
        {
            ("probe-edge", "2025-11-11T10:30:00", 1000), ("probe-edge", "2025-11-11T10:05:00", 9000),
            ("probe-edge", "2025-11-12T14:10:00", 1000), ("probe-edge", "2025-11-12T14:50:00", 9000),
            ("probe-hour", "2025-11-11T18:10:00", 3000),
        };
        var n = 0;
        foreach (var (model, time, ms) in probes)
        {
            for (var i = 0; i < 4; i++, n++)
            {
                var start = DateTimeOffset.Parse(time + "Z", CultureInfo.InvariantCulture).AddSeconds(i * 7);
                new OtelLlm.Storage.Rows.LlmCallRow
                {
                    Project = "default", ServiceName = "support-bot", Environment = "production", Operation = "chat", Provider = "probe",
                    RequestModel = model, StartTimeUnixNano = (ulong)start.ToUnixTimeMilliseconds() * 1_000_000UL, Duration = (ulong)ms * 1_000_000UL,
                    TraceId = $"{n:x32}", SpanId = $"{n:x16}", StatusCode = "Unset",
                }.Write(rows);
            }
        }

        await Db.Client.InsertRowBinaryAsync(OtelLlm.Storage.Rows.LlmCallRow.Table, OtelLlm.Storage.Rows.LlmCallRow.Columns, rows.WrittenMemory, "write probe calls");
    }
}

internal sealed record QueryResult(IReadOnlyList<(string Name, string Type)> Columns, IReadOnlyList<JsonElement> Rows)
{
    public static double Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String => double.Parse(value.GetString()!, CultureInfo.InvariantCulture),
        JsonValueKind.Null => 0,
        _ => throw new FormatException($"Not a number: {value}"),
    };

    public double Sum(string column) => Rows.Sum(r => Number(r.GetProperty(column)));

    public string Text(int row, string column) => Rows[row].GetProperty(column).ToString();
}
