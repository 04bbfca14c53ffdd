using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using OtelLlm.Semantics.Pricing;

namespace OtelLlm.Instrumentation.Tests;

public sealed class OtelLlmChatClientTests
{
    private static ChatResponse Answer(string text = "Paris.", ChatFinishReason? reason = null) =>
        new(new ChatMessage(ChatRole.Assistant, text))
        {
            ResponseId = "resp-1",
            ModelId = "gpt-4o-mini-2024-07-18",
            FinishReason = reason ?? ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 200, CachedInputTokenCount = 400, ReasoningTokenCount = 50 },
        };

    private static IChatClient Instrument(FakeChatClient inner, TelemetryCapture capture, Action<OtelLlmInstrumentationOptions>? configure = null) =>
        inner.WithOtelLlm(o =>
        {
            o.SourceName = capture.SourceName;
            o.CaptureMessageContent = false;
            configure?.Invoke(o);
        });

    [Fact]
    public async Task GetResponse_RecordsSemconvSpan()
    {
        using var capture = new TelemetryCapture();
        var inner = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Answer()) };
        var client = Instrument(inner, capture);

        await client.GetResponseAsync("Capital of France?", new ChatOptions
        {
            Temperature = 0.5f,
            TopP = 0.9f,
            TopK = 40,
            MaxOutputTokens = 256,
            Seed = 7,
            FrequencyPenalty = 0.1f,
            PresencePenalty = 0.2f,
            StopSequences = ["END", "STOP"],
            ConversationId = "conv-1",
            ResponseFormat = ChatResponseFormat.Json,
        });

        var span = capture.Single();
        Assert.Equal("chat gpt-4o-mini", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("openai", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("gpt-4o-mini", span.GetTagItem("gen_ai.request.model"));
        Assert.Equal("api.example.test", span.GetTagItem("server.address"));
        Assert.Equal(8443, span.GetTagItem("server.port"));
        Assert.Equal(0.5, (double)span.GetTagItem("gen_ai.request.temperature")!, 5);
        Assert.Equal(0.9, (double)span.GetTagItem("gen_ai.request.top_p")!, 5);
        Assert.Equal(40d, span.GetTagItem("gen_ai.request.top_k"));
        Assert.Equal(256, span.GetTagItem("gen_ai.request.max_tokens"));
        Assert.Equal(7L, span.GetTagItem("gen_ai.request.seed"));
        Assert.Equal(0.1, (double)span.GetTagItem("gen_ai.request.frequency_penalty")!, 5);
        Assert.Equal(0.2, (double)span.GetTagItem("gen_ai.request.presence_penalty")!, 5);
        Assert.Equal(new[] { "END", "STOP" }, span.GetTagItem("gen_ai.request.stop_sequences"));
        Assert.Equal("json", span.GetTagItem("gen_ai.output.type"));
        Assert.Equal("conv-1", span.GetTagItem("gen_ai.conversation.id"));
        Assert.Null(span.GetTagItem("gen_ai.request.stream"));
        Assert.Equal("resp-1", span.GetTagItem("gen_ai.response.id"));
        Assert.Equal("gpt-4o-mini-2024-07-18", span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(new[] { "stop" }, span.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.Equal(1000L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(200L, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(400L, span.GetTagItem("gen_ai.usage.cache_read.input_tokens"));
        Assert.Equal(50L, span.GetTagItem("gen_ai.usage.reasoning.output_tokens"));
        var expectedCost = ModelPriceTable.Default.GetCostUsd("openai", "gpt-4o-mini", new TokenUsage(1000, 200, 400, 0, 50));
        Assert.NotNull(expectedCost);
        Assert.Equal(expectedCost.Value, (double)span.GetTagItem("gen_ai.usage.cost")!, 12);
        Assert.Equal(capture.SourceName, span.Source.Name);
        Assert.Equal("https://opentelemetry.io/schemas/1.41.0", span.Source.TelemetrySchemaUrl);
    }

    [Fact]
    public async Task GetResponse_ContentOff_RecordsNoContentAndOnlyToolNames()
    {
        using var capture = new TelemetryCapture();
        var inner = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Answer("secret answer")) };
        var client = Instrument(inner, capture);
        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather", "Gets the weather");

        await client.GetResponseAsync("secret question", new ChatOptions { Tools = [tool], Instructions = "be brief" });

        var span = capture.Single();
        Assert.Null(span.GetTagItem("gen_ai.input.messages"));
        Assert.Null(span.GetTagItem("gen_ai.output.messages"));
        Assert.Null(span.GetTagItem("gen_ai.system_instructions"));
        Assert.Equal("""[{"type":"function","name":"get_weather"}]""", span.GetTagItem("gen_ai.tool.definitions"));
        foreach (var tag in span.TagObjects)
        {
            Assert.DoesNotContain("secret", tag.Value?.ToString() ?? string.Empty, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GetResponse_ContentOn_RecordsMessagesInSemconvSchema()
    {
        using var capture = new TelemetryCapture();
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant,
        [
            new TextContent("Let me check."),
            new FunctionCallContent("call-1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }),
        ]))
        { FinishReason = ChatFinishReason.ToolCalls, ModelId = "gpt-4o-mini" };
        var inner = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(response) };
        var client = Instrument(inner, capture, o => o.CaptureMessageContent = true);
        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather", "Gets the weather");
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "You are a weather bot."),
            new(ChatRole.User, "Weather in Paris?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call-0", "get_weather", new Dictionary<string, object?> { ["city"] = "Lyon" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call-0", "rainy")]),
        ];

        await client.GetResponseAsync(messages, new ChatOptions { Tools = [tool], Instructions = "Answer in French." });

        var span = capture.Single();
        using var input = JsonDocument.Parse((string)span.GetTagItem("gen_ai.input.messages")!);
        var inputs = input.RootElement;
        Assert.Equal(4, inputs.GetArrayLength());
        Assert.Equal("system", inputs[0].GetProperty("role").GetString());
        Assert.Equal("user", inputs[1].GetProperty("role").GetString());
        Assert.Equal("text", inputs[1].GetProperty("parts")[0].GetProperty("type").GetString());
        Assert.Equal("Weather in Paris?", inputs[1].GetProperty("parts")[0].GetProperty("content").GetString());
        var call = inputs[2].GetProperty("parts")[0];
        Assert.Equal("tool_call", call.GetProperty("type").GetString());
        Assert.Equal("call-0", call.GetProperty("id").GetString());
        Assert.Equal("Lyon", call.GetProperty("arguments").GetProperty("city").GetString());
        var result = inputs[3].GetProperty("parts")[0];
        Assert.Equal("tool", inputs[3].GetProperty("role").GetString());
        Assert.Equal("tool_call_response", result.GetProperty("type").GetString());
        Assert.Equal("rainy", result.GetProperty("response").GetString());

        using var output = JsonDocument.Parse((string)span.GetTagItem("gen_ai.output.messages")!);
        var message = Assert.Single(output.RootElement.EnumerateArray());
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Equal("tool_call", message.GetProperty("finish_reason").GetString());
        Assert.Equal("get_weather", message.GetProperty("parts")[1].GetProperty("name").GetString());
        Assert.Equal("Paris", message.GetProperty("parts")[1].GetProperty("arguments").GetProperty("city").GetString());
        Assert.Equal(new[] { "tool_calls" }, span.GetTagItem("gen_ai.response.finish_reasons"));

        Assert.Equal("""[{"type":"text","content":"Answer in French."}]""", span.GetTagItem("gen_ai.system_instructions"));
        using var tools = JsonDocument.Parse((string)span.GetTagItem("gen_ai.tool.definitions")!);
        var definition = tools.RootElement[0];
        Assert.Equal("Gets the weather", definition.GetProperty("description").GetString());
        Assert.Equal("string", definition.GetProperty("parameters").GetProperty("properties").GetProperty("city").GetProperty("type").GetString());
    }

    [Fact]
    public async Task GetResponse_RedactionRulesAndCallback_ApplyToEveryCapturedText()
    {
        using var capture = new TelemetryCapture();
        var inner = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Answer("Mail bob@example.com, card 4111 1111 1111 1111")) };
        var client = Instrument(inner, capture, o =>
        {
            o.CaptureMessageContent = true;
            o.RedactionPatterns.Add(new Regex(@"[\w.]+@[\w.]+", RegexOptions.None, TimeSpan.FromSeconds(1)));
            o.Redact = text => text.Replace("4111 1111 1111 1111", "<card>", StringComparison.Ordinal);
        });

        await client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "I am alice@example.org"), new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c", "lookup", new Dictionary<string, object?> { ["email"] = "carol@example.net" })])],
            new ChatOptions { Instructions = "Reply to dave@example.com" });

        var span = capture.Single();
        var input = (string)span.GetTagItem("gen_ai.input.messages")!;
        var output = (string)span.GetTagItem("gen_ai.output.messages")!;
        var system = (string)span.GetTagItem("gen_ai.system_instructions")!;
        Assert.Contains("I am [REDACTED]", input, StringComparison.Ordinal);
        Assert.Contains("\"email\":\"[REDACTED]\"", input, StringComparison.Ordinal);
        Assert.Contains("Mail [REDACTED], card <card>", output, StringComparison.Ordinal);
        Assert.Contains("Reply to [REDACTED]", system, StringComparison.Ordinal);
        Assert.DoesNotContain("example", input + output + system, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponse_LongContent_IsTruncatedWithVisibleMarker()
    {
        using var capture = new TelemetryCapture();
        var inner = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Answer(new string('b', 500))) };
        var client = Instrument(inner, capture, o =>
        {
            o.CaptureMessageContent = true;
            o.MaxContentLength = 100;
        });

        await client.GetResponseAsync(new string('a', 1000));

        var span = capture.Single();
        using var input = JsonDocument.Parse((string)span.GetTagItem("gen_ai.input.messages")!);
        var text = input.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString()!;
        Assert.Equal(new string('a', 100) + "…[truncated 900 chars]", text);
        using var output = JsonDocument.Parse((string)span.GetTagItem("gen_ai.output.messages")!);
        Assert.Equal(new string('b', 100) + "…[truncated 400 chars]", output.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString());
    }

    [Fact]
    public async Task GetResponse_InnerThrows_RecordsErrorTypeStatusAndDurationTag()
    {
        using var capture = new TelemetryCapture();
        var inner = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("503 from upstream") };
        var client = Instrument(inner, capture);

        // A synchronous throw from the inner client arrives in the returned task, as from any async method.
        var task = client.GetResponseAsync("hi");
        await Assert.ThrowsAsync<HttpRequestException>(() => task);

        var span = capture.Single();
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("503 from upstream", span.StatusDescription);
        Assert.Equal("System.Net.Http.HttpRequestException", span.GetTagItem("error.type"));
        Assert.Null(span.GetTagItem("gen_ai.usage.cost"));
        var duration = Assert.Single(capture.Of("gen_ai.client.operation.duration"));
        Assert.Equal("System.Net.Http.HttpRequestException", duration.Tags["error.type"]);
        Assert.Empty(capture.Of("gen_ai.client.token.usage"));
    }

    [Fact]
    public async Task GetResponse_Canceled_RecordsCancellationAsError()
    {
        using var capture = new TelemetryCapture();
        var inner = new FakeChatClient
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return Answer();
            },
        };
        var client = Instrument(inner, capture);
        using var cts = new CancellationTokenSource();

        var call = client.GetResponseAsync("hi", cancellationToken: cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        var span = capture.Single();
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("System.Threading.Tasks.TaskCanceledException", span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task GetResponse_Metrics_RecordTokenUsageAndDurationWithSemconvBuckets()
    {
        using var capture = new TelemetryCapture();
        var inner = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Answer()) };
        var client = Instrument(inner, capture);

        await client.GetResponseAsync("hi");

        var tokens = capture.Of("gen_ai.client.token.usage");
        Assert.Equal(2, tokens.Count);
        var input = Assert.Single(tokens, m => (string?)m.Tags["gen_ai.token.type"] == "input");
        var output = Assert.Single(tokens, m => (string?)m.Tags["gen_ai.token.type"] == "output");
        Assert.Equal(1000, input.Value);
        Assert.Equal(200, output.Value);
        Assert.Equal("chat", input.Tags["gen_ai.operation.name"]);
        Assert.Equal("openai", input.Tags["gen_ai.provider.name"]);
        Assert.Equal("gpt-4o-mini", input.Tags["gen_ai.request.model"]);
        Assert.Equal("gpt-4o-mini-2024-07-18", input.Tags["gen_ai.response.model"]);
        Assert.Equal("api.example.test", input.Tags["server.address"]);
        Assert.Equal(8443, input.Tags["server.port"]);
        var duration = Assert.Single(capture.Of("gen_ai.client.operation.duration"));
        Assert.True(duration.Value >= 0);
        Assert.False(duration.Tags.ContainsKey("error.type"));
        Assert.True(Assert.Single(capture.Of("otel_llm.client.cost")).Value > 0);
        var durationAdvice = ((Histogram<double>)capture.Instruments["gen_ai.client.operation.duration"]).Advice!.HistogramBucketBoundaries!;
        Assert.Equal([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92], durationAdvice);
        var tokenAdvice = ((Histogram<long>)capture.Instruments["gen_ai.client.token.usage"]).Advice!.HistogramBucketBoundaries!;
        Assert.Equal(14, tokenAdvice.Count);
        Assert.Equal(67108864, tokenAdvice[^1]);
        Assert.Equal("s", capture.Instruments["gen_ai.client.operation.duration"].Unit);
        Assert.Equal("{token}", capture.Instruments["gen_ai.client.token.usage"].Unit);
    }

    [Fact]
    public async Task GetStreamingResponse_EveryInnerRead_RunsInsideTheChatSpan()
    {
        using var capture = new TelemetryCapture();
        var seen = new List<Activity?>();
        var inner = new FakeChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => Observed(seen, ct) };
        var client = Instrument(inner, capture);

        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            Assert.Null(Activity.Current);
        }

        var span = capture.Single();
        Assert.Equal(3, seen.Count);
        Assert.All(seen, a => Assert.Same(span, a));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponse_SynchronousOrPendingInner_RestoresCallerSpanAndParentsInnerWork(bool pending)
    {
        using var capture = new TelemetryCapture();
        using var source = new ActivitySource("OtelLlm.Tests.Caller");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        Activity? seenByInner = null;
        var inner = new FakeChatClient
        {
            GetResponseAsyncCallback = (_, _, _) =>
            {
                seenByInner = Activity.Current;
                return pending ? Later() : Task.FromResult(Answer());
            },
        };
        var client = Instrument(inner, capture);
        using var caller = source.StartActivity("caller");

        var task = client.GetResponseAsync("hi");
        Assert.Same(caller, Activity.Current);
        await task;

        Assert.Same(caller, Activity.Current);
        var span = capture.Single();
        Assert.Same(span, seenByInner);
        Assert.Equal(caller!.SpanId, span.ParentSpanId);
        Assert.Equal(1000L, span.GetTagItem("gen_ai.usage.input_tokens"));

        static async Task<ChatResponse> Later()
        {
            await Task.Yield();
            return Answer();
        }
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Observed(List<Activity?> seen, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < 2; i++)
        {
            seen.Add(Activity.Current);
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "part");
        }

        seen.Add(Activity.Current);
        cancellationToken.ThrowIfCancellationRequested();
    }

    [Fact]
    public async Task GetStreamingResponse_RecordsOneSpanWithUsageFinishReasonAndTimeToFirstChunk()
    {
        using var capture = new TelemetryCapture();
        var inner = new FakeChatClient
        {
            GetStreamingResponseAsyncCallback = (_, _, ct) => FakeChatClient.Stream(
            [
                new ChatResponseUpdate(ChatRole.Assistant, "Hel") { ResponseId = "stream-1", ModelId = "gpt-4o-mini-2024-07-18" },
                new ChatResponseUpdate(null, "lo"),
                new ChatResponseUpdate(null, [new UsageContent(new UsageDetails { InputTokenCount = 12, OutputTokenCount = 3 })]) { FinishReason = ChatFinishReason.Length },
            ], ct),
        };
        var client = Instrument(inner, capture, o => o.CaptureMessageContent = true);

        var text = "";
        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            text += update.Text;
        }

        Assert.Equal("Hello", text);
        var span = capture.Single();
        Assert.Equal(true, span.GetTagItem("gen_ai.request.stream"));
        Assert.Equal("stream-1", span.GetTagItem("gen_ai.response.id"));
        Assert.Equal(new[] { "length" }, span.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.Equal(12L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(3L, span.GetTagItem("gen_ai.usage.output_tokens"));
        var ttfc = (double)span.GetTagItem("gen_ai.response.time_to_first_chunk")!;
        Assert.InRange(ttfc, 0, span.Duration.TotalSeconds);
        using var output = JsonDocument.Parse((string)span.GetTagItem("gen_ai.output.messages")!);
        Assert.Equal("Hello", output.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString());
        Assert.Equal("length", output.RootElement[0].GetProperty("finish_reason").GetString());
        Assert.Single(capture.Of("gen_ai.client.operation.time_to_first_chunk"));
        Assert.Equal(2, capture.Of("gen_ai.client.token.usage").Count);
    }

    [Fact]
    public async Task GetResponse_NonStreaming_RecordsNoTimeToFirstChunk()
    {
        using var capture = new TelemetryCapture();
        var client = Instrument(new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Answer()) }, capture);

        await client.GetResponseAsync("hi");

        Assert.Null(capture.Single().GetTagItem("gen_ai.response.time_to_first_chunk"));
        Assert.Empty(capture.Of("gen_ai.client.operation.time_to_first_chunk"));
    }

    [Fact]
    public async Task GetStreamingResponse_FailsMidStream_RecordsErrorOnTheStreamSpan()
    {
        using var capture = new TelemetryCapture();
        var inner = new FakeChatClient { GetStreamingResponseAsyncCallback = (_, _, _) => Failing() };
        var client = Instrument(inner, capture);

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                Assert.Equal("partial", update.Text);
            }
        });

        var span = capture.Single();
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("System.InvalidOperationException", span.GetTagItem("error.type"));
        Assert.NotNull(span.GetTagItem("gen_ai.response.time_to_first_chunk"));

        static async IAsyncEnumerable<ChatResponseUpdate> Failing()
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "partial");
            throw new InvalidOperationException("connection reset");
        }
    }

    [Fact]
    public async Task GetStreamingResponse_Canceled_RecordsCancellation()
    {
        using var capture = new TelemetryCapture();
        using var cts = new CancellationTokenSource();
        var inner = new FakeChatClient
        {
            GetStreamingResponseAsyncCallback = (_, _, ct) => FakeChatClient.Stream([new ChatResponseUpdate(ChatRole.Assistant, "a"), new ChatResponseUpdate(null, "b")], ct),
        };
        var client = Instrument(inner, capture);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi", cancellationToken: cts.Token))
            {
                await cts.CancelAsync();
            }
        });

        var span = capture.Single();
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("System.OperationCanceledException", span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task GetResponse_ProviderNameIsNormalizedToSemconvValue()
    {
        using var capture = new TelemetryCapture();
        var inner = new FakeChatClient
        {
            Metadata = new ChatClientMetadata("Mistral", null, "mistral-small-latest"),
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))),
        };

        await Instrument(inner, capture).GetResponseAsync("hi");

        var span = capture.Single();
        Assert.Equal("mistral_ai", span.GetTagItem("gen_ai.provider.name"));
        Assert.Null(span.GetTagItem("server.address"));
        Assert.Null(span.GetTagItem("gen_ai.usage.cost"));
    }

    [Fact]
    public async Task GetResponse_CostUsesOverrideTable()
    {
        using var capture = new TelemetryCapture();
        var overrides = ModelPriceTable.Load(new MemoryStream("""{"unit":"per_token","models":[{"provider":"openai","model":"gpt-4o-mini","match":"^gpt-4o-mini.*$","input":1,"output":10}]}"""u8.ToArray()));
        var inner = new FakeChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
            {
                ModelId = "gpt-4o-mini-2024-07-18",
                Usage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 2 },
            }),
        };

        await Instrument(inner, capture, o => o.PriceTable = ModelPriceTable.Default.WithOverrides(overrides)).GetResponseAsync("hi");

        Assert.Equal(23d, capture.Single().GetTagItem("gen_ai.usage.cost"));
    }

    [Fact]
    public async Task GetResponse_CacheWriteTokensFromAdditionalCounts_AreRecorded()
    {
        using var capture = new TelemetryCapture();
        var usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 1, AdditionalCounts = new() { ["CacheCreationInputTokens"] = 60 } };
        var inner = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = usage }) };

        await Instrument(inner, capture).GetResponseAsync("hi");

        Assert.Equal(60L, capture.Single().GetTagItem("gen_ai.usage.cache_creation.input_tokens"));
    }

    [Fact]
    public void GetService_ReturnsActivitySourceAndInnerServices()
    {
        using var capture = new TelemetryCapture();
        var inner = new FakeChatClient();
        var client = Instrument(inner, capture);

        Assert.Equal(capture.SourceName, client.GetService<ActivitySource>()!.Name);
        Assert.Same(inner.Metadata, client.GetService<ChatClientMetadata>());
        Assert.IsType<OtelLlmChatClient>(client.GetService<OtelLlmChatClient>());
    }

    [Fact]
    public async Task CreateFactory_WrapsClientLikeChatClientBuilderUse()
    {
        using var capture = new TelemetryCapture();
        var factory = OtelLlmChatClient.CreateFactory(o => o.SourceName = capture.SourceName);
        var client = factory(new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Answer()) });

        await client.GetResponseAsync("hi");

        Assert.IsType<OtelLlmChatClient>(client);
        Assert.Equal("chat gpt-4o-mini", capture.Single().DisplayName);
    }

    [Fact]
    public void CaptureMessageContent_DefaultsFromEnvironmentVariable()
    {
        var expected = string.Equals(Environment.GetEnvironmentVariable("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"), "true", StringComparison.OrdinalIgnoreCase);

        Assert.Equal(expected, new OtelLlmInstrumentationOptions().CaptureMessageContent);
    }
}
