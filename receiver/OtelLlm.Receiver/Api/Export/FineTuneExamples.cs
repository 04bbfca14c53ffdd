using System.Text.Json;
using System.Text.Json.Nodes;

namespace OtelLlm.Receiver.Api.Export;

/// <summary>
/// Turns a stored call's content (OTel GenAI message schema: messages of <c>parts</c> — <c>text</c>, <c>tool_call</c>,
/// <c>tool_call_response</c>) into one example of OpenAI's chat fine-tuning format:
/// <c>{"messages":[…],"tools":[…]}</c> with system instructions first, the conversation, and the call's answer as the
/// last (assistant) message. Tool calls become <c>tool_calls</c> (<c>{id, type:"function", function:{name, arguments}}</c>,
/// arguments as a JSON string) and tool results <c>{"role":"tool","tool_call_id","content"}</c> messages.
/// </summary>
internal static class FineTuneExamples
{
    // Text as it is (no \u escapes of quotes or non-ASCII letters): what a person reading the file expects.
    private static readonly JsonSerializerOptions s_json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The example as one line of UTF-8 JSON (no newline), or <see langword="null"/> when the call has no usable answer.</summary>
    public static byte[]? Convert(string systemInstructions, string inputMessages, string outputMessages, string toolDefinitions)
    {
        var messages = new JsonArray();
        var ids = new ToolCallIds();
        if (Text(Parse(systemInstructions)) is { Length: > 0 } system)
        {
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = system });
        }

        var conversation = 0;
        foreach (var message in Messages(inputMessages))
        {
            conversation += AddMessage(messages, message, ids, answer: false);
        }

        var answers = 0;
        foreach (var message in Messages(outputMessages))
        {
            answers += AddMessage(messages, message, ids, answer: true);
        }

        // A usable example has something asked and ends with the assistant's answer.
        if (conversation == 0 || answers == 0 || messages[^1]?["role"]?.GetValue<string>() != "assistant")
        {
            return null;
        }

        var example = new JsonObject { ["messages"] = messages };
        if (Tools(toolDefinitions) is { Count: > 0 } tools)
        {
            example["tools"] = tools;
        }

        return JsonSerializer.SerializeToUtf8Bytes(example, s_json);
    }

    // Returns how many messages it added.
    private static int AddMessage(JsonArray messages, JsonObject message, ToolCallIds ids, bool answer)
    {
        var role = (message["role"] as JsonValue)?.TryGetValue<string>(out var r) == true ? r.ToLowerInvariant() : answer ? "assistant" : "user";
        role = role switch
        {
            "developer" => "system",
            "model" or "ai" or "bot" => "assistant",
            "human" => "user",
            "function" => "tool",
            _ => role,
        };
        var parts = message["parts"] as JsonArray ?? [];
        if (answer && role != "assistant")
        {
            return 0;
        }

        switch (role)
        {
            case "system" or "user":
                var text = Text(parts);
                if (text.Length == 0)
                {
                    return 0;
                }

                messages.Add(new JsonObject { ["role"] = role, ["content"] = text });
                return 1;
            case "assistant":
                var content = Text(parts);
                var calls = new JsonArray();
                foreach (var part in parts.OfType<JsonObject>().Where(p => Type(p) == "tool_call"))
                {
                    var name = Str(part["name"]);
                    if (name.Length == 0)
                    {
                        continue;
                    }

                    calls.Add(new JsonObject
                    {
                        ["id"] = ids.ForCall(Str(part["id"])),
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = name, ["arguments"] = Arguments(part["arguments"]) },
                    });
                }

                if (content.Length == 0 && calls.Count == 0)
                {
                    return 0;
                }

                var assistant = new JsonObject { ["role"] = "assistant" };
                if (content.Length > 0)
                {
                    assistant["content"] = content;
                }

                if (calls.Count > 0)
                {
                    assistant["tool_calls"] = calls;
                }

                messages.Add(assistant);
                return 1;
            case "tool":
                var added = 0;
                foreach (var part in parts.OfType<JsonObject>().Where(p => Type(p) == "tool_call_response"))
                {
                    // A result must answer a call made earlier in the example.
                    if (ids.ForResult(Str(part["id"])) is not { } id)
                    {
                        continue;
                    }

                    messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = id, ["content"] = ResponseText(part["response"]) });
                    added++;
                }

                return added;
            default:
                return 0;
        }
    }

    private static IEnumerable<JsonObject> Messages(string json) => (Parse(json) as JsonArray ?? []).OfType<JsonObject>();

    private static JsonNode? Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The text parts joined; other parts (images, audio, tool calls) are not text.
    private static string Text(JsonNode? node)
    {
        if (node is JsonValue v && v.TryGetValue<string>(out var s))
        {
            return s;
        }

        if (node is not JsonArray parts)
        {
            return string.Empty;
        }

        var texts = parts.OfType<JsonObject>()
            .Where(p => Type(p) == "text")
            .Select(p => Str(p["content"]))
            .Where(t => t.Length > 0);
        return string.Join("\n", texts);
    }

    private static JsonArray? Tools(string json)
    {
        var tools = new JsonArray();
        foreach (var tool in (Parse(json) as JsonArray ?? []).OfType<JsonObject>())
        {
            var function = tool["function"] as JsonObject ?? tool;
            var name = Str(function["name"]);
            if (name.Length == 0 || (Str(tool["type"]) is { Length: > 0 } type && type != "function"))
            {
                continue;
            }

            var definition = new JsonObject { ["name"] = name };
            if (Str(function["description"]) is { Length: > 0 } description)
            {
                definition["description"] = description;
            }

            if (function["parameters"] is JsonObject parameters)
            {
                definition["parameters"] = parameters.DeepClone();
            }

            tools.Add(new JsonObject { ["type"] = "function", ["function"] = definition });
        }

        return tools;
    }

    // OpenAI wants arguments as a JSON string.
    private static string Arguments(JsonNode? arguments) => arguments switch
    {
        null => "{}",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => arguments.ToJsonString(s_json),
    };

    private static string ResponseText(JsonNode? response) => response switch
    {
        null => string.Empty,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => response.ToJsonString(s_json),
    };

    private static string Type(JsonObject part) => Str(part["type"]);

    private static string Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : string.Empty;

    /// <summary>
    /// Tool call ids as the example uses them: the call's own id, or <c>call_1</c>, <c>call_2</c>… for calls without one,
    /// which results without an id answer in order.
    /// </summary>
    private sealed class ToolCallIds
    {
        private readonly HashSet<string> _known = new(StringComparer.Ordinal);
        private readonly Queue<string> _unanswered = new();
        private int _generated;

        public string ForCall(string id)
        {
            if (id.Length == 0)
            {
                id = $"call_{++_generated}";
                _unanswered.Enqueue(id);
            }

            _known.Add(id);
            return id;
        }

        public string? ForResult(string id)
            => id.Length > 0 ? (_known.Contains(id) ? id : null) : _unanswered.TryDequeue(out var next) ? next : null;
    }
}
