using OtelLlm.Receiver.Pipeline.Wal;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>Registers the write-ahead log, its writer, the dead-letter store and dedup.</summary>
internal static class ReliabilityServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="WriteAheadLog"/> (opened at the first resolve: recovery, the lock, the earlier release's
    /// spool) and the <see cref="WalWriter"/> that drains it through the registered <see cref="ClickHouseBatchWriter"/>.
    /// </summary>
    public static IServiceCollection AddReliability(this IServiceCollection services, WalOptions walOptions, string contentRoot)
    {
        services.AddSingleton(walOptions);
        services.AddSingleton<ReliabilityMetrics>();
        services.AddSingleton(sp => WriteAheadLog.Open(
            Path.Combine(contentRoot, walOptions.Directory),
            walOptions,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("OtelLlm.Receiver.Wal"),
            Path.Combine(contentRoot, walOptions.DeadLetterDirectory),
            string.IsNullOrWhiteSpace(walOptions.LegacySpoolDirectory) ? null : Path.Combine(contentRoot, walOptions.LegacySpoolDirectory)));
        services.AddSingleton(_ => new DeadLetterStore(Path.Combine(contentRoot, walOptions.DeadLetterDirectory)));
        services.AddSingleton(sp => new LlmCallDeduplicator(
            sp.GetRequiredService<ClickHouseClient>(),
            walOptions.DedupWindowSize,
            TimeSpan.FromMinutes(Math.Max(0, walOptions.DedupSeedLookbackMinutes)),
            sp.GetRequiredService<ReliabilityMetrics>(),
            sp.GetRequiredService<ILogger<LlmCallDeduplicator>>()));
        services.AddSingleton<IBatchDeduplicator>(sp => sp.GetRequiredService<LlmCallDeduplicator>());
        services.AddHostedService<DedupSeedService>();
        services.AddSingleton<IBatchWriter>(sp => sp.GetRequiredService<ClickHouseBatchWriter>());
        services.AddSingleton(sp => new WalWriter(
            sp.GetRequiredService<WriteAheadLog>(),
            sp.GetRequiredService<IBatchWriter>(),
            sp.GetRequiredService<DeadLetterStore>(),
            walOptions,
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Configuration.ReceiverOptions>>(),
            sp.GetRequiredService<ReliabilityMetrics>(),
            sp.GetRequiredService<Diagnostics.ReceiverMetrics>(),
            sp.GetRequiredService<ILogger<WalWriter>>(),
            sp.GetRequiredService<IBatchDeduplicator>()));
        services.AddHostedService(sp => sp.GetRequiredService<WalWriter>());
        return services;
    }
}

/// <summary>Refills the <c>llm_calls</c> dedup window from ClickHouse at start-up, retrying until ClickHouse answers.</summary>
internal sealed class DedupSeedService(LlmCallDeduplicator deduplicator) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => deduplicator.SeedAsync(stoppingToken);
}
