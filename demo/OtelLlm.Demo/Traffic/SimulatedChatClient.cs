using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace OtelLlm.Demo.Traffic;

/// <summary>
/// A chat client that answers like a hosted model: provider metadata, dated response model, scaled latency,
/// streamed chunks, tool calls when tools are offered, token usage with cached and reasoning tokens, finish reasons,
/// and occasional rate limits or timeouts.
/// </summary>
internal sealed class SimulatedChatClient(ModelProfile profile, SimulatedBehavior behavior) : IChatClient
{
    private readonly ChatClientMetadata _metadata = new(profile.Provider, profile.Endpoint, profile.Model);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var plan = Plan(messages, options);
        await Task.Delay(behavior.Scale(plan.LatencyMs), cancellationToken);
        if (plan.Fault != SimulatedFault.None)
        {
            throw SimulatedFaults.Create(plan.Fault, profile);
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, plan.Contents()))
        {
            ResponseId = plan.ResponseId,
            ModelId = profile.ResponseModel,
            FinishReason = plan.FinishReason,
            Usage = plan.Usage,
            CreatedAt = DateTimeOffset.UtcNow,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var plan = Plan(messages, options);
        await Task.Delay(behavior.Scale(plan.FirstTokenMs), cancellationToken);
        if (plan.Fault != SimulatedFault.None)
        {
            throw SimulatedFaults.Create(plan.Fault, profile);
        }

        var pieces = Chunk(plan.Text);
        var perChunk = Math.Max(0, plan.LatencyMs - plan.FirstTokenMs) / Math.Max(1, pieces.Count);
        foreach (var piece in pieces)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ResponseId = plan.ResponseId, ModelId = profile.ResponseModel };
            await Task.Delay(behavior.Scale(perChunk), cancellationToken);
        }

        if (plan.ToolCall is { } call)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, [call]) { ResponseId = plan.ResponseId, ModelId = profile.ResponseModel };
        }

        // Providers send usage and the finish reason in the last chunk of a stream.
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(plan.Usage)])
        {
            ResponseId = plan.ResponseId,
            ModelId = profile.ResponseModel,
            FinishReason = plan.FinishReason,
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
            : null;

    public void Dispose()
    {
    }

    private static List<string> Chunk(string text)
    {
        var pieces = new List<string>();
        var words = text.Split(' ');
        for (var i = 0; i < words.Length; i += 3)
        {
            pieces.Add(string.Join(' ', words, i, Math.Min(3, words.Length - i)) + (i + 3 < words.Length ? " " : string.Empty));
        }

        return pieces;
    }

    private CallPlan Plan(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var promptChars = (options?.Instructions?.Length ?? 0);
        foreach (var message in list)
        {
            promptChars += message.Text.Length + 16;
        }

        var fault = options?.AdditionalProperties?.TryGetValue(SimulatedFaults.PropertyKey, out var forced) == true && forced is SimulatedFault f
            ? f
            : behavior.RandomFault(profile.ErrorRate);
        var last = list.Count > 0 ? list[^1] : null;
        var offersTools = options?.Tools is { Count: > 0 };
        var answersTool = last?.Contents.OfType<FunctionResultContent>().FirstOrDefault();
        FunctionCallContent? toolCall = null;
        string text;
        ChatFinishReason finish;
        if (offersTools && answersTool is null && last?.Role == ChatRole.User)
        {
            var tool = options!.Tools![0];
            toolCall = new FunctionCallContent(
                "call_" + behavior.NextId(),
                tool.Name,
                new Dictionary<string, object?> { ["query"] = Shorten(last.Text, 60) });
            text = string.Empty;
            finish = ChatFinishReason.ToolCalls;
        }
        else if (answersTool is not null)
        {
            text = "Based on the lookup: " + Shorten(Convert.ToString(answersTool.Result, CultureInfo.InvariantCulture) ?? string.Empty, 200)
                + ". Let me know if there is anything else I can help with.";
            finish = ChatFinishReason.Stop;
        }
        else
        {
            text = behavior.Answer(last?.Text ?? string.Empty, profile.OutputFactor);
            finish = ChatFinishReason.Stop;
        }

        var inputTokens = Math.Max(8, promptChars / 4);
        var outputTokens = Math.Max(1, (text.Length / 4) + (toolCall is null ? 0 : 18));
        if (options?.MaxOutputTokens is { } max && outputTokens > max)
        {
            outputTokens = max;
            text = Shorten(text, max * 4);
            finish = ChatFinishReason.Length;
        }

        var cached = (options?.Instructions?.Length ?? 0) >= 200 ? (long)(inputTokens * profile.CachedShare) : 0;
        var reasoning = (long)(outputTokens * profile.ReasoningFactor);
        var usage = new UsageDetails
        {
            InputTokenCount = inputTokens,
            OutputTokenCount = outputTokens + reasoning,
            TotalTokenCount = inputTokens + outputTokens + reasoning,
            CachedInputTokenCount = cached > 0 ? cached : null,
            ReasoningTokenCount = reasoning > 0 ? reasoning : null,
        };
        var latency = behavior.Jitter(profile.LatencyMs + (outputTokens * 4) + (reasoning * 2));
        var firstToken = Math.Min(latency, behavior.Jitter(profile.FirstTokenMs));
        return new CallPlan(fault, "chatcmpl-" + behavior.NextId(), text, toolCall, finish, usage, latency, firstToken);
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max];

    private sealed record CallPlan(
        SimulatedFault Fault,
        string ResponseId,
        string Text,
        FunctionCallContent? ToolCall,
        ChatFinishReason FinishReason,
        UsageDetails Usage,
        int LatencyMs,
        int FirstTokenMs)
    {
        public List<AIContent> Contents()
        {
            var contents = new List<AIContent>();
            if (Text.Length > 0)
            {
                contents.Add(new TextContent(Text));
            }

            if (ToolCall is not null)
            {
                contents.Add(ToolCall);
            }

            return contents;
        }
    }
}

