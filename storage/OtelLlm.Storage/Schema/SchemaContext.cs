using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Storage.Schema;

/// <summary>
/// Generates every piece of DDL that depends on deployment: the database, the <c>ON CLUSTER</c> clause and
/// the table engine. All migrations build their statements through it, so a single-server and a cluster
/// deployment differ only by configuration.
/// </summary>
public sealed class SchemaContext
{
    /// <summary>Creates a context for a database and an optional cluster.</summary>
    public SchemaContext(string database, string cluster = "")
    {
        Database = SqlLiteral.Identifier(database);
        Cluster = string.IsNullOrEmpty(cluster) ? string.Empty : SqlLiteral.Identifier(cluster);
    }

    /// <summary>The database name.</summary>
    public string Database { get; }

    /// <summary>The cluster name, or empty for a single server.</summary>
    public string Cluster { get; }

    /// <summary><c> ON CLUSTER name</c>, or empty.</summary>
    public string OnCluster => Cluster.Length == 0 ? string.Empty : $" ON CLUSTER {Cluster}";

    /// <summary>A table name qualified with the database.</summary>
    public string Table(string name) => $"{Database}.{SqlLiteral.Identifier(name)}";

    /// <summary>
    /// The engine clause for a MergeTree-family engine, replicated when a cluster is configured.
    /// </summary>
    /// <param name="family">For example <c>MergeTree</c>, <c>ReplacingMergeTree</c>, <c>SummingMergeTree</c>.</param>
    /// <param name="table">The table, used for the replication path.</param>
    /// <param name="arguments">The engine's own arguments (for example the version column), or empty.</param>
    public string Engine(string family, string table, string arguments = "")
    {
        if (Cluster.Length == 0)
        {
            return arguments.Length == 0 ? family : $"{family}({arguments})";
        }

        var path = $"'/clickhouse/tables/{{shard}}/{Database}/{table}', '{{replica}}'";
        return $"Replicated{family}({path}{(arguments.Length == 0 ? string.Empty : ", " + arguments)})";
    }
}
