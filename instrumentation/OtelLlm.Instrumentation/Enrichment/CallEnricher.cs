using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using OtelLlm.Semantics.Pricing;
using OtelLlm.Semantics;
using OtelLlm.Instrumentation.Telemetry;

namespace OtelLlm.Instrumentation.Enrichment;

/// <summary>
/// What OtelLlm adds to the span Microsoft.Extensions.AI's OpenTelemetry client started for a call: context
/// (user, session, conversation, workload, tags) before the call, cost and prompt-cache writes after it, and the
/// cost metric. One per instrumented client.
/// </summary>
/// <remarks>
/// The enriching client sits directly inside Microsoft.Extensions.AI's client, so the span that client started is
/// <see cref="Activity.Current"/> when the call reaches it. It is recognized by its source (the one the outer client
/// reports through <c>GetService(typeof(ActivitySource))</c>) and its kind; any other current span — the caller's,
/// or a function-invocation span when the outer client started none — is left alone.
/// </remarks>
internal sealed class CallEnricher
{
    /// <summary>The most per-call tag keys whose attribute names are kept, process-wide.</summary>
    internal const int MaxCachedTagNames = 256;

    private static readonly ConcurrentDictionary<string, string> s_tagNames = new(StringComparer.Ordinal);
    private static int s_tagNameCount;

    private readonly ModelPriceTable? _prices;
    private readonly string _operation;
    private readonly string? _fallbackProvider;
    private readonly object? _boxedPort;
    private readonly string? _serverAddress;

    public CallEnricher(OtelLlmInstrumentationOptions options, string operation, string? providerName, Uri? providerUri)
    {
        _operation = operation;
        _prices = options.RecordCost ? options.PriceTable ?? ModelPriceTable.Default : null;
        var fromMetadata = ProviderNames.Normalize(providerName);
        Provider = fromMetadata ?? ProviderNames.Normalize(options.ProviderName);

        // Microsoft.Extensions.AI records the metadata's provider name; the configured one only fills a gap.
        _fallbackProvider = fromMetadata is null ? Provider : null;
        if (providerUri is { IsAbsoluteUri: true })
        {
            _serverAddress = providerUri.Host;
            _boxedPort = providerUri.Port;
        }

        Meter = OtelLlmMeter.Instance;
    }

    /// <summary>Gets or sets the ActivitySource of the OpenTelemetry client around the enriching one.</summary>
    public ActivitySource? Source { get; set; }

    public string? Provider { get; }

    public OtelLlmMeter Meter { get; }

    /// <summary>Gets whether anything at all is to be done for a call: a span may be there, or cost is measured.</summary>
    public bool IsActive => (Source is { } source && source.HasListeners()) || (_prices is not null && Meter.Cost.Enabled);

    /// <summary>The outer client's span for this call, when it records data; otherwise <see langword="null"/>.</summary>
    public Activity? CurrentSpan()
    {
        var activity = Activity.Current;
        return activity is { Kind: ActivityKind.Client, IsAllDataRequested: true } && ReferenceEquals(activity.Source, Source) ? activity : null;
    }

    /// <summary>Adds user, session, conversation, workload and tags from the call's properties, else from <see cref="OtelLlmContext"/>.</summary>
    public void Start(Activity span, AdditionalPropertiesDictionary? properties, bool hasConversationId)
    {
        if (_fallbackProvider is not null)
        {
            span.SetTag(GenAi.Provider.Name, _fallbackProvider);
        }

        var frame = OtelLlmContext.Current;
        if (frame is null && properties is null)
        {
            return;
        }

        SetString(span, Otel.UserId, Property(properties, OtelLlmPropertyKeys.UserId) ?? frame?.UserId);
        SetString(span, Otel.SessionId, Property(properties, OtelLlmPropertyKeys.SessionId) ?? frame?.SessionId);
        if (!hasConversationId)
        {
            SetString(span, GenAi.ConversationId, Property(properties, OtelLlmPropertyKeys.ConversationId) ?? frame?.ConversationId);
        }

        SetString(span, OtelLlmNames.Workload, Property(properties, OtelLlmPropertyKeys.Workload) ?? frame?.Workload);
        if (frame is not null)
        {
            var names = frame.TagAttributeNames;
            for (var i = 0; i < names.Length; i++)
            {
                span.SetTag(names[i], frame.Tags[i].Value);
            }
        }

        if (properties is not null && properties.TryGetValue(OtelLlmPropertyKeys.Tags, out var tags))
        {
            if (tags is IReadOnlyList<KeyValuePair<string, string>> list)
            {
                // Arrays and lists are read by index: no enumerator box per call.
                for (var i = 0; i < list.Count; i++)
                {
                    span.SetTag(TagAttributeName(list[i].Key), list[i].Value);
                }
            }
            else if (tags is IEnumerable<KeyValuePair<string, string>> pairs)
            {
                foreach (var tag in pairs)
                {
                    span.SetTag(TagAttributeName(tag.Key), tag.Value);
                }
            }
        }
    }

    /// <summary>Records what the call's usage adds: prompt-cache writes and cost on the span, and the cost metric.</summary>
    public void Complete(Activity? span, string? requestModel, string? responseModel, in CallUsage usage)
    {
        if (!usage.Reported)
        {
            return;
        }

        var cacheWrite = usage.CacheWriteTokens;
        if (span is not null && cacheWrite is { } written)
        {
            span.SetTag(GenAi.Usage.CacheCreationInputTokens, NumberBoxes.Box(written));
        }

        if (_prices is null || (responseModel is null && requestModel is null) || (usage.InputTokens is null && usage.OutputTokens is null))
        {
            return;
        }

        var tokens = new TokenUsage(
            usage.InputTokens ?? 0,
            usage.OutputTokens ?? 0,
            usage.CacheReadTokens ?? 0,
            cacheWrite ?? 0,
            usage.ReasoningTokens ?? 0);
        // The response model names what was billed; the request model may be a deployment name (Azure) or an alias.
        if (_prices.PriceCall(Provider, responseModel, requestModel, tokens, DateTimeOffset.UtcNow, out _) is not { } cost)
        {
            return;
        }

        span?.SetTag(GenAi.Usage.Cost, NumberBoxes.Box(cost));
        if (Meter.Cost.Enabled)
        {
            var tags = new TagList
            {
                { GenAi.Operation.Name, _operation },
                { GenAi.Provider.Name, Provider },
            };
            if (requestModel is not null)
            {
                tags.Add(GenAi.Request.Model, requestModel);
            }

            if (responseModel is not null)
            {
                tags.Add(GenAi.Response.Model, responseModel);
            }

            if (_serverAddress is not null)
            {
                tags.Add(Otel.ServerAddress, _serverAddress);
                tags.Add(Otel.ServerPort, _boxedPort);
            }

            Meter.Cost.Add(cost, tags);
        }
    }

    /// <summary>Gets the number of per-call tag attribute names kept (for tests).</summary>
    internal static int CachedTagNameCount => s_tagNames.Count;

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

        // Bounded: a caller passing ever new keys must not grow memory. The counter is checked before adding
        // (ConcurrentDictionary.Count would take every lock), so racing threads can overshoot by at most their number.
        if (Volatile.Read(ref s_tagNameCount) < MaxCachedTagNames && s_tagNames.TryAdd(key, name))
        {
            Interlocked.Increment(ref s_tagNameCount);
        }

        return name;
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
}
