using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Schema;
using Xunit;

namespace OtelLlm.TestSupport;

/// <summary>
/// A fresh database on the real ClickHouse named by <c>CLICKHOUSE_URL</c> (default <c>http://127.0.0.1:8123</c>),
/// migrated to the latest schema, dropped on dispose. Use as an xunit class fixture so test classes run in
/// parallel without seeing each other's rows.
/// </summary>
public class ClickHouseDatabase : IAsyncLifetime, IAsyncDisposable, IDisposable
{
    public ClickHouseDatabase()
        : this(null, cluster: false)
    {
    }

    /// <param name="cluster">Whether to use the local cluster (<see cref="LocalCluster"/>) instead of the single server.</param>
    protected ClickHouseDatabase(bool cluster)
        : this(null, cluster)
    {
    }

    private ClickHouseDatabase(Uri? url, bool cluster)
    {
        Url = url ?? (cluster ? LocalCluster.Urls[0] : new Uri(Environment.GetEnvironmentVariable("CLICKHOUSE_URL") is { Length: > 0 } u ? u : "http://127.0.0.1:8123"));
        Name = "otel_llm_test_" + Guid.NewGuid().ToString("N")[..12];
        Options = new ClickHouseOptions { Url = Url, Database = Name, Timeout = TimeSpan.FromSeconds(60) };
        if (cluster)
        {
            Options.Cluster = LocalCluster.Name;
            Options.Endpoints = string.Join(",", LocalCluster.Urls);
        }

        Client = new ClickHouseClient(Options);
    }

    public Uri Url { get; }

    /// <summary>A fresh database on the server at <paramref name="url"/> rather than <c>CLICKHOUSE_URL</c>.</summary>
    public static ClickHouseDatabase OnServer(Uri url) => new(url, cluster: false);

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
            var onCluster = Options.Cluster.Length == 0 ? string.Empty : " ON CLUSTER " + Options.Cluster;
            await Client.ExecuteAsync($"DROP DATABASE IF EXISTS {Name}{onCluster}", "drop the test database", useDatabase: false);
            if (onCluster.Length > 0)
            {
                await Client.ExecuteAsync($"DROP DATABASE IF EXISTS {SchemaContext.LocalDatabaseName(Name)}{onCluster}", "drop the test database's replicated tables", useDatabase: false);
            }
        }
        catch (ClickHouseException)
        {
            // A test that stopped the server leaves the database behind; the name is unique, so nothing reuses it.
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        GC.SuppressFinalize(this);
    }

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

/// <summary>A fresh database on the local cluster (<c>scripts/clickhouse-cluster.sh</c>), with its replicated tables.</summary>
public sealed class ClusterDatabase : ClickHouseDatabase
{
    public ClusterDatabase()
        : base(cluster: true)
    {
    }

    /// <summary>
    /// Waits until every replica of every shard has fetched what was written so far (<c>SYSTEM SYNC REPLICA</c> on every
    /// node and replicated table), so any replica answers a read with every row.
    /// </summary>
    public async Task SyncReplicasAsync()
    {
        var local = OtelLlm.Storage.Schema.SchemaContext.LocalDatabaseName(Name);
        foreach (var url in LocalCluster.Urls)
        {
            using var node = new ClickHouseClient(new ClickHouseOptions { Url = url, Database = local, Timeout = TimeSpan.FromMinutes(5) });
            var tables = await node.QueryAsync($"SELECT name FROM system.tables WHERE database = '{local}' AND engine LIKE 'Replicated%'", "list replicated tables");
            foreach (var table in tables)
            {
                await node.ExecuteAsync($"SYSTEM SYNC REPLICA {local}.{table[0]}", "wait for the replica to fetch every part");
            }
        }
    }
}

/// <summary>
/// The local cluster that <c>scripts/clickhouse-cluster.sh start</c> runs: cluster <c>otel_llm_cluster</c>, shard 1 on
/// HTTP ports 8131 and 8132, shard 2 on 8133 and 8134 (<c>CLICKHOUSE_CLUSTER_URLS</c> overrides the addresses).
/// </summary>
public static class LocalCluster
{
    public const string Name = "otel_llm_cluster";

    public static IReadOnlyList<Uri> Urls { get; } =
        [.. (Environment.GetEnvironmentVariable("CLICKHOUSE_CLUSTER_URLS") is { Length: > 0 } urls ? urls : "http://127.0.0.1:8131,http://127.0.0.1:8132,http://127.0.0.1:8133,http://127.0.0.1:8134")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u))];
}
