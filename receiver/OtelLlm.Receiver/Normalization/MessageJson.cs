using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OtelLlm.Receiver.Decoding;

namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Builds and normalizes content in the OTel GenAI JSON message schema:
/// <c>[{"role":..,"parts":[{"type":"text","content":..}, {"type":"tool_call",..}, {"type":"tool_call_response",..}]}]</c>.
/// Every dialect's content ends up here so the stored JSON has one shape.
/// </summary>
internal static class MessageJson
{
    private static readonly JsonSerializerOptions s_compact = new()
    {
        WriteIndented = false,
        // Content is data for SQL and people, not HTML: keep non-ASCII and quotes readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = 256 };

    /// <summary>Parses JSON text; <see langword="null"/> when it is not JSON.</summary>
    public static JsonNode? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var first = text.AsSpan().TrimStart()[0];
        if (first is not ('[' or '{' or '"'))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text, documentOptions: s_documentOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>An OTLP value as JSON: structured values as they are, strings parsed when they hold JSON.</summary>
    public static JsonNode? FromAnyValue(AnyValue? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.ValueCase == AnyValue.ValueOneofCase.StringValue)
        {
            return TryParse(value.StringValue) ?? JsonValue.Create(value.StringValue);
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            AnyValueText.WriteJsonValue(writer, value);
        }

        try
        {
            return JsonNode.Parse(buffer.WrittenSpan, documentOptions: s_documentOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Serialize(JsonNode node) => node.ToJsonString(s_compact);

    /// <summary>
    /// Normalizes a messages array that is already (nearly) in the OTel schema: <c>developer</c> becomes <c>system</c>,
    /// OpenAI-style <c>content</c>/<c>tool_calls</c> become parts, <c>result</c> becomes <c>response</c>, and output
    /// finish reasons use the semconv vocabulary.
    /// </summary>
    public static JsonArray? NormalizeMessages(JsonNode? node, bool output)
        => MapObjects(node, output, static (message, output) => NormalizeMessage(message, output));

    /// <summary>
    /// The objects of an array (or of an array given as a JSON string) through <paramref name="map"/>, dropping what it
    /// maps to null and anything that is not an object; <see langword="null"/> when nothing is left.
    /// </summary>
    /// <remarks>What <paramref name="map"/> needs comes as <paramref name="state"/>, so a span without content allocates no closure.</remarks>
    private static JsonArray? MapObjects<TState>(JsonNode? node, TState state, Func<JsonObject, TState, JsonNode?> map)
    {
        if (ObjectOrArray(node) is not JsonArray array)
        {
            return null;
        }

        var result = new JsonArray();
        foreach (var item in array)
        {
            if (item is JsonObject obj && map(obj, state) is { } mapped)
            {
                result.Add(mapped);
            }
        }

        return result.Count == 0 ? null : result;
    }

    private static JsonObject? NormalizeMessage(JsonObject message, bool output)
    {
        var role = Role(StringOf(message["role"]) ?? (output ? "assistant" : "user"));
        var parts = new JsonArray();
        if (message["parts"] is JsonArray existing)
        {
            foreach (var part in existing)
            {
                if (part is JsonObject p && NormalizePart(p) is { } np)
                {
                    parts.Add(np);
                }
            }
        }
        else
        {
            // OpenAI chat format: content + tool_calls (+ tool_call_id on tool messages).
            AddContentParts(parts, message["content"], role == "tool" ? StringOf(message["tool_call_id"]) ?? StringOf(message["id"]) : null, role == "tool");
            AddToolCallParts(parts, message["tool_calls"]);
        }

        var result = new JsonObject { ["role"] = role, ["parts"] = parts };
        if (StringOf(message["name"]) is { } name)
        {
            result["name"] = name;
        }

        if (output)
        {
            var finish = StringOf(message["finish_reason"]);
            if (finish is not null)
            {
                result["finish_reason"] = FinishReasons.Normalize(finish);
            }
        }

        return result;
    }

    private static JsonObject? NormalizePart(JsonObject part)
    {
        var copy = (JsonObject)part.DeepClone();
        var type = StringOf(copy["type"]);
        switch (type)
        {
            case "tool_call_response":
                if (!copy.ContainsKey("response") && copy["result"] is { } result)
                {
                    copy.Remove("result");
                    copy["response"] = result.DeepClone();
                }

                break;
            case "tool_call":
                if (copy["arguments"] is JsonValue args && args.TryGetValue<string>(out var argText) && TryParse(argText) is { } parsed)
                {
                    copy["arguments"] = parsed;
                }

                break;
            case null:
                if (StringOf(copy["content"]) is { } content)
                {
                    return TextPart(content);
                }

                return null;
        }

        return copy;
    }

    /// <summary>The semconv role: <c>developer</c> is a system message.</summary>
    public static string Role(string raw) => raw.Trim().ToLowerInvariant() switch
    {
        "developer" or "system" => "system",
        "assistant" or "ai" or "model" => "assistant",
        "tool" or "function" or "ipython" => "tool",
        "user" or "human" => "user",
        var other => other,
    };

    public static JsonObject TextPart(string content) => new() { ["type"] = "text", ["content"] = content };

    public static JsonObject ToolCallPart(string? id, string name, JsonNode? arguments)
    {
        var part = new JsonObject { ["type"] = "tool_call" };
        if (id is not null)
        {
            part["id"] = id;
        }

        part["name"] = name;
        if (arguments is not null)
        {
            part["arguments"] = arguments is JsonValue v && v.TryGetValue<string>(out var s) && TryParse(s) is { } parsed ? parsed : arguments.DeepClone();
        }

        return part;
    }

    public static JsonObject ToolResponsePart(string? id, JsonNode? response)
    {
        var part = new JsonObject { ["type"] = "tool_call_response" };
        if (id is not null)
        {
            part["id"] = id;
        }

        part["response"] = response?.DeepClone();
        return part;
    }

    /// <summary>
    /// Adds parts for an OpenAI-style <c>content</c>: a string, or an array of strings / <c>{type:"text",text}</c> /
    /// <c>{type:"image_url",image_url:{url}}</c> items. For tool messages the content is the tool's response.
    /// </summary>
    public static void AddContentParts(JsonArray parts, JsonNode? content, string? toolCallId, bool isToolResult)
    {
        if (content is null)
        {
            if (isToolResult && toolCallId is not null)
            {
                parts.Add(ToolResponsePart(toolCallId, null));
            }

            return;
        }

        if (isToolResult)
        {
            parts.Add(ToolResponsePart(toolCallId, content is JsonValue ? content : JsonValue.Create(TextOf(content))));
            return;
        }

        if (content is JsonArray items)
        {
            foreach (var item in items)
            {
                switch (item)
                {
                    case JsonValue v when v.TryGetValue<string>(out var s):
                        if (s.Length > 0)
                        {
                            parts.Add(TextPart(s));
                        }

                        break;
                    case JsonObject o when o["parts"] is null:
                        var type = StringOf(o["type"]);
                        if (type is "text" or "input_text" or "output_text" && (StringOf(o["text"]) ?? StringOf(o["content"])) is { } text)
                        {
                            parts.Add(TextPart(text));
                        }
                        else if (type == "image_url" && StringOf(o["image_url"]?["url"]) is { } url)
                        {
                            parts.Add(new JsonObject { ["type"] = "uri", ["modality"] = "image", ["uri"] = url });
                        }
                        else if (type is not null && NormalizePart(o) is { } p && p["type"] is not null && p.ContainsKey("content"))
                        {
                            parts.Add(p);
                        }
                        else
                        {
                            parts.Add(TextPart(o.ToJsonString(s_compact)));
                        }

                        break;
                    case not null:
                        parts.Add(TextPart(TextOf(item)));
                        break;
                }
            }

            return;
        }

        var textContent = TextOf(content);
        if (textContent.Length > 0)
        {
            parts.Add(TextPart(textContent));
        }
    }

    /// <summary>Adds parts for OpenAI-style <c>tool_calls</c>: <c>[{id,type,function:{name,arguments}}]</c> (or flat <c>{id,name,arguments}</c>).</summary>
    public static void AddToolCallParts(JsonArray parts, JsonNode? toolCalls)
    {
        if (toolCalls is not JsonArray calls)
        {
            return;
        }

        foreach (var call in calls)
        {
            if (call is not JsonObject c)
            {
                continue;
            }

            var function = c["function"] as JsonObject;
            var name = StringOf(function?["name"]) ?? StringOf(c["name"]) ?? string.Empty;
            parts.Add(ToolCallPart(StringOf(c["id"]), name, function?["arguments"] ?? c["arguments"]));
        }
    }

    /// <summary>
    /// Tool definitions in the flat semconv form <c>{type,name,description?,parameters?}</c>; OpenAI's
    /// <c>{type:"function",function:{..}}</c> and bare function objects are flattened.
    /// </summary>
    public static JsonArray? NormalizeToolDefinitions(JsonNode? node) => MapObjects(node, 0, static (tool, _) =>
    {
        if (tool["function"] is JsonObject function)
        {
            var flat = new JsonObject { ["type"] = StringOf(tool["type"]) ?? "function" };
            foreach (var (key, value) in function)
            {
                flat[key] = value?.DeepClone();
            }

            return flat;
        }

        var copy = (JsonObject)tool.DeepClone();
        if (copy.ContainsKey("type"))
        {
            return copy;
        }

        var ordered = new JsonObject { ["type"] = "function" };
        foreach (var (key, value) in copy)
        {
            ordered[key] = value?.DeepClone();
        }

        return ordered;
    });

    /// <summary>System instructions as a parts array; a raw string becomes one text part.</summary>
    public static JsonArray? NormalizeSystemInstructions(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                var parts = new JsonArray();
                foreach (var item in array)
                {
                    switch (item)
                    {
                        case JsonObject o when o["parts"] is JsonArray inner:
                            foreach (var p in inner)
                            {
                                if (p is JsonObject po && NormalizePart(po) is { } np)
                                {
                                    parts.Add(np);
                                }
                            }

                            break;
                        case JsonObject o:
                            if (NormalizePart(o) is { } part)
                            {
                                parts.Add(part);
                            }

                            break;
                        case JsonValue v when v.TryGetValue<string>(out var s) && s.Length > 0:
                            parts.Add(TextPart(s));
                            break;
                    }
                }

                return parts.Count == 0 ? null : parts;
            case JsonValue value when value.TryGetValue<string>(out var text) && text.Length > 0:
                return [TextPart(text)];
            case JsonObject o:
                return NormalizeSystemInstructions(new JsonArray(o.DeepClone()));
            default:
                return null;
        }
    }

    /// <summary>A string value, or <see langword="null"/> for absent, null and empty values; numbers as invariant text.</summary>
    public static string? StringOf(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue<string>(out var s))
        {
            return s.Length == 0 ? null : s;
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.ToJsonString(),
            _ => null,
        };
    }

    public static long? Int64Of(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        if (value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<double>(out var d) && double.IsFinite(d))
        {
            return (long)d;
        }

        return value.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    /// <summary>Text of any JSON value: strings as they are, anything else as compact JSON.</summary>
    public static string TextOf(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(s_compact),
    };

    /// <summary>Whether any message holds at least one part.</summary>
    public static bool HasParts(JsonArray? messages)
    {
        if (messages is null)
        {
            return false;
        }

        foreach (var m in messages)
        {
            if (m?["parts"] is JsonArray { Count: > 0 })
            {
                return true;
            }
        }

        return false;
    }

    // Producers send a lone object where the schema has an array of one; both read as an array.
    private static JsonArray? ObjectOrArray(JsonNode? node)
        => node is JsonObject single ? new JsonArray(single.DeepClone()) : node as JsonArray;
}
