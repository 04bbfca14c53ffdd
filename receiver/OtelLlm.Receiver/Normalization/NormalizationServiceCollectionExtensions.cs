using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OtelLlm.Receiver.Normalization;

/// <summary>Registers GenAI normalization in the receiver's services.</summary>
internal static class NormalizationServiceCollectionExtensions
{
    /// <summary>
    /// Replaces any registered <see cref="IGenAiNormalizer"/> with <see cref="GenAiNormalizer"/>, configured from the
    /// <see cref="GenAiNormalizationOptions.SectionName"/> section.
    /// </summary>
    public static IServiceCollection AddGenAiNormalization(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GenAiNormalizationOptions>().Bind(configuration.GetSection(GenAiNormalizationOptions.SectionName));
        services.AddMetrics();
        services.RemoveAll<IGenAiNormalizer>();
        services.AddSingleton<IGenAiNormalizer, GenAiNormalizer>();
        return services;
    }
}
