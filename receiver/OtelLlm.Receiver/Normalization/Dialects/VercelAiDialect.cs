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
/// stays in <c>Attributes</c> (SDK 7: the runtime context keys <c>ai.settings.context.userId</c> and <c>.sessionId</c>).
/// SDK 7's <c>OpenTelemetry</c> integration (<c>@ai-sdk/otel</c>, tracer <c>gen_ai</c>) sends semantic-convention spans
/// instead, read the semconv way, except that its <c>embeddings</c> span of <c>embed</c>/<c>embedMany</c> wraps the
/// provider's <c>embeddings</c> span without usage and does not count, and that its time to first chunk
/// (<c>gen_ai.client.operation.time_to_first_chunk</c>) marks a streamed call. Detected by <c>ai.operationId</c> or the
/// tracer names <c>ai</c> and <c>gen_ai</c>.
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
        CacheReadTokens = [.. ColumnSources.Semconv.CacheReadTokens, VercelAi.UsageCacheReadTokens, VercelAi.UsageCachedInputTokens],
        CacheWriteTokens = [.. ColumnSources.Semconv.CacheWriteTokens, VercelAi.UsageCacheWriteTokens],
        ReasoningTokens = [.. ColumnSources.Semconv.ReasoningTokens, VercelAi.UsageOutputReasoningTokens, VercelAi.UsageReasoningTokens],
        TotalTokens = [GenAi.Usage.TotalTokens, VercelAi.UsageTotalTokens],
        Temperature = [GenAi.Request.Temperature, VercelAi.SettingsTemperature],
        TopP = [GenAi.Request.TopP, VercelAi.SettingsTopP],
        MaxTokens = [GenAi.Request.MaxTokens, VercelAi.SettingsMaxOutputTokens, VercelAi.SettingsMaxTokens],
        FinishReason = [GenAi.Response.FinishReason, VercelAi.ResponseFinishReason],
        ResponseId = [GenAi.Response.Id, VercelAi.ResponseId],
        TimeToFirstChunkSeconds = [GenAi.Response.TimeToFirstChunk, VercelAi.OtelTimeToFirstChunk],
        ConversationId = [GenAi.ConversationId, VercelAi.MetadataSessionId, VercelAi.ContextSessionId, Otel.SessionId],
        UserId = [VercelAi.MetadataUserId, VercelAi.ContextUserId, .. ColumnSources.Semconv.UserId],
        Workload = [OtelLlmNames.Workload, VercelAi.FunctionId],
        Consumed =
        [
            .. ColumnSources.Semconv.Consumed, VercelAi.OperationId, VercelAi.OperationName, VercelAi.ResourceName, VercelAi.PromptMessages,
            VercelAi.PromptTools, VercelAi.ResponseText, VercelAi.ResponseReasoning, VercelAi.ResponseToolCalls, VercelAi.ResponseObject,
            VercelAi.ResponseMsToFirstChunk, VercelAi.StreamMsToFirstChunk, VercelAi.Embeddings, VercelAi.Embedding,
        ],
    };

    public override bool Detects(SpanInput input) =>
        input.Attributes.Contains(VercelAi.OperationId) || input.ScopeName is VercelAi.ScopeName or VercelAi.OtelScopeName;

    /// <summary>
    /// Only the provider calls count: <c>doGenerate</c>, <c>doStream</c>, <c>doEmbed</c>; in semantic-convention spans the
    /// inference operations, but not the usage-less <c>embeddings</c> span that wraps the provider's.
    /// </summary>
    public override bool IsModelCall(SpanInput input, string operation)
    {
        if (!input.Attributes.Contains(VercelAi.OperationId) && input.ScopeName == VercelAi.OtelScopeName)
        {
            return base.IsModelCall(input, operation)
                && !(operation == GenAi.Operation.Embeddings && !input.Attributes.Contains(GenAi.Usage.InputTokens));
        }

        return CallKind(OperationIdOf(input)) is not null && base.IsModelCall(input, operation);
    }

    public override void Fill(SpanInput input, LlmCallRow row)
    {
        base.Fill(input, row);
        var a = input.Attributes;
        var kind = CallKind(OperationIdOf(input));
        row.Streaming |= kind == VercelAi.Calls.DoStream || a.Contains(VercelAi.OtelTimeToFirstChunk);
        if (row.TimeToFirstTokenMs is null)
        {
            var ms = a.FirstDouble(VercelAi.ResponseMsToFirstChunk, VercelAi.StreamMsToFirstChunk) ?? FirstChunkFromEvent(input);
            row.TimeToFirstTokenMs = ms is >= 0 ? ms : null;
        }

        FillProviderUsage(MessageJson.TryParse(a.GetString(VercelAi.ResponseProviderMetadata)) as JsonObject, row);

        CountCacheInsideInput(a, row);

        if (row.InputMessages.Length == 0 && ConvertPrompt(MessageJson.FromAnyValue(a.Get(VercelAi.PromptMessages))) is { } inputs)
        {
            row.InputMessages = MessageJson.Serialize(inputs);
        }

        if (row.OutputMessages.Length == 0 && ConvertResponse(a, row) is { } outputs)
        {
            row.OutputMessages = MessageJson.Serialize(outputs);
        }

        // SDK 5 lists tools in ai.prompt.tools, SDK 7's semantic-convention spans in gen_ai.tool.definitions; both with
        // the SDK's inputSchema, which is the conventions' parameters.
        if (ConvertTools(a.Get(VercelAi.PromptTools) ?? a.Get(GenAi.ToolDefinitions)) is { } tools)
        {
            row.ToolDefinitions = MessageJson.Serialize(tools);
        }
    }

    /// <summary>
    /// SDK 5's Anthropic and Bedrock providers count input (and so the total) without the cache, as Anthropic's API does,
    /// so the total cannot tell the shared rule whether the cache is inside: the cache is added here, the reported
    /// input kept in <c>otel_llm.raw.input_tokens</c>, and the total derived again. SDK 7 counts the cache inside the
    /// input and says so with the input token details (<c>ai.usage.inputTokenDetails.noCacheTokens</c>); its
    /// semantic-convention spans follow the conventions.
    /// </summary>
    private static void CountCacheInsideInput(AttributeMap a, LlmCallRow row)
    {
        var cached = row.CacheReadTokens + row.CacheWriteTokens;
        if (cached == 0 || !a.Contains(VercelAi.OperationId) || a.Contains(VercelAi.UsageNoCacheTokens)
            || !(row.Provider is ProviderNames.Anthropic or ProviderNames.AwsBedrock || row.RequestModel.Contains("claude", StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        row.Attributes.Add(OtelLlmNames.RawInputTokens, row.InputTokens.ToString(System.Globalization.CultureInfo.InvariantCulture));
        row.InputTokens += cached;
        row.TotalTokens = 0;
    }

    protected override string? OperationFromVocabulary(SpanInput input)
    {
        if (!input.Attributes.Contains(VercelAi.OperationId) && input.ScopeName == VercelAi.OtelScopeName)
        {
            return null;
        }

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
    /// <c>parameters</c> (SDK 4); or SDK 7's <c>gen_ai.tool.definitions</c>, one JSON array of the same; in the flat
    /// semconv form with <c>parameters</c>.
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
            switch (MessageJson.FromAnyValue(item))
            {
                case JsonObject definition:
                    tools.Add(WithParameters(definition));
                    break;
                case JsonArray definitions:
                    foreach (var definition in definitions)
                    {
                        if (definition is JsonObject one)
                        {
                            tools.Add(WithParameters(one));
                        }
                    }

                    break;
            }
        }

        return MessageJson.NormalizeToolDefinitions(tools);

        static JsonObject WithParameters(JsonObject definition)
        {
            var flat = new JsonObject();
            foreach (var (key, field) in definition)
            {
                flat[key == "inputSchema" ? "parameters" : key] = field?.DeepClone();
            }

            return flat;
        }
    }
}
