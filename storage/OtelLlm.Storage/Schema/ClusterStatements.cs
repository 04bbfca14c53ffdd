using System.Text.RegularExpressions;

namespace OtelLlm.Storage.Schema;

/// <summary>
/// Turns one statement of a migration, rendered with local and with configured names, into what runs on a cluster
/// (see <see cref="SchemaContext"/>): replicated tables with a <c>Distributed</c> table over each, views on the
/// replicated tables, column changes on both, everything else over the whole cluster.
/// </summary>
internal static partial class ClusterStatements
{
    /// <summary>The statements to run, in order, for one statement of a migration.</summary>
    /// <param name="local">The statement rendered with names in the local database.</param>
    /// <param name="configured">The same statement rendered with names in the configured database.</param>
    /// <param name="schema">The configured rendering's context (names the databases and the cluster).</param>
    /// <param name="engineTables">Every table any migration gives a MergeTree-family engine, by name.</param>
    public static IReadOnlyList<PlannedStatement> Plan(string local, string configured, SchemaContext schema, IReadOnlyDictionary<string, ShardedTable> engineTables)
    {
        if (CreateTable().Match(local) is { Success: true } create)
        {
            return engineTables.TryGetValue(create.Groups["name"].Value, out var table)
                ? [new(local), new(DistributedTable(table, local, schema))]
                : [new(configured)];
        }

        if (CreateMaterializedView().IsMatch(local))
        {
            return [new(local)];
        }

        if (AlterTable().Match(local) is { Success: true } alter)
        {
            if (!engineTables.ContainsKey(alter.Groups["name"].Value))
            {
                return [new(local)];
            }

            // Not ON CLUSTER (see ClusterShards): the replicated table on one server of each shard, and for a column
            // change its Distributed table on every server.
            var perShard = new PlannedStatement(WithoutOnCluster(local, schema), StatementTarget.EachShard);
            return ColumnChange().IsMatch(local) ? [perShard, new(WithoutOnCluster(configured, schema), StatementTarget.EachServer)] : [perShard];
        }

        if (DropTable().Match(local) is { Success: true } drop)
        {
            return engineTables.ContainsKey(drop.Groups["name"].Value) ? [new(configured), new(local)] : [new(configured)];
        }

        return [new(configured)];
    }

    private static string WithoutOnCluster(string statement, SchemaContext schema) => statement.Replace(schema.OnCluster, string.Empty, StringComparison.Ordinal);

    /// <summary>The <c>Distributed</c> table in the configured database over a replicated table created by <paramref name="createLocal"/>.</summary>
    public static string DistributedTable(ShardedTable table, string createLocal, SchemaContext schema) =>
        $"CREATE TABLE IF NOT EXISTS {schema.PublicDatabase}.{table.Name}{schema.OnCluster} AS {schema.LocalDatabase}.{table.Name} "
        + $"ENGINE = Distributed({schema.Cluster}, {schema.LocalDatabase}, {table.Name}, {table.ShardingKey ?? DefaultShardingKey(createLocal)})";

    /// <summary>
    /// <c>cityHash64(TraceId)</c> for a table with a <c>TraceId</c> column, so a trace's rows share a shard; else a hash of
    /// the sort key, so copies of one record (which share it) share a shard; <c>rand()</c> for a table with neither.
    /// </summary>
    internal static string DefaultShardingKey(string createTable)
    {
        if (HasTopLevelColumn(createTable, "TraceId"))
        {
            return "cityHash64(TraceId)";
        }

        var orderBy = OrderBy().Match(createTable);
        if (!orderBy.Success)
        {
            return "rand()";
        }

        var rest = createTable.AsSpan(orderBy.Index + orderBy.Length).TrimStart();
        if (rest.Length > 0 && rest[0] == '(')
        {
            var depth = 0;
            for (var i = 0; i < rest.Length; i++)
            {
                depth += rest[i] switch { '(' => 1, ')' => -1, _ => 0 };
                if (depth == 0)
                {
                    return $"cityHash64({rest[1..i].ToString().Trim()})";
                }
            }

            return "rand()";
        }

        var end = rest.IndexOfAny(" \t\r\n");
        return $"cityHash64({(end < 0 ? rest : rest[..end]).ToString()})";
    }

    // Whether the column list (the first parenthesis of the statement) declares the column at its top level, not inside
    // a Nested(...) or a type's arguments.
    private static bool HasTopLevelColumn(string createTable, string column)
    {
        var open = createTable.IndexOf('(', StringComparison.Ordinal);
        if (open < 0)
        {
            return false;
        }

        var depth = 0;
        var entryStart = open + 1;
        for (var i = open; i < createTable.Length; i++)
        {
            var c = createTable[i];
            if (c == '(')
            {
                depth++;
                continue;
            }

            if ((c == ',' && depth == 1) || (c == ')' && depth == 1))
            {
                var entry = createTable.AsSpan(entryStart, i - entryStart).Trim();
                if (entry.StartsWith(column, StringComparison.Ordinal) && entry.Length > column.Length && char.IsWhiteSpace(entry[column.Length]))
                {
                    return true;
                }

                entryStart = i + 1;
            }

            if (c == ')' && --depth == 0)
            {
                return false;
            }
        }

        return false;
    }

    [GeneratedRegex(@"^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?\w+\.(?<name>\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();

    [GeneratedRegex(@"^\s*CREATE\s+MATERIALIZED\s+VIEW\b", RegexOptions.IgnoreCase)]
    private static partial Regex CreateMaterializedView();

    [GeneratedRegex(@"^\s*ALTER\s+TABLE\s+\w+\.(?<name>\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex AlterTable();

    [GeneratedRegex(@"\b(?:ADD|DROP|MODIFY|CLEAR|COMMENT|RENAME)\s+COLUMN\b", RegexOptions.IgnoreCase)]
    private static partial Regex ColumnChange();

    [GeneratedRegex(@"^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?\w+\.(?<name>\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex DropTable();

    [GeneratedRegex(@"\bORDER\s+BY\b", RegexOptions.IgnoreCase)]
    private static partial Regex OrderBy();
}

/// <summary>A statement to run on a cluster, and where.</summary>
internal sealed record PlannedStatement(string Sql, StatementTarget Target = StatementTarget.Cluster);

/// <summary>Where a planned statement runs.</summary>
internal enum StatementTarget
{
    /// <summary>On the server the client reaches (with <c>ON CLUSTER</c> in the statement when it is DDL).</summary>
    Cluster,

    /// <summary>On one server of each shard.</summary>
    EachShard,

    /// <summary>On every server of the cluster.</summary>
    EachServer,
}
