using System.Text.Json.Nodes;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization.Dialects;

/// <summary>
/// OpenLLMetry's legacy format, still emitted by older packages and several current ones: content as indexed
/// attributes — <c>gen_ai.prompt.{i}.*</c>, <c>gen_ai.completion.{i}.*</c>, <c>llm.request.functions.{i}.*</c> — which
/// this class re-assembles, and the operation in <c>llm.request.type</c>. Detected by <c>llm.request.type</c>, indexed
/// prompts or completions, or the span names <c>openai.chat</c>, <c>openai.completion</c>, <c>vertexai.completion</c>.
/// Traceloop's other names are read as in <see cref="OpenLlmetryDialect"/>.
/// </summary>
internal sealed class OpenLlmetryLegacyDialect() : GenAiDialect(SourceFormats.OpenLlmetryLegacy, OpenLlmetryDialect.TraceloopColumns)
{
    public override bool Detects(SpanInput input)
    {
        var a = input.Attributes;
        return a.Contains(Traceloop.RequestType) || a.Contains(GenAi.PromptPrefix + "0.role") || a.Contains(GenAi.PromptPrefix + "0.content")
            || a.Contains(GenAi.CompletionPrefix + "0.content") || a.Contains(GenAi.CompletionPrefix + "0.finish_reason")
            || input.Span.Name is "openai.chat" or "openai.completion" or "vertexai.completion";
    }

    public override bool IsModelCall(SpanInput input, string operation) =>
        !input.Attributes.Contains(Traceloop.SpanKind) && base.IsModelCall(input, operation);

    public override void Fill(SpanInput input, LlmCallRow row)
    {
        base.Fill(input, row);
        var a = input.Attributes;
        if (row.InputMessages.Length == 0 && BuildMessages(IndexedAttributes.Group(a, GenAi.PromptPrefix), output: false) is { } prompts)
        {
            row.InputMessages = MessageJson.Serialize(prompts);
        }

        var completions = IndexedAttributes.Group(a, GenAi.CompletionPrefix);
        if (row.OutputMessages.Length == 0 && BuildMessages(completions, output: true) is { } outputs)
        {
            row.OutputMessages = MessageJson.Serialize(outputs);
        }

        if (row.FinishReasons.Count == 0)
        {
            var raw = new List<string>();
            foreach (var (_, fields) in completions)
            {
                if (IndexedAttributes.GetString(fields, "finish_reason") is { } reason)
                {
                    raw.Add(reason);
                }
            }

            if (raw.Count > 0)
            {
                CommonColumns.SetFinishReasons(row, raw);
            }
        }

        if (row.ToolDefinitions.Length == 0)
        {
            var tools = new JsonArray();
            foreach (var (_, fields) in IndexedAttributes.Group(a, Traceloop.RequestFunctionsPrefix))
            {
                if (IndexedAttributes.GetString(fields, "name") is not { } name)
                {
                    continue;
                }

                var tool = new JsonObject { ["type"] = "function", ["name"] = name };
                if (IndexedAttributes.GetString(fields, "description") is { } description)
                {
                    tool["description"] = description;
                }

                if (fields.TryGetValue("arguments", out var parameters))
                {
                    tool["parameters"] = MessageJson.FromAnyValue(parameters);
                }

                tools.Add(tool);
            }

            if (tools.Count > 0)
            {
                row.ToolDefinitions = MessageJson.Serialize(tools);
            }
        }
    }

    protected override string? OperationFromVocabulary(SpanInput input) => input.Attributes.GetString(Traceloop.RequestType) switch
    {
        "chat" => GenAi.Operation.Chat,
        "completion" => GenAi.Operation.TextCompletion,
        "embedding" or "embeddings" => GenAi.Operation.Embeddings,
        var other => other,
    };

    private static JsonArray? BuildMessages(SortedDictionary<int, Dictionary<string, AnyValue>> groups, bool output)
        => IndexedAttributes.Messages(groups, "role", output, 0, static (g, _) =>
        {
            var (fields, role, parts, message, _, output) = g;
            fields.TryGetValue("content", out var content);
            var contentNode = content is null ? null : MessageJson.FromAnyValue(content);
            MessageJson.AddContentParts(parts, contentNode, IndexedAttributes.GetString(fields, "tool_call_id"), isToolResult: role == "tool");

            if (IndexedAttributes.GetString(fields, "function_call.name") is { } functionName)
            {
                fields.TryGetValue("function_call.arguments", out var fnArgs);
                parts.Add(MessageJson.ToolCallPart(null, functionName, fnArgs is null ? null : MessageJson.FromAnyValue(fnArgs)));
            }

            foreach (var (_, call) in IndexedAttributes.Group(fields, "tool_calls."))
            {
                var name = IndexedAttributes.GetString(call, "name") ?? IndexedAttributes.GetString(call, "function.name") ?? string.Empty;
                call.TryGetValue("arguments", out var args);
                if (args is null)
                {
                    call.TryGetValue("function.arguments", out args);
                }

                parts.Add(MessageJson.ToolCallPart(IndexedAttributes.GetString(call, "id"), name, args is null ? null : MessageJson.FromAnyValue(args)));
            }

            if (output && IndexedAttributes.GetString(fields, "finish_reason") is { } finish)
            {
                message["finish_reason"] = FinishReasons.Normalize(finish);
            }
        });
}
