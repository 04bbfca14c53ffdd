using System.Diagnostics;
using System.Text.Json;
using Anthropic;
using Microsoft.Extensions.AI;
using OtelLlm.Samples.FakeAnthropic;

namespace OtelLlm.Instrumentation.Tests;

/// <summary>The real Anthropic SDK's IChatClient, decorated by ours, against the local fake Messages API.</summary>
public sealed class AnthropicInteropTests : IAsyncLifetime
{
    private FakeAnthropicServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeAnthropicServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private IChatClient Client(TelemetryCapture capture, string model = "claude-sonnet-4-5-20250929") =>
        new AnthropicClient { ApiKey = "test-key", BaseUrl = _server.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 }
            .AsIChatClient(model, 512)
            .WithOtelLlm(o =>
            {
                o.SourceName = capture.SourceName;
                o.CaptureMessageContent = true;
            });

    [Fact]
    public async Task AnthropicSdk_NonStreaming_RecordsSpanWithAnthropicUsageAndCost()
    {
        using var capture = new TelemetryCapture();

        var response = await Client(capture).GetResponseAsync("Hello there", new ChatOptions { Instructions = "Be terse." });

        Assert.Equal("You said: Hello there", response.Text);
        var span = capture.Spans.Single(s => s.Source.Name == capture.SourceName);
        Assert.Equal("chat claude-sonnet-4-5-20250929", span.DisplayName);
        Assert.Equal("anthropic", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("127.0.0.1", span.GetTagItem("server.address"));
        Assert.Equal(_server.BaseUrl.Port, span.GetTagItem("server.port"));
        Assert.StartsWith("msg_fake", (string)span.GetTagItem("gen_ai.response.id")!, StringComparison.Ordinal);
        Assert.Equal(new[] { "stop" }, span.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.True((long)span.GetTagItem("gen_ai.usage.input_tokens")! > 0);
        Assert.Equal(4L, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.True((double)span.GetTagItem("gen_ai.usage.cost")! > 0);
        Assert.Equal(512, span.GetTagItem("gen_ai.request.max_tokens") ?? 512);
        Assert.Contains("Be terse.", (string)span.GetTagItem("gen_ai.system_instructions")!, StringComparison.Ordinal);
        using var output = JsonDocument.Parse((string)span.GetTagItem("gen_ai.output.messages")!);
        Assert.Equal("You said: Hello there", output.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString());
    }

    [Fact]
    public async Task AnthropicSdk_Streaming_RecordsOneSpanWithUsageFromFinalEvent()
    {
        using var capture = new TelemetryCapture();
        var text = "";

        await foreach (var update in Client(capture).GetStreamingResponseAsync("Stream me a reply please"))
        {
            text += update.Text;
        }

        Assert.Equal("You said: Stream me a reply please", text);
        var span = capture.Spans.Single(s => s.Source.Name == capture.SourceName);
        Assert.Equal(true, span.GetTagItem("gen_ai.request.stream"));
        Assert.Equal(7L, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.True((long)span.GetTagItem("gen_ai.usage.input_tokens")! > 0);
        Assert.NotNull(span.GetTagItem("gen_ai.response.time_to_first_chunk"));
        Assert.Equal(new[] { "stop" }, span.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.StartsWith("msg_fake", (string)span.GetTagItem("gen_ai.response.id")!, StringComparison.Ordinal);
        using var output = JsonDocument.Parse((string)span.GetTagItem("gen_ai.output.messages")!);
        Assert.Equal(text, output.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnthropicSdk_ToolUse_RecordsToolCallThenExecuteToolThenAnswer(bool streaming)
    {
        using var capture = new TelemetryCapture();
        var client = Client(capture);
        var tool = OtelLlmTools.Instrument(
            AIFunctionFactory.Create((string location) => $"rainy in {location}", "get_weather", "Gets the weather"),
            new OtelLlmInstrumentationOptions { SourceName = capture.SourceName, CaptureMessageContent = true });
        var options = new ChatOptions { Tools = [tool] };
        List<ChatMessage> history = [new(ChatRole.User, "Paris")];

        var first = streaming ? await client.GetStreamingResponseAsync(history, options).ToChatResponseAsync() : await client.GetResponseAsync(history, options);
        var call = Assert.Single(first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_weather", call.Name);
        var result = await tool.InvokeAsync(new AIFunctionArguments(call.Arguments) { Context = new Dictionary<object, object?> { [OtelLlmPropertyKeys.ToolCallId] = call.CallId } });
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, result)]));
        var second = await client.GetResponseAsync(history, options);

        Assert.Contains("rainy in Paris", second.Text, StringComparison.Ordinal);
        var spans = capture.Spans.Where(s => s.Source.Name == capture.SourceName).ToArray();
        Assert.Equal(3, spans.Length);
        Assert.Equal(new[] { "tool_calls" }, spans[0].GetTagItem("gen_ai.response.finish_reasons"));
        using var output = JsonDocument.Parse((string)spans[0].GetTagItem("gen_ai.output.messages")!);
        var toolCall = output.RootElement[0].GetProperty("parts").EnumerateArray().Single(p => p.GetProperty("type").GetString() == "tool_call");
        Assert.Equal(call.CallId, toolCall.GetProperty("id").GetString());
        Assert.Equal("Paris", toolCall.GetProperty("arguments").GetProperty("location").GetString());
        Assert.Equal("execute_tool get_weather", spans[1].DisplayName);
        Assert.Equal(call.CallId, spans[1].GetTagItem("gen_ai.tool.call.id"));
        using var input = JsonDocument.Parse((string)spans[2].GetTagItem("gen_ai.input.messages")!);
        var response = input.RootElement.EnumerateArray().SelectMany(m => m.GetProperty("parts").EnumerateArray()).Single(p => p.GetProperty("type").GetString() == "tool_call_response");
        Assert.Equal(call.CallId, response.GetProperty("id").GetString());
        using var definitions = JsonDocument.Parse((string)spans[0].GetTagItem("gen_ai.tool.definitions")!);
        Assert.Equal("get_weather", definitions.RootElement[0].GetProperty("name").GetString());
        Assert.Equal("object", definitions.RootElement[0].GetProperty("parameters").GetProperty("type").GetString());
    }

    [Fact]
    public async Task AnthropicSdk_CachedSystemPrompt_InputTokensIncludeCacheReads()
    {
        using var capture = new TelemetryCapture();

        await Client(capture).GetResponseAsync("Hi", new ChatOptions { Instructions = new string('s', 400) });

        var span = capture.Spans.Single(s => s.Source.Name == capture.SourceName);
        var cacheRead = (long)span.GetTagItem("gen_ai.usage.cache_read.input_tokens")!;
        var input = (long)span.GetTagItem("gen_ai.usage.input_tokens")!;
        Assert.Equal(100L, cacheRead);
        Assert.True(input > cacheRead, $"input {input} must include the {cacheRead} cached tokens plus the uncached ones");
        Assert.Equal(_server.Requests.Last().Length / 4, input);
    }

    [Fact]
    public async Task AnthropicSdk_ApiError_RecordsErrorSpan()
    {
        using var capture = new TelemetryCapture();

        await Assert.ThrowsAnyAsync<Exception>(() => Client(capture, "claude-error").GetResponseAsync("hi"));

        var span = capture.Spans.Single(s => s.Source.Name == capture.SourceName);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.False(string.IsNullOrEmpty((string?)span.GetTagItem("error.type")));
    }
}
