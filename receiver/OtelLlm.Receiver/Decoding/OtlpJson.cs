using System.Collections;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf.Reflection;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace OtelLlm.Receiver.Decoding;

/// <summary>An OTLP/JSON body that cannot be decoded; the message says where and why.</summary>
internal sealed class OtlpJsonException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Decodes OTLP/JSON into the generated messages, one reader for every message type driven by the protos' own
/// descriptors, so a field added to the protos is read without a line here. It follows the OTLP JSON rules that
/// Google.Protobuf's <c>JsonParser</c> does not: trace and span ids are hex (any case), not base64. Like the
/// collector it also accepts enums as names as well as integers, 64-bit integers as strings or numbers, snake_case
/// as well as lowerCamelCase keys, and ignores unknown fields.
/// </summary>
internal static class OtlpJson
{
    // No OTLP field name is longer; a longer key is an unknown field and is skipped.
    private const int MaxKeyChars = 64;

    private static readonly JsonReaderOptions s_options = new() { MaxDepth = 128 };

    // One plan per message type reachable from the three requests, built once: the graph is cyclic
    // (AnyValue → ArrayValue → AnyValue), so plans are made first and their fields filled after.
    private static readonly Dictionary<MessageDescriptor, MessagePlan> s_plans = BuildPlans(
        ExportTraceServiceRequest.Descriptor, ExportLogsServiceRequest.Descriptor, ExportMetricsServiceRequest.Descriptor);

    /// <summary>Decodes one of the three export requests (traces, logs, metrics).</summary>
    public static T Parse<T>(ReadOnlySpan<byte> json)
        where T : IMessage, new()
    {
        var request = new T();
        var r = Start(json);
        try
        {
            ReadFields(ref r, request, s_plans[request.Descriptor]);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or OverflowException or InvalidOperationException)
        {
            throw ex as OtlpJsonException
                ?? new OtlpJsonException(string.Create(CultureInfo.InvariantCulture, $"{ex.Message} (near byte {r.TokenStartIndex})"), ex);
        }

        return request;
    }

    private static Utf8JsonReader Start(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            throw new OtlpJsonException("the body is empty; an empty request is {}");
        }

