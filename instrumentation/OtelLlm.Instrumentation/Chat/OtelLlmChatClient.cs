using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OtelLlm.Semantics;
using OtelLlm.Instrumentation.Telemetry;

namespace OtelLlm.Instrumentation;

/// <summary>
/// A chat client decorator that records every call as an OpenTelemetry GenAI span (semantic conventions v1.41)
/// with usage, cost and context, and the GenAI client metrics.
/// </summary>
/// <remarks>
/// Spans and metrics use the <see cref="OtelLlmInstrumentationOptions.SourceName"/> ActivitySource and Meter
/// (default <c>OtelLlm.Instrumentation</c>); subscribe with <c>AddOtelLlmInstrumentation()</c>. When nothing listens,
/// calls go straight to the inner client. The GenAI conventions are experimental and may change.
/// </remarks>
public sealed class OtelLlmChatClient : DelegatingChatClient
{
    private readonly InstrumentationCore _core;

    /// <summary>Initializes a new instance of the <see cref="OtelLlmChatClient"/> class.</summary>
    /// <param name="innerClient">The client to instrument.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults. They are copied, later changes have no effect.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> is <see langword="null"/>.</exception>
    public OtelLlmChatClient(IChatClient innerClient, OtelLlmInstrumentationOptions? options = null)
        : base(innerClient)
    {
        var metadata = innerClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
        _core = new InstrumentationCore((options ?? new OtelLlmInstrumentationOptions()).Clone(), metadata?.ProviderName, metadata?.ProviderUri, metadata?.DefaultModelId);
    }

