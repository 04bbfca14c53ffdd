using System.Text.Json;
using System.Text.Json.Nodes;
using OtelLlm.Receiver.TestHost;
using OtelLlm.Semantics.Pricing;
using OtelLlm.TestSupport;

namespace OtelLlm.Receiver.Tests.Normalization;

/// <summary>
/// The real Vercel AI SDK (`ai` 5.0 with `@ai-sdk/openai` 2.0, pinned in tests/js, with its built-in telemetry; and the
/// newest major, `ai` 7 with `@ai-sdk/otel` in both its integrations, pinned in tests/js/ai-sdk-7), against the fake
/// OpenAI server, exporting with the OpenTelemetry JS SDK to the real receiver; the llm_calls rows are read back from
/// ClickHouse and compared field by field with what the SDK sent and the fake answered.
/// </summary>
public sealed class VercelAiEndToEndTests(ReceiverFixture receiver) : IClassFixture<ReceiverFixture>
{
    private static readonly JsonNode ToolResult = JsonNode.Parse("""{"temperature":18,"unit":"celsius","condition":"sunny"}""")!;

    private static Task<JsonObject> RunAsync(Uri endpoint, string protocol, bool captureContent = true, string sdk = "5", string integration = "builtin")
        => NodeScript.RunAsync("vercel-ai.mjs", "--sdk", sdk, "--integration", integration, "--endpoint", endpoint.ToString().TrimEnd('/'), "--protocol", protocol,
            "--capture-content", captureContent ? "true" : "false", "--run-id", Guid.NewGuid().ToString("N"));

