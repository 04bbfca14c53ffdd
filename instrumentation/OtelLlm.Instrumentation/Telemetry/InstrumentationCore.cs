using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using OtelLlm.Instrumentation.Content;
using OtelLlm.Semantics.Pricing;
using OtelLlm.Semantics;

namespace OtelLlm.Instrumentation.Telemetry;

/// <summary>
/// The recording logic shared by the chat and embedding decorators: span start with the sampling-relevant tags,
/// context tags, and on completion response tags, usage, cost, error and metrics.
/// </summary>
internal sealed class InstrumentationCore
{
    private static readonly string[] s_stop = ["stop"];
    private static readonly string[] s_length = ["length"];
    private static readonly string[] s_toolCalls = ["tool_calls"];
    private static readonly string[] s_contentFilter = ["content_filter"];
    private static readonly object s_true = true;

    /// <summary>The most span names (operation × model) one client keeps; further models get a name built per call.</summary>
    internal const int MaxCachedSpanNames = 256;

    /// <summary>The most per-call tag keys whose attribute names are kept, process-wide.</summary>
    internal const int MaxCachedTagNames = 256;

    private static readonly ConcurrentDictionary<string, string> s_tagNames = new(StringComparer.Ordinal);
    private static int s_tagNameCount;

    private readonly ConcurrentDictionary<(string Operation, string Model), string> _spanNames = new();
    private int _spanNameCount;
    private readonly ModelPriceTable? _prices;
    private readonly object? _boxedPort;

    public InstrumentationCore(OtelLlmInstrumentationOptions options, string? providerName, Uri? providerUri, string? defaultModel)
    {
        Options = options;
        Telemetry = OtelLlmTelemetry.For(options.SourceName);
        Formatter = new ContentFormatter(options);
        Provider = ProviderNames.Normalize(providerName) ?? ProviderNames.Normalize(options.ProviderName);
        DefaultModel = defaultModel;
        if (providerUri is { IsAbsoluteUri: true })
        {
            ServerAddress = providerUri.Host;
            ServerPort = providerUri.Port;
            _boxedPort = providerUri.Port;
        }

        _prices = options.RecordCost ? options.PriceTable ?? ModelPriceTable.Default : null;
    }

    public OtelLlmInstrumentationOptions Options { get; }

    public OtelLlmTelemetry Telemetry { get; }

    public ContentFormatter Formatter { get; }

    public string? Provider { get; }

    public string? DefaultModel { get; }

    public string? ServerAddress { get; }

    public int? ServerPort { get; }

    public bool CaptureContent => Options.CaptureMessageContent;

    public Activity? Start(string operation, string? model, ActivityKind kind = ActivityKind.Client)
    {
        if (!Telemetry.Source.HasListeners())
        {
            return null;
        }

        var activity = Telemetry.Source.StartActivity(SpanName(operation, model), kind);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAi.Operation.Name, operation);
            if (Provider is not null)
            {
                activity.SetTag(GenAi.Provider.Name, Provider);
            }

            if (model is not null)
            {
                activity.SetTag(GenAi.Request.Model, model);
            }

