using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace OtelLlm.Benchmarks;

/// <summary>
/// A chat client that answers instantly with a cached response (usage, model, finish reason, id), so a benchmark
/// measures only what a decorator adds.
/// </summary>
/// <param name="answer">The answer text.</param>
/// <param name="distinctUsage">Whether every call reports token counts no earlier call had (the cached response's
/// usage is counted up in place), as real traffic mostly does; otherwise every call reports the same usage.</param>
internal sealed class FakeChatClient(string answer, bool distinctUsage = false) : IChatClient
{
    private readonly Task<ChatResponse> _response = Task.FromResult(Response(answer));
    private readonly ChatResponseUpdate[] _updates = StreamOf(answer);
    private readonly ChatClientMetadata _metadata = new("openai", new Uri("https://api.openai.com/v1"), "gpt-4o-mini");

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (distinctUsage)
        {
            var usage = _response.Result.Usage!;
            usage.InputTokenCount++;
            usage.OutputTokenCount++;
            usage.TotalTokenCount += 2;
        }

        return _response;
    }

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

    private static ChatResponse Response(string answer) => new(new ChatMessage(ChatRole.Assistant, answer))
    {
        ModelId = "gpt-4o-mini-2024-07-18",
        ResponseId = "chatcmpl-bench",
        FinishReason = ChatFinishReason.Stop,
        Usage = new UsageDetails { InputTokenCount = 812, OutputTokenCount = 236, TotalTokenCount = 1048 },
    };

    private static ChatResponseUpdate[] StreamOf(string answer)
    {
        var response = Response(answer);
        var half = answer.Length / 2;
        return
        [
            new ChatResponseUpdate(ChatRole.Assistant, answer[..half]) { ModelId = response.ModelId, ResponseId = response.ResponseId },
            new ChatResponseUpdate(ChatRole.Assistant, answer[half..]) { ModelId = response.ModelId, ResponseId = response.ResponseId },
            new ChatResponseUpdate
            {
                ModelId = response.ModelId,
                ResponseId = response.ResponseId,
                FinishReason = ChatFinishReason.Stop,
                Contents = [new UsageContent(response.Usage!)],
            },
        ];
    }
}
