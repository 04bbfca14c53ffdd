using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;

namespace OtelLlm.TestSupport;

/// <summary>
/// Inserts rows written by <see cref="LlmCallRow.Write"/> into a database at any schema version: straight in when
/// <c>llm_calls</c> has every column, otherwise through a staging table, with only the columns the table has (as a
/// receiver of that version would write them), so tests can fill a database before a later migration.
/// </summary>
public static class LlmCallInserts
{
    // Columns LlmCallRow writes that migrations after the first added, with their types.
    private static readonly Dictionary<string, string> s_added = new(StringComparer.Ordinal)
    {
        ["EnergyWh"] = "Nullable(Float64)",
        ["Co2eGrams"] = "Nullable(Float64)",
        ["EnergySource"] = "String",
    };

    public static async Task InsertAsync(ClickHouseClient client, ReadOnlyMemory<byte> rows, string purpose)
    {
        var types = (await client.QueryAsync("DESCRIBE TABLE llm_calls", "read the llm_calls columns"))
            .ToDictionary(r => r[0], r => r[1], StringComparer.Ordinal);
        var columns = LlmCallRow.Columns.Split(',', StringSplitOptions.TrimEntries);
        if (columns.All(types.ContainsKey))
        {
            await client.InsertRowBinaryAsync(LlmCallRow.Table, LlmCallRow.Columns, rows, purpose);
            return;
        }

        // A Memory table lives on one server: on a cluster every step goes to the same one.
        var options = client.Options;
        using var one = new ClickHouseClient(new ClickHouseOptions
        {
            Url = client.Endpoints[0], Database = options.Database, User = options.User, Password = options.Password, Timeout = options.Timeout, Cluster = options.Cluster,
        });
        var staging = "llm_calls_staging_" + Guid.NewGuid().ToString("N");
        var definitions = string.Join(", ", columns.Select(c => $"`{c}` {(types.TryGetValue(c, out var t) ? t : s_added[c])}"));
        await one.ExecuteAsync($"CREATE TABLE {staging} ({definitions}) ENGINE = Memory", "create a staging table for older llm_calls");
        try
        {
            await one.InsertRowBinaryAsync(staging, LlmCallRow.Columns, rows, purpose);
            var kept = string.Join(", ", columns.Where(types.ContainsKey).Select(c => $"`{c}`"));
            await one.ExecuteAsync($"INSERT INTO llm_calls ({kept}) SELECT {kept} FROM {staging}", purpose);
        }
        finally
        {
            await one.ExecuteAsync($"DROP TABLE IF EXISTS {staging}", "drop the staging table");
        }
    }
}
