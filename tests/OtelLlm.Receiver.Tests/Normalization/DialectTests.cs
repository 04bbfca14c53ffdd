using System.Text.Json.Nodes;
using static OtelLlm.Receiver.Tests.Normalization.NormalizerKit;

namespace OtelLlm.Receiver.Tests.Normalization;

public sealed class DialectTests : IDisposable
{
    private readonly NormalizerKit _kit = new();

    public void Dispose() => _kit.Dispose();

    private static JsonNode Json(string text) => JsonNode.Parse(text)!;

    private static void AssertJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(Json(expected), Json(actual)), $"expected {expected}\nactual   {actual}");

    [Fact]
    public void Meai_ChatSpanWithPrettyContent_MapsEveryColumn()
    {
        var input = """
            [
              {
                "role": "user",
                "parts": [ { "type": "text", "content": "Weather in Paris?" } ]
              },
              {
                "role": "assistant",
                "parts": [ { "type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": { "city": "Paris" } } ]
              },
              {
                "role": "tool",
                "parts": [ { "type": "tool_call_response", "id": "call_1", "result": "rainy" } ]
              }
            ]
            """;
        var output = """
            [ { "role": "assistant", "parts": [ { "type": "text", "content": "It is rainy." } ], "finish_reason": "stop" } ]
            """;
        var span = NewSpan("chat gpt-4o-mini",
            Attr("gen_ai.operation.name", "chat"),
            Attr("gen_ai.provider.name", "openai"),
            Attr("gen_ai.request.model", "gpt-4o-mini"),
            Attr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
            Attr("gen_ai.request.temperature", (double)0.7f),
            Attr("gen_ai.request.max_tokens", 256L),
            Attr("gen_ai.request.stream", true),
            Attr("gen_ai.response.finish_reasons", "[\"tool_calls\"]"),
            Attr("gen_ai.response.id", "chatcmpl-1"),
            Attr("gen_ai.response.time_to_first_chunk", 0.25),
            Attr("gen_ai.usage.input_tokens", 120L),
            Attr("gen_ai.usage.output_tokens", 30L),
            Attr("gen_ai.usage.cache_read.input_tokens", 100L),
            Attr("gen_ai.usage.reasoning.output_tokens", 10L),
            Attr("gen_ai.conversation.id", "conv-9"),
            Attr("server.address", "api.openai.com"),
            Attr("gen_ai.input.messages", input),
            Attr("gen_ai.output.messages", output),
            Attr("gen_ai.system_instructions", "[{\"type\":\"text\",\"content\":\"Be brief.\"}]"),
            Attr("gen_ai.tool.definitions", "[{\"type\":\"function\",\"name\":\"get_weather\"}]"),
            Attr("gen_ai.request.seed", 42L));

        var row = _kit.Span(span, "Experimental.Microsoft.Extensions.AI", Attr("service.name", "shop"), Attr("deployment.environment.name", "prod"));

        Assert.NotNull(row);
        Assert.Equal("meai", row.SourceFormat);
        Assert.Equal("proj", row.Project);
        Assert.Equal(Hex(span.TraceId), row.TraceId);
        Assert.Equal(Hex(span.SpanId), row.SpanId);
        Assert.Equal(Hex(span.ParentSpanId), row.ParentSpanId);
        Assert.Equal(span.StartTimeUnixNano, row.StartTimeUnixNano);
        Assert.Equal(span.EndTimeUnixNano - span.StartTimeUnixNano, row.Duration);
        Assert.Equal("shop", row.ServiceName);
        Assert.Equal("prod", row.Environment);
        Assert.Equal("chat", row.Operation);
        Assert.Equal("openai", row.Provider);
        Assert.Equal("gpt-4o-mini", row.RequestModel);
        Assert.Equal("gpt-4o-mini-2024-07-18", row.ResponseModel);
        Assert.Equal(120UL, row.InputTokens);
        Assert.Equal(30UL, row.OutputTokens);
        Assert.Equal(100UL, row.CacheReadTokens);
        Assert.Equal(10UL, row.ReasoningTokens);
        Assert.Equal(150UL, row.TotalTokens);
        Assert.Equal(0.7, row.Temperature);
        Assert.Equal(256UL, row.MaxTokens);
        Assert.True(row.Streaming);
        Assert.Equal(250, row.TimeToFirstTokenMs);
        Assert.Equal(["tool_call"], row.FinishReasons);
        Assert.Equal("tool_calls", row.Attributes.Get("otel_llm.raw.finish_reasons"));
        Assert.Equal("chatcmpl-1", row.ResponseId);
        Assert.Equal("conv-9", row.ConversationId);
        Assert.Equal("api.openai.com", row.ServerAddress);
        Assert.Equal("Unset", row.StatusCode);
        Assert.Equal("42", row.Attributes.Get("gen_ai.request.seed"));
        Assert.Null(row.Attributes.Get("gen_ai.input.messages"));
        Assert.Equal("price_table", row.CostSource);
        Assert.NotNull(row.CostUsd);
        Assert.Equal(0U, row.Revision);
        AssertJson("""
            [{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"}]},
             {"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather","arguments":{"city":"Paris"}}]},
             {"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":"rainy"}]}]
            """, row.InputMessages);
        Assert.DoesNotContain("\n", row.InputMessages);
        AssertJson(output, row.OutputMessages);
        AssertJson("""[{"type":"text","content":"Be brief."}]""", row.SystemInstructions);
        AssertJson("""[{"type":"function","name":"get_weather"}]""", row.ToolDefinitions);
    }

    [Fact]
    public void Meai_OrchestrateToolsAndExecuteTool_AreNotModelCalls()
    {
        var orchestrate = NewSpan("orchestrate_tools", Attr("gen_ai.usage.input_tokens", 500L), Attr("gen_ai.usage.output_tokens", 60L));
        var tool = NewSpan("execute_tool get_weather", Attr("gen_ai.operation.name", "execute_tool"), Attr("gen_ai.tool.name", "get_weather"));
        var agent = NewSpan("invoke_agent planner", Attr("gen_ai.operation.name", "invoke_agent"), Attr("gen_ai.provider.name", "openai"),
            Attr("gen_ai.usage.input_tokens", 900L));

        Assert.Null(_kit.Span(orchestrate, "Experimental.Microsoft.Extensions.AI"));
        Assert.Null(_kit.Span(tool, "Experimental.Microsoft.Extensions.AI"));
        Assert.Null(_kit.Span(agent));
        Assert.Null(_kit.Span(NewSpan("GET /api", Attr("http.request.method", "GET"))));
    }

    [Fact]
    public void OpenLit_SpanCostEnvironmentAndAppName_AreUsed()
    {
        var span = NewSpan("chat gpt-4o",
            Attr("telemetry.sdk.name", "openlit"),
            Attr("gen_ai.operation.name", "chat"),
            Attr("gen_ai.provider.name", "ibm.watson.ai"),
            Attr("gen_ai.request.model", "granite-13b"),
            Attr("gen_ai.usage.input_tokens", 11L),
            Attr("gen_ai.usage.output_tokens", 7L),
            Attr("gen_ai.client.token.usage", 18L),
            Attr("gen_ai.usage.cost", 0.0125),
            Attr("gen_ai.environment", "staging"),
            Attr("gen_ai.application_name", "support-bot"),
            Attr("gen_ai.server.time_to_first_token", 0.5),
            Attr("gen_ai.request.stream", true),
            Attr("gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"hi\"}]}]"),
            Attr("gen_ai.output.messages", "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"hello\"}],\"finish_reason\":\"stop\"}]"));

        var row = _kit.Span(span, "openlit.otel.tracing");

        Assert.NotNull(row);
        Assert.Equal("openlit", row.SourceFormat);
        Assert.Equal("ibm.watsonx.ai", row.Provider);
        Assert.Equal("ibm.watson.ai", row.Attributes.Get("otel_llm.raw.provider"));
        Assert.Equal("support-bot", row.ServiceName);
        Assert.Equal("staging", row.Environment);
        Assert.Equal(18UL, row.TotalTokens);
        Assert.Equal(0.0125, row.CostUsd);
        Assert.Equal("span", row.CostSource);
        Assert.Equal(500, row.TimeToFirstTokenMs);
        Assert.True(row.Streaming);
        AssertJson("""[{"role":"user","parts":[{"type":"text","content":"hi"}]}]""", row.InputMessages);
        AssertJson("""[{"role":"assistant","parts":[{"type":"text","content":"hello"}],"finish_reason":"stop"}]""", row.OutputMessages);
    }

    [Fact]
    public void OpenLlmetryLegacy_IndexedPromptsCompletionsAndFunctions_BecomeMessages()
    {
        var span = NewSpan("openai.chat",
            Attr("gen_ai.system", "OpenAI"),
            Attr("llm.request.type", "chat"),
            Attr("gen_ai.request.model", "gpt-4o"),
            Attr("gen_ai.response.model", "gpt-4o-2024-08-06"),
            Attr("gen_ai.request.temperature", 0.2),
            Attr("gen_ai.prompt.0.role", "system"),
            Attr("gen_ai.prompt.0.content", "You are terse."),
            Attr("gen_ai.prompt.1.role", "user"),
            Attr("gen_ai.prompt.1.content", "Weather?"),
            Attr("gen_ai.completion.0.role", "assistant"),
            Attr("gen_ai.completion.0.finish_reason", "tool_calls"),
            Attr("gen_ai.completion.0.tool_calls.0.name", "get_weather"),
            Attr("gen_ai.completion.0.tool_calls.0.arguments", "{\"city\":\"Oslo\"}"),
            Attr("llm.request.functions.0.name", "get_weather"),
            Attr("llm.request.functions.0.description", "Weather by city"),
            Attr("llm.request.functions.0.arguments", "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"),
            Attr("gen_ai.usage.prompt_tokens", 40L),
            Attr("gen_ai.usage.completion_tokens", 12L),
            Attr("llm.usage.total_tokens", 52L),
            Attr("llm.frequency_penalty", 0.5));

        var row = _kit.Span(span, "@traceloop/instrumentation-openai");

        Assert.NotNull(row);
        Assert.Equal("openllmetry_legacy", row.SourceFormat);
        Assert.Equal("chat", row.Operation);
        Assert.Equal("openai", row.Provider);
        Assert.Equal("OpenAI", row.Attributes.Get("otel_llm.raw.provider"));
        Assert.Equal(40UL, row.InputTokens);
        Assert.Equal(12UL, row.OutputTokens);
        Assert.Equal(52UL, row.TotalTokens);
        Assert.Equal(0.2, row.Temperature);
        Assert.Equal(["tool_call"], row.FinishReasons);
        Assert.Equal("0.5", row.Attributes.Get("llm.frequency_penalty"));
        Assert.Null(row.Attributes.Get("gen_ai.prompt.0.content"));
        AssertJson("""
            [{"role":"system","parts":[{"type":"text","content":"You are terse."}]},
             {"role":"user","parts":[{"type":"text","content":"Weather?"}]}]
            """, row.InputMessages);
        AssertJson("""
            [{"role":"assistant","parts":[{"type":"tool_call","name":"get_weather","arguments":{"city":"Oslo"}}],"finish_reason":"tool_call"}]
            """, row.OutputMessages);
        AssertJson("""
            [{"type":"function","name":"get_weather","description":"Weather by city","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]
            """, row.ToolDefinitions);
    }

    [Fact]
    public void OpenLlmetryCurrent_OpenAiToolFormatAndTotal_AreNormalized()
    {
        var span = NewSpan("chat gpt-4o",
            Attr("gen_ai.operation.name", "chat"),
            Attr("gen_ai.provider.name", "openai"),
            Attr("gen_ai.request.model", "gpt-4o"),
            Attr("gen_ai.usage.input_tokens", 5L),
            Attr("gen_ai.usage.output_tokens", 3L),
            Attr("gen_ai.usage.total_tokens", 8L),
            Attr("gen_ai.response.finish_reasons", "tool_call"),
            Attr("traceloop.association.properties.user_id", "u-7"),
            Attr("traceloop.association.properties.session_id", "s-7"),
            Attr("gen_ai.tool.definitions", "[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"description\":\"d\",\"parameters\":{\"type\":\"object\"}}}]"));

        var row = _kit.Span(span, "@traceloop/instrumentation-openai");

        Assert.NotNull(row);
        Assert.Equal("openllmetry", row.SourceFormat);
        Assert.Equal("u-7", row.UserId);
        Assert.Equal("s-7", row.ConversationId);
        Assert.Equal(8UL, row.TotalTokens);
        Assert.Equal(["tool_call"], row.FinishReasons);
        AssertJson("""[{"type":"function","name":"f","description":"d","parameters":{"type":"object"}}]""", row.ToolDefinitions);
        Assert.Null(_kit.Span(NewSpan("plan.workflow", Attr("traceloop.span.kind", "workflow"), Attr("gen_ai.usage.total_tokens", 99L)), "@traceloop/node-server-sdk"));
    }

    [Fact]
    public void OpenInferencePython_IndexedMessagesWithToolCalls_MapToSemconv()
    {
        var span = NewSpan("ChatCompletion",
            Attr("openinference.span.kind", "LLM"),
            Attr("llm.system", "openai"),
            Attr("llm.provider", "azure"),
            Attr("llm.model_name", "gpt-4o-2024-08-06"),
            Attr("llm.invocation_parameters", "{\"model\":\"gpt-4o\",\"temperature\":0.3,\"max_tokens\":100,\"stream\":false}"),
            Attr("llm.input_messages.0.message.role", "system"),
            Attr("llm.input_messages.0.message.content", "Be nice."),
            Attr("llm.input_messages.1.message.role", "user"),
            Attr("llm.input_messages.1.message.contents.0.message_content.type", "text"),
            Attr("llm.input_messages.1.message.contents.0.message_content.text", "Weather?"),
            Attr("llm.input_messages.2.message.role", "assistant"),
            Attr("llm.input_messages.2.message.tool_calls.0.tool_call.id", "call_A"),
            Attr("llm.input_messages.2.message.tool_calls.0.tool_call.function.name", "get_weather"),
            Attr("llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments", "{\"city\":\"Rome\"}"),
            Attr("llm.input_messages.3.message.role", "tool"),
            Attr("llm.input_messages.3.message.tool_call_id", "call_A"),
            Attr("llm.input_messages.3.message.content", "sunny"),
            Attr("llm.output_messages.0.message.role", "assistant"),
            Attr("llm.output_messages.0.message.content", "Sunny in Rome."),
            Attr("llm.finish_reason", "stop"),
            Attr("llm.token_count.prompt", 60L),
            Attr("llm.token_count.completion", 6L),
            Attr("llm.token_count.total", 66L),
            Attr("llm.token_count.prompt_details.cache_read", 20L),
            Attr("llm.cost.total", 0.002),
            Attr("session.id", "sess-1"),
            Attr("user.id", "user-1"),
            Attr("llm.tools.0.tool.json_schema", "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}"),
            Attr("input.value", "{\"messages\":[]}"),
            Attr("input.mime_type", "application/json"));
        span.Status = new OpenTelemetry.Proto.Trace.V1.Status { Code = OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Ok };

        var row = _kit.Span(span, "openinference.instrumentation.openai");

        Assert.NotNull(row);
        Assert.Equal("openinference", row.SourceFormat);
        Assert.Equal("chat", row.Operation);
        Assert.Equal("azure.ai.openai", row.Provider);
        Assert.Equal("gpt-4o", row.RequestModel);
        Assert.Equal("gpt-4o-2024-08-06", row.ResponseModel);
        Assert.Equal(0.3, row.Temperature);
        Assert.Equal(100UL, row.MaxTokens);
        Assert.False(row.Streaming);
        Assert.Equal(60UL, row.InputTokens);
        Assert.Equal(6UL, row.OutputTokens);
        Assert.Equal(66UL, row.TotalTokens);
        Assert.Equal(20UL, row.CacheReadTokens);
        Assert.Equal(0.002, row.CostUsd);
        Assert.Equal("span", row.CostSource);
        Assert.Equal("sess-1", row.ConversationId);
        Assert.Equal("user-1", row.UserId);
        Assert.Equal("Ok", row.StatusCode);
        Assert.Equal(["stop"], row.FinishReasons);
        Assert.Null(row.Attributes.Get("input.value"));
        AssertJson("""
            [{"role":"system","parts":[{"type":"text","content":"Be nice."}]},
             {"role":"user","parts":[{"type":"text","content":"Weather?"}]},
             {"role":"assistant","parts":[{"type":"tool_call","id":"call_A","name":"get_weather","arguments":{"city":"Rome"}}]},
             {"role":"tool","parts":[{"type":"tool_call_response","id":"call_A","response":"sunny"}]}]
            """, row.InputMessages);
        AssertJson("""[{"role":"assistant","parts":[{"type":"text","content":"Sunny in Rome."}],"finish_reason":"stop"}]""", row.OutputMessages);
        AssertJson("""[{"type":"function","name":"get_weather","parameters":{"type":"object"}}]""", row.ToolDefinitions);
    }

    [Fact]
    public void OpenInference_ChainAgentAndToolSpans_AreNotModelCalls()
    {
        foreach (var kind in new[] { "CHAIN", "AGENT", "TOOL", "RETRIEVER" })
        {
            Assert.Null(_kit.Span(NewSpan("x", Attr("openinference.span.kind", kind), Attr("llm.token_count.total", 10L))));
        }

        var embedding = _kit.Span(NewSpan("OpenAI Embeddings", Attr("openinference.span.kind", "EMBEDDING"), Attr("embedding.model_name", "text-embedding-3-small"),
            Attr("llm.token_count.prompt", 8L), Attr("embedding.embeddings.0.embedding.vector", "[0.1,0.2]")));
        Assert.NotNull(embedding);
        Assert.Equal("embeddings", embedding.Operation);
        Assert.Equal("text-embedding-3-small", embedding.RequestModel);
        Assert.Null(embedding.Attributes.Get("embedding.embeddings.0.embedding.vector"));
    }

    [Fact]
    public void SemconvV126_SpanEventsPromptAndCompletion_BecomeMessages()
    {
        var span = NewSpan("ChatCompletions gpt-4", Attr("gen_ai.system", "az.ai.openai"), Attr("gen_ai.request.model", "gpt-4"),
            Attr("gen_ai.usage.prompt_tokens", 9L), Attr("gen_ai.usage.completion_tokens", 4L));
        var prompt = new OpenTelemetry.Proto.Trace.V1.Span.Types.Event { Name = "gen_ai.content.prompt", TimeUnixNano = span.StartTimeUnixNano };
        prompt.Attributes.Add(Attr("gen_ai.prompt", "[{\"role\":\"user\",\"content\":\"Hi\"}]"));
        var completion = new OpenTelemetry.Proto.Trace.V1.Span.Types.Event { Name = "gen_ai.content.completion", TimeUnixNano = span.EndTimeUnixNano };
        completion.Attributes.Add(Attr("gen_ai.completion", "[{\"role\":\"assistant\",\"content\":\"Hello\"}]"));
        span.Events.Add(prompt);
        span.Events.Add(completion);

        var row = _kit.Span(span);

        Assert.NotNull(row);
        Assert.Equal("otel_genai_v1_36", row.SourceFormat);
        Assert.Equal("chat", row.Operation);
        Assert.Equal("azure.ai.openai", row.Provider);
        Assert.Equal(9UL, row.InputTokens);
        AssertJson("""[{"role":"user","parts":[{"type":"text","content":"Hi"}]}]""", row.InputMessages);
        AssertJson("""[{"role":"assistant","parts":[{"type":"text","content":"Hello"}]}]""", row.OutputMessages);
    }

    [Fact]
    public void Errors_StatusErrorTypeAndExceptionEvent_AreMapped()
    {
        var span = NewSpan("chat gpt-4o", Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.system", "openai"), Attr("gen_ai.request.model", "gpt-4o"));
        span.Status = new OpenTelemetry.Proto.Trace.V1.Status { Code = OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Error };
        var exception = new OpenTelemetry.Proto.Trace.V1.Span.Types.Event { Name = "exception" };
        exception.Attributes.Add(Attr("exception.type", "RateLimitError"));
        exception.Attributes.Add(Attr("exception.message", "429 Too Many Requests"));
        span.Events.Add(exception);

        var row = _kit.Span(span, "@arizeai/whatever-not-oi");
        var withErrorType = _kit.Span(NewSpan("chat gpt-4o", Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.provider.name", "openai"),
            Attr("error.type", "System.Net.Http.HttpRequestException")));

        Assert.NotNull(row);
        Assert.Equal("Error", row.StatusCode);
        Assert.Equal("RateLimitError", row.ErrorType);
        Assert.Equal("429 Too Many Requests", row.StatusMessage);
        Assert.NotNull(withErrorType);
        Assert.Equal("System.Net.Http.HttpRequestException", withErrorType.ErrorType);
    }

    [Fact]
    public void HostileInput_WrongTypesAndHugeContent_DoNotThrowAndAreCapped()
    {
        using var kit = new NormalizerKit(new Receiver.Normalization.GenAiNormalizationOptions { MaxContentChars = 1000 });
        var huge = new string('x', 5000);
        var span = NewSpan("chat m",
            Attr("gen_ai.operation.name", "chat"),
            Attr("gen_ai.provider.name", "openai"),
            Attr("gen_ai.request.model", "m"),
            Attr("gen_ai.usage.input_tokens", "12"),
            Attr("gen_ai.usage.output_tokens", 7.0),
            Attr("gen_ai.usage.cache_read.input_tokens", "lots"),
            Attr("gen_ai.request.temperature", "hot"),
            Attr("gen_ai.request.max_tokens", true),
            Attr("gen_ai.response.finish_reasons", 5L),
            Attr("gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"" + huge + "\"}]}]"),
            Attr("gen_ai.output.messages", "{not json"),
            Attr("gen_ai.tool.definitions", new string('[', 10_000)));

        var row = kit.Span(span);

        Assert.NotNull(row);
        Assert.Equal(12UL, row.InputTokens);
        Assert.Equal(7UL, row.OutputTokens);
        Assert.Equal(0UL, row.CacheReadTokens);
        Assert.Null(row.Temperature);
        Assert.Null(row.MaxTokens);
        Assert.True(row.InputMessages.Length <= 1100, $"length {row.InputMessages.Length}");
        Assert.Contains("truncated by otel-llm: 1000 of", row.InputMessages);
        Assert.EndsWith("chars kept]", row.InputMessages);
        Assert.Contains("InputMessages", row.Attributes.Values);
        Assert.Equal(string.Empty, row.OutputMessages);
    }

    [Fact]
    public void AnthropicStyleInput_ExcludingCache_IsMadeInclusive()
    {
        var row = _kit.Span(NewSpan("anthropic.chat", Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.provider.name", "anthropic"),
            Attr("gen_ai.request.model", "claude-sonnet-4"), Attr("gen_ai.usage.input_tokens", 10L), Attr("gen_ai.usage.output_tokens", 5L),
            Attr("gen_ai.usage.cache_read_input_tokens", 1000L), Attr("gen_ai.usage.cache_creation_input_tokens", 200L)));

        Assert.NotNull(row);
        Assert.Equal(1210UL, row.InputTokens);
        Assert.Equal(1000UL, row.CacheReadTokens);
        Assert.Equal(200UL, row.CacheWriteTokens);
        Assert.Equal(1215UL, row.TotalTokens);
    }

    [Fact]
    public void Provider_NamedByNothing_IsInferredFromAModelThePriceDataKnows()
    {
        // OpenInference's LangChain instrumentation names no provider for ChatOpenAI.
        var span = NewSpan("ChatOpenAI", Attr("openinference.span.kind", "LLM"), Attr("llm.model_name", "gpt-4o-mini-2024-07-18"),
            Attr("llm.invocation_parameters", "{\"model\":\"gpt-4o-mini\"}"), Attr("llm.token_count.prompt", 24L), Attr("llm.token_count.completion", 9L));

        var row = _kit.Span(span, "@arizeai/openinference-instrumentation-langchain");

        Assert.NotNull(row);
        Assert.Equal("openai", row.Provider);
        Assert.Equal("gpt-4o-mini-2024-07-18", row.Attributes.Get("otel_llm.provider_inferred_from"));
        Assert.Null(row.Attributes.Get("otel_llm.raw.provider"));
        Assert.NotNull(row.CostUsd);

        var named = _kit.Span(NewSpan("chat", Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.provider.name", "azure.ai.openai"), Attr("gen_ai.request.model", "gpt-4o-mini")));
        Assert.Equal("azure.ai.openai", named!.Provider);
        Assert.Null(named.Attributes.Get("otel_llm.provider_inferred_from"));

        var unknown = _kit.Span(NewSpan("chat", Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.request.model", "in-house-model-7")));
        Assert.Equal(string.Empty, unknown!.Provider);
        Assert.Null(unknown.Attributes.Get("otel_llm.provider_inferred_from"));
    }

    [Theory]
    [InlineData("llm.provider", "aws", "aws.bedrock")]
    [InlineData("llm.provider", "google", "gcp.gen_ai")]
    [InlineData("llm.system", "vertexai", "gcp.vertex_ai")]
    [InlineData("llm.system", "mistralai", "mistral_ai")]
    [InlineData("llm.provider", "azure", "azure.ai.openai")]
    public void OpenInference_ProviderAndSystem_AreCanonicalNames(string key, string value, string expected)
    {
        var row = _kit.Span(NewSpan("llm", Attr("openinference.span.kind", "LLM"), Attr(key, value), Attr("llm.model_name", "m")));

        Assert.Equal(expected, row!.Provider);
        Assert.Equal(value, row.Attributes.Get("otel_llm.raw.provider"));
    }

    [Theory]
    [InlineData("gen_ai.provider.name", "az.ai.openai", "azure.ai.openai")]
    [InlineData("gen_ai.system", "Bedrock", "aws.bedrock")]
    [InlineData("gen_ai.system", "gemini", "gcp.gemini")]
    [InlineData("gen_ai.system", "vertex_ai", "gcp.vertex_ai")]
    [InlineData("gen_ai.system", "openai.chat", "openai")]
    public void Semconv_ProviderNameAndSystem_AreCanonicalNames(string key, string value, string expected)
    {
        var row = _kit.Span(NewSpan("chat m", Attr("gen_ai.operation.name", "chat"), Attr(key, value), Attr("gen_ai.request.model", "m")));

        Assert.Equal(expected, row!.Provider);
    }

    [Fact]
    public void OpenInferenceLangChain_ProviderFromRunMetadata_ResponseAndStreamingFromTheResult()
    {
        // What @arizeai/openinference-instrumentation-langchain 4.1 sends for ChatOpenAI.stream() (trimmed): no
        // llm.provider, LangChain's metadata with ls_provider, invocation parameters saying stream: false.
        const string Output = """
            {"generations":[[{"text":"Once upon a time.","generationInfo":{"finish_reason":"stop","model_name":"gpt-4o-mini-2024-07-18"},
              "message":{"lc":1,"type":"constructor","id":["langchain_core","messages","AIMessageChunk"],
                "kwargs":{"content":"Once upon a time.","response_metadata":{"model_provider":"openai","finish_reason":"stop","model_name":"gpt-4o-mini-2024-07-18"},
                  "id":"chatcmpl-otelllm-stream-0001","usage_metadata":{"input_tokens":18,"output_tokens":11,"total_tokens":29}}}}]],
             "llmOutput":{"tokenUsage":{"promptTokens":18,"completionTokens":11,"totalTokens":29}}}
            """;
        var span = NewSpan("ChatOpenAI",
            Attr("openinference.span.kind", "LLM"),
            Attr("output.value", Output),
            Attr("output.mime_type", "application/json"),
            Attr("llm.invocation_parameters", "{\"model\":\"gpt-4o-mini\",\"stream\":false}"),
            Attr("llm.model_name", "gpt-4o-mini"),
            Attr("llm.token_count.prompt", 18L),
            Attr("llm.token_count.completion", 11L),
            Attr("llm.token_count.prompt_details.cache_read", 4L),
            Attr("metadata", "{\"ls_provider\":\"openai\",\"ls_model_name\":\"gpt-4o-mini\",\"ls_model_type\":\"chat\",\"versions\":{\"@langchain/core\":\"1.4.0\"}}"),
            Attr("llm.output_messages.0.message.role", "assistant"),
            Attr("llm.output_messages.0.message.content", "Once upon a time."));

        var row = _kit.Span(span, "@arizeai/openinference-instrumentation-langchain");

        Assert.NotNull(row);
        Assert.Equal("openai", row.Provider);
        Assert.Null(row.Attributes.Get("otel_llm.provider_inferred_from"));
        Assert.Equal("gpt-4o-mini", row.RequestModel);
        Assert.Equal("gpt-4o-mini-2024-07-18", row.ResponseModel);
        Assert.Equal("chatcmpl-otelllm-stream-0001", row.ResponseId);
        Assert.True(row.Streaming);
        Assert.Equal(4UL, row.CacheReadTokens);
        Assert.NotNull(row.Attributes.Get("metadata"));

        // Another provider named by LangChain is named the one way.
        var vertex = _kit.Span(NewSpan("ChatVertexAI", Attr("openinference.span.kind", "LLM"), Attr("llm.model_name", "gemini-2.5-flash"),
            Attr("metadata", "{\"ls_provider\":\"google_vertexai\"}")), "@arizeai/openinference-instrumentation-langchain");
        Assert.Equal("gcp.vertex_ai", vertex!.Provider);
        Assert.Equal("google_vertexai", vertex.Attributes.Get("otel_llm.raw.provider"));
    }
}
