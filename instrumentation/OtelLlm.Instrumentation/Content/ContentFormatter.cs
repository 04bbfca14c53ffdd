using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OtelLlm.Instrumentation.Content;

/// <summary>
/// Turns Microsoft.Extensions.AI messages and tools into the GenAI semconv JSON attributes, passing every captured
/// text through redaction and truncation first. Only used when content capture is on.
/// </summary>
internal sealed class ContentFormatter
{
    private static readonly OtelJsonContext s_context = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private static readonly CompositeFormat s_truncationMarker = CompositeFormat.Parse(OtelLlmInstrumentationOptions.TruncationMarkerFormat);

    private readonly OtelLlmInstrumentationOptions _options;

    public ContentFormatter(OtelLlmInstrumentationOptions options) => _options = options;

    /// <summary>Applies the redaction rules, the redaction callback and the length limit to one captured text.</summary>
    public string Text(string text)
    {
        foreach (var pattern in _options.RedactionPatterns)
        {
            text = pattern.Replace(text, _options.RedactionReplacement);
        }

        if (_options.Redact is { } redact)
        {
            text = redact(text) ?? string.Empty;
        }

        var max = _options.MaxContentLength;
        if (max > 0 && text.Length > max)
        {
            var removed = text.Length - max;
            text = string.Concat(text.AsSpan(0, max), string.Format(CultureInfo.InvariantCulture, s_truncationMarker, removed));
        }

        return text;
    }

    public string InputMessages(IEnumerable<ChatMessage> messages, out string? systemInstructions, string? instructions)
    {
        var list = new List<OtelMessage>();
        foreach (var message in messages)
        {
            list.Add(Convert(message, finishReason: null));
        }

        systemInstructions = null;
        if (!string.IsNullOrEmpty(instructions))
        {
            systemInstructions = JsonSerializer.Serialize([new OtelPart { Type = "text", Content = Text(instructions) }], s_context.ListOtelPart);
        }

        return JsonSerializer.Serialize(list, s_context.ListOtelMessage);
    }

    public string OutputMessages(IList<ChatMessage> messages, ChatFinishReason? finishReason)
    {
        var list = new List<OtelMessage>(messages.Count);
        var reason = OutputFinishReason(finishReason);
        foreach (var message in messages)
        {
            list.Add(Convert(message, reason));
        }

        return JsonSerializer.Serialize(list, s_context.ListOtelMessage);
    }

    public string ToolDefinitions(IList<AITool> tools, bool full)
    {
        var list = new List<OtelToolDefinition>(tools.Count);
        foreach (var tool in tools)
        {
            if (tool is AIFunctionDeclaration function)
            {
                list.Add(new OtelToolDefinition
                {
                    Type = "function",
                    Name = function.Name,
                    Description = full && !string.IsNullOrEmpty(function.Description) ? Text(function.Description) : null,
                    Parameters = full ? function.JsonSchema : null,
                });
            }
            else
            {
                list.Add(new OtelToolDefinition { Type = tool.Name, Name = tool.Name });
            }
        }

        return JsonSerializer.Serialize(list, s_context.ListOtelToolDefinition);
    }

    /// <summary>Serializes tool arguments or a tool result for <c>gen_ai.tool.call.*</c>, redacted and truncated.</summary>
    public string Value(object? value)
    {
        if (value is string s)
        {
            return Text(s);
        }

        return Text(SerializeValue(value));
    }

    private OtelMessage Convert(ChatMessage message, string? finishReason)
    {
        var result = new OtelMessage { Role = Role(message.Role), Name = message.AuthorName, FinishReason = finishReason };
        foreach (var content in message.Contents)
        {
            if (ConvertPart(content) is { } part)
            {
                result.Parts.Add(part);
            }
        }

        return result;
    }

    private OtelPart? ConvertPart(AIContent content) => content switch
    {
        TextContent text => new OtelPart { Type = "text", Content = Text(text.Text ?? string.Empty) },
        TextReasoningContent reasoning => new OtelPart { Type = "reasoning", Content = Text(reasoning.Text ?? string.Empty) },
        FunctionCallContent call => new OtelPart { Type = "tool_call", Id = call.CallId, Name = call.Name, Arguments = Structured(call.Arguments) },
        FunctionResultContent result => new OtelPart { Type = "tool_call_response", Id = result.CallId, Response = Structured(result.Result) },
        DataContent data => new OtelPart { Type = "blob", MimeType = data.MediaType, Modality = Modality(data.MediaType), Content = Text(System.Convert.ToBase64String(data.Data.Span)) },
        UriContent uri => new OtelPart { Type = "uri", MimeType = uri.MediaType, Modality = Modality(uri.MediaType), Uri = Text(uri.Uri.ToString()) },
        HostedFileContent file => new OtelPart { Type = "file", FileId = file.FileId, MimeType = file.MediaType, Modality = Modality(file.MediaType) },
        ErrorContent error => new OtelPart { Type = "error", Content = Text(error.Message ?? string.Empty) },
        UsageContent => null,
        _ => new OtelPart { Type = content.GetType().Name, Content = Text(SerializeValue(content)) },
    };

    /// <summary>Returns structured JSON when the redacted, length-limited text is still valid JSON; otherwise the text as a JSON string.</summary>
    private JsonElement? Structured(object? value)
    {
        if (value is null)
        {
            return null;
        }

        var text = value is string s ? s : SerializeValue(value);
        var safe = Text(text);
        if (value is not string)
        {
            try
            {
                using var doc = JsonDocument.Parse(safe);
                return doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Redaction or truncation broke the JSON; fall through and record it as a string.
            }
        }

        using var str = JsonDocument.Parse(JsonSerializer.Serialize(safe, s_context.String));
        return str.RootElement.Clone();
    }

    private static string SerializeValue(object? value)
    {
        if (value is null)
        {
            return "null";
        }

        try
        {
            // AIJsonUtilities' options know the MEAI content types but indent; the writer keeps attributes compact.
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                JsonSerializer.Serialize(writer, value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return JsonSerializer.Serialize(value.ToString() ?? string.Empty, s_context.String);
        }
    }

    private static string Role(ChatRole role)
    {
        if (role == ChatRole.Assistant)
        {
            return "assistant";
        }

        if (role == ChatRole.Tool)
        {
            return "tool";
        }

        if (role == ChatRole.System || string.Equals(role.Value, "developer", StringComparison.OrdinalIgnoreCase))
        {
            return "system";
        }

        return role == ChatRole.User ? "user" : role.Value;
    }

    private static string? Modality(string? mediaType)
    {
        if (mediaType is null)
        {
            return null;
        }

        if (mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            return "image";
        }

        if (mediaType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase))
        {
            return "audio";
        }

        return mediaType.StartsWith("video/", StringComparison.OrdinalIgnoreCase) ? "video" : null;
    }

    private static string? OutputFinishReason(ChatFinishReason? reason)
    {
        if (reason is not { } r)
        {
            return null;
        }

        if (r == ChatFinishReason.ToolCalls)
        {
            return "tool_call";
        }

        if (r == ChatFinishReason.Length)
        {
            return "length";
        }

        return r == ChatFinishReason.ContentFilter ? "content_filter" : "stop";
    }
}
