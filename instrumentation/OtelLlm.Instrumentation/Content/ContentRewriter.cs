using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OtelLlm.Instrumentation.Content;

/// <summary>
/// Applies redaction (patterns, then the callback) and truncation to captured content. JSON stays valid JSON: each
/// string inside is processed on its own, and the GenAI message schema's own fields are left as they are.
/// </summary>
internal sealed class ContentRewriter
{
    /// <summary>Object depth (of a property name, as <see cref="Utf8JsonReader.CurrentDepth"/> reports it) down to which the schema's fields are recognized: messages, their parts, tool definitions.</summary>
    private const int SchemaDepth = 4;

    private static readonly CompositeFormat s_truncationMarker = CompositeFormat.Parse(OtelLlmTracingOptions.TruncationMarkerFormat);
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly OtelLlmTracingOptions _options;
    private readonly string _replacement;

    public ContentRewriter(OtelLlmTracingOptions options)
    {
        _options = options;
        _replacement = options.RedactionReplacement ?? string.Empty;
    }

    /// <summary>Gets whether any rule is configured; without one nothing is ever rewritten.</summary>
    public bool IsActive => _options.RedactionPatterns.Count > 0 || _options.Redact is not null || _options.MaxContentLength > 0;

    /// <summary>The value to record; the same instance when nothing changed.</summary>
    /// <param name="value">The attribute value.</param>
    /// <param name="messageSchema">Whether the value follows the GenAI message schema, whose structural fields are kept.</param>
    public string Rewrite(string value, bool messageSchema)
    {
        // Nothing to redact and nothing long enough to cut: the common case costs one comparison.
        if (_options.RedactionPatterns.Count == 0 && _options.Redact is null && (_options.MaxContentLength <= 0 || value.Length <= _options.MaxContentLength))
        {
            return value;
        }

        var first = FirstNonWhitespace(value);
        if (first is '[' or '{' && TryRewriteJson(value, messageSchema, out var rewritten))
        {
            return rewritten;
        }

        return Text(value);
    }

    /// <summary>Redacts and truncates one text.</summary>
    public string Text(string text)
    {
        var result = text;
        foreach (var pattern in _options.RedactionPatterns)
        {
            result = pattern.Replace(result, _replacement);
        }

        if (_options.Redact is { } redact)
        {
            result = redact(result) ?? string.Empty;
        }

        var max = _options.MaxContentLength;
        if (max > 0 && result.Length > max)
        {
            // Never split a surrogate pair.
            var keep = char.IsHighSurrogate(result[max - 1]) ? max - 1 : max;
            result = string.Concat(
                result.AsSpan(0, keep),
                string.Format(CultureInfo.InvariantCulture, s_truncationMarker, result.Length - keep));
        }

        return string.Equals(result, text, StringComparison.Ordinal) ? text : result;
    }

    private bool TryRewriteJson(string value, bool messageSchema, out string rewritten)
    {
        rewritten = value;
        var utf8 = Encoding.UTF8.GetBytes(value);
        var buffer = new ArrayBufferWriter<byte>(utf8.Length);
        var changed = false;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            using var writer = new Utf8JsonWriter(buffer, s_writerOptions);

            // The property each open container's next value belongs to: a value is structural when its property is.
            var structural = new Stack<bool>();
            var pending = false;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        writer.WriteStartObject();
                        structural.Push(pending);
                        pending = false;
                        break;
                    case JsonTokenType.StartArray:
                        writer.WriteStartArray();
                        structural.Push(pending);
                        break;
                    case JsonTokenType.EndObject:
                        writer.WriteEndObject();
                        pending = structural.Pop();
                        break;
                    case JsonTokenType.EndArray:
                        writer.WriteEndArray();
                        pending = structural.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        writer.WritePropertyName(name);
                        pending = messageSchema && reader.CurrentDepth <= SchemaDepth && IsSchemaField(name);
                        break;
                    case JsonTokenType.String:
                        var text = reader.GetString()!;
                        var result = pending ? text : Text(text);
                        changed |= !ReferenceEquals(result, text);
                        writer.WriteStringValue(result);
                        break;
                    default:
                        // Numbers, booleans and null carry no text.
                        writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                        break;
                }
            }

            writer.Flush();
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        if (changed)
        {
            rewritten = Encoding.UTF8.GetString(buffer.WrittenSpan);
        }

        return true;
    }

    private static bool IsSchemaField(string name) =>
        name is "role" or "type" or "id" or "name" or "finish_reason" or "mime_type" or "modality";

    private static char FirstNonWhitespace(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsWhiteSpace(c))
            {
                return c;
            }
        }

        return '\0';
    }
}
