using System.Diagnostics;
using Microsoft.Extensions.AI;
using OtelLlm.Semantics;

namespace OtelLlm.Instrumentation.Enrichment;

/// <summary>
/// The embedding generator placed directly inside Microsoft.Extensions.AI's <c>OpenTelemetryEmbeddingGenerator</c>:
/// it adds OtelLlm's attributes to that generator's <c>embeddings</c> span and records the cost metric.
/// </summary>
internal sealed class EnrichingEmbeddingGenerator<TInput, TEmbedding> : DelegatingEmbeddingGenerator<TInput, TEmbedding>
    where TEmbedding : Embedding
{
    private readonly string? _defaultModel;

    public EnrichingEmbeddingGenerator(IEmbeddingGenerator<TInput, TEmbedding> innerGenerator, OtelLlmInstrumentationOptions options)
        : base(innerGenerator)
    {
        var metadata = innerGenerator.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata;
        _defaultModel = metadata?.DefaultModelId;
        Enricher = new CallEnricher(options, GenAi.Operation.Embeddings, metadata?.ProviderName, metadata?.ProviderUri);
    }

    public CallEnricher Enricher { get; }

    /// <inheritdoc />
    public override Task<GeneratedEmbeddings<TEmbedding>> GenerateAsync(IEnumerable<TInput> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!Enricher.IsActive)
        {
            return base.GenerateAsync(values, options, cancellationToken);
        }

        var span = Enricher.CurrentSpan();
        if (span is not null)
        {
            Enricher.Start(span, options?.AdditionalProperties, hasConversationId: false);
        }

        var task = base.GenerateAsync(values, options, cancellationToken);
        if (task.IsCompletedSuccessfully)
        {
            Complete(span, options, task.Result);
            return task;
        }

        return CompleteAsync(task, span, options);
    }

    private async Task<GeneratedEmbeddings<TEmbedding>> CompleteAsync(Task<GeneratedEmbeddings<TEmbedding>> task, Activity? span, EmbeddingGenerationOptions? options)
    {
        var embeddings = await task;
        Complete(span, options, embeddings);
        return embeddings;
    }

    private void Complete(Activity? span, EmbeddingGenerationOptions? options, GeneratedEmbeddings<TEmbedding> embeddings) =>
        Enricher.Complete(span, options?.ModelId ?? _defaultModel, embeddings.Count > 0 ? embeddings[0].ModelId : null, CallUsage.From(embeddings.Usage));
}