        var r = new Utf8JsonReader(json, s_options);
        try
        {
            r.Read();
        }
        catch (JsonException ex)
        {
            throw new OtlpJsonException(ex.Message, ex);
        }

        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw new OtlpJsonException($"the body must be a JSON object, not {r.TokenType}");
        }

        return r;
    }

    /// <summary>Reads the properties of the object the reader is on (its <c>{</c>) into <paramref name="message"/>.</summary>
    private static void ReadFields(ref Utf8JsonReader r, IMessage message, MessagePlan plan)
    {
        while (true)
        {
            Read(ref r);
            if (r.TokenType == JsonTokenType.EndObject)
            {
                return;
            }

            if (r.TokenType != JsonTokenType.PropertyName)
            {
                throw new OtlpJsonException($"expected a property name, found {r.TokenType}");
            }

            var field = plan.Find(ref r);
            Read(ref r);
            if (field is null)
            {
                r.Skip();
            }
            else if (field.Descriptor.IsRepeated)
            {
                ReadRepeated(ref r, message, field);
            }
            else
            {
                field.Descriptor.Accessor.SetValue(message, ReadValue(ref r, field));
            }
        }
    }

    private static void ReadRepeated(ref Utf8JsonReader r, IMessage message, FieldPlan field)
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw new OtlpJsonException($"{field.Name} must be an array, found {r.TokenType}");
        }

        var list = (IList)field.Descriptor.Accessor.GetValue(message);
        while (true)
        {
            Read(ref r);
            if (r.TokenType == JsonTokenType.EndArray)
            {
                return;
            }

            if (r.TokenType == JsonTokenType.Null)
            {
                throw new OtlpJsonException($"{field.Name}[] holds a null");
            }

            list.Add(ReadValue(ref r, field));
        }
    }

    /// <summary>One value of <paramref name="field"/>'s type; JSON null is the type's default (an empty message).</summary>
    private static object ReadValue(ref Utf8JsonReader r, FieldPlan field)
    {
        var isNull = r.TokenType == JsonTokenType.Null;
        switch (field.Kind)
        {
            case ValueKind.Message:
                var message = field.Message!.Create();
                if (!isNull)
                {
                    if (r.TokenType != JsonTokenType.StartObject)
                    {
                        throw new OtlpJsonException($"{field.Name} must be an object, found {r.TokenType}");
                    }

                    ReadFields(ref r, message, field.Message);
                }

                return message;
            case ValueKind.String: return isNull ? string.Empty : r.GetString()!;
            case ValueKind.Bool: return !isNull && Bool(ref r);
            case ValueKind.Double: return isNull ? 0d : Double(ref r);
            case ValueKind.Float: return isNull ? 0f : (float)Double(ref r);
            case ValueKind.Int32: return isNull ? 0 : checked((int)Int64(ref r));
            case ValueKind.UInt32: return isNull ? 0u : checked((uint)UInt64(ref r));
            case ValueKind.Int64: return isNull ? 0L : Int64(ref r);
            case ValueKind.UInt64: return isNull ? 0UL : UInt64(ref r);
            case ValueKind.Enum: return isNull ? 0 : EnumNumber(ref r, field);
            case ValueKind.HexId: return isNull ? ByteString.Empty : HexId(ref r, field);
            default: return isNull ? ByteString.Empty : Base64(ref r, field);
        }
    }

    // Reads the next token, failing on a cut-off body.
    private static void Read(ref Utf8JsonReader r)
    {
        if (!r.Read())
        {
            throw new OtlpJsonException("the JSON ends too early");
        }
    }

    private static ulong UInt64(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.String
        ? ulong.Parse(r.GetString()!, NumberStyles.None, CultureInfo.InvariantCulture)
        : r.TryGetUInt64(out var v) ? v : checked((ulong)r.GetDouble());

    private static long Int64(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.String
        ? long.Parse(r.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
        : r.TryGetInt64(out var v) ? v : checked((long)r.GetDouble());

    private static double Double(ref Utf8JsonReader r) => r.TokenType != JsonTokenType.String ? r.GetDouble() : r.GetString() switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        var s => double.Parse(s!, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static bool Bool(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new OtlpJsonException($"expected true or false, found {r.TokenType}"),
    };

    /// <summary>OTLP sends enums as integers; their proto names (<c>SPAN_KIND_SERVER</c>) are taken too, as the collector does.</summary>
    private static int EnumNumber(ref Utf8JsonReader r, FieldPlan field)
    {
        if (r.TokenType != JsonTokenType.String)
        {
            return checked((int)Int64(ref r));
        }

        var text = r.GetString()!;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return field.Descriptor.EnumType.FindValueByName(text)?.Number
            ?? throw new OtlpJsonException($"{field.Name} '{text}' is neither an integer nor a name of {field.Descriptor.EnumType.Name}");
    }

    private static ByteString HexId(ref Utf8JsonReader r, FieldPlan field)
    {
        var text = r.GetString()!;
        try
        {
            return text.Length == 0 ? ByteString.Empty : ByteString.CopyFrom(Convert.FromHexString(text));
        }
        catch (FormatException)
        {
            throw new OtlpJsonException($"{field.Name} '{text}' is not a hex string");
        }
    }

    private static ByteString Base64(ref Utf8JsonReader r, FieldPlan field)
    {
        var text = r.GetString()!;
        // The proto3 JSON mapping allows standard or URL-safe base64, with or without padding.
        var normalized = text.Replace('-', '+').Replace('_', '/');
        if (normalized.Length % 4 != 0)
        {
            normalized = normalized.PadRight(normalized.Length + 4 - (normalized.Length % 4), '=');
        }

        try
        {
            return ByteString.CopyFrom(Convert.FromBase64String(normalized));
        }
        catch (FormatException)
        {
            throw new OtlpJsonException($"{field.Name} '{text}' is not base64");
        }
    }

    private static Dictionary<MessageDescriptor, MessagePlan> BuildPlans(params MessageDescriptor[] roots)
    {
        var plans = new Dictionary<MessageDescriptor, MessagePlan>();
        var pending = new Queue<MessageDescriptor>(roots);
        while (pending.TryDequeue(out var descriptor))
        {
            if (!plans.ContainsKey(descriptor))
            {
                plans[descriptor] = new MessagePlan(descriptor);
                foreach (var field in descriptor.Fields.InDeclarationOrder().Where(f => f.FieldType == FieldType.Message))
                {
                    pending.Enqueue(field.MessageType);
                }
            }
        }

        foreach (var plan in plans.Values)
        {
            plan.Fill(plans);
        }

        return plans;
    }

    /// <summary>A key as the lookup sees it: lowercased, underscores dropped, so <c>traceId</c> and <c>trace_id</c> match alike.</summary>
    private static int Fold(ReadOnlySpan<char> key, Span<char> into)
    {
        var n = 0;
        foreach (var c in key)
        {
            if (c != '_')
            {
                if (n == into.Length)
                {
                    return -1;
                }

                into[n++] = char.ToLowerInvariant(c);
            }
        }

        return n;
    }

    private enum ValueKind
    {
        Message,
        String,
        Bool,
        Double,
        Float,
        Int32,
        UInt32,
        Int64,
        UInt64,
        Enum,
        Bytes,
        HexId,
    }

    /// <summary>How one field is read: its descriptor, its JSON name for errors, what kind of value, its message's plan.</summary>
    private sealed class FieldPlan(FieldDescriptor descriptor, MessagePlan? message)
    {
        public FieldDescriptor Descriptor { get; } = descriptor;

        public string Name { get; } = descriptor.JsonName;

        public MessagePlan? Message { get; } = message;

        public ValueKind Kind { get; } = descriptor.FieldType switch
        {
            FieldType.Message => ValueKind.Message,
            FieldType.String => ValueKind.String,
            FieldType.Bool => ValueKind.Bool,
            FieldType.Double => ValueKind.Double,
            FieldType.Float => ValueKind.Float,
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => ValueKind.Int32,
            FieldType.UInt32 or FieldType.Fixed32 => ValueKind.UInt32,
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => ValueKind.Int64,
            FieldType.UInt64 or FieldType.Fixed64 => ValueKind.UInt64,
            FieldType.Enum => ValueKind.Enum,
            // OTLP/JSON's one departure from proto3 JSON: every trace and span id is hex.
            FieldType.Bytes when descriptor.Name is "trace_id" or "span_id" or "parent_span_id" => ValueKind.HexId,
            FieldType.Bytes => ValueKind.Bytes,
            _ => throw new NotSupportedException($"{descriptor.FullName}: {descriptor.FieldType} fields are not in OTLP"),
        };
    }

    /// <summary>One message type: how to make one, and its fields by folded key.</summary>
    private sealed class MessagePlan(MessageDescriptor descriptor)
    {
        private readonly Dictionary<string, FieldPlan> _fields = [];
        private Dictionary<string, FieldPlan>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public IMessage Create() => (IMessage)Activator.CreateInstance(descriptor.ClrType)!;

        public void Fill(Dictionary<MessageDescriptor, MessagePlan> plans)
        {
            Span<char> folded = stackalloc char[MaxKeyChars];
            foreach (var field in descriptor.Fields.InDeclarationOrder())
            {
                var plan = new FieldPlan(field, field.FieldType == FieldType.Message ? plans[field.MessageType] : null);
                _fields[folded[..Fold(field.Name, folded)].ToString()] = plan;
            }

            _lookup = _fields.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        /// <summary>The field the property name the reader is on names, or null for an unknown one; allocates nothing.</summary>
        public FieldPlan? Find(ref Utf8JsonReader r)
        {
            Span<char> key = stackalloc char[MaxKeyChars];
            int length;
            if (!r.ValueIsEscaped && r.ValueSpan.Length <= MaxKeyChars && System.Text.Ascii.IsValid(r.ValueSpan))
            {
                Span<char> chars = stackalloc char[r.ValueSpan.Length];
                System.Text.Ascii.ToUtf16(r.ValueSpan, chars, out _);
                length = Fold(chars, key);
            }
            else
            {
                length = Fold(r.GetString(), key);
            }

            return length >= 0 && _lookup.TryGetValue(key[..length], out var field) ? field : null;
        }
    }
}
