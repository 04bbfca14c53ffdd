using System.Globalization;
using Microsoft.Extensions.Logging;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Storage.Schema;

/// <summary>
/// Brings a database up to <see cref="Migrations.LatestVersion"/>, recording each applied version in
/// <c>schema_migrations</c>. Safe to run from several processes at once: every statement is idempotent and
/// a statement that loses a creation race to another runner (table or column already exists) counts as done.
/// </summary>
public sealed partial class MigrationRunner
{
    // Codes that mean "another runner already did it": TABLE_ALREADY_EXISTS, DATABASE_ALREADY_EXISTS,
    // DUPLICATE_COLUMN, ILLEGAL_COLUMN (column exists).
    private const int TableAlreadyExists = 57;

    private static readonly int[] s_alreadyDone = [TableAlreadyExists, 82, 15, 44];

    private readonly ClickHouseClient _client;
    private readonly SchemaContext _schema;
    private readonly IReadOnlyList<Migration> _migrations;
    private readonly ILogger _logger;
    private readonly IReadOnlyDictionary<string, ShardedTable> _engineTables;

    /// <summary>Creates a runner for the client's database and cluster (see <see cref="SchemaContext"/> for what a cluster gets).</summary>
    public MigrationRunner(ClickHouseClient client, ILogger<MigrationRunner>? logger = null, IReadOnlyList<Migration>? migrations = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _schema = new SchemaContext(client.Options.Database, client.Options.Cluster);
        _migrations = migrations ?? Migrations.All;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _engineTables = EngineTables(_schema, _migrations);
    }

    /// <summary>Applies every migration not yet recorded, in order, and returns the versions it applied.</summary>
    public async Task<IReadOnlyList<int>> ApplyAsync(CancellationToken cancellationToken = default)
    {
        await RunAsync($"CREATE DATABASE IF NOT EXISTS {_schema.PublicDatabase}{_schema.OnCluster}", "create the database", false, cancellationToken);
        if (_schema.IsCluster)
        {
            await RunAsync($"CREATE DATABASE IF NOT EXISTS {_schema.LocalDatabase}{_schema.OnCluster}", "create the database of the replicated tables", false, cancellationToken);
        }

        await RunStatementsAsync(MigrationsTable, "create schema_migrations", cancellationToken);

        var applied = await GetAppliedVersionsAsync(cancellationToken);
        var done = new List<int>();
        foreach (var migration in _migrations.OrderBy(m => m.Version))
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }

            LogApplying(_logger, migration.Version, migration.Name);
            await RunStatementsAsync(migration.Statements, $"apply migration {migration.Version} ({migration.Name})", cancellationToken);
            if (migration.Views is { } views)
            {
                // The view reads and writes where rows are inserted (the replicated tables on a cluster); the fill reads
                // and writes through the configured names (the whole cluster).
                var created = views(_schema.Local());
                var filled = views(_schema);
                for (var i = 0; i < created.Count; i++)
                {
                    await CreateAndFillAsync(created[i], filled[i], migration, cancellationToken);
                }
            }

