namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>Runs the spool replayer for the life of the host; on start it first drains what an earlier process left.</summary>
internal sealed class SpoolReplayService(SpoolingBatchWriter writer) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => writer.RunReplayAsync(stoppingToken);
}
