namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>Runs the spool replayer for the life of the host; on start it first drains what an earlier process left.</summary>
internal sealed class SpoolReplayService(SpoolingBatchWriter writer) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => writer.RunReplayAsync(stoppingToken);
}

/// <summary>Refills the <c>llm_calls</c> dedup window from ClickHouse at start-up, retrying until ClickHouse answers.</summary>
internal sealed class DedupSeedService(LlmCallDeduplicator deduplicator) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => deduplicator.SeedAsync(stoppingToken);
}
