using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Schema;

using OtelLlm.Receiver.Configuration;

namespace OtelLlm.Receiver.Hosting;

/// <summary>
/// Applies the schema migrations in the background at start-up, retrying while ClickHouse is not up yet, so the
/// receiver starts listening at once and <c>/readyz</c> turns 200 when the schema is in place.
/// </summary>
internal sealed partial class SchemaStartupService(
    ClickHouseClient client,
    ReadinessState readiness,
    IOptions<ReceiverOptions> options,
    ILogger<SchemaStartupService> logger,
    ILogger<MigrationRunner> runnerLogger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var runner = new MigrationRunner(client, runnerLogger);
        if (!options.Value.MigrateOnStart)
        {
            while (!stoppingToken.IsCancellationRequested && !await runner.IsUpToDateAsync(stoppingToken))
            {
                LogSchemaMissing(logger, client.Database);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }

            readiness.MarkSchemaReady();
            return;
        }

        var delay = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await runner.ApplyAsync(stoppingToken);
                readiness.MarkSchemaReady();
                LogSchemaReady(logger, client.Database);
                return;
            }
            catch (ClickHouseException ex)
            {
                LogMigrationRetry(logger, ex.Message, delay.TotalSeconds);
            }

            await Task.Delay(delay, stoppingToken);
            delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 10));
        }
    }

    [LoggerMessage(EventId = ReceiverEventIds.SchemaReady, Level = LogLevel.Information, Message = "Schema of database {Database} is up to date")]
    private static partial void LogSchemaReady(ILogger logger, string database);

    [LoggerMessage(EventId = ReceiverEventIds.SchemaRetry, Level = LogLevel.Warning, Message = "Cannot apply the schema yet ({Reason}); retrying in {Seconds} s")]
    private static partial void LogMigrationRetry(ILogger logger, string reason, double seconds);

    [LoggerMessage(EventId = ReceiverEventIds.SchemaMissing, Level = LogLevel.Warning, Message = "Database {Database} is not migrated and MigrateOnStart is off; run the 'migrate' command")]
    private static partial void LogSchemaMissing(ILogger logger, string database);
}
