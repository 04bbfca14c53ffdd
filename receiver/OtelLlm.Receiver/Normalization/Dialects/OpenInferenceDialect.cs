using System.Text.Json.Nodes;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization.Dialects;

/// <summary>
/// OpenInference (Arize): its own vocabulary — <c>openinference.span.kind</c>, <c>llm.*</c>, indexed
/// <c>llm.input_messages.{i}.message.*</c> with tool calls, <c>llm.invocation_parameters</c> JSON, raw
/// <c>input.value</c>/<c>output.value</c>. Only <c>LLM</c> and <c>EMBEDDING</c> spans are model calls; CHAIN, AGENT,
/// TOOL, RETRIEVER... are wrappers. Detected by <c>openinference.span.kind</c> or the scope <c>@arizeai/openinference*</c>.
/// The LangChain instrumentation names no provider: LangChain's own run metadata (<c>metadata</c> JSON,
/// <c>ls_provider</c>) does, and its result (<c>output.value</c>) holds the response id and model, and says a call was
/// streamed (a message chunk).
/// </summary>
internal sealed class OpenInferenceDialect() : GenAiDialect(SourceFormats.OpenInference, s_sources)
{
    private static readonly ColumnSources s_sources = ColumnSources.Semconv with
    {
        Provider = [GenAi.Provider.Name, GenAi.System, OpenInference.Provider, OpenInference.System],
        RequestModel = [GenAi.Request.Model, OpenInference.RequestModelName],
        ResponseModel = [GenAi.Response.Model, OpenInference.ResponseModelName],
        InputTokens = [GenAi.Usage.InputTokens, GenAi.Usage.PromptTokens, OpenInference.TokenCountPrompt],
        OutputTokens = [GenAi.Usage.OutputTokens, GenAi.Usage.CompletionTokens, OpenInference.TokenCountCompletion],
        CacheReadTokens = [GenAi.Usage.CacheReadInputTokens, GenAi.Usage.CacheReadInputTokensUnderscore, OpenInference.TokenCountCacheRead, GenAi.Usage.PromptCachedTokens],
        CacheWriteTokens =
        [
            GenAi.Usage.CacheWriteInputTokens, GenAi.Usage.CacheCreationInputTokens, GenAi.Usage.CacheCreationInputTokensUnderscore,
            OpenInference.TokenCountCacheWrite, GenAi.Usage.PromptCacheCreationTokens,
        ],
        ReasoningTokens = [GenAi.Usage.ReasoningOutputTokens, GenAi.Usage.ReasoningTokens, OpenInference.TokenCountReasoning, GenAi.Usage.CompletionReasoningTokens],
        TotalTokens = [GenAi.Usage.TotalTokens, OpenInference.TokenCountTotal],
        FinishReason = [OpenInference.FinishReason, GenAi.Response.FinishReason],
        AgentName = [GenAi.Agent.Name, OpenInference.AgentName],
        Consumed = [.. ColumnSources.Semconv.Consumed, OpenInference.InputValue, OpenInference.OutputValue, OpenInference.ModelName, OpenInference.EmbeddingModelName],
        ConsumedPrefixes =
        [
            OpenInference.InputMessagesPrefix, OpenInference.OutputMessagesPrefix, OpenInference.ToolsPrefix, OpenInference.PromptsPrefix,
            OpenInference.ChoicesPrefix, OpenInference.EmbeddingPrefix,
        ],
    };

    public override bool Detects(SpanInput input) =>
        input.Attributes.Contains(OpenInference.SpanKind) || input.ScopeName.StartsWith(OpenInference.ScopePrefix, StringComparison.Ordinal);

