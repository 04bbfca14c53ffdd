using OtelLlm.Receiver.Configuration;
using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Retention;

namespace OtelLlm.Receiver.Hosting;

/// <summary>
/// Runs <see cref="RetentionJob"/> on a schedule: every <see cref="ReceiverOptions.RetentionCheckIntervalSeconds"/> it
/// drops the day partitions older than <see cref="ReceiverOptions.RetentionDays"/> from every table (never an
/// <c>ALTER … DELETE</c>, which loses fresh rows on ClickHouse 18.16). Off when the days are 0.
/// </summary>
internal sealed partial class RetentionService(
    ClickHouseClient client,
    ReadinessState readiness,
    IOptions<ReceiverOptions> options,
    TimeProvider time,
    ILogger<RetentionService> logger,
    ILogger<RetentionJob> jobLogger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var days = options.Value.RetentionDays;
        if (days <= 0)
        {
            return;
        }

        var job = new RetentionJob(client, jobLogger);
        var interval = TimeSpan.FromSeconds(options.Value.RetentionCheckIntervalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            // Tables appear with the schema; before that there is nothing to drop.
            if (readiness.SchemaReady)
            {
                try
                {
                    var dropped = await job.RunOnceAsync(days, time.GetUtcNow(), stoppingToken);
                    if (dropped.Count > 0)
                    {
                        var partitions = string.Join(", ", dropped);
                        LogDropped(logger, dropped.Count, days, partitions);
                    }
                }
                catch (ClickHouseException e)
                {
                    LogFailed(logger, e.Message);
                }
            }

            await Task.Delay(readiness.SchemaReady ? interval : TimeSpan.FromMilliseconds(Math.Min(1000, interval.TotalMilliseconds)), time, stoppingToken);
        }
    }

    [LoggerMessage(EventId = ReceiverEventIds.RetentionDropped, Level = LogLevel.Information, Message = "Retention dropped {Count} partitions older than {Days} days: {Partitions}")]
    private static partial void LogDropped(ILogger logger, int count, int days, string partitions);

    [LoggerMessage(EventId = ReceiverEventIds.RetentionFailed, Level = LogLevel.Warning, Message = "Retention could not drop old partitions; trying again next interval: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
