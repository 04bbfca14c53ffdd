using OtelLlm.Dashboards.Tests;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Retention;
using OtelLlm.Storage.Schema;
using OtelLlm.TestSupport;

namespace OtelLlm.Cluster.Tests;

/// <summary>
/// Migrations, sharding and retention on the real local cluster (2 shards × 2 replicas). A read goes to either replica
/// of a shard and sees an insert once it has replicated, so counts after writes are waited for.
/// </summary>
public sealed class ClusterSchemaTests
{
    [Fact]
    public async Task Apply_FourRunnersStartingFromFourNodesAtOnce_ReplicatedTablesEverywhere_DistributedTablesWithTheSingleServerColumns()
    {
        await using var single = new ClickHouseDatabase();
        await single.InitializeAsync();
        await using var db = new ClusterDatabase { Migrate = false };
        await db.InitializeAsync();

        // Each runner knows every node, starting from a different one (as receivers configured in different orders).
        var runners = Enumerable.Range(0, LocalCluster.Urls.Count).Select(first => Task.Run(async () =>
        {
            var urls = LocalCluster.Urls.Skip(first).Concat(LocalCluster.Urls.Take(first));
            using var client = new ClickHouseClient(new ClickHouseOptions { Endpoints = string.Join(",", urls), Database = db.Name, Cluster = LocalCluster.Name, Timeout = TimeSpan.FromSeconds(120) });
            return await new MigrationRunner(client).ApplyAsync();
        }));
        await Task.WhenAll(runners);
        await db.SyncReplicasAsync();

        Assert.True(await new MigrationRunner(db.Client).IsUpToDateAsync());
        Assert.Empty(await new MigrationRunner(db.Client).ApplyAsync());
        Assert.Equal(Migrations.All.Count, await db.CountAsync("SELECT count() FROM schema_migrations FINAL"));

        var singleColumns = await ColumnsAsync(single.Client, single.Name, tablesOnly: true);
        var local = SchemaContext.LocalDatabaseName(db.Name);
        foreach (var url in LocalCluster.Urls)
        {
            using var node = new ClickHouseClient(new ClickHouseOptions { Url = url, Database = db.Name });

            // The configured database holds a Distributed table, with the single server's columns, for every table there.
            Assert.Equal(singleColumns, await ColumnsAsync(node, db.Name, tablesOnly: true));
            var engines = await node.QueryAsync($"SELECT name, engine, engine_full FROM system.tables WHERE database = '{db.Name}'", "engines");
            Assert.All(engines, e => Assert.Equal("Distributed", e[1]));
            Assert.All(engines, e => Assert.Contains($"Distributed({LocalCluster.Name}, {local}, {e[0]}", e[2], StringComparison.Ordinal));

            // The local database holds the same tables, replicated, and every view.
            Assert.Equal(singleColumns, await ColumnsAsync(node, local, tablesOnly: true));
            var localEngines = await node.QueryAsync($"SELECT name, engine FROM system.tables WHERE database = '{local}' AND engine != 'MaterializedView'", "local engines");
            Assert.All(localEngines, e => Assert.StartsWith("Replicated", e[1], StringComparison.Ordinal));
            var views = await node.QueryAsync($"SELECT name FROM system.tables WHERE database = '{local}' AND engine = 'MaterializedView' ORDER BY name", "views");
            var singleViews = await single.QueryAsync($"SELECT name FROM system.tables WHERE database = '{single.Name}' AND engine = 'MaterializedView' ORDER BY name");
            Assert.Equal(singleViews.Select(v => v[0]), views.Select(v => v[0]));
        }

        Assert.Contains("cityHash64(TraceId)", await EngineFullAsync(db, "llm_calls"), StringComparison.Ordinal);
        Assert.Contains("cityHash64(TraceId)", await EngineFullAsync(db, "otel_traces"), StringComparison.Ordinal);
        Assert.Contains("cityHash64(Project, ServiceName, MetricName, SeriesHash, Timestamp, TimeUnixNano)", await EngineFullAsync(db, "otel_metrics"), StringComparison.Ordinal);
        Assert.Contains("RecordHash", await EngineFullAsync(db, "otel_logs"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_LaterMigrationAddingAColumn_TwoRunnersAtOnce_ColumnOnTheReplicatedAndDistributedTablesOfEveryNode()
    {
        await using var db = new ClusterDatabase();
        await db.InitializeAsync();
        Migration[] migrations =
        [
            .. Migrations.All,
            new(Migrations.LatestVersion + 1, "a column added later", s => [$"ALTER TABLE {s.Table("llm_feedback")}{s.OnCluster} ADD COLUMN Reviewer String DEFAULT 'nobody'"]),
        ];

        // The runners know the nodes in opposite orders, so they pick different servers of a shard for the ALTER.
        await Task.WhenAll(new[] { LocalCluster.Urls, LocalCluster.Urls.Reverse().ToList() }.Select(urls => Task.Run(async () =>
        {
            using var client = new ClickHouseClient(new ClickHouseOptions { Endpoints = string.Join(",", urls), Database = db.Name, Cluster = LocalCluster.Name, Timeout = TimeSpan.FromSeconds(120) });
            await new MigrationRunner(client, migrations: migrations).ApplyAsync();
        })));
        await db.SyncReplicasAsync();

        Assert.True(await new MigrationRunner(db.Client, migrations: migrations).IsUpToDateAsync());
        var local = SchemaContext.LocalDatabaseName(db.Name);
        foreach (var url in LocalCluster.Urls)
        {
            using var node = new ClickHouseClient(new ClickHouseOptions { Url = url, Database = db.Name });
            foreach (var database in new[] { db.Name, local })
            {
                // The other replica of a shard applies the ALTER from the replication log: wait for it.
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
                string type;
                while ((type = await node.ScalarAsync($"SELECT type FROM system.columns WHERE database = '{database}' AND table = 'llm_feedback' AND name = 'Reviewer'", "column")) != "String"
                       && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(200);
                }

                Assert.True(type == "String", $"{url} {database}.llm_feedback has no Reviewer column");
            }
        }

        await db.Client.ExecuteAsync("INSERT INTO llm_feedback (Project, Timestamp, FeedbackId, TraceId, SpanId, Name, Reviewer) VALUES ('p', now(), 'f1', 't1', 's1', 'thumbs', 'ana'), ('p', now(), 'f2', 't2', 's2', 'thumbs', 'bo')", "write feedback");
        Assert.Equal(2, await db.WaitForCountAsync("SELECT count() FROM llm_feedback WHERE Reviewer IN ('ana', 'bo')", 2));
    }

    [Fact]
    public async Task Insert_ThroughDistributedTables_EachTraceOnOneShard_BothShardsUsed_CopiesCollapseUnderFinal()
    {
        await using var db = new ClusterDatabase();
        await db.InitializeAsync();
        var start = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        await DemoData.WriteAsync(db.Client, 400, seed: 3, start, TimeSpan.FromHours(5));
        await DemoData.WriteAsync(db.Client, 400, seed: 3, start, TimeSpan.FromHours(5)); // every call and span delivered twice

        Assert.Equal(400, await db.WaitForCountAsync("SELECT count() FROM llm_calls FINAL", 400));
        Assert.Equal(400, await db.CountAsync("SELECT uniqExact(TraceId, SpanId) FROM llm_calls"));

        var local = SchemaContext.LocalDatabaseName(db.Name);
        var perShard = new List<HashSet<string>>();
        foreach (var url in new[] { LocalCluster.Urls[0], LocalCluster.Urls[2] })
        {
            using var node = new ClickHouseClient(new ClickHouseOptions { Url = url, Database = local });
            var traces = await node.QueryAsync("SELECT DISTINCT TraceId FROM llm_calls", "traces on this shard");
            perShard.Add([.. traces.Select(t => t[0])]);
        }

        Assert.True(perShard[0].Count > 100 && perShard[1].Count > 100, $"shard sizes {perShard[0].Count} and {perShard[1].Count}");
        Assert.Empty(perShard[0].Intersect(perShard[1]));
        Assert.Equal(400, perShard[0].Count + perShard[1].Count);
    }

    [Fact]
    public async Task Apply_OverCallsOnBothShards_TwoRunnersBackfillTheNewRollupsOnce_AndTheViewsCountNewCalls()
    {
        await using var db = new ClusterDatabase { Migrate = false };
        await db.InitializeAsync();
        await new MigrationRunner(db.Client, migrations: [.. Migrations.All.Where(m => m.Version < 3)]).ApplyAsync();
        var start = new DateTimeOffset(2026, 3, 1, 20, 0, 0, TimeSpan.Zero);
        await DemoData.WriteAsync(db.Client, 300, seed: 4, start, TimeSpan.FromHours(50), feedback: false); // across two UTC midnights; feedback's columns come later

        await Task.WhenAll(new[] { LocalCluster.Urls, LocalCluster.Urls.Reverse().ToList() }.Select(urls => Task.Run(async () =>
        {
            using var client = new ClickHouseClient(new ClickHouseOptions { Endpoints = string.Join(",", urls), Database = db.Name, Cluster = LocalCluster.Name, Timeout = TimeSpan.FromSeconds(120) });
            await new MigrationRunner(client).ApplyAsync();
        })));

        Assert.Equal(300, await db.WaitForCountAsync("SELECT sum(Calls) FROM llm_users_1d", 300));
        Assert.Equal(300, await db.WaitForCountAsync("SELECT sum(Calls) FROM llm_calls_1m", 300));
        await DemoData.WriteAsync(db.Client, 120, seed: 5, start, TimeSpan.FromHours(50));
        Assert.Equal(420, await db.WaitForCountAsync("SELECT sum(Calls) FROM llm_users_1d", 420));
        Assert.Equal(420, await db.WaitForCountAsync("SELECT sum(Calls) FROM llm_calls_1m", 420));
        Assert.Equal(420, await db.WaitForCountAsync("SELECT count() FROM llm_calls WHERE Revision = 0", 420));
        Assert.Equal(await db.CountAsync("SELECT sum(OutputTokens) FROM llm_calls FINAL"), await db.CountAsync("SELECT sum(OutputTokensSum) FROM llm_calls_1m"));
        Assert.Equal(
            await db.CountAsync("SELECT max(Duration) FROM llm_calls"),
            await db.CountAsync("SELECT maxMerge(MaxDuration) FROM llm_maxima_1h"));

        // Energy (migration 9): the calls written before it have none; those written after reach llm_energy_1m on both shards once.
        var withEnergy = await db.CountAsync("SELECT count() FROM llm_calls WHERE Revision = 0 AND isNotNull(EnergyWh)");
        Assert.InRange(withEnergy, 100, 120);
        Assert.Equal(withEnergy, await db.WaitForCountAsync("SELECT sum(EnergyCalls) FROM llm_energy_1m", withEnergy));
        Assert.Equal(
            await db.Client.ScalarAsync("SELECT round(sum(EnergyWh), 6) FROM llm_calls FINAL", "raw energy"),
            await db.Client.ScalarAsync("SELECT round(sum(EnergyWhSum), 6) FROM llm_energy_1m", "rolled-up energy"));
    }

    [Fact]
    public async Task Retention_OnCluster_DropsExpiredDaysOnEveryShardAndReplica_KeepsTheRest()
    {
        await using var db = new ClusterDatabase();
        await db.InitializeAsync();
        var now = new DateTimeOffset(2026, 3, 20, 12, 0, 0, TimeSpan.Zero);
        await DemoData.WriteAsync(db.Client, 200, seed: 6, now.AddDays(-10), TimeSpan.FromHours(3));
        await DemoData.WriteAsync(db.Client, 200, seed: 7, now.AddDays(-1), TimeSpan.FromHours(3));
        Assert.Equal(400, await db.WaitForCountAsync("SELECT count() FROM llm_calls WHERE Revision = 0", 400));

        var dropped = await new RetentionJob(db.Client).RunOnceAsync(5, now);

        Assert.Contains("llm_calls/20260310", dropped);
        Assert.Contains("llm_calls_1m/20260310", dropped);
        var local = SchemaContext.LocalDatabaseName(db.Name);
        foreach (var url in LocalCluster.Urls)
        {
            using var node = new ClickHouseClient(new ClickHouseOptions { Url = url, Database = local });
            // The other replica of a shard drops the partition through replication: wait for it.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            string old;
            while ((old = await node.ScalarAsync("SELECT count() FROM system.parts WHERE database = currentDatabase() AND active AND partition = '20260310'", "old parts")) != "0"
                   && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }

            Assert.Equal("0", old);
            Assert.NotEqual("0", await node.ScalarAsync("SELECT count() FROM system.parts WHERE database = currentDatabase() AND active AND partition = '20260319'", "kept parts"));
        }

        Assert.Equal(200, await db.CountAsync("SELECT count() FROM llm_calls WHERE Revision = 0"));
        Assert.Equal(200, await db.CountAsync("SELECT sum(Calls) FROM llm_calls_1m"));
    }

    private static async Task<string> EngineFullAsync(ClickHouseDatabase db, string table) =>
        await db.Client.ScalarAsync($"SELECT engine_full FROM system.tables WHERE database = '{db.Name}' AND name = '{table}'", "engine");

    private static async Task<string> ColumnsAsync(ClickHouseClient client, string database, bool tablesOnly)
    {
        var rows = await client.QueryAsync(
            $"SELECT table, name, type FROM system.columns WHERE database = '{database}'"
            + (tablesOnly ? $" AND table IN (SELECT name FROM system.tables WHERE database = '{database}' AND engine != 'MaterializedView')" : string.Empty)
            + " ORDER BY table, name",
            "columns");
        return string.Join('\n', rows.Select(r => string.Join(' ', r)));
    }
}
