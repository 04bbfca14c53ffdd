using System.Diagnostics;
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
            Enricher.Complete(span, options?.ModelId ?? _defaultModel, response.ModelId, CallUsage.From(response.Usage));
            return task;
        }

        return CompleteAsync(task, span, options?.ModelId ?? _defaultModel);
    }

    /// <inheritdoc />
    /// <remarks>Called by the outer client inside its streaming span, which is then current.</remarks>
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
        Enricher.Complete(span, requestModel, response.ModelId, CallUsage.From(response.Usage));
        return response;
    }

    private EnrichedStream EnrichStreamAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        new(this, Begin(options), messages, options, cancellationToken);

    private IAsyncEnumerable<ChatResponseUpdate> InnerStream(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        base.GetStreamingResponseAsync(messages, options, cancellationToken);

    /// <summary>
    /// A streamed call, read once: it passes the inner updates through and gathers the response model and usage, then
    /// records them when the stream ends or is disposed (the outer client disposes it before it ends its span). One
    /// object per call; an update that is already there when asked for costs no async state.
    /// </summary>
    private sealed class EnrichedStream(
        EnrichingChatClient client, Activity? span, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken callCancellation)
        : IAsyncEnumerable<ChatResponseUpdate>, IAsyncEnumerator<ChatResponseUpdate>
    {
        private IAsyncEnumerator<ChatResponseUpdate>? _inner;
        private string? _responseModel;
        private CallUsage _usage;
        private bool _recorded;

        public ChatResponseUpdate Current => _inner!.Current;

        public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            if (_inner is not null)
            {
                throw new InvalidOperationException("A streamed response can be read once.");
            }

            _inner = client.InnerStream(messages, options, callCancellation).GetAsyncEnumerator(cancellationToken);
            return this;
        }

        public ValueTask<bool> MoveNextAsync()
        {
            var next = _inner!.MoveNextAsync();
            return next.IsCompletedSuccessfully ? new ValueTask<bool>(Observe(next.Result)) : AwaitAsync(next);
        }

        public ValueTask DisposeAsync()
        {
            Record();
            return _inner?.DisposeAsync() ?? default;
        }

        private async ValueTask<bool> AwaitAsync(ValueTask<bool> next) => Observe(await next);

        private bool Observe(bool hasUpdate)
        {
            if (!hasUpdate)
            {
                Record();
                return false;
            }

            var update = _inner!.Current;
            if (update.ModelId is not null)
            {
                _responseModel = update.ModelId;
            }

            var contents = update.Contents;
            for (var i = 0; i < contents.Count; i++)
            {
                if (contents[i] is UsageContent usage)
                {
                    _usage.Add(usage.Details);
                }
            }

            return true;
        }

        private void Record()
        {
            if (_recorded || _inner is null)
            {
                return;
            }

            _recorded = true;
            client.Enricher.Complete(span, options?.ModelId ?? client._defaultModel, _responseModel, _usage);
        }
    }
}
