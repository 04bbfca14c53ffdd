using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OtelLlm.Instrumentation;
using OtelLlm.Instrumentation.Enrichment;

namespace Microsoft.Extensions.AI;

/// <summary>Adds Microsoft.Extensions.AI's OpenTelemetry embedding generator with OtelLlm's enrichment inside it, in one line.</summary>
public static class OtelLlmEmbeddingGeneratorExtensions
{
    /// <summary>
    /// Adds <see cref="OpenTelemetryEmbeddingGenerator{TInput, TEmbedding}"/> (GenAI spans and metrics) and, directly inside
    /// it, OtelLlm's enrichment of its spans: cost, and user, session, workload and tags from <see cref="OtelLlmContext"/>.
    /// </summary>
    /// <typeparam name="TInput">The type of input the generator embeds.</typeparam>
    /// <typeparam name="TEmbedding">The type of embedding it generates.</typeparam>
    /// <param name="builder">The embedding generator builder.</param>
    /// <param name="configure">Optional settings callback.</param>
    /// <param name="loggerFactory">The logger factory for the OpenTelemetry generator's error log; resolved from the services when <see langword="null"/>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static EmbeddingGeneratorBuilder<TInput, TEmbedding> UseOtelLlm<TInput, TEmbedding>(
        this EmbeddingGeneratorBuilder<TInput, TEmbedding> builder,
        Action<OtelLlmInstrumentationOptions>? configure = null,
        ILoggerFactory? loggerFactory = null)
        where TEmbedding : Embedding
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = OtelLlmInstrumentationOptions.From(configure);
        return builder.Use((inner, services) => Wrap(inner, options, loggerFactory ?? services.GetService<ILoggerFactory>()));
    }

    /// <summary>
    /// Wraps the generator in <see cref="OpenTelemetryEmbeddingGenerator{TInput, TEmbedding}"/> with OtelLlm's enrichment
    /// inside it, for code that does not build its generators with a builder. Same as <c>UseOtelLlm</c>.
    /// </summary>
    /// <typeparam name="TInput">The type of input the generator embeds.</typeparam>
    /// <typeparam name="TEmbedding">The type of embedding it generates.</typeparam>
    /// <param name="generator">The generator to instrument.</param>
    /// <param name="configure">Optional settings callback.</param>
    /// <param name="loggerFactory">The logger factory for the OpenTelemetry generator's error log, if any.</param>
    /// <returns>The instrumented generator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> is <see langword="null"/>.</exception>
    public static IEmbeddingGenerator<TInput, TEmbedding> WithOtelLlm<TInput, TEmbedding>(
        this IEmbeddingGenerator<TInput, TEmbedding> generator,
        Action<OtelLlmInstrumentationOptions>? configure = null,
        ILoggerFactory? loggerFactory = null)
        where TEmbedding : Embedding
    {
        ArgumentNullException.ThrowIfNull(generator);
        return Wrap(generator, OtelLlmInstrumentationOptions.From(configure), loggerFactory);
    }

    private static OpenTelemetryEmbeddingGenerator<TInput, TEmbedding> Wrap<TInput, TEmbedding>(
        IEmbeddingGenerator<TInput, TEmbedding> inner, OtelLlmInstrumentationOptions options, ILoggerFactory? loggerFactory)
        where TEmbedding : Embedding
    {
        var enriching = new EnrichingEmbeddingGenerator<TInput, TEmbedding>(inner, options);
        var telemetry = new OpenTelemetryEmbeddingGenerator<TInput, TEmbedding>(
            enriching, loggerFactory?.CreateLogger(typeof(OpenTelemetryEmbeddingGenerator<TInput, TEmbedding>)), options.SourceName);
        if (options.EnableSensitiveData is { } sensitive)
        {
            telemetry.EnableSensitiveData = sensitive;
        }

        enriching.Enricher.Source = telemetry.GetService(typeof(ActivitySource)) as ActivitySource;
        return telemetry;
    }
}
