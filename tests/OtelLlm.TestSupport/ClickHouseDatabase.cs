using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Schema;
using Xunit;

namespace OtelLlm.TestSupport;

/// <summary>
/// A fresh database on the real ClickHouse named by <c>CLICKHOUSE_URL</c> (default <c>http://127.0.0.1:8123</c>),
/// migrated to the latest schema, dropped on dispose. Use as an xunit class fixture so test classes run in
/// parallel without seeing each other's rows.
/// </summary>
public sealed class ClickHouseDatabase : IAsyncLifetime, IAsyncDisposable, IDisposable
{
    public ClickHouseDatabase()
        : this(null)
    {
    }

    private ClickHouseDatabase(Uri? url)
    {
        Url = url ?? new Uri(Environment.GetEnvironmentVariable("CLICKHOUSE_URL") is { Length: > 0 } u ? u : "http://127.0.0.1:8123");
        Name = "otel_llm_test_" + Guid.NewGuid().ToString("N")[..12];
        Options = new ClickHouseOptions { Url = Url, Database = Name, Timeout = TimeSpan.FromSeconds(60) };
        Client = new ClickHouseClient(Options);
    }

    public Uri Url { get; }

    /// <summary>A fresh database on the server at <paramref name="url"/> rather than <c>CLICKHOUSE_URL</c>.</summary>
    public static ClickHouseDatabase OnServer(Uri url) => new(url);

    public string Name { get; }

    public ClickHouseOptions Options { get; }

    public ClickHouseClient Client { get; }

    /// <summary>Whether <see cref="InitializeAsync"/> applies the migrations (default yes).</summary>
    public bool Migrate { get; init; } = true;

    public async Task InitializeAsync()
    {
        if (!await Client.PingAsync())
        {
            throw new InvalidOperationException($"No ClickHouse answers at {Url}. Start one with 'scripts/clickhouse.sh start' (the test command does this).");
        }

        if (Migrate)
        {
            await new MigrationRunner(Client).ApplyAsync();
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Client.ExecuteAsync($"DROP DATABASE IF EXISTS {Name}", "drop the test database", useDatabase: false);
        }
        catch (ClickHouseException)
        {
            // A test that stopped the server leaves the database behind; the name is unique, so nothing reuses it.
        }
    }

    public void Dispose() => Client.Dispose();

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        Dispose();
    }

    /// <summary>Runs a query and returns its rows as text fields.</summary>
    public Task<IReadOnlyList<string[]>> QueryAsync(string sql) => Client.QueryAsync(sql, "test query");

    /// <summary>Runs a query that returns one number.</summary>
    public async Task<long> CountAsync(string sql) => long.Parse(await Client.ScalarAsync(sql, "test count"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Polls until the count reaches <paramref name="expected"/> or the timeout passes; returns the last count.</summary>
    public async Task<long> WaitForCountAsync(string sql, long expected, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        long count;
        while ((count = await CountAsync(sql)) < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        return count;
    }
}
