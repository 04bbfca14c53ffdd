using OtelLlm.Receiver.Pipeline.Spool;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>Registers the durable spool, the retrying writer and dedup.</summary>
internal static class ReliabilityServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="IBatchWriter"/> the pipeline writes through: a <see cref="SpoolingBatchWriter"/> over the
    /// registered <see cref="ClickHouseBatchWriter"/>, with the spool, dead letter and dedup, or, with <c>Spool:Enabled</c>
    /// false, the <see cref="ClickHouseBatchWriter"/> itself.
    /// </summary>
    public static IServiceCollection AddReliability(this IServiceCollection services, SpoolOptions spoolOptions, string contentRoot)
    {
        services.AddSingleton(spoolOptions);
        services.AddSingleton<ReliabilityMetrics>();
        if (!spoolOptions.Enabled)
        {
            services.AddSingleton<IBatchWriter>(sp => sp.GetRequiredService<ClickHouseBatchWriter>());
            return services;
        }

        services.AddSingleton(sp => DurableSpool.Open(
            Path.Combine(contentRoot, spoolOptions.Directory),
            spoolOptions,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("OtelLlm.Receiver.Spool"),
            Path.Combine(contentRoot, spoolOptions.DeadLetterDirectory)));
        services.AddSingleton(_ => new DeadLetterStore(Path.Combine(contentRoot, spoolOptions.DeadLetterDirectory)));
        services.AddSingleton(sp => new LlmCallDeduplicator(
            sp.GetRequiredService<ClickHouseClient>(),
            spoolOptions.DedupWindowSize,
            TimeSpan.FromMinutes(Math.Max(0, spoolOptions.DedupSeedLookbackMinutes)),
            sp.GetRequiredService<ReliabilityMetrics>(),
            sp.GetRequiredService<ILogger<LlmCallDeduplicator>>()));
        services.AddSingleton<IBatchDeduplicator>(sp => sp.GetRequiredService<LlmCallDeduplicator>());
        services.AddHostedService<DedupSeedService>();
        services.AddSingleton(sp => new SpoolingBatchWriter(
            sp.GetRequiredService<ClickHouseBatchWriter>(),
            sp.GetRequiredService<DurableSpool>(),
            sp.GetRequiredService<DeadLetterStore>(),
            spoolOptions,
            sp.GetRequiredService<ReliabilityMetrics>(),
            sp.GetRequiredService<ILogger<SpoolingBatchWriter>>(),
            sp.GetRequiredService<IBatchDeduplicator>()));
        services.AddSingleton<IBatchWriter>(sp => sp.GetRequiredService<SpoolingBatchWriter>());
        services.AddHostedService<SpoolReplayService>();
        return services;
    }
}
