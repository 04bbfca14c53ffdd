using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace OtelLlm.Benchmarks;

/// <summary>
/// A chat client that answers instantly with a cached response (usage, model, finish reason, id), so a benchmark
/// measures only what a decorator adds.
/// </summary>
internal sealed class FakeChatClient : IChatClient
{
    private readonly Task<ChatResponse> _response;
    private readonly ChatResponseUpdate[] _updates;
    private readonly ChatClientMetadata _metadata = new("openai", new Uri("https://api.openai.com/v1"), "gpt-4o-mini");

    public FakeChatClient(string answer)
    {
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, answer))
        {
            ModelId = "gpt-4o-mini-2024-07-18",
            ResponseId = "chatcmpl-bench",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 812, OutputTokenCount = 236, TotalTokenCount = 1048 },
        };
        _response = Task.FromResult(response);
        var half = answer.Length / 2;
        _updates =
        [
            new ChatResponseUpdate(ChatRole.Assistant, answer[..half]) { ModelId = response.ModelId, ResponseId = response.ResponseId },
            new ChatResponseUpdate(ChatRole.Assistant, answer[half..]) { ModelId = response.ModelId, ResponseId = response.ResponseId },
            new ChatResponseUpdate
            {
                ModelId = response.ModelId,
                ResponseId = response.ResponseId,
                FinishReason = ChatFinishReason.Stop,
                Contents = [new UsageContent(response.Usage)],
            },
        ];
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => _response;

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in _updates)
        {
            yield return update;
        }

        await Task.CompletedTask;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata : null;

    public void Dispose()
    {
    }
}
