using System.Globalization;
using System.Text.Json;
using OtelLlm.TestSupport;

namespace OtelLlm.Dashboards.Tests;

/// <summary>A migrated test database holding <see cref="DemoData"/>, shared by the tests of one class.</summary>
public sealed class DemoDatabase : IAsyncLifetime
{
    public const int Calls = 3000;

    internal ClickHouseDatabase Db { get; } = new();

    public async Task InitializeAsync()
    {
        await Db.InitializeAsync();
        await DemoData.WriteAsync(Db.Client, Calls);
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
