using OtelLlm.Storage.Rows;
using OtelLlm.Storage.Schema;
using OtelLlm.TestSupport;

namespace OtelLlm.Storage.Tests;

public sealed class MigrationTests
{
    private static readonly string[] s_contractTables = ["otel_traces", "otel_logs", "otel_metrics", "llm_calls", "llm_feedback", "schema_migrations"];

    [Fact]
    public async Task Apply_OnEmptyServer_CreatesEveryContractTableAndRecordsVersions()
    {
        await using var db = await NewDatabaseAsync();

        var applied = await new MigrationRunner(db.Client).ApplyAsync();

        Assert.Equal(Migrations.All.Select(m => m.Version), applied);
        var tables = (await db.QueryAsync($"SELECT name FROM system.tables WHERE database = '{db.Name}'")).Select(r => r[0]).ToHashSet();
        Assert.Superset(s_contractTables.ToHashSet(), tables);
        Assert.True(await new MigrationRunner(db.Client).IsUpToDateAsync());
    }

    [Fact]
    public async Task Apply_Twice_SecondRunAppliesNothingAndSchemaIsUnchanged()
    {
        await using var db = await NewDatabaseAsync();
        var runner = new MigrationRunner(db.Client);
        await runner.ApplyAsync();
        var before = await SchemaOfAsync(db);

        var second = await runner.ApplyAsync();

        Assert.Empty(second);
        Assert.Equal(before, await SchemaOfAsync(db));
        Assert.Equal(Migrations.All.Count, await db.CountAsync("SELECT count() FROM schema_migrations FINAL"));
    }

    [Fact]
    public async Task Apply_FourRunnersAtOnce_NoErrorAndSameSchemaAsOneRunner()
    {
        await using var single = await NewDatabaseAsync();
        await new MigrationRunner(single.Client).ApplyAsync();
        await using var db = await NewDatabaseAsync();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new MigrationRunner(db.Client).ApplyAsync()));

        Assert.Equal(await SchemaOfAsync(single), await SchemaOfAsync(db));
        Assert.True(await new MigrationRunner(db.Client).IsUpToDateAsync());
    }

    [Theory]
    [InlineData(TraceRow.Table, TraceRow.Columns)]
    [InlineData(LogRow.Table, LogRow.Columns)]
    [InlineData(MetricRow.Table, MetricRow.Columns)]
    [InlineData(LlmCallRow.Table, LlmCallRow.Columns)]
    [InlineData(FeedbackRow.Table, FeedbackRow.Columns)]
    public async Task RowWriterColumns_MatchTheTableExactly(string table, string columns)
    {
        await using var db = await NewDatabaseAsync();
        await new MigrationRunner(db.Client).ApplyAsync();

        var described = (await db.QueryAsync($"SELECT name FROM system.columns WHERE database = '{db.Name}' AND table = '{table}'")).Select(r => r[0]);

        Assert.Equal(described, columns.Split(',', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void SchemaContext_Cluster_GeneratesReplicatedEngineAndOnCluster()
    {
        var s = new SchemaContext("otel_llm", "prod");

        Assert.Equal(" ON CLUSTER prod", s.OnCluster);
        Assert.Equal("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/otel_llm/llm_calls', '{replica}', Revision)", s.Engine("ReplacingMergeTree", "llm_calls", "Revision"));
        Assert.Equal("ReplacingMergeTree(Revision)", new SchemaContext("otel_llm").Engine("ReplacingMergeTree", "llm_calls", "Revision"));
        Assert.All(Migrations.All.SelectMany(m => m.Statements(s)), sql => Assert.Contains(" ON CLUSTER prod", sql, StringComparison.Ordinal));
    }

    private static async Task<ClickHouseDatabase> NewDatabaseAsync()
    {
        var db = new ClickHouseDatabase { Migrate = false };
        await db.InitializeAsync();
        return db;
    }

    private static async Task<string> SchemaOfAsync(ClickHouseDatabase db)
    {
        var rows = await db.QueryAsync($"SELECT table, name, type FROM system.columns WHERE database = '{db.Name}' ORDER BY table, name");
        var engines = await db.QueryAsync($"SELECT name, engine, sorting_key, partition_key FROM system.tables WHERE database = '{db.Name}' ORDER BY name");
        return string.Join('\n', rows.Concat(engines).Select(r => string.Join('|', r)));
    }
}
