using OtelLlm.Storage.Schema;

namespace OtelLlm.Storage.Tests;

/// <summary>
/// How a migration written for one server becomes cluster DDL, including one added later by anyone: the statements are
/// rendered with local and configured names and <see cref="ClusterStatements"/> picks per statement.
/// </summary>
public sealed class ClusterStatementsTests
{
    private static readonly Migration s_later = new(99, "a table added later", s =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("llm_scores")}{s.OnCluster}
        (
            Project String,
            Timestamp DateTime('UTC'),
            ScoreId String,
            Attributes Nested(TraceId String, Value String),
            Value Float64
        )
        ENGINE = {s.Engine("ReplacingMergeTree", "llm_scores")}
        PARTITION BY toYYYYMMDD(Timestamp)
        ORDER BY (Project, toStartOfHour(Timestamp), ScoreId)
        """,
        $"CREATE MATERIALIZED VIEW IF NOT EXISTS {s.Table("llm_scores_mv")}{s.OnCluster} TO {s.Table("llm_scores")} AS SELECT * FROM {s.Table("llm_calls")}",
        $"ALTER TABLE {s.Table("llm_scores")}{s.OnCluster} ADD COLUMN Comment String DEFAULT ''",
        $"ALTER TABLE {s.Table("llm_scores")}{s.OnCluster} DROP PARTITION 20260101",
        $"INSERT INTO {s.Table("llm_scores")} SELECT Project, Timestamp, SpanId, [], [], 0 FROM {s.Table("llm_calls")}",
        $"DROP TABLE IF EXISTS {s.Table("llm_scores")}{s.OnCluster}",
    ]);

    [Fact]
    public void Plan_TableAddedLater_ReplicatedLocalTableThenDistributedShardedBySortKey()
    {
        var plan = Plan(0).Select(p => p.Sql).ToList();

        Assert.Equal(2, plan.Count);
        Assert.StartsWith("CREATE TABLE IF NOT EXISTS otel_llm_local.llm_scores ON CLUSTER prod", plan[0].Trim(), StringComparison.Ordinal);
        Assert.Contains("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/otel_llm_local/llm_scores', '{replica}')", plan[0], StringComparison.Ordinal);
        // TraceId inside Nested(...) is not a column of the table: the sort key shards it.
        Assert.Equal(
            "CREATE TABLE IF NOT EXISTS otel_llm.llm_scores ON CLUSTER prod AS otel_llm_local.llm_scores "
            + "ENGINE = Distributed(prod, otel_llm_local, llm_scores, cityHash64(Project, toStartOfHour(Timestamp), ScoreId))",
            plan[1]);
    }

    [Fact]
    public void Plan_ViewReadsAndWritesTheLocalTables_AltersPerShardAndColumnChangesReachBoth_InsertsAndDropsThroughTheCluster()
    {
        Assert.Equal([new("CREATE MATERIALIZED VIEW IF NOT EXISTS otel_llm_local.llm_scores_mv ON CLUSTER prod TO otel_llm_local.llm_scores AS SELECT * FROM otel_llm_local.llm_calls")], Plan(1));

        // The replicated table is altered on one server per shard, its Distributed table on every server (neither ON CLUSTER).
        Assert.Equal(
            [new("ALTER TABLE otel_llm_local.llm_scores ADD COLUMN Comment String DEFAULT ''", StatementTarget.EachShard), new("ALTER TABLE otel_llm.llm_scores ADD COLUMN Comment String DEFAULT ''", StatementTarget.EachServer)],
            Plan(2));
        Assert.Equal([new("ALTER TABLE otel_llm_local.llm_scores DROP PARTITION 20260101", StatementTarget.EachShard)], Plan(3));
        Assert.Equal([new("INSERT INTO otel_llm.llm_scores SELECT Project, Timestamp, SpanId, [], [], 0 FROM otel_llm.llm_calls")], Plan(4));
        Assert.Equal([new("DROP TABLE IF EXISTS otel_llm.llm_scores ON CLUSTER prod"), new("DROP TABLE IF EXISTS otel_llm_local.llm_scores ON CLUSTER prod")], Plan(5));
    }

    [Fact]
    public void Plan_ShippedTables_ShardedByTraceWhereTheyHaveOne()
    {
        var schema = new SchemaContext("otel_llm", "prod");
        var sql = string.Join("\n", Migrations.All.SelectMany(m => m.Statements(schema)));
        string Key(string table) => ClusterStatements.DefaultShardingKey(Migrations.All[0].Statements(schema).Single(s => s.Contains($"EXISTS otel_llm.{table} ", StringComparison.Ordinal)));

        Assert.Equal("cityHash64(TraceId)", Key("llm_calls"));
        Assert.Equal("cityHash64(TraceId)", Key("otel_traces"));
        Assert.Equal("cityHash64(TraceId)", Key("llm_feedback"));
        Assert.Equal("cityHash64(Project, ServiceName, MetricName, SeriesHash, Timestamp, TimeUnixNano)", Key("otel_metrics"));
        Assert.Contains("shard", sql, StringComparison.Ordinal);
    }

    private static IReadOnlyList<PlannedStatement> Plan(int statement)
    {
        var configured = new SchemaContext("otel_llm", "prod");
        var local = new SchemaContext("otel_llm", "prod").Local();
        var tables = new Dictionary<string, ShardedTable>();
        foreach (var table in AllTables(local))
        {
            tables.TryAdd(table.Name, table);
        }

        return ClusterStatements.Plan(s_later.Statements(local)[statement], s_later.Statements(configured)[statement], configured, tables);
    }

    private static IReadOnlyList<ShardedTable> AllTables(SchemaContext local)
    {
        foreach (var m in Migrations.All.Append(s_later))
        {
            _ = m.Statements(local);
        }

        return local.EngineTables;
    }
}