    /// <summary>Creates a factory for <c>ChatClientBuilder.Use(...)</c> that wraps a client in an <see cref="OtelLlmChatClient"/>.</summary>
    /// <param name="configure">Optional settings callback.</param>
    /// <returns>A function from the inner client to the instrumented client.</returns>
    public static Func<IChatClient, IChatClient> CreateFactory(Action<OtelLlmInstrumentationOptions>? configure = null)
    {
        var options = new OtelLlmInstrumentationOptions();
        configure?.Invoke(options);
        return inner => new OtelLlmChatClient(inner, options);
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(ActivitySource) ? _core.Telemetry.Source : base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Nothing listening: no state machine, no timestamps, no tags.
        return _core.Telemetry.IsEnabled
            ? GetResponseCoreAsync(messages, options, cancellationToken)
            : base.GetResponseAsync(messages, options, cancellationToken);
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        return _core.Telemetry.IsEnabled
            ? GetStreamingResponseCoreAsync(messages, options, cancellationToken)
            : base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    private Task<ChatResponse> GetResponseCoreAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var model = options?.ModelId ?? _core.DefaultModel;

        // Starting the span makes it Activity.Current for the inner call; the caller's context is put back below
        // exactly as an async method would (ExecutionContext.Restore does not allocate).
        var callerContext = ExecutionContext.Capture();
        var callerActivity = Activity.Current;
        var activity = StartChat(messages, options, model, streaming: false);
        var start = _core.StartTimestamp();
        Task<ChatResponse> task;
        try
        {
            task = base.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (Exception e)
        {
            // Restoring before the span stops means Stop finds the parent already current and sets nothing.
            InstrumentationCore.RestoreContext(callerContext, callerActivity);
            Complete(activity, start, model, response: null, e);

            // An async method would hand a synchronous throw back in the task, not throw it at the call.
            return InstrumentationCore.FailedTask<ChatResponse>(e);
        }

        if (task.IsCompletedSuccessfully)
        {
            // Completed synchronously (a cache hit, a fake): record now and hand back the inner task itself, so no
            // state machine and no second Task are allocated.
            InstrumentationCore.RestoreContext(callerContext, callerActivity);
            Complete(activity, start, model, task.Result, error: null);
            return task;
        }

        var pending = AwaitResponseAsync(task, activity, start, model, callerContext, callerActivity);
        InstrumentationCore.RestoreContext(callerContext, callerActivity);
        return pending;
    }

    private async Task<ChatResponse> AwaitResponseAsync(
        Task<ChatResponse> task, Activity? activity, long start, string? model, ExecutionContext? callerContext, Activity? callerActivity)
    {
        // Only what the continuation needs lives in the state machine; the outcome is gathered in Complete.
        ChatResponse response;
        try
        {
            response = await task;
        }
        catch (Exception e)
        {
            InstrumentationCore.RestoreContext(callerContext, callerActivity);
            Complete(activity, start, model, response: null, e);
            throw;
        }

        InstrumentationCore.RestoreContext(callerContext, callerActivity);
        Complete(activity, start, model, response, error: null);
        return response;
    }

    private void Complete(Activity? activity, long start, string? model, ChatResponse? response, Exception? error)
    {
        var outcome = default(CallOutcome);
        if (response is not null)
        {
            outcome.ResponseId = response.ResponseId;
            outcome.ResponseModel = response.ModelId;
            outcome.FinishReason = response.FinishReason;
            outcome.AddUsage(response.Usage);
            if (activity is { IsAllDataRequested: true } && _core.CaptureContent)
            {
                activity.SetTag(GenAi.OutputMessages, _core.Formatter.OutputMessages(response.Messages, response.FinishReason));
            }
        }

        _core.Finish(activity, start, GenAi.Operation.Chat, model, ref outcome, error);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseCoreAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var model = options?.ModelId ?? _core.DefaultModel;

        // The reader's context, and the same context with the span current (made so by starting the span). Each
        // resumption runs in the reader's context; when it is still this one, switching to the saved span context
        // with ExecutionContext.Restore allocates nothing, where setting Activity.Current would build a new context
        // per chunk.
        var readerContext = ExecutionContext.Capture();
        var activity = StartChat(messages, options, model, streaming: true);
        var spanContext = activity is null ? null : ExecutionContext.Capture();
        var start = _core.StartTimestamp();
        var outcome = default(CallOutcome);
        List<ChatResponseUpdate>? captured = activity is { IsAllDataRequested: true } && _core.CaptureContent ? [] : null;
        Exception? error = null;
        IAsyncEnumerator<ChatResponseUpdate> updates;
        try
        {
            updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception e)
        {
            _core.Finish(activity, start, GenAi.Operation.Chat, model, ref outcome, e);
            throw;
        }

        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    // Async iterators do not keep Activity.Current across MoveNextAsync calls (dotnet/runtime#47802):
                    // each resumption runs in the consumer's context. Put the span back before every inner read so
                    // the inner client's work runs inside it; setting it just before yield would be undone on return.
                    if (activity is not null && Activity.Current != activity)
                    {
                        var context = ExecutionContext.Capture();
                        if (context is not null && context == readerContext && spanContext is not null)
                        {
                            ExecutionContext.Restore(spanContext);
                        }
                        else
                        {
                            // The reader changed its context (or suppressed flow): make the span current in the new one.
                            readerContext = context;
                            Activity.Current = activity;
                            spanContext = context is null ? null : ExecutionContext.Capture();
                        }
                    }

                    if (!await updates.MoveNextAsync())
                    {
                        break;
                    }

                    update = updates.Current;
                }
                catch (Exception e)
                {
                    error = e;
                    throw;
                }

                Observe(update, ref outcome, start);
                captured?.Add(update);
                yield return update;
            }
        }
        finally
        {
            await updates.DisposeAsync();

            // Back in the reader's context before the span stops, so Stop does not have to switch contexts again.
            if (readerContext is not null)
            {
                ExecutionContext.Restore(readerContext);
            }

            if (captured is not null && activity is not null)
            {
                var response = captured.ToChatResponse();
                activity.SetTag(GenAi.OutputMessages, _core.Formatter.OutputMessages(response.Messages, outcome.FinishReason));
            }

            _core.Finish(activity, start, GenAi.Operation.Chat, model, ref outcome, error);
        }
    }

    private static void Observe(ChatResponseUpdate update, ref CallOutcome outcome, long start)
    {
        if (outcome.TimeToFirstChunk is null && start != 0)
        {
            outcome.TimeToFirstChunk = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        outcome.ResponseId ??= update.ResponseId;
        if (update.ModelId is not null)
        {
            outcome.ResponseModel = update.ModelId;
        }

        if (update.FinishReason is not null)
        {
            outcome.FinishReason = update.FinishReason;
        }

        var contents = update.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is UsageContent usage)
            {
                outcome.AddUsage(usage.Details);
            }
        }
    }

    private Activity? StartChat(IEnumerable<ChatMessage> messages, ChatOptions? options, string? model, bool streaming)
    {
        var activity = _core.Start(GenAi.Operation.Chat, model);
        if (activity is not { IsAllDataRequested: true })
        {
            return activity;
        }

        if (streaming)
        {
            InstrumentationCore.SetStreaming(activity);
        }

        if (options is not null)
        {
            SetRequestTags(activity, options);
        }

        InstrumentationCore.SetContext(activity, options?.AdditionalProperties, options?.ConversationId);

        if (options?.Tools is { Count: > 0 } tools)
        {
            activity.SetTag(GenAi.ToolDefinitions, _core.Formatter.ToolDefinitions(tools, full: _core.CaptureContent));
        }

        if (_core.CaptureContent)
        {
            activity.SetTag(GenAi.InputMessages, _core.Formatter.InputMessages(messages, out var system, options?.Instructions));
            if (system is not null)
            {
                activity.SetTag(GenAi.SystemInstructions, system);
            }
        }

        return activity;
    }

    private static void SetRequestTags(Activity activity, ChatOptions options)
    {
        if (options.Temperature is { } temperature)
        {
            activity.SetTag(GenAi.Request.Temperature, NumberBoxes.Box((double)temperature));
        }

        if (options.TopP is { } topP)
        {
            activity.SetTag(GenAi.Request.TopP, NumberBoxes.Box((double)topP));
        }

        if (options.TopK is { } topK)
        {
            activity.SetTag(GenAi.Request.TopK, NumberBoxes.Box((double)topK));
        }

        if (options.MaxOutputTokens is { } maxTokens)
        {
            activity.SetTag(GenAi.Request.MaxTokens, NumberBoxes.Box(maxTokens));
        }

        if (options.FrequencyPenalty is { } frequency)
        {
            activity.SetTag(GenAi.Request.FrequencyPenalty, NumberBoxes.Box((double)frequency));
        }

        if (options.PresencePenalty is { } presence)
        {
            activity.SetTag(GenAi.Request.PresencePenalty, NumberBoxes.Box((double)presence));
        }

        if (options.Seed is { } seed)
        {
            activity.SetTag(GenAi.Request.Seed, NumberBoxes.Box(seed));
        }

        if (options.StopSequences is { Count: > 0 } stops)
        {
            var array = new string[stops.Count];
            stops.CopyTo(array, 0);
            activity.SetTag(GenAi.Request.StopSequences, array);
        }

        if (options.ResponseFormat is ChatResponseFormatJson)
        {
            activity.SetTag(GenAi.OutputType, "json");
        }
        else if (options.ResponseFormat is ChatResponseFormatText)
        {
            activity.SetTag(GenAi.OutputType, "text");
        }
    }
}
