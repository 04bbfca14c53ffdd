using System.Text.Json.Nodes;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization.Dialects;

/// <summary>
/// The Vercel AI SDK's built-in telemetry (<c>experimental_telemetry: { isEnabled: true }</c>): every span carries
/// <c>ai.operationId</c>. Model calls are the <c>*.doGenerate</c>, <c>*.doStream</c> and <c>*.doEmbed</c> spans; the
/// function spans that wrap them (<c>ai.generateText</c>, <c>ai.streamObject</c>, <c>ai.embedMany</c>, ...) repeat or
/// sum their usage, and <c>ai.toolCall</c> runs a tool, so none of those count. Columns come from the SDK's
/// <c>ai.*</c> names with the few semconv ones it also sets; the prompt (<c>ai.prompt.messages</c>, in the SDK's
/// message format, tool results included), the answer (<c>ai.response.text</c>, <c>.toolCalls</c>, <c>.object</c>) and
/// the tools (<c>ai.prompt.tools</c>) become content in the message schema; <c>ai.telemetry.functionId</c> is the
/// workload, the metadata keys <c>userId</c> and <c>sessionId</c> the user and the conversation, and other metadata
/// stays in <c>Attributes</c>. Detected by <c>ai.operationId</c> or the tracer name <c>ai</c>.
/// </summary>
internal sealed class VercelAiDialect() : GenAiDialect(SourceFormats.VercelAi, s_sources)
{
    private static readonly ColumnSources s_sources = ColumnSources.Semconv with
    {
        // ai.model.provider is on every span (embeddings carry no gen_ai.system); both hold the same value.
        Provider = [VercelAi.ModelProvider, GenAi.Provider.Name, GenAi.System],
        RequestModel = [GenAi.Request.Model, VercelAi.ModelId],
        ResponseModel = [GenAi.Response.Model, VercelAi.ResponseModel],
        InputTokens = [GenAi.Usage.InputTokens, VercelAi.UsageInputTokens, VercelAi.UsagePromptTokens, VercelAi.UsageTokens],
        OutputTokens = [GenAi.Usage.OutputTokens, VercelAi.UsageOutputTokens, VercelAi.UsageCompletionTokens],
        CacheReadTokens = [.. ColumnSources.Semconv.CacheReadTokens, VercelAi.UsageCachedInputTokens],
        ReasoningTokens = [.. ColumnSources.Semconv.ReasoningTokens, VercelAi.UsageReasoningTokens],
        TotalTokens = [GenAi.Usage.TotalTokens, VercelAi.UsageTotalTokens],
        Temperature = [GenAi.Request.Temperature, VercelAi.SettingsTemperature],
        TopP = [GenAi.Request.TopP, VercelAi.SettingsTopP],
        MaxTokens = [GenAi.Request.MaxTokens, VercelAi.SettingsMaxOutputTokens, VercelAi.SettingsMaxTokens],
        FinishReason = [GenAi.Response.FinishReason, VercelAi.ResponseFinishReason],
        ResponseId = [GenAi.Response.Id, VercelAi.ResponseId],
        ConversationId = [GenAi.ConversationId, VercelAi.MetadataSessionId, Otel.SessionId],
        UserId = [VercelAi.MetadataUserId, .. ColumnSources.Semconv.UserId],
        Workload = [OtelLlmNames.Workload, VercelAi.FunctionId],
        Consumed =
        [
            .. ColumnSources.Semconv.Consumed, VercelAi.OperationId, VercelAi.OperationName, VercelAi.ResourceName, VercelAi.PromptMessages,
            VercelAi.PromptTools, VercelAi.ResponseText, VercelAi.ResponseReasoning, VercelAi.ResponseToolCalls, VercelAi.ResponseObject,
            VercelAi.ResponseMsToFirstChunk, VercelAi.StreamMsToFirstChunk, VercelAi.Embeddings, VercelAi.Embedding,
        ],
    };

    public override bool Detects(SpanInput input) =>
        input.Attributes.Contains(VercelAi.OperationId) || input.ScopeName == VercelAi.ScopeName;

    /// <summary>Only the provider calls count: <c>doGenerate</c>, <c>doStream</c>, <c>doEmbed</c>.</summary>
    public override bool IsModelCall(SpanInput input, string operation) =>
        CallKind(OperationIdOf(input)) is not null && base.IsModelCall(input, operation);

