using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Google.Protobuf.Collections;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Decoding;

/// <summary>
/// The one way an OTLP <see cref="AnyValue"/> becomes text for a <c>Nested(Key, Value)</c> column, shared by every
/// signal and by normalization: strings as they are, booleans <c>true</c>/<c>false</c>, integers and doubles in
/// invariant (round-trip) form, bytes as base64, arrays and key/value lists as JSON (their natural JSON types, bytes
/// as base64, non-finite doubles as strings).
/// </summary>
/// <remarks>
/// The rules are written once, over an AnyValue's protobuf bytes, which is what the span-at-a-time trace reader holds.
/// A decoded value takes the same code: a string is returned as it is, a scalar is formatted by the same formatter, and
/// anything else is serialized into a per-thread buffer first. Malformed bytes, invalid UTF-8 or nesting deeper than
/// the caller allows throw <see cref="ProtoWireException"/> (the reader then leaves the request to the reference path);
/// bytes Google.Protobuf wrote itself never do.
/// </remarks>
internal static class AnyValueText
{
    /// <summary>No nesting limit: for values Google.Protobuf already parsed (it refuses messages nested more than 100 deep).</summary>
    public const int Unlimited = int.MaxValue;

    private static readonly string[] s_booleans = [Encoding.UTF8.GetString(BooleanText(false)), Encoding.UTF8.GetString(BooleanText(true))];