    public override void Fill(SpanInput input, LlmCallRow row)
    {
        base.Fill(input, row);
        var a = input.Attributes;
        var parameters = MessageJson.FromAnyValue(a.Get(OpenInference.InvocationParameters)) as JsonObject;

        if (row.RequestModel.Length == 0)
        {
            row.RequestModel = MessageJson.StringOf(parameters?["model"])
                ?? a.FirstString(OpenInference.ModelName, OpenInference.EmbeddingModelName)
                ?? string.Empty;
        }

        if (parameters is not null)
        {
            row.Temperature ??= DoubleOf(parameters["temperature"]);
            row.TopP ??= DoubleOf(parameters["top_p"]);
            if (row.MaxTokens is null)
            {
                var max = MessageJson.Int64Of(parameters["max_completion_tokens"]) ?? MessageJson.Int64Of(parameters["max_tokens"])
                    ?? MessageJson.Int64Of(parameters["max_output_tokens"]);
                row.MaxTokens = max is > 0 ? (ulong)max.Value : null;
            }

            if (!row.Streaming && parameters["stream"] is JsonValue stream && stream.TryGetValue<bool>(out var streaming))
            {
                row.Streaming = streaming;
            }
        }

        var outputValue = a.GetString(OpenInference.OutputValue);
        var outputJson = a.GetString(OpenInference.OutputMimeType) == "application/json" ? MessageJson.TryParse(outputValue) as JsonObject : null;
        var langChainMessage = LangChainMessage(outputJson);
        var langChainFields = langChainMessage?["kwargs"] as JsonObject;
        if (row.ResponseId.Length == 0 && (MessageJson.StringOf(outputJson?["id"]) ?? MessageJson.StringOf(langChainFields?["id"])) is { } id)
        {
            row.ResponseId = id;
        }

        if (row.ResponseModel.Length == 0)
        {
            row.ResponseModel = MessageJson.StringOf(langChainFields?["response_metadata"]?["model_name"]) ?? a.GetString(OpenInference.ModelName) ?? string.Empty;
        }

        // A streamed LangChain result is a message chunk, even where the invocation parameters say stream: false.
        if (langChainMessage?["id"] is JsonArray { Count: > 0 } messageType && MessageJson.StringOf(messageType[^1]) == "AIMessageChunk")
        {
            row.Streaming = true;
        }

        // LangChain names the provider in its run metadata (ls_provider) where the instrumentation sets no llm.provider.
        if (row.Provider.Length == 0
            && MessageJson.TryParse(a.GetString(OpenInference.Metadata)) is JsonObject metadata
            && MessageJson.StringOf(metadata[OpenInference.LangChainProvider]) is { } langChainProvider)
        {
            CommonColumns.SetProvider(row, langChainProvider);
        }

        FillContent(a, row, outputValue, outputJson);
    }

    protected override string? OperationFromVocabulary(SpanInput input)
    {
        var a = input.Attributes;
        switch (a.GetString(OpenInference.SpanKind)?.ToUpperInvariant())
        {
            case OpenInference.Kinds.Llm:
                return a.HasKeyStartingWith(OpenInference.PromptsPrefix) && !a.HasKeyStartingWith(OpenInference.InputMessagesPrefix)
                    ? GenAi.Operation.TextCompletion
                    : GenAi.Operation.Chat;
            case OpenInference.Kinds.Embedding:
                return GenAi.Operation.Embeddings;
            case "TOOL":
                return GenAi.Operation.ExecuteTool;
            case "AGENT":
                return GenAi.Operation.InvokeAgent;
            case { } kind:
                return kind.ToLowerInvariant();
            default:
                return null;
        }
    }

    private static void FillContent(AttributeMap a, LlmCallRow row, string? outputValue, JsonObject? outputJson)
    {
        var inputs = BuildMessages(IndexedAttributes.Group(a, OpenInference.InputMessagesPrefix), output: false, finishReason: null)
            ?? Texts(a, OpenInference.PromptsPrefix, "prompt.text", "user");
        if (inputs is null)
        {
            var inputValue = a.GetString(OpenInference.InputValue);
            var inputJson = a.GetString(OpenInference.InputMimeType) == "application/json" ? MessageJson.TryParse(inputValue) as JsonObject : null;
            inputs = inputJson is not null
                ? MessageJson.NormalizeMessages(inputJson["messages"], output: false)
                : inputValue is null ? null : [new JsonObject { ["role"] = "user", ["parts"] = new JsonArray(MessageJson.TextPart(inputValue)) }];
        }

        var finish = row.FinishReasons.Count > 0 ? row.FinishReasons[0] : null;
        var outputs = BuildMessages(IndexedAttributes.Group(a, OpenInference.OutputMessagesPrefix), output: true, finish)
            ?? Texts(a, OpenInference.ChoicesPrefix, "completion.text", "assistant");
        if (outputs is null)
        {
            if (outputJson?["choices"] is JsonArray choices)
            {
                outputs = [];
                foreach (var choice in choices)
                {
                    if (choice?["message"] is JsonObject message)
                    {
                        var copy = (JsonObject)message.DeepClone();
                        copy["finish_reason"] = choice["finish_reason"]?.DeepClone();
                        outputs.Add(copy);
                    }
                }

                outputs = MessageJson.NormalizeMessages(outputs, output: true);
            }
            else if (outputJson is null && outputValue is not null)
            {
                var message = new JsonObject { ["role"] = "assistant", ["parts"] = new JsonArray(MessageJson.TextPart(outputValue)) };
                if (finish is not null)
                {
                    message["finish_reason"] = finish;
                }

                outputs = [message];
            }
        }

        if (inputs is not null && row.InputMessages.Length == 0)
        {
            row.InputMessages = MessageJson.Serialize(inputs);
        }

        if (outputs is not null && row.OutputMessages.Length == 0)
        {
            row.OutputMessages = MessageJson.Serialize(outputs);
        }

        if (row.ToolDefinitions.Length == 0)
        {
            var tools = new JsonArray();
            foreach (var (_, fields) in IndexedAttributes.Group(a, OpenInference.ToolsPrefix))
            {
                if (fields.TryGetValue("tool.json_schema", out var schema) && MessageJson.FromAnyValue(schema) is JsonObject tool)
                {
                    tools.Add(tool);
                }
            }

            if (MessageJson.NormalizeToolDefinitions(tools) is { } normalized)
            {
                row.ToolDefinitions = MessageJson.Serialize(normalized);
            }
        }
    }

