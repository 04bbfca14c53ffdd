using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace OtelLlm.Demo.Traffic;

/// <summary>Adds a provider-like delay before a call that would otherwise answer instantly (a local fake server).</summary>
internal sealed class ProviderLatencyChatClient(IChatClient inner, SimulatedBehavior behavior, int latencyMs, int firstTokenMs) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await Task.Delay(behavior.Scale(behavior.Jitter(latencyMs)), cancellationToken);
        return await base.GetResponseAsync(messages, options, cancellationToken);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Delay(behavior.Scale(behavior.Jitter(firstTokenMs)), cancellationToken);
        var rest = behavior.Scale(behavior.Jitter(latencyMs - firstTokenMs));
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            yield return update;
        }

        await Task.Delay(rest, cancellationToken);
    }
}