    public override void Fill(SpanInput input, LlmCallRow row)
    {
        base.Fill(input, row);
        var a = input.Attributes;
        var kind = CallKind(OperationIdOf(input));
        row.Streaming |= kind == VercelAi.Calls.DoStream;
        if (row.TimeToFirstTokenMs is null)
        {
            var ms = a.FirstDouble(VercelAi.ResponseMsToFirstChunk, VercelAi.StreamMsToFirstChunk) ?? FirstChunkFromEvent(input);
            row.TimeToFirstTokenMs = ms is >= 0 ? ms : null;
        }

        FillProviderUsage(MessageJson.TryParse(a.GetString(VercelAi.ResponseProviderMetadata)) as JsonObject, row);

        if (row.InputMessages.Length == 0 && ConvertPrompt(MessageJson.FromAnyValue(a.Get(VercelAi.PromptMessages))) is { } inputs)
        {
            row.InputMessages = MessageJson.Serialize(inputs);
        }

        if (row.OutputMessages.Length == 0 && ConvertResponse(a, row) is { } outputs)
        {
            row.OutputMessages = MessageJson.Serialize(outputs);
        }

        if (row.ToolDefinitions.Length == 0 && ConvertTools(a.Get(VercelAi.PromptTools)) is { } tools)
        {
            row.ToolDefinitions = MessageJson.Serialize(tools);
        }
    }

    protected override string? OperationFromVocabulary(SpanInput input)
    {
        var id = OperationIdOf(input);
        return CallKind(id) switch
        {
            VercelAi.Calls.DoEmbed => GenAi.Operation.Embeddings,
            null => id == VercelAi.ToolCallOperation ? GenAi.Operation.ExecuteTool : id,
            _ => GenAi.Operation.Chat,
        };
    }

    private static string? OperationIdOf(SpanInput input) => input.Attributes.GetString(VercelAi.OperationId) ?? input.Span.Name;

    /// <summary>The model-call suffix of an operation id; <see langword="null"/> for function spans and tool calls.</summary>
    private static string? CallKind(string? operationId)
    {
        if (operationId is null || !operationId.StartsWith("ai.", StringComparison.Ordinal))
        {
            return null;
        }

        return operationId.EndsWith(VercelAi.Calls.DoGenerate, StringComparison.Ordinal) ? VercelAi.Calls.DoGenerate
            : operationId.EndsWith(VercelAi.Calls.DoStream, StringComparison.Ordinal) ? VercelAi.Calls.DoStream
            : operationId.EndsWith(VercelAi.Calls.DoEmbed, StringComparison.Ordinal) ? VercelAi.Calls.DoEmbed
            : null;
    }

    private static double? FirstChunkFromEvent(SpanInput input)
    {
        foreach (var e in input.Span.Events)
        {
            if (e.Name == VercelAi.FirstChunkEvent)
            {
                var ea = new AttributeMap(e.Attributes);
                return ea.FirstDouble(VercelAi.ResponseMsToFirstChunk, VercelAi.StreamMsToFirstChunk);
            }
        }

        return null;
    }

    /// <summary>
    /// Usage the SDK's own counts leave out but the provider metadata carries: Anthropic's cache writes
    /// (<c>anthropic.cacheCreationInputTokens</c>), and the cached prompt and reasoning tokens older OpenAI providers
    /// reported only there (<c>openai.cachedPromptTokens</c>, <c>openai.reasoningTokens</c>).
    /// </summary>
    private static void FillProviderUsage(JsonObject? metadata, LlmCallRow row)
    {
        if (metadata is null)
        {
            return;
        }

        if (row.CacheWriteTokens == 0 && MessageJson.Int64Of(metadata["anthropic"]?["cacheCreationInputTokens"]) is > 0 and var written)
        {
            row.CacheWriteTokens = (ulong)written;
        }

        if (row.CacheReadTokens == 0 && MessageJson.Int64Of(metadata["openai"]?["cachedPromptTokens"]) is > 0 and var cached)
        {
            row.CacheReadTokens = (ulong)cached;
        }

        if (row.ReasoningTokens == 0 && MessageJson.Int64Of(metadata["openai"]?["reasoningTokens"]) is > 0 and var reasoning)
        {
            row.ReasoningTokens = (ulong)reasoning;
        }
    }

    /// <summary>
    /// The SDK's prompt (<c>[{role, content}]</c>; content a string or parts <c>text</c>, <c>reasoning</c>, <c>file</c>,
    /// <c>tool-call</c>, <c>tool-result</c>) in the message schema.
    /// </summary>
    internal static JsonArray? ConvertPrompt(JsonNode? prompt)
    {
        if (prompt is not JsonArray messages)
        {
            return null;
        }

        var result = new JsonArray();
        foreach (var item in messages)
        {
            if (item is not JsonObject message)
            {
                continue;
            }

            var parts = new JsonArray();
            AddParts(parts, message["content"]);
            result.Add(new JsonObject { ["role"] = MessageJson.Role(MessageJson.StringOf(message["role"]) ?? "user"), ["parts"] = parts });
        }

        return result.Count == 0 ? null : result;
    }