    private static JsonArray? BuildMessages(SortedDictionary<int, Dictionary<string, AnyValue>> groups, bool output, string? finishReason)
        => IndexedAttributes.Messages(groups, "message.role", output, finishReason, static (g, finishReason) =>
        {
            var (fields, role, parts, message, index, output) = g;
            var toolCallId = IndexedAttributes.GetString(fields, "message.tool_call_id");
            if (role == "tool")
            {
                fields.TryGetValue("message.content", out var result);
                parts.Add(MessageJson.ToolResponsePart(toolCallId, result is null ? null : JsonValue.Create(Decoding.AnyValueText.ToText(result))));
            }
            else if (IndexedAttributes.GetString(fields, "message.content") is { } text)
            {
                parts.Add(MessageJson.TextPart(text));
            }
            else
            {
                foreach (var (_, content) in IndexedAttributes.Group(fields, "message.contents."))
                {
                    var type = IndexedAttributes.GetString(content, "message_content.type");
                    if (IndexedAttributes.GetString(content, "message_content.text") is { } partText)
                    {
                        parts.Add(type == "reasoning" ? new JsonObject { ["type"] = "reasoning", ["content"] = partText } : MessageJson.TextPart(partText));
                    }
                    else if (IndexedAttributes.GetString(content, "message_content.image.image.url") is { } url)
                    {
                        parts.Add(new JsonObject { ["type"] = "uri", ["modality"] = "image", ["uri"] = url });
                    }
                }
            }

            foreach (var (_, call) in IndexedAttributes.Group(fields, "message.tool_calls."))
            {
                call.TryGetValue("tool_call.function.arguments", out var args);
                parts.Add(MessageJson.ToolCallPart(
                    IndexedAttributes.GetString(call, "tool_call.id"),
                    IndexedAttributes.GetString(call, "tool_call.function.name") ?? string.Empty,
                    args is null ? null : JsonValue.Create(Decoding.AnyValueText.ToText(args))));
            }

            if (IndexedAttributes.GetString(fields, "message.name") is { } name)
            {
                message["name"] = name;
            }

            // OpenInference reports one finish reason, the first choice's.
            if (output && finishReason is not null && index == 0)
            {
                message["finish_reason"] = finishReason;
            }
        });

    private static JsonArray? Texts(AttributeMap a, string prefix, string field, string role)
    {
        var messages = new JsonArray();
        foreach (var (_, fields) in IndexedAttributes.Group(a, prefix))
        {
            if (IndexedAttributes.GetString(fields, field) is { } text)
            {
                messages.Add(new JsonObject { ["role"] = role, ["parts"] = new JsonArray(MessageJson.TextPart(text)) });
            }
        }

        // Python's OpenInference stores completion prompts as one string-array attribute.
        if (messages.Count == 0 && a.GetStringList(prefix.TrimEnd('.')) is { Count: > 0 } list && a.Get(prefix.TrimEnd('.'))?.ValueCase == AnyValue.ValueOneofCase.ArrayValue)
        {
            foreach (var text in list)
            {
                messages.Add(new JsonObject { ["role"] = role, ["parts"] = new JsonArray(MessageJson.TextPart(text)) });
            }
        }

        return messages.Count == 0 ? null : messages;
    }

    /// <summary>
    /// The first generation's serialized message of a LangChain result (<c>output.value</c> of the LangChain instrumentation:
    /// <c>{generations: [[{message: {id: [..., "AIMessage"], kwargs: {id, response_metadata: {model_name}}}}]]}</c>);
    /// <see langword="null"/> otherwise.
    /// </summary>
    private static JsonObject? LangChainMessage(JsonObject? output) =>
        output?["generations"] is JsonArray { Count: > 0 } generations && generations[0] is JsonArray { Count: > 0 } first
            ? first[0]?["message"] as JsonObject
            : null;

    private static double? DoubleOf(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue<double>(out var d) ? d : null;
}