            if (ServerAddress is not null)
            {
                activity.SetTag(Otel.ServerAddress, ServerAddress);
                activity.SetTag(Otel.ServerPort, _boxedPort);
            }
        }

        return activity;
    }

    public static void SetStreaming(Activity activity) => activity.SetTag(GenAi.Request.Stream, s_true);

    /// <summary>Adds user, session, conversation, workload and tags from the call's properties, else from <see cref="OtelLlmContext"/>.</summary>
    public static void SetContext(Activity activity, AdditionalPropertiesDictionary? properties, string? conversationId)
    {
        var frame = OtelLlmContext.Current;
        if (frame is null && properties is null && conversationId is null)
        {
            return;
        }

        SetString(activity, Otel.UserId, Property(properties, OtelLlmPropertyKeys.UserId) ?? frame?.UserId);
        SetString(activity, Otel.SessionId, Property(properties, OtelLlmPropertyKeys.SessionId) ?? frame?.SessionId);
        SetString(activity, GenAi.ConversationId, conversationId ?? Property(properties, OtelLlmPropertyKeys.ConversationId) ?? frame?.ConversationId);
        SetString(activity, OtelLlmNames.Workload, Property(properties, OtelLlmPropertyKeys.Workload) ?? frame?.Workload);
        if (frame is not null)
        {
            var names = frame.TagAttributeNames;
            for (var i = 0; i < names.Length; i++)
            {
                activity.SetTag(names[i], frame.Tags[i].Value);
            }
        }

        if (properties is not null && properties.TryGetValue(OtelLlmPropertyKeys.Tags, out var tags))
        {
            if (tags is IReadOnlyList<KeyValuePair<string, string>> list)
            {
                // Arrays and lists are read by index: no enumerator box per call.
                for (var i = 0; i < list.Count; i++)
                {
                    activity.SetTag(TagAttributeName(list[i].Key), list[i].Value);
                }
            }
            else if (tags is IEnumerable<KeyValuePair<string, string>> pairs)
            {
                foreach (var tag in pairs)
                {
                    activity.SetTag(TagAttributeName(tag.Key), tag.Value);
                }
            }
        }
    }

    /// <summary>Records the end of a call on the span and the metrics.</summary>
    public void Finish(Activity? activity, long startTimestamp, string operation, string? requestModel, ref CallOutcome outcome, Exception? error)
    {
        var errorType = error?.GetType().FullName;
        var usage = new TokenUsage(
            outcome.InputTokens ?? 0,
            outcome.OutputTokens ?? 0,
            outcome.CacheReadTokens ?? 0,
            outcome.CacheWriteTokens ?? 0,
            outcome.ReasoningTokens ?? 0);
        double? cost = null;
        var pricedModel = outcome.ResponseModel ?? requestModel;
        if (_prices is not null && pricedModel is not null && error is null && (outcome.InputTokens is not null || outcome.OutputTokens is not null))
        {
            cost = _prices.GetCostUsd(Provider, pricedModel, usage);
        }

        if (activity is { IsAllDataRequested: true })
        {
            SetString(activity, GenAi.Response.Id, outcome.ResponseId);
            SetString(activity, GenAi.Response.Model, outcome.ResponseModel);
            if (outcome.FinishReason is { } reason)
            {
                activity.SetTag(GenAi.Response.FinishReasons, FinishReasons(reason));
            }

            SetLong(activity, GenAi.Usage.InputTokens, outcome.InputTokens);
            SetLong(activity, GenAi.Usage.OutputTokens, outcome.OutputTokens);
            SetLong(activity, GenAi.Usage.CacheReadInputTokens, outcome.CacheReadTokens);
            SetLong(activity, GenAi.Usage.CacheCreationInputTokens, outcome.CacheWriteTokens);
            SetLong(activity, GenAi.Usage.ReasoningOutputTokens, outcome.ReasoningTokens);
            if (outcome.DimensionCount is { } dims)
            {
                activity.SetTag(GenAi.Embeddings.DimensionCount, NumberBoxes.Box(dims));
            }

            if (outcome.TimeToFirstChunk is { } ttfc)
            {
                // A measured time never repeats, so it is boxed directly rather than evicting values that do.
                activity.SetTag(GenAi.Response.TimeToFirstChunk, ttfc);
            }

            if (cost is { } c)
            {
                activity.SetTag(GenAi.Usage.Cost, NumberBoxes.Box(c));
            }

            if (error is not null)
            {
                activity.SetTag(Otel.ErrorType, errorType);
                activity.SetStatus(ActivityStatusCode.Error, error.Message);
            }
        }

        activity?.Dispose();

        if (!Telemetry.MetricsEnabled)
        {
            return;
        }

        var tags = new TagList
        {
            { GenAi.Operation.Name, operation },
        };
        if (Provider is not null)
        {
            tags.Add(GenAi.Provider.Name, Provider);
        }

        if (requestModel is not null)
        {
            tags.Add(GenAi.Request.Model, requestModel);
        }

        if (outcome.ResponseModel is not null)
        {
            tags.Add(GenAi.Response.Model, outcome.ResponseModel);
        }

        if (ServerAddress is not null)
        {
            tags.Add(Otel.ServerAddress, ServerAddress);
            tags.Add(Otel.ServerPort, _boxedPort);
        }

        if (Telemetry.OperationDuration.Enabled && startTimestamp != 0)
        {
            var durationTags = tags;
            if (errorType is not null)
            {
                durationTags.Add(Otel.ErrorType, errorType);
            }

            Telemetry.OperationDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, durationTags);
        }

        if (outcome.TimeToFirstChunk is { } firstChunk && Telemetry.TimeToFirstChunk.Enabled)
        {
            Telemetry.TimeToFirstChunk.Record(firstChunk, tags);
        }

        if (cost is { } usd && Telemetry.Cost.Enabled)
        {
            Telemetry.Cost.Add(usd, tags);
        }

        if (Telemetry.TokenUsage.Enabled)
        {
            if (outcome.InputTokens is { } input)
            {
                var inputTags = tags;
                inputTags.Add(GenAi.Token.Type, GenAi.Token.Input);
                Telemetry.TokenUsage.Record(input, inputTags);
            }

            if (outcome.OutputTokens is { } output)
            {
                var outputTags = tags;
                outputTags.Add(GenAi.Token.Type, GenAi.Token.Output);
                Telemetry.TokenUsage.Record(output, outputTags);
            }
        }
    }

    /// <summary>
    /// Puts the caller's context back after a span was started for a call that did not run as an async method (whose
    /// builder would do it), without allocating; the span then stops with its parent already current.
    /// </summary>
    public static void RestoreContext(ExecutionContext? callerContext, Activity? callerActivity)
    {
        if (callerContext is not null)
        {
            ExecutionContext.Restore(callerContext);
        }
        else
        {
            // Flow is suppressed, so there is no context to restore; put back at least the caller's span.
            Activity.Current = callerActivity;
        }
    }

    /// <summary>The task an async method would return for a synchronous throw: faulted, or canceled for a cancellation.</summary>
    public static Task<T> FailedTask<T>(Exception error)
    {
        if (error is OperationCanceledException canceled)
        {
            var source = new TaskCompletionSource<T>();
            source.SetCanceled(canceled.CancellationToken);
            return source.Task;
        }

        return Task.FromException<T>(error);
    }

    /// <summary>Gets the number of span names this client keeps (for tests).</summary>
    internal int CachedSpanNameCount => _spanNames.Count;

    /// <summary>Gets the number of per-call tag attribute names kept (for tests).</summary>
    internal static int CachedTagNameCount => s_tagNames.Count;

    public long StartTimestamp() => Telemetry.OperationDuration.Enabled || Telemetry.Source.HasListeners() || Telemetry.TimeToFirstChunk.Enabled
        ? Stopwatch.GetTimestamp()
        : 0;

    private string SpanName(string operation, string? model)
    {
        if (model is null)
        {
            return operation;
        }

        var key = (operation, model);
        if (_spanNames.TryGetValue(key, out var name))
        {
            return name;
        }

        name = operation + " " + model;

        // Bounded: a caller passing ever new model names must not grow memory. The counter is checked before adding
        // (ConcurrentDictionary.Count would take every lock), so racing threads can overshoot by at most their number.
        if (Volatile.Read(ref _spanNameCount) < MaxCachedSpanNames && _spanNames.TryAdd(key, name))
        {
            Interlocked.Increment(ref _spanNameCount);
        }

        return name;
    }

    /// <summary>The attribute name of a per-call tag (<c>otel_llm.tag.&lt;key&gt;</c>), kept for the keys an application uses.</summary>
    private static string TagAttributeName(string? key)
    {
        if (key is null)
        {
            return OtelLlmNames.TagPrefix;
        }

        if (s_tagNames.TryGetValue(key, out var name))
        {
            return name;
        }

        name = OtelLlmNames.TagPrefix + key;
        if (Volatile.Read(ref s_tagNameCount) < MaxCachedTagNames && s_tagNames.TryAdd(key, name))
        {
            Interlocked.Increment(ref s_tagNameCount);
        }

        return name;
    }

    private static string[] FinishReasons(ChatFinishReason reason)
    {
        if (reason == ChatFinishReason.Stop)
        {
            return s_stop;
        }

        if (reason == ChatFinishReason.Length)
        {
            return s_length;
        }

        if (reason == ChatFinishReason.ToolCalls)
        {
            return s_toolCalls;
        }

        return reason == ChatFinishReason.ContentFilter ? s_contentFilter : [reason.Value];
    }

    private static string? Property(AdditionalPropertiesDictionary? properties, string key) =>
        properties is not null && properties.TryGetValue(key, out var value) ? value as string : null;

    private static void SetString(Activity activity, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            activity.SetTag(name, value);
        }
    }

    private static void SetLong(Activity activity, string name, long? value)
    {
        if (value is { } v)
        {
            activity.SetTag(name, NumberBoxes.Box(v));
        }
    }
}
