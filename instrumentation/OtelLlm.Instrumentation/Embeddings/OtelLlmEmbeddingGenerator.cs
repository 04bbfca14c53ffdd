using System.Diagnostics;
using Microsoft.Extensions.AI;
using OtelLlm.Instrumentation.Semantics;
using OtelLlm.Instrumentation.Telemetry;

namespace OtelLlm.Instrumentation;

/// <summary>
/// An embedding generator decorator that records each call as an <c>embeddings {model}</c> GenAI span
/// with input tokens, dimension count and cost, and the GenAI client metrics.
/// </summary>
/// <typeparam name="TInput">The input type, usually <see cref="string"/>.</typeparam>
/// <typeparam name="TEmbedding">The embedding type.</typeparam>
public sealed class OtelLlmEmbeddingGenerator<TInput, TEmbedding> : DelegatingEmbeddingGenerator<TInput, TEmbedding>
    where TEmbedding : Embedding
{
    private readonly InstrumentationCore _core;
    private readonly int? _defaultDimensions;

    /// <summary>Initializes a new instance of the <see cref="OtelLlmEmbeddingGenerator{TInput, TEmbedding}"/> class.</summary>
    /// <param name="innerGenerator">The generator to instrument.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerGenerator"/> is <see langword="null"/>.</exception>
    public OtelLlmEmbeddingGenerator(IEmbeddingGenerator<TInput, TEmbedding> innerGenerator, OtelLlmInstrumentationOptions? options = null)
        : base(innerGenerator)
    {
        var metadata = innerGenerator.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata;
        _defaultDimensions = metadata?.DefaultModelDimensions;
        _core = new InstrumentationCore((options ?? new OtelLlmInstrumentationOptions()).Clone(), metadata?.ProviderName, metadata?.ProviderUri, metadata?.DefaultModelId);
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(ActivitySource) ? _core.Telemetry.Source : base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc />
    public override Task<GeneratedEmbeddings<TEmbedding>> GenerateAsync(IEnumerable<TInput> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        return _core.Telemetry.IsEnabled
            ? GenerateCoreAsync(values, options, cancellationToken)
            : base.GenerateAsync(values, options, cancellationToken);
    }

    private async Task<GeneratedEmbeddings<TEmbedding>> GenerateCoreAsync(IEnumerable<TInput> values, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        var model = options?.ModelId ?? _core.DefaultModel;
        var activity = _core.Start(GenAi.Operation.Embeddings, model);
        if (activity is { IsAllDataRequested: true })
        {
            InstrumentationCore.SetContext(activity, options?.AdditionalProperties, conversationId: null);
        }

        var start = _core.StartTimestamp();
        var outcome = default(CallOutcome);
        Exception? error = null;
        try
        {
            var result = await base.GenerateAsync(values, options, cancellationToken);
            outcome.AddUsage(result.Usage);
            outcome.DimensionCount = options?.Dimensions ?? _defaultDimensions;
            if (result.Count > 0)
            {
                outcome.ResponseModel = result[0].ModelId;
                outcome.DimensionCount ??= result[0].Dimensions;
            }

            return result;
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            _core.Finish(activity, start, GenAi.Operation.Embeddings, model, ref outcome, error);
        }
    }
}
