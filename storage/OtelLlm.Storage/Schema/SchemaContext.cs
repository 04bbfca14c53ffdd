using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Storage.Schema;

/// <summary>
/// Generates every piece of DDL that depends on deployment: the database, the <c>ON CLUSTER</c> clause and
/// the table engine. All migrations build their statements through it, so a single-server and a cluster
/// deployment differ only by configuration.
/// </summary>
/// <remarks>
/// <para>
/// On a cluster, the tables that hold data are replicated tables in the <em>local</em> database
/// (<see cref="LocalDatabaseName"/>, <c>otel_llm_local</c> for <c>otel_llm</c>) on every server, and the configured
/// database holds a <c>Distributed</c> table of the same name over each of them, which is what every query and insert
/// uses. A migration is written once, as for a single server; <see cref="MigrationRunner"/> renders its statements
/// twice, once with names in the local database and once with names in the configured one, and picks per statement:
/// </para>
/// <list type="bullet">
/// <item><c>CREATE TABLE</c> with an engine from <see cref="Engine"/>: the local rendering (a replicated table), then a
/// <c>Distributed</c> table of the same name in the configured database, sharded by <c>cityHash64(TraceId)</c> when the
/// table has a <c>TraceId</c> column (a trace stays on one shard), else by a hash of its sort key (a re-delivered
/// record lands where its first copy is, so <c>ReplacingMergeTree</c> still collapses them), unless
/// <see cref="Engine"/> was given a sharding key;</item>
/// <item><c>CREATE MATERIALIZED VIEW</c>: the local rendering, so views read and write the replicated tables on the
/// server where rows are inserted;</item>
/// <item><c>ALTER TABLE</c>: the local rendering, and for column changes also the configured one (the
/// <c>Distributed</c> table's columns follow); <c>DROP TABLE</c>: both;</item>
/// <item>anything else (<c>INSERT … SELECT</c>, <c>CREATE VIEW</c>, tables with an engine written by hand): the
/// configured rendering, which reads and writes the whole cluster.</item>
/// </list>
/// </remarks>
public sealed class SchemaContext
{
    private readonly List<ShardedTable> _engineTables = [];

    /// <summary>Creates a context for a database and an optional cluster, with names in the configured database.</summary>
    public SchemaContext(string database, string cluster = "")
        : this(database, cluster, local: false)
    {
    }

    private SchemaContext(string database, string cluster, bool local)
    {
        PublicDatabase = SqlLiteral.Identifier(database);
        Cluster = string.IsNullOrEmpty(cluster) ? string.Empty : SqlLiteral.Identifier(cluster);
        IsLocal = local && Cluster.Length > 0;
        LocalDatabase = Cluster.Length == 0 ? PublicDatabase : LocalDatabaseName(PublicDatabase);
        Database = IsLocal ? LocalDatabase : PublicDatabase;
    }

    /// <summary>The database that names in this rendering resolve to.</summary>
    public string Database { get; }

    /// <summary>The cluster name, or empty for a single server.</summary>
    public string Cluster { get; }

    /// <summary>Whether a cluster is configured.</summary>
    public bool IsCluster => Cluster.Length > 0;

    /// <summary><c> ON CLUSTER name</c>, or empty.</summary>
    public string OnCluster => Cluster.Length == 0 ? string.Empty : $" ON CLUSTER {Cluster}";

    /// <summary>The configured database, which holds the tables queries use (<c>Distributed</c> ones on a cluster).</summary>
    internal string PublicDatabase { get; }

    /// <summary>The database of the replicated tables on a cluster; the configured database on a single server.</summary>
    internal string LocalDatabase { get; }

    /// <summary>Whether this is the rendering with names in the local database.</summary>
    internal bool IsLocal { get; }

    /// <summary>Tables given an engine by <see cref="Engine"/> while rendering, with their sharding keys if given.</summary>
    internal IReadOnlyList<ShardedTable> EngineTables => _engineTables;

    /// <summary>The database that holds the replicated tables on a cluster: <paramref name="database"/> + <c>_local</c>.</summary>
    public static string LocalDatabaseName(string database) => SqlLiteral.Identifier(database) + "_local";

    /// <summary>A table name qualified with the database.</summary>
    public string Table(string name) => $"{Database}.{SqlLiteral.Identifier(name)}";

    /// <summary>
    /// The engine clause for a MergeTree-family engine, replicated when a cluster is configured.
    /// </summary>
    /// <param name="family">For example <c>MergeTree</c>, <c>ReplacingMergeTree</c>, <c>SummingMergeTree</c>.</param>
    /// <param name="table">The table, used for the replication path.</param>
    /// <param name="arguments">The engine's own arguments (for example the version column), or empty.</param>
    /// <param name="shardingKey">
    /// On a cluster, the integer expression that picks each row's shard; <see langword="null"/> for the default
    /// (<c>cityHash64(TraceId)</c> if the table has that column, else a hash of the sort key). Records that must
    /// collapse into one row or be read together must get the same value.
    /// </param>
    public string Engine(string family, string table, string arguments = "", string? shardingKey = null)
    {
        _engineTables.Add(new ShardedTable(SqlLiteral.Identifier(table), shardingKey));
        if (Cluster.Length == 0)
        {
            return arguments.Length == 0 ? family : $"{family}({arguments})";
        }

        var path = $"'/clickhouse/tables/{{shard}}/{LocalDatabase}/{table}', '{{replica}}'";
        return $"Replicated{family}({path}{(arguments.Length == 0 ? string.Empty : ", " + arguments)})";
    }

    /// <summary>The rendering with names in the local database (the configured one on a single server).</summary>
    internal SchemaContext Local() => new(PublicDatabase, Cluster, local: true);
}

/// <summary>A table created with a MergeTree-family engine and, if given, the expression that shards it.</summary>
internal sealed record ShardedTable(string Name, string? ShardingKey);
