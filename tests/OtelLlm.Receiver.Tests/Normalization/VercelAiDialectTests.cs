using System.Text.Json.Nodes;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Semantics.Pricing;
using static OtelLlm.Receiver.Tests.Normalization.NormalizerKit;

namespace OtelLlm.Receiver.Tests.Normalization;

/// <summary>
/// The Vercel AI SDK's spans, with the attributes `ai` 5.0 and `@ai-sdk/openai` 2.0 really send (captured from the SDK
/// with `experimental_telemetry: { isEnabled: true, functionId, metadata }`); the end-to-end tests run the SDK itself.
/// </summary>
public sealed class VercelAiDialectTests : IDisposable
{
    private const string Scope = "ai";

    private readonly NormalizerKit _kit = new();

    public void Dispose() => _kit.Dispose();

    private static void AssertJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}\nactual   {actual}");

    /// <summary>What every span of one call carries: operation, function id, model, settings, metadata, headers.</summary>
    private static KeyValue[] Base(string operationId, string provider = "openai.chat", string model = "gpt-4o-mini") =>
    [
        Attr("operation.name", $"{operationId} capital-bot"),
        Attr("resource.name", "capital-bot"),
        Attr("ai.operationId", operationId),
        Attr("ai.telemetry.functionId", "capital-bot"),
        Attr("ai.model.provider", provider),
        Attr("ai.model.id", model),
        Attr("ai.settings.maxRetries", 2L),
        Attr("ai.telemetry.metadata.userId", "user-7"),
        Attr("ai.telemetry.metadata.sessionId", "session-42"),
        Attr("ai.telemetry.metadata.tier", "gold"),
        Attr("ai.request.headers.user-agent", "ai/5.0.277"),
    ];

    private static Span DoGenerate(params KeyValue[] attributes) =>
        NewSpan("ai.generateText.doGenerate", [.. Base("ai.generateText.doGenerate"), .. attributes]);

    [Fact]
    public void GenerateText_DoGenerate_MapsEveryColumn()
    {
        var span = DoGenerate(
            Attr("ai.settings.maxOutputTokens", 64L),
            Attr("ai.settings.temperature", 0.2),
            Attr("ai.prompt.messages", """[{"role":"system","content":"You are a terse geography assistant."},{"role":"user","content":[{"type":"text","text":"What is the capital of France?"}]}]"""),
            Attr("gen_ai.system", "openai.chat"),
            Attr("gen_ai.request.model", "gpt-4o-mini"),
            Attr("gen_ai.request.max_tokens", 64L),
            Attr("gen_ai.request.temperature", 0.2),
            Attr("ai.response.finishReason", "stop"),
            Attr("ai.response.text", "Paris is the capital of France."),
            Attr("ai.response.id", "chatcmpl-otelllm-chat-0001"),
            Attr("ai.response.model", "gpt-4o-mini-2024-07-18"),
            Attr("ai.response.timestamp", "2024-07-19T00:00:00.000Z"),
            Attr("ai.response.providerMetadata", """{"openai":{"acceptedPredictionTokens":0,"rejectedPredictionTokens":0}}"""),
            Attr("ai.usage.promptTokens", 24L),
            Attr("ai.usage.completionTokens", 9L),
            Attr("gen_ai.response.finish_reasons", "stop"),
            Attr("gen_ai.response.id", "chatcmpl-otelllm-chat-0001"),
            Attr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
            Attr("gen_ai.usage.input_tokens", 24L),
            Attr("gen_ai.usage.output_tokens", 9L));
        span.Status = new Status { Code = Status.Types.StatusCode.Unset };

        var row = _kit.Span(span, Scope);

        Assert.NotNull(row);
        Assert.Equal("vercel_ai", row.SourceFormat);
        Assert.Equal("chat", row.Operation);
        Assert.Equal("openai", row.Provider);
        Assert.Equal("openai.chat", row.Attributes.Get("otel_llm.raw.provider"));
        Assert.Equal("gpt-4o-mini", row.RequestModel);
        Assert.Equal("gpt-4o-mini-2024-07-18", row.ResponseModel);
        Assert.Equal(24UL, row.InputTokens);
        Assert.Equal(9UL, row.OutputTokens);
        Assert.Equal(33UL, row.TotalTokens);
        Assert.Equal(0UL, row.CacheReadTokens);
        Assert.Equal(0.2, row.Temperature);
        Assert.Equal(64UL, row.MaxTokens);
        Assert.False(row.Streaming);
        Assert.Null(row.TimeToFirstTokenMs);
        Assert.Equal(["stop"], row.FinishReasons);
        Assert.Equal("chatcmpl-otelllm-chat-0001", row.ResponseId);
        Assert.Equal("capital-bot", row.Workload);
        Assert.Equal("user-7", row.UserId);
        Assert.Equal("session-42", row.ConversationId);
        Assert.Equal("Unset", row.StatusCode);
        var expectedCost = ModelPriceTable.Default.PriceCall("openai", "gpt-4o-mini-2024-07-18", "gpt-4o-mini", new TokenUsage(24, 9), DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), out _);
        Assert.NotNull(expectedCost);
        Assert.Equal(expectedCost, row.CostUsd);
        Assert.Equal("price_table", row.CostSource);
        AssertJson("""
            [{"role":"system","parts":[{"type":"text","content":"You are a terse geography assistant."}]},
             {"role":"user","parts":[{"type":"text","content":"What is the capital of France?"}]}]
            """, row.InputMessages);
        AssertJson("""[{"role":"assistant","parts":[{"type":"text","content":"Paris is the capital of France."}],"finish_reason":"stop"}]""", row.OutputMessages);
        Assert.Equal(string.Empty, row.SystemInstructions);
        Assert.Equal(string.Empty, row.ToolDefinitions);

        // Metadata other than user and session, the settings and headers the columns do not hold stay; what was read does not repeat.
        Assert.Equal("gold", row.Attributes.Get("ai.telemetry.metadata.tier"));
        Assert.Equal("2", row.Attributes.Get("ai.settings.maxRetries"));
        Assert.Equal("ai/5.0.277", row.Attributes.Get("ai.request.headers.user-agent"));
        Assert.Equal("2024-07-19T00:00:00.000Z", row.Attributes.Get("ai.response.timestamp"));
        foreach (var consumed in new[]
        {
            "ai.operationId", "operation.name", "resource.name", "ai.telemetry.functionId", "ai.telemetry.metadata.userId", "ai.telemetry.metadata.sessionId",
            "ai.model.provider", "ai.model.id", "ai.prompt.messages", "ai.response.text", "ai.usage.promptTokens", "ai.response.id", "gen_ai.system",
        })
        {
            Assert.Null(row.Attributes.Get(consumed));
        }
    }

    [Fact]
    public void FunctionSpansAndToolCalls_AreNotModelCalls()
    {
        foreach (var operation in new[] { "ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject", "ai.embed", "ai.embedMany" })
        {
            var wrapper = NewSpan(operation, [.. Base(operation), Attr("ai.usage.promptTokens", 24L), Attr("ai.usage.completionTokens", 9L), Attr("ai.response.text", "x")]);
            Assert.Null(_kit.Span(wrapper, Scope));
        }

        var tool = NewSpan("ai.toolCall", Attr("ai.operationId", "ai.toolCall"), Attr("ai.telemetry.functionId", "capital-bot"), Attr("ai.toolCall.name", "get_weather"),
            Attr("ai.toolCall.id", "call_1"), Attr("ai.toolCall.args", "{}"), Attr("ai.toolCall.result", "{}"));
        Assert.Null(_kit.Span(tool, Scope));
    }

    [Fact]
    public void StreamText_DoStream_IsStreamingWithTimeToFirstChunkCachedAndReasoningTokens()
    {
        var span = NewSpan("ai.streamText.doStream", [.. Base("ai.streamText.doStream"),
            Attr("ai.prompt.messages", """[{"role":"user","content":[{"type":"text","text":"Tell me a one-sentence story about a span."}]}]"""),
            Attr("gen_ai.system", "openai.chat"),
            Attr("gen_ai.request.model", "gpt-4o-mini"),
            Attr("ai.response.msToFirstChunk", 13.48),
            Attr("ai.response.msToFinish", 32.3),
            Attr("ai.response.avgOutputTokensPerSecond", 340.2),
            Attr("ai.response.finishReason", "stop"),
            Attr("ai.response.text", "Once upon a time, a span was born."),
            Attr("ai.response.id", "chatcmpl-otelllm-stream-0001"),
            Attr("ai.response.model", "gpt-4o-mini-2024-07-18"),
            Attr("ai.usage.inputTokens", 18L),
            Attr("ai.usage.outputTokens", 11L),
            Attr("ai.usage.totalTokens", 29L),
            Attr("ai.usage.reasoningTokens", 1L),
            Attr("ai.usage.cachedInputTokens", 4L),
            Attr("gen_ai.response.finish_reasons", "stop"),
            Attr("gen_ai.usage.input_tokens", 18L),
            Attr("gen_ai.usage.output_tokens", 11L)]);
        var firstChunk = new Span.Types.Event { Name = "ai.stream.firstChunk", TimeUnixNano = span.StartTimeUnixNano + 13_480_000 };
        firstChunk.Attributes.Add(Attr("ai.response.msToFirstChunk", 13.48));
        span.Events.Add(firstChunk);

        var row = _kit.Span(span, Scope);

        Assert.NotNull(row);
        Assert.True(row.Streaming);
        Assert.Equal(13.48, row.TimeToFirstTokenMs);
        Assert.Equal(18UL, row.InputTokens);
        Assert.Equal(11UL, row.OutputTokens);
        Assert.Equal(29UL, row.TotalTokens);
        Assert.Equal(4UL, row.CacheReadTokens);
        Assert.Equal(1UL, row.ReasoningTokens);
        var expectedCost = ModelPriceTable.Default.PriceCall("openai", "gpt-4o-mini-2024-07-18", null, new TokenUsage(18, 11, 4, 0, 1), DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), out _);
        Assert.Equal(expectedCost, row.CostUsd);
        Assert.Equal("32.3", row.Attributes.Get("ai.response.msToFinish"));
        Assert.Null(row.Attributes.Get("ai.response.msToFirstChunk"));
        AssertJson("""[{"role":"assistant","parts":[{"type":"text","content":"Once upon a time, a span was born."}],"finish_reason":"stop"}]""", row.OutputMessages);

        // Only the span event says it: the time still arrives.
        var eventOnly = NewSpan("ai.streamText.doStream", [.. Base("ai.streamText.doStream")]);
        eventOnly.Events.Add(firstChunk);
        Assert.Equal(13.48, _kit.Span(eventOnly, Scope)!.TimeToFirstTokenMs);

        // streamObject's model call names it ai.stream.msToFirstChunk.
        var streamObject = NewSpan("ai.streamObject.doStream", [.. Base("ai.streamObject.doStream"), Attr("ai.stream.msToFirstChunk", 7.0)]);
        var objectRow = _kit.Span(streamObject, Scope)!;
        Assert.True(objectRow.Streaming);
        Assert.Equal(7.0, objectRow.TimeToFirstTokenMs);
    }

    [Fact]
    public void ToolCalls_CallResultAndDefinitions_BecomeMessagesAndTools()
    {
        const string Tools = """{"type":"function","name":"get_weather","description":"Get the current weather for a city","inputSchema":{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}""";
        var call = DoGenerate(
            Attr("ai.prompt.messages", """[{"role":"user","content":[{"type":"text","text":"What is the weather in Paris?"}]}]"""),
            Attr("ai.prompt.tools", Tools),
            Attr("ai.prompt.toolChoice", """{"type":"auto"}"""),
            Attr("ai.response.finishReason", "tool-calls"),
            Attr("ai.response.toolCalls", """[{"toolCallId":"call_otelllm_0001","toolName":"get_weather","input":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"}]"""),
            Attr("gen_ai.response.finish_reasons", "tool-calls"),
            Attr("ai.usage.promptTokens", 61L),
            Attr("ai.usage.completionTokens", 15L));

        var callRow = _kit.Span(call, Scope)!;

        Assert.Equal(["tool_call"], callRow.FinishReasons);
        Assert.Equal("tool-calls", callRow.Attributes.Get("otel_llm.raw.finish_reasons"));
        AssertJson("""
            [{"role":"assistant","parts":[{"type":"tool_call","id":"call_otelllm_0001","name":"get_weather","arguments":{"city":"Paris","unit":"celsius"}}],"finish_reason":"tool_call"}]
            """, callRow.OutputMessages);
        AssertJson("""
            [{"type":"function","name":"get_weather","description":"Get the current weather for a city",
              "parameters":{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}]
            """, callRow.ToolDefinitions);
        Assert.Equal("""{"type":"auto"}""", callRow.Attributes.Get("ai.prompt.toolChoice"));
        Assert.Null(callRow.Attributes.Get("ai.prompt.tools"));

        var result = DoGenerate(
            Attr("ai.prompt.messages", """
                [{"role":"user","content":[{"type":"text","text":"What is the weather in Paris?"}]},
                 {"role":"assistant","content":[{"type":"tool-call","toolCallId":"call_otelllm_0001","toolName":"get_weather","input":{"city":"Paris","unit":"celsius"}}]},
                 {"role":"tool","content":[{"type":"tool-result","toolCallId":"call_otelllm_0001","toolName":"get_weather","output":{"type":"json","value":{"temperature":18,"unit":"celsius","condition":"sunny"}}}]}]
                """),
            Attr("ai.response.text", "It is 18 degrees Celsius and sunny in Paris."),
            Attr("ai.response.finishReason", "stop"));

        var resultRow = _kit.Span(result, Scope)!;

        AssertJson("""
            [{"role":"user","parts":[{"type":"text","content":"What is the weather in Paris?"}]},
             {"role":"assistant","parts":[{"type":"tool_call","id":"call_otelllm_0001","name":"get_weather","arguments":{"city":"Paris","unit":"celsius"}}]},
             {"role":"tool","parts":[{"type":"tool_call_response","id":"call_otelllm_0001","response":{"temperature":18,"unit":"celsius","condition":"sunny"}}]}]
            """, resultRow.InputMessages);
    }

    [Fact]
    public void Prompt_FilesReasoningAndTextResults_AreConverted()
    {
        var prompt = VercelAiDialect_ConvertPrompt("""
            [{"role":"user","content":[{"type":"text","text":"Describe"},{"type":"file","mediaType":"image/png","data":"https://example.com/a.png"},{"type":"file","mediaType":"audio/wav","data":"UklGRg=="}]},
             {"role":"assistant","content":[{"type":"reasoning","text":"thinking"},{"type":"text","text":"A cat."}]},
             {"role":"tool","content":[{"type":"tool-result","toolCallId":"c1","toolName":"t","output":{"type":"text","value":"done"}}]},
             {"role":"user","content":"plain string"}]
            """);

        AssertJson("""
            [{"role":"user","parts":[{"type":"text","content":"Describe"},{"type":"uri","modality":"image","mime_type":"image/png","uri":"https://example.com/a.png"},
                                     {"type":"blob","modality":"audio","mime_type":"audio/wav","content":"UklGRg=="}]},
             {"role":"assistant","parts":[{"type":"reasoning","content":"thinking"},{"type":"text","content":"A cat."}]},
             {"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":"done"}]},
             {"role":"user","parts":[{"type":"text","content":"plain string"}]}]
            """, prompt);
    }

    private static string VercelAiDialect_ConvertPrompt(string json) =>
        Receiver.Normalization.MessageJson.Serialize(Receiver.Normalization.Dialects.VercelAiDialect.ConvertPrompt(JsonNode.Parse(json))!);

    [Fact]
    public void GenerateObject_DoGenerate_ObjectIsTheAnswer()
    {
        var span = NewSpan("ai.generateObject.doGenerate", [.. Base("ai.generateObject.doGenerate"),
            Attr("ai.response.object", """{"city":"Paris","country":"France"}"""),
            Attr("ai.response.finishReason", "stop")]);

        var row = _kit.Span(span, Scope)!;

        Assert.Equal("chat", row.Operation);
        AssertJson("""[{"role":"assistant","parts":[{"type":"text","content":"{\"city\":\"Paris\",\"country\":\"France\"}"}],"finish_reason":"stop"}]""", row.OutputMessages);
    }

    [Fact]
    public void EmbedMany_DoEmbed_IsOneEmbeddingsCallWithoutItsVectors()
    {
        // No gen_ai.* attribute at all: the pre-filter must let ai.operationId through (both trace paths are checked).
        var span = NewSpan("ai.embedMany.doEmbed", [.. Base("ai.embedMany.doEmbed", "openai.embedding", "text-embedding-3-small"),
            Attr("ai.values", "\"The quick brown fox\"", "\"jumps over the lazy dog\""),
            Attr("ai.embeddings", "[0.0625,0.125]", "[0.125,0.25]"),
            Attr("ai.usage.tokens", 12L)]);

        var row = _kit.Span(span, Scope);

        Assert.NotNull(row);
        Assert.Equal("embeddings", row.Operation);
        Assert.Equal("openai", row.Provider);
        Assert.Equal("text-embedding-3-small", row.RequestModel);
        Assert.Equal(12UL, row.InputTokens);
        Assert.Equal(12UL, row.TotalTokens);
        Assert.NotNull(row.CostUsd);
        Assert.Null(row.Attributes.Get("ai.embeddings"));
        Assert.NotNull(row.Attributes.Get("ai.values"));
    }

    [Fact]
    public void Failure_StatusAndExceptionEvent_AreTheError()
    {
        var span = DoGenerate(Attr("gen_ai.system", "openai.chat"), Attr("gen_ai.request.model", "error-model"));
        span.Status = new Status { Code = Status.Types.StatusCode.Error, Message = "Rate limit reached for error-model" };
        var exception = new Span.Types.Event { Name = "exception", TimeUnixNano = span.EndTimeUnixNano };
        exception.Attributes.Add(Attr("exception.type", "AI_APICallError"));
        exception.Attributes.Add(Attr("exception.message", "Rate limit reached for error-model"));
        span.Events.Add(exception);

        var row = _kit.Span(span, Scope)!;

        Assert.Equal("Error", row.StatusCode);
        Assert.Equal("AI_APICallError", row.ErrorType);
        Assert.Equal("Rate limit reached for error-model", row.StatusMessage);
        Assert.Equal(string.Empty, row.OutputMessages);
    }

    [Fact]
    public void Anthropic_InputWithoutCache_IsMadeInclusiveAndCacheWritesComeFromProviderMetadata()
    {
        // @ai-sdk/anthropic 2.x: inputTokens is Anthropic's input_tokens (without the cache), total = input + output,
        // cache reads in cachedInputTokens and cache writes only in the provider metadata.
        var span = NewSpan("ai.streamText.doStream", [.. Base("ai.streamText.doStream", "anthropic.messages", "claude-sonnet-4-5"),
            Attr("gen_ai.system", "anthropic.messages"),
            Attr("ai.response.model", "claude-sonnet-4-5-20250929"),
            Attr("ai.usage.inputTokens", 10L),
            Attr("ai.usage.outputTokens", 5L),
            Attr("ai.usage.totalTokens", 15L),
            Attr("ai.usage.cachedInputTokens", 1000L),
            Attr("ai.response.providerMetadata", """{"anthropic":{"cacheCreationInputTokens":200,"stopSequence":null}}""")]);

        var row = _kit.Span(span, Scope)!;

        Assert.Equal("anthropic", row.Provider);
        Assert.Equal(1210UL, row.InputTokens);
        Assert.Equal(1000UL, row.CacheReadTokens);
        Assert.Equal(200UL, row.CacheWriteTokens);
        Assert.Equal("10", row.Attributes.Get("otel_llm.raw.input_tokens"));
        var expected = ModelPriceTable.Default.PriceCall("anthropic", "claude-sonnet-4-5-20250929", null, new TokenUsage(1210, 5, 1000, 200), DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), out _);
        Assert.Equal(expected, row.CostUsd);
    }

    [Theory]
    [InlineData("openai.responses", "openai")]
    [InlineData("azure.chat", "azure.ai.openai")]
    [InlineData("google.generative-ai", "gcp.gemini")]
    [InlineData("amazon-bedrock", "aws.bedrock")]
    [InlineData("mistral.chat", "mistral_ai")]
    public void Provider_ApiSuffixedNames_AreOneNamePerProvider(string reported, string expected)
    {
        var row = _kit.Span(NewSpan("ai.generateText.doGenerate", [.. Base("ai.generateText.doGenerate", reported)]), Scope)!;

        Assert.Equal(expected, row.Provider);
        Assert.Equal(reported, row.Attributes.Get("otel_llm.raw.provider"));
    }

    [Fact]
    public void Anthropic_CacheSmallerThanInput_IsStillAddedAndTheTotalDerivedAgain()
    {
        // The SDK 5 total (input + output without the cache) would tell the shared rule the cache is inside: it is not.
        var span = NewSpan("ai.generateText.doGenerate", [.. Base("ai.generateText.doGenerate", "anthropic.messages", "claude-sonnet-4-5"),
            Attr("ai.usage.inputTokens", 5000L),
            Attr("ai.usage.outputTokens", 5L),
            Attr("ai.usage.totalTokens", 5005L),
            Attr("ai.usage.cachedInputTokens", 1000L)]);

        var row = _kit.Span(span, Scope)!;

        Assert.Equal(6000UL, row.InputTokens);
        Assert.Equal(6005UL, row.TotalTokens);
        Assert.Equal("5000", row.Attributes.Get("otel_llm.raw.input_tokens"));
    }

    [Fact]
    public void Sdk7Legacy_RuntimeContextAndInclusiveInputDetails_AreRead()
    {
        // ai 7 with @ai-sdk/otel's LegacyOpenTelemetry: SDK 5's span shape, runtime context instead of metadata, input
        // token details that say the input includes the cache.
        var span = NewSpan("ai.generateText.doGenerate",
            Attr("ai.operationId", "ai.generateText.doGenerate"),
            Attr("ai.telemetry.functionId", "capital-bot"),
            Attr("ai.model.provider", "anthropic.messages"),
            Attr("ai.model.id", "claude-sonnet-4-5"),
            Attr("ai.settings.context.userId", "user-7"),
            Attr("ai.settings.context.sessionId", "session-42"),
            Attr("ai.settings.context.tier", "gold"),
            Attr("ai.usage.inputTokens", 6000L),
            Attr("ai.usage.outputTokens", 9L),
            Attr("ai.usage.totalTokens", 6009L),
            Attr("ai.usage.cachedInputTokens", 1000L),
            Attr("ai.usage.inputTokenDetails.noCacheTokens", 4800L),
            Attr("ai.usage.inputTokenDetails.cacheReadTokens", 1000L),
            Attr("ai.usage.inputTokenDetails.cacheWriteTokens", 200L),
            Attr("ai.usage.outputTokenDetails.reasoningTokens", 2L));

        var row = _kit.Span(span, Scope)!;

        Assert.Equal("user-7", row.UserId);
        Assert.Equal("session-42", row.ConversationId);
        Assert.Equal("capital-bot", row.Workload);
        Assert.Equal("gold", row.Attributes.Get("ai.settings.context.tier"));
        Assert.Equal(6000UL, row.InputTokens);
        Assert.Equal(1000UL, row.CacheReadTokens);
        Assert.Equal(200UL, row.CacheWriteTokens);
        Assert.Equal(2UL, row.ReasoningTokens);
        Assert.Equal(6009UL, row.TotalTokens);
        Assert.Null(row.Attributes.Get("otel_llm.raw.input_tokens"));
    }

    [Fact]
    public void Sdk7SemanticConventionSpans_ChatCountsStreamedWithTimeToFirstChunk_WrappersDoNot()
    {
        // ai 7 with @ai-sdk/otel's OpenTelemetry (tracer gen_ai): invoke_agent > step > chat, and embeddings > embeddings.
        const string OtelScope = "gen_ai";
        Assert.Null(_kit.Span(NewSpan("invoke_agent gpt-4o-mini", Attr("gen_ai.operation.name", "invoke_agent"), Attr("gen_ai.provider.name", "openai"),
            Attr("gen_ai.request.model", "gpt-4o-mini"), Attr("gen_ai.agent.name", "capital-bot"), Attr("gen_ai.usage.input_tokens", 18L)), OtelScope));
        Assert.Null(_kit.Span(NewSpan("step 1", Attr("gen_ai.operation.name", "agent_step")), OtelScope));
        Assert.Null(_kit.Span(NewSpan("execute_tool get_weather", Attr("gen_ai.operation.name", "execute_tool"), Attr("gen_ai.tool.name", "get_weather")), OtelScope));

        var chat = _kit.Span(NewSpan("chat gpt-4o-mini",
            Attr("gen_ai.operation.name", "chat"),
            Attr("gen_ai.provider.name", "openai"),
            Attr("gen_ai.request.model", "gpt-4o-mini"),
            Attr("gen_ai.input.messages", """[{"role":"user","parts":[{"type":"text","content":"Tell me a story"}]}]"""),
            Attr("gen_ai.client.operation.duration", 0.0436),
            Attr("gen_ai.client.operation.time_to_first_chunk", 0.0278),
            Attr("gen_ai.response.finish_reasons", "stop"),
            Attr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
            Attr("gen_ai.usage.input_tokens", 18L),
            Attr("gen_ai.usage.output_tokens", 11L),
            Attr("gen_ai.usage.cache_read.input_tokens", 4L),
            Attr("gen_ai.output.messages", """[{"role":"assistant","parts":[{"type":"text","content":"Once."}],"finish_reason":"stop"}]""")), OtelScope);
        Assert.NotNull(chat);
        Assert.Equal("vercel_ai", chat.SourceFormat);
        Assert.Equal("chat", chat.Operation);
        Assert.True(chat.Streaming);
        Assert.Equal(27.8, chat.TimeToFirstTokenMs!.Value, 9);
        Assert.Equal(4UL, chat.CacheReadTokens);
        Assert.NotNull(chat.CostUsd);
        AssertJson("""[{"role":"user","parts":[{"type":"text","content":"Tell me a story"}]}]""", chat.InputMessages);

        var notStreamed = _kit.Span(NewSpan("chat gpt-4o-mini", Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.provider.name", "openai"), Attr("gen_ai.request.model", "gpt-4o-mini")), OtelScope);
        Assert.False(notStreamed!.Streaming);

        // embed/embedMany's own embeddings span has no usage; the provider call inside it has.
        var context = new[] { Attr("ai.settings.context.userId", "user-7"), Attr("ai.settings.context.sessionId", "session-42") };
        Assert.Null(_kit.Span(NewSpan("embeddings text-embedding-3-small", [Attr("gen_ai.operation.name", "embeddings"), Attr("gen_ai.provider.name", "openai"),
            Attr("gen_ai.request.model", "text-embedding-3-small"), .. context]), OtelScope));
        var embedding = _kit.Span(NewSpan("embeddings text-embedding-3-small", [Attr("gen_ai.operation.name", "embeddings"), Attr("gen_ai.provider.name", "openai"),
            Attr("gen_ai.request.model", "text-embedding-3-small"), Attr("gen_ai.usage.input_tokens", 12L), .. context]), OtelScope);
        Assert.NotNull(embedding);
        Assert.Equal(12UL, embedding.InputTokens);
        Assert.Equal("user-7", embedding.UserId);
        Assert.Equal("session-42", embedding.ConversationId);
    }
}