    /// <summary>The rows of the run's traces, polled until the expected number arrived (rows can follow the acknowledgement).</summary>
    private async Task<IReadOnlyList<JsonElement>> RowsAsync(JsonObject summary, int expected)
    {
        var traces = string.Join(",", Calls(summary).Select(c => $"'{(string)c["traceId"]!}'"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            // The writers insert each table on its own: wait for every acknowledged row, spans included, not only calls.
            await receiver.WaitUntilWrittenAsync();
            var rows = await receiver.Database.Client.QueryJsonAsync($"SELECT * FROM llm_calls FINAL WHERE TraceId IN ({traces})", "read Vercel AI SDK calls");
            if (rows.Count >= expected || DateTime.UtcNow > deadline)
            {
                return rows;
            }

            await Task.Delay(200);
        }
    }

    private static IEnumerable<JsonObject> Calls(JsonObject summary) => summary["calls"]!.AsArray().Select(c => c!.AsObject());

    private static JsonObject Call(JsonObject summary, string name) => Calls(summary).Single(c => (string?)c["name"] == name);

    private static JsonObject ModelCall(JsonObject summary, string name, int index = 0) => Call(summary, name)["modelCalls"]![index]!.AsObject();

    private static JsonObject SpanOf(JsonObject summary, string name, string spanId) =>
        Call(summary, name)["spans"]!.AsArray().Select(s => s!.AsObject()).Single(s => (string?)s["spanId"] == spanId);

    private static ulong U(JsonElement row, string column) =>
        row.GetProperty(column) is { ValueKind: JsonValueKind.String } s ? ulong.Parse(s.GetString()!) : row.GetProperty(column).GetUInt64();

    private static string? Attribute(JsonElement row, string key)
    {
        var keys = row.GetProperty("Attributes.Key").EnumerateArray().Select(k => k.GetString()).ToList();
        var i = keys.IndexOf(key);
        return i < 0 ? null : row.GetProperty("Attributes.Value")[i].GetString();
    }

    private static JsonArray Messages(JsonElement row, string column) => JsonNode.Parse(row.GetProperty(column).GetString()!)!.AsArray();

    private static JsonElement RowOf(IReadOnlyList<JsonElement> rows, JsonObject modelCall) =>
        rows.Single(r => r.GetProperty("SpanId").GetString() == (string)modelCall["spanId"]!);

    [Fact]
    public Task HttpProtobuf_EveryCall_StoredCompleteAndPriced() => EveryCallStoredCompleteAndPriced(receiver.HttpEndpoint, "http/protobuf", "5", "builtin");

    [Fact]
    public Task Grpc_EveryCall_StoredCompleteAndPriced() => EveryCallStoredCompleteAndPriced(receiver.GrpcEndpoint, "grpc", "5", "builtin");

    [Fact]
    public Task Sdk7OpenTelemetry_EveryCall_StoredCompleteAndPriced() => EveryCallStoredCompleteAndPriced(receiver.HttpEndpoint, "http/protobuf", "7", "otel");

    [Fact]
    public Task Sdk7LegacyOpenTelemetry_EveryCall_StoredCompleteAndPriced() => EveryCallStoredCompleteAndPriced(receiver.GrpcEndpoint, "grpc", "7", "legacy");

    private async Task EveryCallStoredCompleteAndPriced(Uri endpoint, string protocol, string sdk, string integration)
    {
        var summary = await RunAsync(endpoint, protocol, sdk: sdk, integration: integration);
        Assert.StartsWith(sdk + ".", (string)summary["sdk"]!["ai"]!, StringComparison.Ordinal);
        var modelCalls = (int)summary["counts"]!["modelCalls"]!;
        var rows = await RowsAsync(summary, modelCalls);

        // One row per model call; the function spans (ai.generateText, ...) and ai.toolCall are stored as spans only.
        Assert.Equal(modelCalls, rows.Count);
        var modelSpanIds = Calls(summary).SelectMany(c => c["modelCalls"]!.AsArray()).Select(m => (string)m!["spanId"]!).ToHashSet();
        Assert.Equal(modelSpanIds, rows.Select(r => r.GetProperty("SpanId").GetString()!).ToHashSet());
        var spans = await receiver.Database.Client.QueryJsonAsync(
            $"SELECT SpanName FROM otel_traces WHERE TraceId IN ({string.Join(",", Calls(summary).Select(c => $"'{(string)c["traceId"]!}'"))})", "read spans");
        Assert.Equal((int)summary["counts"]!["spans"]!, spans.Count);

        foreach (var call in Calls(summary))
        {
            foreach (var m in call["modelCalls"]!.AsArray().Select(m => m!.AsObject()))
            {
                AssertCommonColumns(RowOf(rows, m), m, SpanOf(summary, (string)call["name"]!, (string)m["spanId"]!), (string)summary["serviceName"]!);
            }
        }

        if (integration != "otel")
        {
            // Function id and metadata (SDK 7: runtime context) are on every model call of the ai.* spans...
            Assert.All(rows.Where(r => r.GetProperty("Operation").GetString() == "chat" && !IsObjectCall(summary, r)), r => Assert.Equal("user-7", r.GetProperty("UserId").GetString()));
            Assert.All(rows, r => Assert.Equal("capital-bot", r.GetProperty("Workload").GetString()));
        }
        else
        {
            // ...while SDK 7's semantic-convention chat spans carry neither (they are on its invoke_agent span), only its embeddings do.
            Assert.All(rows.Where(r => r.GetProperty("Operation").GetString() == "embeddings"), r => Assert.Equal("user-7", r.GetProperty("UserId").GetString()));
        }

        if (sdk == "5")
        {
            // SDK 5 reports cached and reasoning tokens on streamed calls only.
            Assert.Equal(0UL, U(RowOf(rows, ModelCall(summary, "generate_text")), "CacheReadTokens"));
            Assert.Equal((ulong)ModelCall(summary, "stream_text")["usage"]!["cacheReadTokens"]!, U(RowOf(rows, ModelCall(summary, "stream_text")), "CacheReadTokens"));
        }
        else
        {
            Assert.Equal((ulong)ModelCall(summary, "generate_text")["usage"]!["cacheReadTokens"]!, U(RowOf(rows, ModelCall(summary, "generate_text")), "CacheReadTokens"));
        }

        AssertGenerateText(summary, rows);
        AssertStreamText(summary, rows);
        AssertGenerateObject(summary, rows);
        AssertToolLoop(summary, rows);
        AssertEmbeddings(summary, rows);
        AssertError(summary, rows, sdk);
    }

    private static bool IsObjectCall(JsonObject summary, JsonElement row) =>
        row.GetProperty("SpanId").GetString() == (string)ModelCall(summary, "generate_object")["spanId"]!;

    /// <summary>A number the SDK set on a span, under the first of its names present.</summary>
    private static double? SpanNumber(JsonObject span, params string[] names)
    {
        foreach (var name in names)
        {
            if (span["attributes"]![name] is JsonValue value && value.TryGetValue<double>(out var number))
            {
                return number;
            }
        }

        return null;
    }

    private static string? SpanText(JsonObject span, params string[] names) =>
        names.Select(n => (string?)span["attributes"]![n]).FirstOrDefault(v => v is not null);

    /// <summary>
    /// What every model call shares: dialect, provider, models, tokens, cost, workload, user, session, metadata — as the
    /// fake answered, where the SDK reported it on the span.
    /// </summary>
    private static void AssertCommonColumns(JsonElement row, JsonObject m, JsonObject span, string service)
    {
        var because = $"{service} {(string)m["operationId"]!} {(string)m["spanId"]!}";
        Assert.True("vercel_ai" == row.GetProperty("SourceFormat").GetString(), because);
        Assert.Equal(service, row.GetProperty("ServiceName").GetString());
        Assert.Equal("interop-test", row.GetProperty("Environment").GetString());
        Assert.Equal("openai", row.GetProperty("Provider").GetString());
        var reportedProvider = SpanText(span, "ai.model.provider", "gen_ai.provider.name");
        Assert.Equal(reportedProvider == "openai" ? null : (string)m["provider"]!, Attribute(row, "otel_llm.raw.provider"));
        Assert.Null(Attribute(row, "otel_llm.provider_inferred_from"));
        Assert.Equal((string)m["requestModel"]!, row.GetProperty("RequestModel").GetString());
        Assert.Equal(SpanText(span, "ai.telemetry.functionId") ?? string.Empty, row.GetProperty("Workload").GetString());
        var user = SpanText(span, "ai.telemetry.metadata.userId", "ai.settings.context.userId");
        Assert.Equal(user ?? string.Empty, row.GetProperty("UserId").GetString());
        Assert.Equal(user is null ? string.Empty : "session-42", row.GetProperty("ConversationId").GetString());
        Assert.Equal(user is null ? null : "gold", Attribute(row, "ai.telemetry.metadata.tier") ?? Attribute(row, "ai.settings.context.tier"));
        Assert.Null(Attribute(row, "ai.telemetry.metadata.userId"));
        Assert.Null(Attribute(row, "ai.settings.context.userId"));
        Assert.Equal((bool?)m["streaming"] ?? false, row.GetProperty("Streaming").GetInt32() == 1);
        var operation = ((string)m["operationId"]!).EndsWith(".doEmbed", StringComparison.Ordinal) ? "embeddings" : "chat";
        Assert.Equal(operation, row.GetProperty("Operation").GetString());
        if (m["usage"] is not JsonObject usage)
        {
            return;
        }

        Assert.Equal((string?)m["responseModel"] ?? string.Empty, row.GetProperty("ResponseModel").GetString());
        Assert.Equal((string?)m["responseId"] ?? string.Empty, row.GetProperty("ResponseId").GetString());
        Assert.True((ulong)usage["inputTokens"]! == U(row, "InputTokens"), because);
        Assert.Equal((ulong?)usage["outputTokens"] ?? 0, U(row, "OutputTokens"));
        Assert.Equal((ulong)usage["totalTokens"]!, U(row, "TotalTokens"));

        // Cached and reasoning tokens as the fake answered them, where the SDK reports them at all (SDK 5: streamed calls only).
        var cached = SpanNumber(span, "ai.usage.cachedInputTokens", "gen_ai.usage.cache_read.input_tokens") is null ? 0 : (ulong)usage["cacheReadTokens"]!;
        var reasoning = SpanNumber(span, "ai.usage.reasoningTokens", "gen_ai.usage.reasoning.output_tokens") is { } r && r > 0 ? (ulong)usage["reasoningTokens"]! : 0;
        Assert.Equal(cached, U(row, "CacheReadTokens"));
        Assert.Equal(reasoning, U(row, "ReasoningTokens"));

        var finish = m["finishReasons"]?.AsArray().Select(f => (string)f! == "tool-calls" ? "tool_call" : (string)f!).ToArray() ?? [];
        Assert.Equal(finish, row.GetProperty("FinishReasons").EnumerateArray().Select(f => f.GetString()).ToArray());

        var at = DateTimeOffset.FromUnixTimeMilliseconds((long)(ulong.Parse(row.GetProperty("StartTimeUnixNano").GetString()!) / 1_000_000));
        var expected = ModelPriceTable.Default.PriceCall(
            "openai", (string?)m["responseModel"], (string)m["requestModel"]!,
            new TokenUsage((long)(ulong)usage["inputTokens"]!, (long)((ulong?)usage["outputTokens"] ?? 0), (long)cached, 0, (long)reasoning), at, out _);
        Assert.NotNull(expected);
        Assert.Equal(expected.Value, row.GetProperty("CostUsd").GetDouble(), expected.Value * 1e-9);
        Assert.Equal("price_table", row.GetProperty("CostSource").GetString());
        Assert.Equal("Unset", row.GetProperty("StatusCode").GetString());
    }

    private static void AssertGenerateText(JsonObject summary, IReadOnlyList<JsonElement> rows)
    {
        var m = ModelCall(summary, "generate_text");
        var row = RowOf(rows, m);
        Assert.Equal((double)m["temperature"]!, row.GetProperty("Temperature").GetDouble());
        Assert.Equal((double)m["topP"]!, row.GetProperty("TopP").GetDouble());
        Assert.Equal((ulong)m["maxTokens"]!, U(row, "MaxTokens"));
        Assert.Equal(JsonValueKind.Null, row.GetProperty("TimeToFirstTokenMs").ValueKind);
        AssertInput(row, m);
        var output = Messages(row, "OutputMessages");
        Assert.Equal("assistant", (string?)output.Single()!["role"]);
        Assert.Equal((string)m["outputText"]!, (string?)output[0]!["parts"]![0]!["content"]);
        Assert.Equal("stop", (string?)output[0]!["finish_reason"]);

        // What a new user writes, openai('gpt-4o-mini'), is the Responses API: openai.responses, the same provider.
        var responses = ModelCall(summary, "responses");
        var responsesRow = RowOf(rows, responses);
        // (SDK 7's semantic-convention spans name it openai already.)
        var reported = SpanText(SpanOf(summary, "responses", (string)responses["spanId"]!), "ai.model.provider");
        Assert.Equal(reported is null ? null : "openai.responses", Attribute(responsesRow, "otel_llm.raw.provider"));
        AssertInput(responsesRow, responses);
        Assert.Equal((string)responses["outputText"]!, (string?)Messages(responsesRow, "OutputMessages")[0]!["parts"]![0]!["content"]);
    }

    private static void AssertStreamText(JsonObject summary, IReadOnlyList<JsonElement> rows)
    {
        var m = ModelCall(summary, "stream_text");
        var row = RowOf(rows, m);
        var span = SpanOf(summary, "stream_text", (string)m["spanId"]!);
        var msToFirstChunk = SpanNumber(span, "ai.response.msToFirstChunk") ?? SpanNumber(span, "gen_ai.client.operation.time_to_first_chunk")!.Value * 1000;
        Assert.True(msToFirstChunk > 0);
        Assert.Equal(msToFirstChunk, row.GetProperty("TimeToFirstTokenMs").GetDouble(), 9);
        Assert.Equal((double)m["temperature"]!, row.GetProperty("Temperature").GetDouble());
        AssertInput(row, m);
        Assert.Equal((string)m["outputText"]!, (string?)Messages(row, "OutputMessages")[0]!["parts"]![0]!["content"]);
    }

    private static void AssertGenerateObject(JsonObject summary, IReadOnlyList<JsonElement> rows)
    {
        var m = ModelCall(summary, "generate_object");
        var row = RowOf(rows, m);
        AssertInput(row, m);
        var answer = (string?)Messages(row, "OutputMessages")[0]!["parts"]![0]!["content"];
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse((string)m["outputText"]!), JsonNode.Parse(answer!)), answer);
    }

    private static void AssertToolLoop(JsonObject summary, IReadOnlyList<JsonElement> rows)
    {
        var tool = Call(summary, "tool_loop")["tool"]!.AsObject();
        var first = ModelCall(summary, "tool_loop", 0);
        var callRow = RowOf(rows, first);
        AssertInput(callRow, first);
        var call = Messages(callRow, "OutputMessages")[0]!["parts"]!.AsArray().Single()!;
        Assert.Equal("tool_call", (string?)call["type"]);
        Assert.Equal((string)tool["callId"]!, (string?)call["id"]);
        Assert.Equal((string)tool["name"]!, (string?)call["name"]);
        Assert.True(JsonNode.DeepEquals(tool["arguments"], call["arguments"]), call.ToJsonString());
        Assert.Equal("tool-calls", Attribute(callRow, "otel_llm.raw.finish_reasons"));
        var definition = JsonNode.Parse(callRow.GetProperty("ToolDefinitions").GetString()!)!.AsArray().Single()!;
        Assert.Equal("function", (string?)definition["type"]);
        Assert.Equal((string)tool["name"]!, (string?)definition["name"]);
        Assert.Equal((string)tool["description"]!, (string?)definition["description"]);
        Assert.Equal(["city", "unit"], definition["parameters"]!["required"]!.AsArray().Select(r => (string)r!).ToArray());

        // The tool's result is in the conversation of the next model call, after the assistant's call.
        var resultRow = RowOf(rows, ModelCall(summary, "tool_loop", 1));
        var conversation = Messages(resultRow, "InputMessages");
        Assert.Equal(["user", "assistant", "tool"], conversation.Select(c => (string)c!["role"]!).ToArray());
        Assert.Equal("tool_call", (string?)conversation[1]!["parts"]![0]!["type"]);
        var response = conversation[2]!["parts"]![0]!;
        Assert.Equal("tool_call_response", (string?)response["type"]);
        Assert.Equal((string)tool["callId"]!, (string?)response["id"]);
        Assert.True(JsonNode.DeepEquals(ToolResult, response["response"]), response.ToJsonString());
        Assert.Equal((string)ModelCall(summary, "tool_loop", 1)["outputText"]!, (string?)Messages(resultRow, "OutputMessages")[0]!["parts"]![0]!["content"]);
    }

    private static void AssertEmbeddings(JsonObject summary, IReadOnlyList<JsonElement> rows)
    {
        foreach (var name in new[] { "embed", "embed_many" })
        {
            var row = RowOf(rows, ModelCall(summary, name));
            Assert.Null(Attribute(row, "ai.embeddings"));
            Assert.Equal(string.Empty, row.GetProperty("OutputMessages").GetString());
        }
    }

    private static void AssertError(JsonObject summary, IReadOnlyList<JsonElement> rows, string sdk)
    {
        var error = Call(summary, "error");
        var row = RowOf(rows, ModelCall(summary, "error"));
        Assert.Equal("Error", row.GetProperty("StatusCode").GetString());
        if (sdk == "5")
        {
            Assert.Equal("AI_APICallError", row.GetProperty("ErrorType").GetString());
            Assert.Equal((string)error["error"]!["message"]!, row.GetProperty("StatusMessage").GetString());
        }

        Assert.Equal(0UL, U(row, "InputTokens"));
        Assert.Equal(JsonValueKind.Null, row.GetProperty("CostUsd").ValueKind);
        AssertInput(row, ModelCall(summary, "error"));
        Assert.Equal(string.Empty, row.GetProperty("OutputMessages").GetString());
    }

    private static void AssertInput(JsonElement row, JsonObject m)
    {
        var expected = m["input"]!.AsArray().Select(i => ((string)i!["role"]!, (string)i["text"]!)).ToArray();
        // The system prompt is a system message of the prompt (ai.* spans) or the system instructions (semantic conventions).
        var system = row.GetProperty("SystemInstructions").GetString() is { Length: > 0 } instructions
            ? JsonNode.Parse(instructions)!.AsArray().Select(p => ("system", (string)p!["content"]!))
            : [];
        var actual = system.Concat(Messages(row, "InputMessages").Select(x => ((string)x!["role"]!, (string)x["parts"]![0]!["content"]!))).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task ContentCaptureOff_CallsStoredWithoutContent()
    {
        var summary = await RunAsync(receiver.HttpEndpoint, "http/protobuf", captureContent: false);
        var rows = await RowsAsync(summary, (int)summary["counts"]!["modelCalls"]!);

        Assert.Equal((int)summary["counts"]!["modelCalls"]!, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(string.Empty, row.GetProperty("InputMessages").GetString());
            Assert.Equal(string.Empty, row.GetProperty("OutputMessages").GetString());
            Assert.Equal("capital-bot", row.GetProperty("Workload").GetString());
        }

        var stream = RowOf(rows, ModelCall(summary, "stream_text"));
        Assert.Equal((ulong)ModelCall(summary, "stream_text")["usage"]!["inputTokens"]!, U(stream, "InputTokens"));
        Assert.True(stream.GetProperty("TimeToFirstTokenMs").GetDouble() > 0);
    }
}
