using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Pipeline.Spool;
using OtelLlm.Receiver.Transport;
using OtelLlm.Receiver.Transport.Auth;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>Registers the durable spool, the retrying writer, dedup and API-key authentication.</summary>
internal static class ReliabilityServiceCollectionExtensions
{
    /// <summary>
    /// Wraps the registered <see cref="IBatchWriter"/> in a <see cref="SpoolingBatchWriter"/> (unless
    /// <c>Spool:Enabled</c> is false) and replaces the <see cref="IRequestAuthenticator"/> with the one
    /// <see cref="AuthOptions"/> asks for. Call after the default registrations.
    /// </summary>
    public static IServiceCollection AddReliability(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var spoolOptions = configuration.GetSection(SpoolOptions.SectionName).Get<SpoolOptions>() ?? new SpoolOptions();
        var authOptions = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        var receiverOptions = configuration.GetSection(ReceiverOptions.SectionName).Get<ReceiverOptions>() ?? new ReceiverOptions();
        AnyValueText.MaxValueBytes = receiverOptions.MaxAttributeValueBytes;
        services.AddSingleton(spoolOptions);
        services.AddSingleton(authOptions);
        services.AddSingleton<ReliabilityMetrics>();

        services.RemoveAll<IRequestAuthenticator>();
        services.AddSingleton(sp => ApiKeySources.Create(
            authOptions,
            sp.GetRequiredService<IOptions<ReceiverOptions>>().Value,
            contentRoot,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("OtelLlm.Receiver.Auth")));

        if (!spoolOptions.Enabled)
        {
            return services;
        }

        var inner = services.LastOrDefault(d => d.ServiceType == typeof(IBatchWriter))
            ?? throw new InvalidOperationException("Register an IBatchWriter before AddReliability.");
        services.RemoveAll<IBatchWriter>();
        services.AddSingleton(sp => DurableSpool.Open(
            Path.Combine(contentRoot, spoolOptions.Directory),
            spoolOptions,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("OtelLlm.Receiver.Spool")));
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
            Resolve(sp, inner),
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

    /// <summary>Turns on TLS for a Kestrel endpoint when <see cref="AuthOptions.TlsCertificatePath"/> is set.</summary>
    public static void UseConfiguredTls(this ListenOptions listen, IConfiguration configuration, string contentRoot)
    {
        var auth = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        if (string.IsNullOrWhiteSpace(auth.TlsCertificatePath))
        {
            return;
        }

        var path = Path.IsPathRooted(auth.TlsCertificatePath) ? auth.TlsCertificatePath : Path.Combine(contentRoot, auth.TlsCertificatePath);
        listen.UseHttps(X509CertificateLoader.LoadPkcs12FromFile(path, auth.TlsCertificatePassword));
    }

    private static IBatchWriter Resolve(IServiceProvider sp, ServiceDescriptor descriptor)
        => descriptor.ImplementationInstance as IBatchWriter
            ?? descriptor.ImplementationFactory?.Invoke(sp) as IBatchWriter
            ?? (IBatchWriter)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!);
}