/// <summary>
/// The randomness and time scale shared by the simulated providers. One seeded generator behind a lock keeps a run
/// reproducible in what it asks for even though calls overlap.
/// </summary>
internal sealed class SimulatedBehavior(int seed, double latencyScale)
{
    private static readonly string[] s_phrases =
    [
        "Here is what I found.",
        "The short answer is yes, with two caveats.",
        "You can change this in the account settings under Billing.",
        "The order shipped yesterday and should arrive within three business days.",
        "I summarized the document into the key points below.",
        "The error usually means the API key has expired; rotate it and retry.",
        "Three results match your query; the most relevant is the second one.",
        "Refunds are processed within five to seven days after we receive the item.",
    ];

    private readonly Random _random = new(seed);
    private readonly Lock _lock = new();
    private long _ids;

    public double LatencyScale => latencyScale;

    public TimeSpan Scale(int milliseconds) => TimeSpan.FromMilliseconds(Math.Max(0, milliseconds * latencyScale));

    public int Jitter(long milliseconds)
    {
        lock (_lock)
        {
            // Long-tailed, as real latencies are: most calls near the typical value, a few several times slower.
            var factor = 0.6 + (_random.NextDouble() * 0.8);
            if (_random.NextDouble() < 0.07)
            {
                factor *= 2.5 + (_random.NextDouble() * 2);
            }

            return (int)(milliseconds * factor);
        }
    }

    public SimulatedFault RandomFault(double errorRate)
    {
        lock (_lock)
        {
            var roll = _random.NextDouble();
            return roll >= errorRate ? SimulatedFault.None : roll < errorRate * 0.6 ? SimulatedFault.RateLimit : SimulatedFault.Timeout;
        }
    }

    public string Answer(string prompt, double outputFactor)
    {
        lock (_lock)
        {
            var sentences = Math.Max(1, (int)Math.Round(outputFactor * (1 + _random.Next(4))));
            var parts = new List<string>(sentences + 1);
            for (var i = 0; i < sentences; i++)
            {
                parts.Add(s_phrases[_random.Next(s_phrases.Length)]);
            }

            if (prompt.Length > 0)
            {
                parts.Add("(Re: " + (prompt.Length > 40 ? prompt[..40] : prompt) + ")");
            }

            return string.Join(' ', parts);
        }
    }

    public string NextId() => Interlocked.Increment(ref _ids).ToString("x8", CultureInfo.InvariantCulture) + seed.ToString("x4", CultureInfo.InvariantCulture);
}
