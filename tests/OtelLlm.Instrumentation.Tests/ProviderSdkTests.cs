using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using Anthropic;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenTelemetry;
using OpenTelemetry.Trace;
using OtelLlm.Semantics.Pricing;
using OtelLlm.Samples.FakeAnthropic;
using OtelLlm.Samples.FakeOpenAI;

namespace OtelLlm.Instrumentation.Tests;

/// <summary>
/// The real OpenAI and Anthropic .NET SDKs, through <c>UseOtelLlm()</c>, against local fakes of their wire protocols,
/// recorded by a real OpenTelemetry SDK tracer provider set up with <c>AddOtelLlmInstrumentation()</c>.
/// </summary>
/// <remarks>
/// The HTTP client instrumentation sees every <see cref="HttpClient"/> call in the process, so each test keeps only
/// the spans of its own traces.
/// </remarks>
public sealed class ProviderSdkTests : IAsyncLifetime
{
    private FakeOpenAIServer _openAi = null!;
    private FakeAnthropicServer _anthropic = null!;

    public async Task InitializeAsync()
    {
        _openAi = await FakeOpenAIServer.StartAsync();
        _anthropic = await FakeAnthropicServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _openAi.DisposeAsync();
        await _anthropic.DisposeAsync();
    }

    [Fact]
    public async Task OpenAiSdk_Chat_ChatSpanHasUsageCostAndTheHttpCallAsItsChild()
    {
        using var recorder = new Recorder();
        using var chat = OpenAiChat("gpt-4o-mini", recorder.SourceName);
        var instructions = new string('x', 40) + " You are a concise assistant who always answers in one short sentence.";

        var response = await recorder.RunAsync(() => chat.GetResponseAsync("Say hello to Paris", new ChatOptions { Instructions = instructions, Temperature = 0.2f }));

        Assert.Equal("You said: Say hello to Paris", response.Text);
        var span = recorder.Single("chat gpt-4o-mini");
        Assert.Equal("openai", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("gpt-4o-mini", span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(response.ResponseId, span.GetTagItem("gen_ai.response.id"));
        Assert.Equal("[\"stop\"]", span.GetTagItem("gen_ai.response.finish_reasons"));
        var usage = response.Usage!;
        Assert.Equal((int)usage.InputTokenCount!, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(instructions.Length / 4, span.GetTagItem("gen_ai.usage.cache_read.input_tokens"));
        var expected = ModelPriceTable.Default.GetCostUsd("openai", "gpt-4o-mini", new TokenUsage(usage.InputTokenCount!.Value, usage.OutputTokenCount!.Value, instructions.Length / 4))!.Value;
        Assert.Equal(expected, (double)span.GetTagItem("gen_ai.usage.cost")!, 15);
        recorder.AssertHttpChild(span, _openAi.BaseUrl, "/v1/chat/completions", 200);
    }

    [Fact]
    public async Task OpenAiSdk_Streaming_UsageChunkGivesTokensReasoningAndCost()
    {
        using var recorder = new Recorder();
        using var chat = OpenAiChat("o4-mini", recorder.SourceName);
        var text = "";

        await recorder.RunAsync(async () =>
        {
            await foreach (var update in chat.GetStreamingResponseAsync("Tell me about Lisbon"))
            {
                text += update.Text;
            }

            return text;
        });

        Assert.Equal("You said: Tell me about Lisbon", text);
        var span = recorder.Single("chat o4-mini");
        Assert.Equal(true, span.GetTagItem("gen_ai.request.stream"));
        Assert.True((double)span.GetTagItem("gen_ai.response.time_to_first_chunk")! > 0);
        Assert.Equal(6, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(1, span.GetTagItem("gen_ai.usage.reasoning.output_tokens"));
        Assert.True((double)span.GetTagItem("gen_ai.usage.cost")! > 0);
        recorder.AssertHttpChild(span, _openAi.BaseUrl, "/v1/chat/completions", 200);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenAiSdk_ToolLoop_TwoEnrichedChatSpansAndTheToolUnderTheLoop(bool streaming)
    {
        using var recorder = new Recorder();
        using var chat = new ChatClientBuilder(OpenAiClient().GetChatClient("gpt-4o-mini").AsIChatClient())
            .UseFunctionInvocation()
            .UseOtelLlm(o => o.SourceName = recorder.SourceName)
            .Build();
        var weather = AIFunctionFactory.Create((string location) => $"rainy in {location}", "get_weather", "Gets the weather");
        var options = new ChatOptions { Tools = [weather] };

        var answer = await recorder.RunAsync(async () =>
        {
            using var scope = OtelLlmContext.Begin(workload: "weather-bot");
            if (!streaming)
            {
                return (await chat.GetResponseAsync("Oslo", options)).Text;
            }

            var text = "";
            await foreach (var update in chat.GetStreamingResponseAsync("Oslo", options))
            {
                text += update.Text;
            }

            return text;
        });

        // The function-invocation client sends the tool result as JSON.
        Assert.Equal("The tool says: \"rainy in Oslo\"", answer);
        var chats = recorder.Spans.Where(s => s.DisplayName == "chat gpt-4o-mini").OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(2, chats.Count);
        Assert.Equal("[\"tool_calls\"]", chats[0].GetTagItem("gen_ai.response.finish_reasons"));
        Assert.Equal("[\"stop\"]", chats[1].GetTagItem("gen_ai.response.finish_reasons"));
        Assert.All(chats, c => Assert.Equal("weather-bot", c.GetTagItem("otel_llm.workload")));
        Assert.All(chats, c => Assert.True((double)c.GetTagItem("gen_ai.usage.cost")! > 0));
        Assert.All(chats, c => recorder.AssertHttpChild(c, _openAi.BaseUrl, "/v1/chat/completions", 200));
        var tool = recorder.Single("execute_tool get_weather");
        Assert.StartsWith("call_fake", (string)tool.GetTagItem("gen_ai.tool.call.id")!, StringComparison.Ordinal);
        Assert.Equal(recorder.Single("orchestrate_tools").SpanId, tool.ParentSpanId);
    }

    [Fact]
    public async Task OpenAiSdk_Embeddings_SpanHasTokensCostAndTheHttpCall()
    {
        using var recorder = new Recorder();
        using var generator = OpenAiClient().GetEmbeddingClient("text-embedding-3-small").AsIEmbeddingGenerator()
            .WithOtelLlm(o => o.SourceName = recorder.SourceName);

        var embeddings = await recorder.RunAsync(() => generator.GenerateAsync(["waterproof hiking boots", "return policy for sale items"]));

        Assert.Equal(2, embeddings.Count);
        Assert.Equal(8, embeddings[0].Vector.Length);
        var span = recorder.Single("embeddings text-embedding-3-small");
        Assert.Equal(12, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(ModelPriceTable.Default.GetCostUsd("openai", "text-embedding-3-small", new TokenUsage(12, 0))!.Value, (double)span.GetTagItem("gen_ai.usage.cost")!, 15);
        recorder.AssertHttpChild(span, _openAi.BaseUrl, "/v1/embeddings", 200);
    }

    [Fact]
    public async Task OpenAiSdk_RateLimited_ChatSpanAndHttpChildRecordTheFailure()
    {
        using var recorder = new Recorder();
        using var chat = OpenAiChat("gpt-4o-mini-ratelimit", recorder.SourceName);

        await recorder.RunAsync(async () =>
        {
            await Assert.ThrowsAsync<ClientResultException>(() => chat.GetResponseAsync("Hello"));
            return 0;
        });

        var span = recorder.Single("chat gpt-4o-mini-ratelimit");
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(ClientResultException).FullName, span.GetTagItem("error.type"));
        Assert.Null(span.GetTagItem("gen_ai.usage.cost"));
        recorder.AssertHttpChild(span, _openAi.BaseUrl, "/v1/chat/completions", 429);
    }

    [Fact]
    public async Task AnthropicSdk_CachedSystemPrompt_FirstCallWritesTheCacheAndTheSecondReadsIt()
    {
        using var recorder = new Recorder();
        var instructions = "You are a concise travel assistant. Answer in one short sentence and always name the city. " + Guid.NewGuid();
        using var chat = new AnthropicClient { ApiKey = "test-key", BaseUrl = _anthropic.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 }
            .AsIChatClient("claude-sonnet-4-5-20250929", 512)
            .WithOtelLlm(o => o.SourceName = recorder.SourceName);

        var first = await recorder.RunAsync(() => chat.GetResponseAsync("Paris", new ChatOptions { Instructions = instructions }));
        var second = await recorder.RunAsync(() => chat.GetResponseAsync("Rome", new ChatOptions { Instructions = instructions }));

        var spans = recorder.Spans.Where(s => s.DisplayName == "chat claude-sonnet-4-5-20250929").OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(2, spans.Count);
        var cached = instructions.Length / 4;
        Assert.Equal((long)cached, spans[0].GetTagItem("gen_ai.usage.cache_creation.input_tokens"));
        Assert.Equal(0, spans[0].GetTagItem("gen_ai.usage.cache_read.input_tokens"));
        Assert.Null(spans[1].GetTagItem("gen_ai.usage.cache_creation.input_tokens"));
        Assert.Equal(cached, spans[1].GetTagItem("gen_ai.usage.cache_read.input_tokens"));
        foreach (var (span, response, read, write) in new[] { (spans[0], first, 0, cached), (spans[1], second, cached, 0) })
        {
            var usage = response.Usage!;
            Assert.Equal((int)usage.InputTokenCount!, span.GetTagItem("gen_ai.usage.input_tokens"));
            var expected = ModelPriceTable.Default.GetCostUsd("anthropic", "claude-sonnet-4-5-20250929", new TokenUsage(usage.InputTokenCount!.Value, usage.OutputTokenCount!.Value, read, write))!.Value;
            Assert.Equal(expected, (double)span.GetTagItem("gen_ai.usage.cost")!, 15);
            recorder.AssertHttpChild(span, _anthropic.BaseUrl, "/v1/messages", 200);
        }

        // A cache write costs more than the same tokens read from the cache.
        Assert.True((double)spans[0].GetTagItem("gen_ai.usage.cost")! > (double)spans[1].GetTagItem("gen_ai.usage.cost")!);
    }

    [Fact]
    public async Task AnthropicSdk_Streaming_OneChatSpanWithTheHttpCallAsItsChild()
    {
        using var recorder = new Recorder();
        using var chat = new AnthropicClient { ApiKey = "test-key", BaseUrl = _anthropic.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 }
            .AsIChatClient("claude-sonnet-4-5-20250929", 512)
            .WithOtelLlm(o => o.SourceName = recorder.SourceName);

        var text = await recorder.RunAsync(async () =>
        {
            var result = "";
            await foreach (var update in chat.GetStreamingResponseAsync("Tell me about Lisbon"))
            {
                result += update.Text;
            }

            return result;
        });

        Assert.Equal("You said: Tell me about Lisbon", text);
        var span = recorder.Single("chat claude-sonnet-4-5-20250929");
        Assert.Equal("anthropic", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(true, span.GetTagItem("gen_ai.request.stream"));
        Assert.True((double)span.GetTagItem("gen_ai.usage.cost")! > 0);
        recorder.AssertHttpChild(span, _anthropic.BaseUrl, "/v1/messages", 200);
    }

    private OpenAIClient OpenAiClient() =>
        new(new ApiKeyCredential("test-key"), new OpenAIClientOptions { Endpoint = _openAi.BaseUrl, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

    private IChatClient OpenAiChat(string model, string sourceName) =>
        new ChatClientBuilder(OpenAiClient().GetChatClient(model).AsIChatClient()).UseOtelLlm(o => o.SourceName = sourceName).Build();

    /// <summary>A tracer provider set up the way applications do, keeping the spans of the traces its calls started.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly List<Activity> _exported = [];
        private readonly HashSet<ActivityTraceId> _traces = [];
        private readonly ActivitySource _root;
        private readonly TracerProvider _provider;

        public Recorder()
        {
            SourceName = "test-sdk-" + Guid.NewGuid().ToString("N");
            _root = new ActivitySource(SourceName + ".Root");
            _provider = Sdk.CreateTracerProviderBuilder()
                .AddSource(_root.Name)
                .AddOtelLlmInstrumentation(o => o.SourceNames.Add(SourceName))
                .AddInMemoryExporter(_exported)
                .Build()!;
        }

        public string SourceName { get; }

        public List<Activity> Spans
        {
            get
            {
                _provider.ForceFlush();
                lock (_exported)
                {
                    return _exported.Where(s => _traces.Contains(s.TraceId)).ToList();
                }
            }
        }

        /// <summary>Runs the calls under a root span of this test's own, so their trace tells their spans apart.</summary>
        public async Task<T> RunAsync<T>(Func<Task<T>> calls)
        {
            using var root = _root.StartActivity("test");
            _traces.Add(root!.TraceId);
            return await calls();
        }

        public Activity Single(string name) => Assert.Single(Spans, s => s.DisplayName == name);

        public void AssertHttpChild(Activity parent, Uri baseUrl, string path, int status)
        {
            var http = Assert.Single(Spans, s => s.ParentSpanId == parent.SpanId && s.Source.Name == "System.Net.Http");
            Assert.Equal(ActivityKind.Client, http.Kind);
            Assert.Equal("POST", http.GetTagItem("http.request.method"));
            var url = new Uri((string)http.GetTagItem("url.full")!);
            Assert.Equal(baseUrl.Host, url.Host);
            Assert.Equal(baseUrl.Host, http.GetTagItem("server.address"));
            Assert.Equal(path, url.AbsolutePath);
            Assert.Equal(status, http.GetTagItem("http.response.status_code"));
        }

        public void Dispose()
        {
            _provider.Dispose();
            _root.Dispose();
        }
    }
}
