using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;
using StoredKeyValueList = OtelLlm.Storage.Rows.KeyValueList;

namespace OtelLlm.Receiver.Decoding;

/// <summary>
/// The one way an OTLP <see cref="AnyValue"/> becomes text for a <c>Nested(Key, Value)</c> column, shared by every
/// signal and by normalization: strings as they are, booleans <c>true</c>/<c>false</c>, integers and doubles in
/// invariant (round-trip) form, bytes as base64, arrays and key/value lists as JSON.
/// </summary>
internal static class AnyValueText
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private static readonly JsonWriterOptions s_jsonOptions = new()
    {
        // Attribute text is data for SQL, not HTML: keep non-ASCII and quotes readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>
    /// Cuts <paramref name="text"/> to <paramref name="maxBytes"/> UTF-8 bytes (on a character boundary) and appends
    /// a marker saying how many bytes were dropped, so a truncated value is never mistaken for the whole one.
    /// </summary>
    public static string Truncate(string text, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        // A UTF-16 char is at most 3 UTF-8 bytes: short values skip the byte count entirely.
        if (maxBytes <= 0 || text.Length <= maxBytes / 3)
        {
            return text;
        }

        var total = Encoding.UTF8.GetByteCount(text);
        if (total <= maxBytes)
        {
            return text;
        }

        var bytes = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            Encoding.UTF8.GetBytes(text, bytes);
            var cut = maxBytes;
            while (cut > 0 && (bytes[cut] & 0xC0) == 0x80)
            {
                cut--;
            }

            return string.Concat(
                Encoding.UTF8.GetString(bytes, 0, cut),
                string.Create(CultureInfo.InvariantCulture, $"…[truncated {total - cut} bytes]"));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>The text of one value; empty for an unset value.</summary>
    public static string ToText(AnyValue? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                return value.StringValue;
            case AnyValue.ValueOneofCase.BoolValue:
                return value.BoolValue ? "true" : "false";
            case AnyValue.ValueOneofCase.IntValue:
                return value.IntValue.ToString(CultureInfo.InvariantCulture);
            case AnyValue.ValueOneofCase.DoubleValue:
                return value.DoubleValue.ToString("R", CultureInfo.InvariantCulture);
            case AnyValue.ValueOneofCase.BytesValue:
                return value.BytesValue.ToBase64();
            case AnyValue.ValueOneofCase.ArrayValue:
            case AnyValue.ValueOneofCase.KvlistValue:
                return ToJson(w => WriteJsonValue(w, value));
            default:
                return string.Empty;
        }
    }

    /// <summary>Flattens attributes into parallel key and value lists, each value cut to <paramref name="maxValueBytes"/> (see <see cref="Truncate"/>).</summary>
    public static StoredKeyValueList Flatten(RepeatedField<KeyValue> attributes, int maxValueBytes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (attributes.Count == 0)
        {
            return StoredKeyValueList.Empty;
        }

        var list = new StoredKeyValueList(attributes.Count);
        for (var i = 0; i < attributes.Count; i++)
        {
            var kv = attributes[i];
            list.Add(kv.Key, Truncate(ToText(kv.Value), maxValueBytes));
        }

        return list;
    }

    /// <summary>Attributes as one JSON object text (for span events and links), cut to <paramref name="maxValueBytes"/>; <c>{}</c> when there are none.</summary>
    public static string ToJsonObject(RepeatedField<KeyValue> attributes, int maxValueBytes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        return attributes.Count == 0 ? "{}" : Truncate(ToJson(w => WriteJsonObject(w, attributes)), maxValueBytes);
    }

    /// <summary>Writes a value as JSON: its natural JSON type, bytes as base64, non-finite doubles as strings.</summary>
    public static void WriteJsonValue(Utf8JsonWriter writer, AnyValue? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                writer.WriteStringValue(value.StringValue);
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                writer.WriteBooleanValue(value.BoolValue);
                break;
            case AnyValue.ValueOneofCase.IntValue:
                writer.WriteNumberValue(value.IntValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue:
                if (double.IsFinite(value.DoubleValue))
                {
                    writer.WriteNumberValue(value.DoubleValue);
                }
                else
                {
                    writer.WriteStringValue(value.DoubleValue.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case AnyValue.ValueOneofCase.BytesValue:
                writer.WriteBase64StringValue(value.BytesValue.Span);
                break;
            case AnyValue.ValueOneofCase.ArrayValue:
                writer.WriteStartArray();
                var values = value.ArrayValue.Values;
                for (var i = 0; i < values.Count; i++)
                {
                    WriteJsonValue(writer, values[i]);
                }

                writer.WriteEndArray();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                WriteJsonObject(writer, value.KvlistValue.Values);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    private static void WriteJsonObject(Utf8JsonWriter writer, RepeatedField<KeyValue> pairs)
    {
        writer.WriteStartObject();
        for (var i = 0; i < pairs.Count; i++)
        {
            writer.WritePropertyName(pairs[i].Key);
            WriteJsonValue(writer, pairs[i].Value);
        }

        writer.WriteEndObject();
    }

    private static string ToJson(Action<Utf8JsonWriter> write)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, s_jsonOptions);
        writer.Reset(buffer);
        write(writer);
        writer.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