    private static readonly JsonWriterOptions s_jsonOptions = new()
    {
        // Attribute text is data for SQL, not HTML: keep non-ASCII and quotes readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic]
    private static Scratch? t_scratch;

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

    /// <summary>Writes valid UTF-8 text as a RowBinary string, cut like <see cref="Truncate"/> when it is over <paramref name="maxBytes"/>.</summary>
    public static void WriteString(RowBinaryWriter w, ReadOnlySpan<byte> utf8, int maxBytes)
    {
        if (maxBytes > 0 && utf8.Length > maxBytes)
        {
            // Rare: a value over the attribute limit takes the string code.
            w.WriteString(Truncate(Encoding.UTF8.GetString(utf8), maxBytes));
            return;
        }

        w.WriteStringBytes(utf8);
    }

    /// <summary>Writes the text of an AnyValue's bytes (empty when the pair had no value) as a RowBinary string.</summary>
    public static void WriteText(RowBinaryWriter w, ReadOnlySpan<byte> value, bool hasValue, int maxBytes, int maxDepth)
    {
        if (!hasValue)
        {
            w.WriteVarUInt(0);
            return;
        }

        WriteString(w, TextOf(value, maxDepth, stackalloc byte[32]), maxBytes);
    }

    /// <summary>Writes the <c>{key: value}</c> JSON text of a message's repeated <c>KeyValue</c> field as a RowBinary string; <c>{}</c> when it has none.</summary>
    public static void WriteJsonObjectText(RowBinaryWriter w, ReadOnlySpan<byte> message, int pairsField, int count, int maxBytes, int maxDepth)
    {
        if (count == 0)
        {
            w.WriteStringBytes("{}"u8);
            return;
        }

        var json = StartJson();
        WriteJsonObject(json.Writer, message, pairsField, 0, maxDepth);
        json.Writer.Flush();
        WriteString(w, json.Buffer.WrittenSpan, maxBytes);
    }

    /// <summary>Writes an AnyValue's bytes as JSON.</summary>
    public static void WriteJsonValue(Utf8JsonWriter writer, ReadOnlySpan<byte> value, int depth, int maxDepth)
    {
        if (depth > maxDepth)
        {
            throw new ProtoWireException();
        }

        var field = OneOf(value, out var payload, out var scalar);
        switch (field)
        {
            case 0: writer.WriteNullValue(); break;
            case AnyValue.StringValueFieldNumber:
                ValidateUtf8(payload);
                writer.WriteStringValue(payload);
                break;
            case AnyValue.BoolValueFieldNumber: writer.WriteBooleanValue(scalar != 0); break;
            case AnyValue.IntValueFieldNumber: writer.WriteNumberValue(unchecked((long)scalar)); break;
            case AnyValue.DoubleValueFieldNumber:
                var d = BitConverter.UInt64BitsToDouble(scalar);
                if (double.IsFinite(d))
                {
                    writer.WriteNumberValue(d);
                }
                else
                {
                    writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case AnyValue.ArrayValueFieldNumber:
                writer.WriteStartArray();
                var reader = new ProtoWireReader(payload);
                while (reader.TryReadTag(out var f, out var wt))
                {
                    if (f == ArrayValue.ValuesFieldNumber)
                    {
                        WriteJsonValue(writer, reader.ReadLengthDelimited(wt), depth + 1, maxDepth);
                    }
                    else
                    {
                        reader.Skip(wt);
                    }
                }

                writer.WriteEndArray();
                break;
            case AnyValue.KvlistValueFieldNumber: WriteJsonObject(writer, payload, KeyValueList.ValuesFieldNumber, depth + 1, maxDepth); break;
            default:
                writer.WriteBase64StringValue(payload);
                break;
        }
    }

    /// <summary>A KeyValue's key bytes (empty when absent); a key given twice falls back.</summary>
    public static ReadOnlySpan<byte> KeyOf(ReadOnlySpan<byte> pair)
    {
        ReadOnlySpan<byte> key = default;
        var seen = false;
        var reader = new ProtoWireReader(pair);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == KeyValue.KeyFieldNumber)
            {
                key = reader.ReadLengthDelimited(wireType);
                seen = seen ? throw new ProtoWireException() : true;
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return key;
    }

    /// <summary>A KeyValue's value bytes; a value given twice would be merged by protobuf, so it falls back.</summary>
    public static ReadOnlySpan<byte> ValueOf(ReadOnlySpan<byte> pair, out bool hasValue)
    {
        ReadOnlySpan<byte> value = default;
        hasValue = false;
        var reader = new ProtoWireReader(pair);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == KeyValue.ValueFieldNumber)
            {
                if (hasValue)
                {
                    throw new ProtoWireException();
                }

                hasValue = true;
                value = reader.ReadLengthDelimited(wireType);
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return value;
    }

    /// <summary>Invalid UTF-8 is left to Google.Protobuf, whose decoding the reference rows carry.</summary>
    public static void ValidateUtf8(ReadOnlySpan<byte> text)
    {
        if (!Utf8.IsValid(text))
        {
            throw new ProtoWireException();
        }
    }

    /// <summary>The text of one decoded value; empty for an unset value.</summary>
    public static string ToText(AnyValue? value)
    {
        switch (value?.ValueCase)
        {
            case null or AnyValue.ValueOneofCase.None:
                return string.Empty;
            case AnyValue.ValueOneofCase.StringValue:
                return value.StringValue;
            case AnyValue.ValueOneofCase.BoolValue:
                return s_booleans[value.BoolValue ? 1 : 0];
            case AnyValue.ValueOneofCase.IntValue:
                return Encoding.UTF8.GetString(Scalar(AnyValue.IntValueFieldNumber, unchecked((ulong)value.IntValue), stackalloc byte[32]));
            case AnyValue.ValueOneofCase.DoubleValue:
                return Encoding.UTF8.GetString(Scalar(AnyValue.DoubleValueFieldNumber, BitConverter.DoubleToUInt64Bits(value.DoubleValue), stackalloc byte[32]));
            default:
                var bytes = Serialize(value);
                try
                {
                    return Encoding.UTF8.GetString(TextOf(bytes.Span, Unlimited, stackalloc byte[32]));
                }
                finally
                {
                    bytes.Return();
                }
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
        if (attributes.Count == 0)
        {
            return "{}";
        }

        var list = new KeyValueList();
        list.Values.Add(attributes);
        var bytes = Serialize(list);
        try
        {
            var json = StartJson();
            WriteJsonObject(json.Writer, bytes.Span, KeyValueList.ValuesFieldNumber, 0, Unlimited);
            json.Writer.Flush();
            return Truncate(Encoding.UTF8.GetString(json.Buffer.WrittenSpan), maxValueBytes);
        }
        finally
        {
            bytes.Return();
        }
    }

    /// <summary>Writes a decoded value as JSON (<see langword="null"/> for none).</summary>
    public static void WriteJsonValue(Utf8JsonWriter writer, AnyValue? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        var bytes = Serialize(value);
        try
        {
            WriteJsonValue(writer, bytes.Span, 0, Unlimited);
        }
        finally
        {
            bytes.Return();
        }
    }

    /// <summary>
    /// The text of an AnyValue's bytes: a string's own bytes, a scalar formatted into <paramref name="scalarBuffer"/>,
    /// anything else written into the per-thread JSON buffer (valid until the next use of it on this thread).
    /// </summary>
    private static ReadOnlySpan<byte> TextOf(ReadOnlySpan<byte> value, int maxDepth, Span<byte> scalarBuffer)
    {
        var field = OneOf(value, out var payload, out var scalar);
        switch (field)
        {
            case 0:
                return default;
            case AnyValue.StringValueFieldNumber:
                ValidateUtf8(payload);
                return payload;
            case AnyValue.BoolValueFieldNumber or AnyValue.IntValueFieldNumber or AnyValue.DoubleValueFieldNumber:
                return Scalar(field, scalar, scalarBuffer);
            case AnyValue.BytesValueFieldNumber:
                var base64 = StartJson().Buffer;
                Base64.EncodeToUtf8(payload, base64.GetSpan(Base64.GetMaxEncodedToUtf8Length(payload.Length)), out _, out var written);
                base64.Advance(written);
                return base64.WrittenSpan;
            default:
                var json = StartJson();
                WriteJsonValue(json.Writer, value, 0, maxDepth);
                json.Writer.Flush();
                return json.Buffer.WrittenSpan;
        }
    }

    private static ReadOnlySpan<byte> BooleanText(bool value) => value ? "true"u8 : "false"u8;

    /// <summary>The text of a boolean, integer or double member, from its wire bits (formatted into <paramref name="buffer"/>).</summary>
    private static ReadOnlySpan<byte> Scalar(int field, ulong bits, Span<byte> buffer)
    {
        int written;
        switch (field)
        {
            case AnyValue.BoolValueFieldNumber:
                return BooleanText(bits != 0);
            case AnyValue.IntValueFieldNumber:
                unchecked((long)bits).TryFormat(buffer, out written, default, CultureInfo.InvariantCulture);
                return buffer[..written];
            default:
                BitConverter.UInt64BitsToDouble(bits).TryFormat(buffer, out written, "R", CultureInfo.InvariantCulture);
                return buffer[..written];
        }
    }

    private static void WriteJsonObject(Utf8JsonWriter writer, ReadOnlySpan<byte> message, int pairsField, int depth, int maxDepth)
    {
        writer.WriteStartObject();
        var reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field != pairsField)
            {
                reader.Skip(wireType);
                continue;
            }

            var pair = reader.ReadLengthDelimited(wireType);
            var key = KeyOf(pair);
            ValidateUtf8(key);
            writer.WritePropertyName(key);
            var value = ValueOf(pair, out var hasValue);
            if (hasValue)
            {
                WriteJsonValue(writer, value, depth, maxDepth);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// The one member an AnyValue holds (its field number, 0 when none) with its wire type checked; a second member would
    /// be merged by protobuf, so it falls back.
    /// </summary>
    private static int OneOf(ReadOnlySpan<byte> value, out ReadOnlySpan<byte> payload, out ulong scalar)
    {
        var found = 0;
        payload = default;
        scalar = 0;
        var reader = new ProtoWireReader(value);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field is < AnyValue.StringValueFieldNumber or > AnyValue.BytesValueFieldNumber)
            {
                reader.Skip(wireType);
                continue;
            }

            if (found != 0)
            {
                throw new ProtoWireException();
            }

            found = field;
            switch (field)
            {
                case AnyValue.BoolValueFieldNumber or AnyValue.IntValueFieldNumber: scalar = reader.ReadVarint(wireType); break;
                case AnyValue.DoubleValueFieldNumber: scalar = reader.ReadFixed64(wireType); break;
                default:
                    payload = reader.ReadLengthDelimited(wireType);
                    break;
            }
        }

        return found;
    }

    private static JsonScratch StartJson()
    {
        var json = (t_scratch ??= new Scratch()).Json;
        json.Buffer.ResetWrittenCount();
        json.Writer.Reset(json.Buffer);
        return json;
    }

    /// <summary>A decoded message's protobuf bytes in a rented array.</summary>
    private static Rented Serialize(IMessage message)
    {
        var size = message.CalculateSize();
        var array = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        message.WriteTo(array.AsSpan(0, size));
        return new Rented(array, size);
    }

    private readonly struct Rented(byte[] array, int length)
    {
        public ReadOnlySpan<byte> Span => array.AsSpan(0, length);

        public void Return() => ArrayPool<byte>.Shared.Return(array);
    }

    /// <summary>Per-thread buffers (formatting never awaits, so one thread formats one value at a time).</summary>
    private sealed class Scratch
    {
        public JsonScratch Json { get; } = new();
    }

    private sealed class JsonScratch
    {
        public JsonScratch()
        {
            Buffer = new ArrayBufferWriter<byte>(256);
            Writer = new Utf8JsonWriter(Buffer, s_jsonOptions);
        }

        public ArrayBufferWriter<byte> Buffer { get; }

        public Utf8JsonWriter Writer { get; }
    }
}
