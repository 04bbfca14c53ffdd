using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OtelLlm.Instrumentation.Semantics;
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

    private async Task<ChatResponse> GetResponseCoreAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var model = options?.ModelId ?? _core.DefaultModel;
        var activity = StartChat(messages, options, model, streaming: false);
        var start = _core.StartTimestamp();
        var outcome = default(CallOutcome);
        ChatResponse? response = null;
        Exception? error = null;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken);
            return response;
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
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
    }

    private async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseCoreAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var model = options?.ModelId ?? _core.DefaultModel;
        var activity = StartChat(messages, options, model, streaming: true);
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

                // Async iterators do not keep Activity.Current across MoveNextAsync calls (dotnet/runtime#47802);
                // restore it so the inner client's next read runs inside our span.
                Activity.Current = activity;
                yield return update;
            }
        }
        finally
        {
            await updates.DisposeAsync();
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
            activity.SetTag(GenAi.Request.Temperature, (double)temperature);
        }

        if (options.TopP is { } topP)
        {
            activity.SetTag(GenAi.Request.TopP, (double)topP);
        }

        if (options.TopK is { } topK)
        {
            activity.SetTag(GenAi.Request.TopK, (double)topK);
        }

        if (options.MaxOutputTokens is { } maxTokens)
        {
            activity.SetTag(GenAi.Request.MaxTokens, maxTokens);
        }

        if (options.FrequencyPenalty is { } frequency)
        {
            activity.SetTag(GenAi.Request.FrequencyPenalty, (double)frequency);
        }

        if (options.PresencePenalty is { } presence)
        {
            activity.SetTag(GenAi.Request.PresencePenalty, (double)presence);
        }

        if (options.Seed is { } seed)
        {
            activity.SetTag(GenAi.Request.Seed, seed);
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
