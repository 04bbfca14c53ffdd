using System.Globalization;
using Microsoft.Extensions.Logging;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Schema;

namespace OtelLlm.Storage.Retention;

/// <summary>
/// Drops whole day partitions older than a number of days from every table in the database. This is the
/// portable form of a TTL: it works on ClickHouse 18.16, which has no <c>TTL</c> clause, and on modern servers.
/// </summary>
/// <remarks>
/// A day partition (<c>toYYYYMMDD</c>, for example <c>20261122</c>) is dropped once its whole day lies
/// before the cut-off; a month partition (<c>toYYYYMM</c>, used by rollups) once its whole month does.
/// Partitions with any other shape are left alone. On a cluster it drops them from the replicated tables on one
/// server of every shard, which needs an endpoint of every shard among <see cref="ClickHouseOptions.Endpoints"/>.
/// </remarks>
public sealed partial class RetentionJob
{
    private readonly ClickHouseClient _client;
    private readonly ILogger _logger;

    /// <summary>Creates the job for the client's database.</summary>
    public RetentionJob(ClickHouseClient client, ILogger<RetentionJob>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>Drops what is older than <paramref name="retentionDays"/> days before <paramref name="now"/>.</summary>
    /// <param name="retentionDays">Days to keep; 0 keeps everything.</param>
    /// <param name="now">The current time (UTC).</param>
    /// <param name="cancellationToken">Cancels the run between statements.</param>
    /// <returns>The dropped partitions as <c>table/partition</c>.</returns>
    public async Task<IReadOnlyList<string>> RunOnceAsync(int retentionDays, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retentionDays);
        var dropped = new List<string>();
        if (retentionDays == 0)
        {
            return dropped;
        }

        // The first day that is kept: everything strictly before it goes.
        var firstKept = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-retentionDays);
        if (_client.Options.Cluster.Length == 0)
        {
            await DropExpiredAsync(_client, _client.Database, firstKept, dropped, cancellationToken);
            return dropped;
        }

        // On a cluster the rows are in the replicated tables of the local database on every shard: drop on one server
        // of each shard (its other replicas follow through replication; never ON CLUSTER, see ClusterShards).
        var database = SchemaContext.LocalDatabaseName(_client.Database);
        var shards = await ClusterShards.OnePerShardAsync(_client, cancellationToken);
        try
        {
            foreach (var shard in shards)
            {
                await DropExpiredAsync(shard, database, firstKept, dropped, cancellationToken);
            }
        }
        finally
        {
            foreach (var shard in shards)
            {
                shard.Dispose();
            }
        }

        return dropped;
    }

    private async Task DropExpiredAsync(ClickHouseClient client, string database, DateOnly firstKept, List<string> dropped, CancellationToken cancellationToken)
    {
        var rows = await client.QueryAsync(
            $"SELECT DISTINCT table, partition FROM system.parts WHERE database = {SqlLiteral.Quote(database)} AND active ORDER BY table, partition",
            "list partitions for retention",
            cancellationToken);
        foreach (var row in rows)
        {
            var (table, partition) = (row[0], row[1]);
            if (!IsExpired(partition, firstKept))
            {
                continue;
            }

            // IsExpired accepted only all-digit partition values, so the value is a number literal as it stands.
            await client.ExecuteAsync(
                $"ALTER TABLE {SqlLiteral.Identifier(database)}.{SqlLiteral.Identifier(table)} DROP PARTITION {partition}",
                $"drop expired partition {partition} of {table}",
                cancellationToken: cancellationToken);
            LogDropped(_logger, table, partition);
            if (!dropped.Contains($"{table}/{partition}"))
            {
                dropped.Add($"{table}/{partition}");
            }
        }
    }

    internal static bool IsExpired(string partition, DateOnly firstKept)
    {
        if (partition.Length == 8 && DateOnly.TryParseExact(partition, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day < firstKept;
        }

        if (partition.Length == 6 && DateOnly.TryParseExact(partition + "01", "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month))
        {
            return month.AddMonths(1) <= firstKept;
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention dropped partition {Partition} of {Table}")]
    private static partial void LogDropped(ILogger logger, string table, string partition);
}