    private static void AddParts(JsonArray parts, JsonNode? content)
    {
        if (content is not JsonArray items)
        {
            if (content is not null && MessageJson.TextOf(content) is { Length: > 0 } text)
            {
                parts.Add(MessageJson.TextPart(text));
            }

            return;
        }

        foreach (var item in items)
        {
            if (item is not JsonObject part)
            {
                if (item is not null)
                {
                    parts.Add(MessageJson.TextPart(MessageJson.TextOf(item)));
                }

                continue;
            }

            switch (MessageJson.StringOf(part["type"]))
            {
                case "text":
                    parts.Add(MessageJson.TextPart(MessageJson.StringOf(part["text"]) ?? string.Empty));
                    break;
                case "reasoning":
                    parts.Add(new JsonObject { ["type"] = "reasoning", ["content"] = MessageJson.StringOf(part["text"]) ?? string.Empty });
                    break;
                case "tool-call":
                    parts.Add(MessageJson.ToolCallPart(
                        MessageJson.StringOf(part["toolCallId"]),
                        MessageJson.StringOf(part["toolName"]) ?? string.Empty,
                        part["input"] ?? part["args"]));
                    break;
                case "tool-result":
                    parts.Add(MessageJson.ToolResponsePart(MessageJson.StringOf(part["toolCallId"]), ToolOutput(part)));
                    break;
                case "file" or "image":
                    parts.Add(FilePart(part));
                    break;
                default:
                    parts.Add(MessageJson.TextPart(MessageJson.Serialize(part)));
                    break;
            }
        }
    }

    /// <summary>A tool result: SDK 5's <c>output</c> (<c>{type: "json"|"text"|"error-text"|..., value}</c>), or SDK 4's <c>result</c>.</summary>
    private static JsonNode? ToolOutput(JsonObject part) => part["output"] switch
    {
        JsonObject { } output when output.ContainsKey("value") => output["value"],
        { } output => output,
        null => part["result"],
    };

    /// <summary>A file part: a URL becomes a <c>uri</c> part, inline data a <c>blob</c> part.</summary>
    private static JsonObject FilePart(JsonObject part)
    {
        var mediaType = MessageJson.StringOf(part["mediaType"]) ?? MessageJson.StringOf(part["mimeType"]);
        var data = MessageJson.StringOf(part["data"]) ?? MessageJson.StringOf(part["image"]) ?? string.Empty;
        var modality = mediaType is null ? "image" : mediaType.Split('/')[0];
        var isUrl = data.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || data.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        var result = new JsonObject { ["type"] = isUrl ? "uri" : "blob", ["modality"] = modality };
        if (mediaType is not null)
        {
            result["mime_type"] = mediaType;
        }

        result[isUrl ? "uri" : "content"] = data;
        return result;
    }

    /// <summary>The answer as one assistant message: reasoning, text, the object of <c>generateObject</c>, tool calls.</summary>
    private static JsonArray? ConvertResponse(AttributeMap a, LlmCallRow row)
    {
        var parts = new JsonArray();
        if (a.GetString(VercelAi.ResponseReasoning) is { } reasoning)
        {
            parts.Add(new JsonObject { ["type"] = "reasoning", ["content"] = reasoning });
        }

        if (a.GetString(VercelAi.ResponseText) is { } text)
        {
            parts.Add(MessageJson.TextPart(text));
        }

        if (a.GetString(VercelAi.ResponseObject) is { } obj)
        {
            parts.Add(MessageJson.TextPart(obj));
        }

        if (MessageJson.TryParse(a.GetString(VercelAi.ResponseToolCalls)) is JsonArray calls)
        {
            foreach (var call in calls)
            {
                if (call is JsonObject c)
                {
                    parts.Add(MessageJson.ToolCallPart(
                        MessageJson.StringOf(c["toolCallId"]),
                        MessageJson.StringOf(c["toolName"]) ?? string.Empty,
                        c["input"] ?? c["args"]));
                }
            }
        }

        if (parts.Count == 0)
        {
            return null;
        }

        var message = new JsonObject { ["role"] = "assistant", ["parts"] = parts };
        if (row.FinishReasons.Count > 0)
        {
            message["finish_reason"] = row.FinishReasons[0];
        }

        return [message];
    }

    /// <summary>
    /// <c>ai.prompt.tools</c>: one JSON definition per item, <c>{type, name, description, inputSchema}</c> (SDK 5) or
    /// <c>parameters</c> (SDK 4), in the flat semconv form with <c>parameters</c>.
    /// </summary>
    private static JsonArray? ConvertTools(OpenTelemetry.Proto.Common.V1.AnyValue? value)
    {
        if (value is null)
        {
            return null;
        }

        var tools = new JsonArray();
        var items = value.ValueCase == OpenTelemetry.Proto.Common.V1.AnyValue.ValueOneofCase.ArrayValue ? value.ArrayValue.Values : [value];
        foreach (var item in items)
        {
            if (MessageJson.FromAnyValue(item) is not JsonObject definition)
            {
                continue;
            }

            var flat = new JsonObject();
            foreach (var (key, field) in definition)
            {
                flat[key == "inputSchema" ? "parameters" : key] = field?.DeepClone();
            }

            tools.Add(flat);
        }

        return MessageJson.NormalizeToolDefinitions(tools);
    }
}