            await _client.ExecuteAsync(
                $"INSERT INTO {_schema.Table("schema_migrations")} (Version, Name, AppliedAt) VALUES ({migration.Version.ToString(CultureInfo.InvariantCulture)}, {SqlLiteral.Quote(migration.Name)}, now())",
                $"record migration {migration.Version}",
                cancellationToken: cancellationToken);
            done.Add(migration.Version);
        }

        return done;
    }

    /// <summary>The versions recorded as applied.</summary>
    public async Task<IReadOnlySet<int>> GetAppliedVersionsAsync(CancellationToken cancellationToken = default)
    {
        var rows = await _client.QueryAsync(
            $"SELECT DISTINCT Version FROM {_schema.Table("schema_migrations")} ORDER BY Version",
            "read applied migrations",
            cancellationToken);
        var versions = new HashSet<int>();
        foreach (var row in rows)
        {
            versions.Add(int.Parse(row[0], CultureInfo.InvariantCulture));
        }

        return versions;
    }

    /// <summary>Whether every shipped migration is recorded as applied.</summary>
    public async Task<bool> IsUpToDateAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var applied = await GetAppliedVersionsAsync(cancellationToken);
            return _migrations.All(m => applied.Contains(m.Version));
        }
        catch (ClickHouseException)
        {
            return false;
        }
    }

    // The view counts every row inserted after it exists; the fill counts the rows with a Timestamp before the
    // cut-off taken right after, newest day first, each day in one INSERT … SELECT (a bounded statement however much
    // data there is). Only the runner whose CREATE succeeded fills, so concurrent or repeated runs fill once. A row is
    // counted twice only if it is inserted in the moment between the view's creation and its day's fill reading
    // the table with a Timestamp before the cut-off (a call in flight during the upgrade).
    private async Task CreateAndFillAsync(BackfilledView created, BackfilledView view, Migration migration, CancellationToken cancellationToken)
    {
        var purpose = $"apply migration {migration.Version} ({migration.Name}): create {view.Name}";
        var local = _schema.Local();
        try
        {
            await _client.ExecuteAsync(
                $"CREATE MATERIALIZED VIEW {local.Table(created.Name)}{local.OnCluster} TO {local.Table(created.Target)} AS {created.Select(null)}",
                purpose,
                cancellationToken: cancellationToken);
        }
        catch (ClickHouseException ex) when (ex.Code == TableAlreadyExists)
        {
            LogAlreadyDone(_logger, purpose, ex.Code);
            return;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cutoff = long.Parse(await _client.ScalarAsync("SELECT toUInt32(now())", "read the backfill cut-off", cancellationToken), CultureInfo.InvariantCulture);
        var days = await _client.QueryAsync(
            $"SELECT DISTINCT toUInt32(toStartOfDay(Timestamp)) AS day FROM {_schema.Table(view.Source)} WHERE Timestamp < toDateTime({Number(cutoff)}) ORDER BY day DESC",
            $"list the days to backfill into {view.Target}",
            cancellationToken);
        foreach (var row in days)
        {
            var day = long.Parse(row[0], CultureInfo.InvariantCulture);
            var end = Math.Min(day + 86_400, cutoff);
            await _client.ExecuteAsync(
                $"INSERT INTO {_schema.Table(view.Target)} {view.Select($"Timestamp >= toDateTime({Number(day)}) AND Timestamp < toDateTime({Number(end)})")}",
                $"backfill {view.Target} for the day starting {DateTimeOffset.FromUnixTimeSeconds(day):yyyy-MM-dd}",
                cancellationToken: cancellationToken);
        }

        LogBackfilled(_logger, view.Target, days.Count, clock.Elapsed.TotalSeconds);
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string[] MigrationsTable(SchemaContext s) =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("schema_migrations")}{s.OnCluster}
        (Version UInt32, Name String, AppliedAt DateTime('UTC'))
        ENGINE = {s.Engine("ReplacingMergeTree", "schema_migrations")}
        ORDER BY Version
        """,
    ];

    // Every table given a MergeTree-family engine by any migration (and schema_migrations): on a cluster these are the
    // replicated tables with a Distributed table over them.
    private static Dictionary<string, ShardedTable> EngineTables(SchemaContext schema, IReadOnlyList<Migration> migrations)
    {
        var tables = new Dictionary<string, ShardedTable>(StringComparer.Ordinal);
        var local = schema.Local();
        _ = MigrationsTable(local);
        foreach (var migration in migrations)
        {
            _ = migration.Statements(local);
        }

        foreach (var table in local.EngineTables)
        {
            tables.TryAdd(table.Name, table);
        }

        return tables;
    }

    // A single server runs each statement as written; a cluster runs what ClusterStatements plans for it.
    private async Task RunStatementsAsync(Func<SchemaContext, IReadOnlyList<string>> statements, string purpose, CancellationToken cancellationToken)
    {
        var configured = statements(_schema);
        if (!_schema.IsCluster)
        {
            foreach (var statement in configured)
            {
                await RunAsync(statement, purpose, true, cancellationToken);
            }

            return;
        }

        var local = statements(_schema.Local());
        for (var i = 0; i < configured.Count; i++)
        {
            foreach (var statement in ClusterStatements.Plan(local[i], configured[i], _schema, _engineTables))
            {
                if (statement.Target == StatementTarget.Cluster)
                {
                    await RunAsync(statement.Sql, purpose, true, cancellationToken);
                    continue;
                }

                var servers = statement.Target == StatementTarget.EachShard
                    ? await ClusterShards.OnePerShardAsync(_client, cancellationToken)
                    : await ClusterShards.EveryServerAsync(_client, cancellationToken);
                try
                {
                    foreach (var server in servers)
                    {
                        await RunAsync(server, statement.Sql, purpose, true, cancellationToken);
                    }
                }
                finally
                {
                    foreach (var server in servers)
                    {
                        server.Dispose();
                    }
                }
            }
        }
    }

    private Task RunAsync(string sql, string purpose, bool useDatabase, CancellationToken cancellationToken)
        => RunAsync(_client, sql, purpose, useDatabase, cancellationToken);

    private async Task RunAsync(ClickHouseClient client, string sql, string purpose, bool useDatabase, CancellationToken cancellationToken)
    {
        try
        {
            await client.ExecuteAsync(sql, purpose, useDatabase, cancellationToken);
        }
        catch (ClickHouseException ex) when (Array.IndexOf(s_alreadyDone, ex.Code) >= 0)
        {
            LogAlreadyDone(_logger, purpose, ex.Code);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying schema migration {Version}: {Name}")]
    private static partial void LogApplying(ILogger logger, int version, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfilled {Table} from {Days} days of existing rows in {Seconds:0.0} s")]
    private static partial void LogBackfilled(ILogger logger, string table, int days, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Step of '{Purpose}' was already done by another runner (ClickHouse code {Code})")]
    private static partial void LogAlreadyDone(ILogger logger, string purpose, int code);
}
