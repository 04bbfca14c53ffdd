using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OtelLlm.Semantics;

namespace OtelLlm.Instrumentation.Enrichment;

/// <summary>
/// The chat client placed directly inside Microsoft.Extensions.AI's <see cref="OpenTelemetryChatClient"/>: it adds
/// OtelLlm's attributes to that client's <c>chat</c> span and records the cost metric. It starts no span of its own.
/// </summary>
internal sealed class EnrichingChatClient : DelegatingChatClient
{
    private readonly string? _defaultModel;

    public EnrichingChatClient(IChatClient innerClient, OtelLlmInstrumentationOptions options)
        : base(innerClient)
    {
        var metadata = innerClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
        _defaultModel = metadata?.DefaultModelId;
        Enricher = new CallEnricher(options, GenAi.Operation.Chat, metadata?.ProviderName, metadata?.ProviderUri);
    }

    public CallEnricher Enricher { get; }

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!Enricher.IsActive)
        {
            return base.GetResponseAsync(messages, options, cancellationToken);
        }

        var span = Begin(options);
        var task = base.GetResponseAsync(messages, options, cancellationToken);
        if (task.IsCompletedSuccessfully)
        {
            // Completed synchronously (a cache hit, a fake): record now and hand back the inner task itself, so no
            // state machine and no second Task are allocated.
            var response = task.Result;
            Enricher.Complete(span, options?.ModelId ?? _defaultModel, response.ModelId, response.Usage);
            return task;
        }

        return CompleteAsync(task, span, options?.ModelId ?? _defaultModel);
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Enricher.IsActive
            ? EnrichStreamAsync(messages, options, cancellationToken)
            : base.GetStreamingResponseAsync(messages, options, cancellationToken);

    private Activity? Begin(ChatOptions? options)
    {
        var span = Enricher.CurrentSpan();
        if (span is not null)
        {
            Enricher.Start(span, options?.AdditionalProperties, options?.ConversationId is not null);
        }

        return span;
    }

    private async Task<ChatResponse> CompleteAsync(Task<ChatResponse> task, Activity? span, string? requestModel)
    {
        var response = await task;
        Enricher.Complete(span, requestModel, response.ModelId, response.Usage);
        return response;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> EnrichStreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The first MoveNextAsync runs inside the outer client's iterator, with its span current.
        var span = Begin(options);
        string? responseModel = null;
        UsageDetails? usage = null;
        var completed = false;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                if (update.ModelId is not null)
                {
                    responseModel = update.ModelId;
                }

                var contents = update.Contents;
                for (var i = 0; i < contents.Count; i++)
                {
                    if (contents[i] is UsageContent content)
                    {
                        (usage ??= new UsageDetails()).Add(content.Details);
                    }
                }

                yield return update;
            }

            completed = true;
        }
        finally
        {
            // Also when the reader stops early: the outer client disposes this iterator before it ends its span.
            if (completed || usage is not null)
            {
                Enricher.Complete(span, options?.ModelId ?? _defaultModel, responseModel, usage);
            }
        }
    }
}
