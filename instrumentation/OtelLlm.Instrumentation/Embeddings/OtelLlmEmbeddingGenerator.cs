using System.Diagnostics;
using Microsoft.Extensions.AI;
using OtelLlm.Semantics;
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

    private Task<GeneratedEmbeddings<TEmbedding>> GenerateCoreAsync(IEnumerable<TInput> values, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        var model = options?.ModelId ?? _core.DefaultModel;

        // As in the chat client: the span is current for the inner call, and a call that has already completed is
        // recorded without an async state machine or a second Task.
        var callerContext = ExecutionContext.Capture();
        var callerActivity = Activity.Current;
        var activity = _core.Start(GenAi.Operation.Embeddings, model);
        if (activity is { IsAllDataRequested: true })
        {
            InstrumentationCore.SetContext(activity, options?.AdditionalProperties, conversationId: null);
        }

        var start = _core.StartTimestamp();
        Task<GeneratedEmbeddings<TEmbedding>> task;
        try
        {
            task = base.GenerateAsync(values, options, cancellationToken);
        }
        catch (Exception e)
        {
            InstrumentationCore.RestoreContext(callerContext, callerActivity);
            Complete(activity, start, model, options, result: null, e);
            return InstrumentationCore.FailedTask<GeneratedEmbeddings<TEmbedding>>(e);
        }

        if (task.IsCompletedSuccessfully)
        {
            InstrumentationCore.RestoreContext(callerContext, callerActivity);
            Complete(activity, start, model, options, task.Result, error: null);
            return task;
        }

        var pending = AwaitAsync(task, activity, start, model, options, callerContext, callerActivity);
        InstrumentationCore.RestoreContext(callerContext, callerActivity);
        return pending;
    }

    private async Task<GeneratedEmbeddings<TEmbedding>> AwaitAsync(
        Task<GeneratedEmbeddings<TEmbedding>> task,
        Activity? activity,
        long start,
        string? model,
        EmbeddingGenerationOptions? options,
        ExecutionContext? callerContext,
        Activity? callerActivity)
    {
        GeneratedEmbeddings<TEmbedding> result;
        try
        {
            result = await task;
        }
        catch (Exception e)
        {
            InstrumentationCore.RestoreContext(callerContext, callerActivity);
            Complete(activity, start, model, options, result: null, e);
            throw;
        }

        InstrumentationCore.RestoreContext(callerContext, callerActivity);
        Complete(activity, start, model, options, result, error: null);
        return result;
    }

    private void Complete(Activity? activity, long start, string? model, EmbeddingGenerationOptions? options, GeneratedEmbeddings<TEmbedding>? result, Exception? error)
    {
        var outcome = default(CallOutcome);
        if (result is not null)
        {
            outcome.AddUsage(result.Usage);
            outcome.DimensionCount = options?.Dimensions ?? _defaultDimensions;
            if (result.Count > 0)
            {
                outcome.ResponseModel = result[0].ModelId;
                outcome.DimensionCount ??= result[0].Dimensions;
            }
        }

        _core.Finish(activity, start, GenAi.Operation.Embeddings, model, ref outcome, error);
    }
}
