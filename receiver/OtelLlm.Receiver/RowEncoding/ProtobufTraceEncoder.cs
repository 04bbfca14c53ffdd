using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Normalization;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Storage.ClickHouse;
using static OtelLlm.Receiver.Decoding.ProtoWireReader;
using Field = OtelLlm.Receiver.Decoding.OtlpFieldNumbers;

namespace OtelLlm.Receiver.RowEncoding;

/// <summary>
/// The span-at-a-time traces path: reads an <c>ExportTraceServiceRequest</c>'s protobuf bytes field by field and
/// writes each span's <c>otel_traces</c> row straight from the UTF-8 slices, with no message objects and no strings
/// for values that are only copied. Only spans that carry GenAI vocabulary are materialized for the normalizer
/// (<see cref="SpanMaterializer"/>, one recycled object graph per thread), after the whole request has been read. The rows are byte for byte those of the reference
/// path (<see cref="TraceRows.Encode(string, OpenTelemetry.Proto.Collector.Trace.V1.ExportTraceServiceRequest, EncodedRequest)"/>):
/// the resource and scope go through the very same code, and everything else is checked by a differential test.
/// </summary>
/// <remarks>
/// Input this reader does not handle exactly as Google.Protobuf would — malformed or unusual wire data, invalid
/// UTF-8, a message field given twice (protobuf merges those), nesting deeper than <see cref="MaxDepth"/> — throws
/// <see cref="ProtoWireException"/> before anything is normalized, and the caller runs the reference path instead.
/// </remarks>
internal static class ProtobufTraceEncoder
{
    /// <summary>
    /// AnyValue nesting handled here; deeper values go to the reference path. Google.Protobuf refuses messages nested
    /// more than 100 deep, and each level here is up to three messages (AnyValue, KeyValueList, KeyValue) below the
    /// six above a link's attribute value: the reader must never accept what Google.Protobuf would refuse.
    /// </summary>
    public const int MaxDepth = 25;

    private static readonly Resource s_emptyResource = new();
    private static readonly InstrumentationScope s_emptyScope = new();

    private static readonly JsonWriterOptions s_jsonOptions = new()
    {
        // The same settings as AnyValueText's writer: the JSON must come out byte for byte the same.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>
    /// Encodes the request's spans into <paramref name="output"/> (and their <c>llm_calls</c> rows, when
    /// <paramref name="normalizer"/> makes any; <see langword="null"/> writes spans only), cutting attribute values at
    /// <paramref name="maxValueBytes"/> UTF-8 bytes (0 or less: no limit).
    /// </summary>
    /// <exception cref="ProtoWireException">The request needs the reference path; <paramref name="output"/> holds partial rows and the normalizer has seen nothing.</exception>
    /// <exception cref="InvalidProtocolBufferException">A resource or scope is not valid protobuf (so neither is the request).</exception>
    public static EncodedCounts Encode(string project, ReadOnlySpan<byte> request, EncodedRequest output, IGenAiNormalizer? normalizer, int maxValueBytes)
    {
        var scratch = t_scratch ??= new Scratch();
        scratch.Clear();
        scratch.MaxValueBytes = maxValueBytes;
        var state = new State(project, request, output, scratch, normalizer is not null);
        try
        {
            var reader = new ProtoWireReader(request);
            while (reader.TryReadTag(out var field, out var wireType))
            {
                if (field == Field.ExportTraceServiceRequest.ResourceSpans)
                {
                    Expect(wireType, LengthDelimited);
                    EncodeResourceSpans(ref state, reader.ReadLengthDelimited());
                }
                else
                {
                    reader.Skip(wireType);
                }
            }

            // The whole request was read without a reason to fall back: only now may the normalizer see spans
            // (it keeps state for the content join and counts metrics, so it must see each span exactly once).
            var spans = scratch.GenAiSpans;
            for (var i = 0; i < spans.Count; i++)
            {
                var (start, length, context) = spans[i];
                var (resource, scope) = scratch.Contexts[context];
                var span = scratch.Spans.Build(request.Slice(start, length));
                if (normalizer!.NormalizeSpan(project, resource, scope, span) is { } call)
                {
                    call.Write(output.Writer(TableId.LlmCalls));
                    output.RowWritten(TableId.LlmCalls);
                }
            }

            return new EncodedCounts(state.Total, state.Rejected, state.Error ?? string.Empty);
        }
        finally
        {
            scratch.Clear();
        }
    }

    private static void EncodeResourceSpans(ref State state, ReadOnlySpan<byte> message)
    {
        var hasResource = ReadGroupHeader(message, out var resourceBytes, out var schemaUrl);
        var resource = hasResource ? Resource.Parser.ParseFrom(resourceBytes) : s_emptyResource;

        // ServiceName, ResourceSchemaUrl and the resource attributes are the same for every span of this resource:
        // encoded once, by the reference code, and copied into each row.
        var blob = state.Scratch.Resource;
        blob.Reset();
        blob.WriteString(RowValues.ServiceName(resource));
        blob.WriteStringBytes(schemaUrl);
        var attributes = AnyValueText.Flatten(resource.Attributes, state.Scratch.MaxValueBytes);
        blob.WriteStringArray(attributes.Keys);
        blob.WriteStringArray(attributes.Values);

        var reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == Field.ResourceSpans.ScopeSpans)
            {
                Expect(wireType, LengthDelimited);
                EncodeScopeSpans(ref state, resource, reader.ReadLengthDelimited());
            }
            else
            {
                reader.Skip(wireType);
            }
        }
    }

    private static void EncodeScopeSpans(ref State state, Resource resource, ReadOnlySpan<byte> message)
    {
        var hasScope = ReadGroupHeader(message, out var scopeBytes, out var schemaUrl);
        var scope = hasScope ? InstrumentationScope.Parser.ParseFrom(scopeBytes) : s_emptyScope;
        var blob = state.Scratch.Scope;
        blob.Reset();
        blob.WriteString(scope.Name);
        blob.WriteString(scope.Version);
        blob.WriteStringBytes(schemaUrl);
        state.Context = -1;
        state.Resource = resource;
        state.InstrumentationScope = scope;

        var reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == Field.ScopeSpans.Spans)
            {
                Expect(wireType, LengthDelimited);
                EncodeSpan(ref state, reader.ReadLengthDelimited());
            }
            else
            {
                reader.Skip(wireType);
            }
        }
    }

    /// <summary>
    /// Reads the fields ResourceSpans and ScopeSpans share under the same numbers (the resource or scope, the repeated
    /// children, skipped here, and schema_url) and says whether the first was present. A second one needs the reference path.
    /// </summary>
    private static bool ReadGroupHeader(ReadOnlySpan<byte> message, out ReadOnlySpan<byte> first, out ReadOnlySpan<byte> schemaUrl)
    {
        first = default;
        schemaUrl = default;
        var hasFirst = false;
        var reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case Field.ResourceSpans.Resource or Field.ScopeSpans.Scope:
                    Expect(wireType, LengthDelimited);
                    if (hasFirst)
                    {
                        throw new ProtoWireException();
                    }

                    hasFirst = true;
                    first = reader.ReadLengthDelimited();
                    break;
                case Field.ResourceSpans.ScopeSpans or Field.ScopeSpans.Spans or Field.ResourceSpans.SchemaUrl or Field.ScopeSpans.SchemaUrl:
                    Expect(wireType, LengthDelimited);
                    var value = reader.ReadLengthDelimited();
                    if (field is Field.ResourceSpans.SchemaUrl or Field.ScopeSpans.SchemaUrl)
                    {
                        schemaUrl = value;
                    }

                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        ValidateUtf8(schemaUrl);
        return hasFirst;
    }

    private static void EncodeSpan(ref State state, ReadOnlySpan<byte> message)
    {
        ReadOnlySpan<byte> traceId = default, spanId = default, parentSpanId = default, traceState = default, name = default, status = default;
        ulong start = 0, end = 0;
        uint flags = 0, droppedAttributes = 0, droppedEvents = 0, droppedLinks = 0;
        int kind = 0, attributeCount = 0, eventCount = 0, linkCount = 0;
        bool hasStatus = false, mayBeGenAi = false;

        var reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case Field.Span.TraceId:
                    Expect(wireType, LengthDelimited);
                    traceId = reader.ReadLengthDelimited();
                    break;
                case Field.Span.SpanId:
                    Expect(wireType, LengthDelimited);
                    spanId = reader.ReadLengthDelimited();
                    break;
                case Field.Span.TraceState:
                    Expect(wireType, LengthDelimited);
                    traceState = reader.ReadLengthDelimited();
                    break;
                case Field.Span.ParentSpanId:
                    Expect(wireType, LengthDelimited);
                    parentSpanId = reader.ReadLengthDelimited();
                    break;
                case Field.Span.Name:
                    Expect(wireType, LengthDelimited);
                    name = reader.ReadLengthDelimited();
                    break;
                case Field.Span.Kind:
                    Expect(wireType, Varint);
                    kind = unchecked((int)reader.ReadVarint());
                    break;
                case Field.Span.StartTimeUnixNano:
                    Expect(wireType, Fixed64);
                    start = reader.ReadFixed64();
                    break;
                case Field.Span.EndTimeUnixNano:
                    Expect(wireType, Fixed64);
                    end = reader.ReadFixed64();
                    break;
                case Field.Span.Attributes:
                    Expect(wireType, LengthDelimited);
                    attributeCount++;
                    if (state.Normalizing && !mayBeGenAi)
                    {
                        var key = KeyOf(reader.ReadLengthDelimited());
                        mayBeGenAi = key.StartsWith("gen_ai."u8) || key.StartsWith("llm."u8) || key.SequenceEqual("openinference.span.kind"u8);
                    }
                    else
                    {
                        reader.ReadLengthDelimited();
                    }

                    break;
                case Field.Span.DroppedAttributesCount:
                    Expect(wireType, Varint);
                    droppedAttributes = unchecked((uint)reader.ReadVarint());
                    break;
                case Field.Span.Events:
                    Expect(wireType, LengthDelimited);
                    eventCount++;
                    reader.ReadLengthDelimited();
                    break;
                case Field.Span.DroppedEventsCount:
                    Expect(wireType, Varint);
                    droppedEvents = unchecked((uint)reader.ReadVarint());
                    break;
                case Field.Span.Links:
                    Expect(wireType, LengthDelimited);
                    linkCount++;
                    reader.ReadLengthDelimited();
                    break;
                case Field.Span.DroppedLinksCount:
                    Expect(wireType, Varint);
                    droppedLinks = unchecked((uint)reader.ReadVarint());
                    break;
                case Field.Span.Status:
                    Expect(wireType, LengthDelimited);
                    if (hasStatus)
                    {
                        throw new ProtoWireException();
                    }

                    hasStatus = true;
                    status = reader.ReadLengthDelimited();
                    break;
                case Field.Span.Flags:
                    Expect(wireType, Fixed32);
                    flags = reader.ReadFixed32();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        ValidateUtf8(traceState);
        ValidateUtf8(name);
        state.Total++;
        if (traceId.Length != 16 || spanId.Length != 8 || (parentSpanId.Length != 0 && parentSpanId.Length != 8))
        {
            // Rare: let Google.Protobuf check the rest of the span exactly as the reference path would.
            var parsed = Span.Parser.ParseFrom(message);
            state.Rejected++;
            state.Error ??= string.Create(
                CultureInfo.InvariantCulture,
                $"span '{parsed.Name}' has a trace id of {traceId.Length} bytes, span id of {spanId.Length} bytes and parent span id of {parentSpanId.Length} bytes; they must be 16, 8 and 0 or 8");
            return;
        }

        var w = state.Output.Writer(TableId.Traces);
        w.WriteString(state.Project);
        w.WriteDateTimeFromUnixNano(start);
        w.WriteUInt64(start);
        w.WriteUInt64(end);
        w.WriteUInt64(end > start ? end - start : 0);
        WriteHex(w, traceId);
        WriteHex(w, spanId);
        WriteHex(w, parentSpanId);
        w.WriteStringBytes(traceState);
        w.WriteUInt32(flags);
        w.WriteStringBytes(name);
        w.WriteString(RowValues.SpanKindText((Span.Types.SpanKind)kind));
        w.WriteRaw(state.Scratch.Resource.WrittenSpan);
        w.WriteRaw(state.Scratch.Scope.WrittenSpan);

        w.WriteArrayLength(attributeCount);
        if (attributeCount > 0)
        {
            reader = new ProtoWireReader(message);
            while (reader.TryReadTag(out var field, out var wireType))
            {
                if (field == Field.Span.Attributes)
                {
                    var key = KeyOf(reader.ReadLengthDelimited());
                    ValidateUtf8(key);
                    w.WriteStringBytes(key);
                }
                else
                {
                    reader.Skip(wireType);
                }
            }
        }

        w.WriteArrayLength(attributeCount);
        if (attributeCount > 0)
        {
            reader = new ProtoWireReader(message);
            while (reader.TryReadTag(out var field, out var wireType))
            {
                if (field == Field.Span.Attributes)
                {
                    var value = ValueOf(reader.ReadLengthDelimited(), out var hasValue);
                    WriteValueText(w, value, hasValue);
                }
                else
                {
                    reader.Skip(wireType);
                }
            }
        }

        WriteStatus(w, status);
        WriteEvents(w, message, eventCount);
        WriteLinks(w, message, linkCount);
        w.WriteUInt32(droppedAttributes);
        w.WriteUInt32(droppedEvents);
        w.WriteUInt32(droppedLinks);
        state.Output.RowWritten(TableId.Traces);

        if (mayBeGenAi)
        {
            if (state.Context < 0)
            {
                state.Context = state.Scratch.Contexts.Count;
                state.Scratch.Contexts.Add((state.Resource!, state.InstrumentationScope!));
            }

            var offset = (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(state.Request), ref MemoryMarshal.GetReference(message));
            state.Scratch.GenAiSpans.Add((offset, message.Length, state.Context));
        }
    }

    private static void WriteStatus(RowBinaryWriter w, ReadOnlySpan<byte> status)
    {
        var code = 0;
        ReadOnlySpan<byte> text = default;
        var reader = new ProtoWireReader(status);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case Field.Status.Message:
                    Expect(wireType, LengthDelimited);
                    text = reader.ReadLengthDelimited();
                    break;
                case Field.Status.Code:
                    Expect(wireType, Varint);
                    code = unchecked((int)reader.ReadVarint());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        ValidateUtf8(text);
        w.WriteString((Status.Types.StatusCode)code switch
        {
            Status.Types.StatusCode.Ok => "Ok",
            Status.Types.StatusCode.Error => "Error",
            _ => "Unset",
        });
        w.WriteStringBytes(text);
    }

    private static void WriteEvents(RowBinaryWriter w, ReadOnlySpan<byte> span, int count)
    {
        // Events.TimeUnixNano, Events.Name, Events.Attributes: one pass over the span per column.
        for (var column = 0; column < 3; column++)
        {
            w.WriteArrayLength(count);
            if (count == 0)
            {
                continue;
            }

            var reader = new ProtoWireReader(span);
            while (reader.TryReadTag(out var field, out var wireType))
            {
                if (field != Field.Span.Events)
                {
                    reader.Skip(wireType);
                    continue;
                }

                var e = reader.ReadLengthDelimited();
                ulong time = 0;
                ReadOnlySpan<byte> name = default;
                var attributes = 0;
                var er = new ProtoWireReader(e);
                while (er.TryReadTag(out var f, out var wt))
                {
                    switch (f)
                    {
                        case Field.Event.TimeUnixNano:
                            Expect(wt, Fixed64);
                            time = er.ReadFixed64();
                            break;
                        case Field.Event.Name:
                            Expect(wt, LengthDelimited);
                            name = er.ReadLengthDelimited();
                            break;
                        case Field.Event.Attributes:
                            Expect(wt, LengthDelimited);
                            er.ReadLengthDelimited();
                            attributes++;
                            break;
                        case Field.Event.DroppedAttributesCount:
                            Expect(wt, Varint);
                            er.ReadVarint();
                            break;
                        default:
                            er.Skip(wt);
                            break;
                    }
                }

                switch (column)
                {
                    case 0:
                        w.WriteUInt64(time);
                        break;
                    case 1:
                        ValidateUtf8(name);
                        w.WriteStringBytes(name);
                        break;
                    default:
                        WriteAttributesJson(w, e, Field.Event.Attributes, attributes);
                        break;
                }
            }
        }
    }

    private static void WriteLinks(RowBinaryWriter w, ReadOnlySpan<byte> span, int count)
    {
        // Links.TraceId, Links.SpanId, Links.TraceState, Links.Attributes.
        for (var column = 0; column < 4; column++)
        {
            w.WriteArrayLength(count);
            if (count == 0)
            {
                continue;
            }

            var reader = new ProtoWireReader(span);
            while (reader.TryReadTag(out var field, out var wireType))
            {
                if (field != Field.Span.Links)
                {
                    reader.Skip(wireType);
                    continue;
                }

                var link = reader.ReadLengthDelimited();
                ReadOnlySpan<byte> traceId = default, spanId = default, traceState = default;
                var attributes = 0;
                var lr = new ProtoWireReader(link);
                while (lr.TryReadTag(out var f, out var wt))
                {
                    switch (f)
                    {
                        case Field.Link.TraceId:
                            Expect(wt, LengthDelimited);
                            traceId = lr.ReadLengthDelimited();
                            break;
                        case Field.Link.SpanId:
                            Expect(wt, LengthDelimited);
                            spanId = lr.ReadLengthDelimited();
                            break;
                        case Field.Link.TraceState:
                            Expect(wt, LengthDelimited);
                            traceState = lr.ReadLengthDelimited();
                            break;
                        case Field.Link.Attributes:
                            Expect(wt, LengthDelimited);
                            lr.ReadLengthDelimited();
                            attributes++;
                            break;
                        case Field.Link.DroppedAttributesCount:
                            Expect(wt, Varint);
                            lr.ReadVarint();
                            break;
                        case Field.Link.Flags:
                            Expect(wt, Fixed32);
                            lr.ReadFixed32();
                            break;
                        default:
                            lr.Skip(wt);
                            break;
                    }
                }

                switch (column)
                {
                    case 0:
                        WriteHex(w, traceId);
                        break;
                    case 1:
                        WriteHex(w, spanId);
                        break;
                    case 2:
                        ValidateUtf8(traceState);
                        w.WriteStringBytes(traceState);
                        break;
                    default:
                        WriteAttributesJson(w, link, Field.Link.Attributes, attributes);
                        break;
                }
            }
        }
    }

    /// <summary>The <c>{key: value}</c> JSON text of a message's attributes (<see cref="AnyValueText.ToJsonObject"/>).</summary>
    private static void WriteAttributesJson(RowBinaryWriter w, ReadOnlySpan<byte> message, int attributesField, int count)
    {
        if (count == 0)
        {
            w.WriteStringBytes("{}"u8);
            return;
        }

        var json = StartJson();
        WriteJsonObject(json.Writer, message, attributesField, 0);
        json.Writer.Flush();
        WriteTextBytes(w, json.Buffer.WrittenSpan, truncate: true);
    }

    /// <summary>An attribute value as <see cref="AnyValueText.ToText"/> and <see cref="AnyValueText.Flatten"/> write it.</summary>
    private static void WriteValueText(RowBinaryWriter w, ReadOnlySpan<byte> value, bool hasValue)
    {
        if (!hasValue)
        {
            w.WriteVarUInt(0);
            return;
        }

        var field = OneOf(value, out var wireType, out var payload, out var scalar);
        Span<byte> text = stackalloc byte[32];
        int written;
        switch (field)
        {
            case 0:
                w.WriteVarUInt(0);
                break;
            case Field.AnyValue.StringValue:
                Expect(wireType, LengthDelimited);
                ValidateUtf8(payload);
                WriteTextBytes(w, payload, truncate: true);
                break;
            case Field.AnyValue.BoolValue:
                Expect(wireType, Varint);
                WriteTextBytes(w, scalar != 0 ? "true"u8 : "false"u8, truncate: true);
                break;
            case Field.AnyValue.IntValue:
                Expect(wireType, Varint);
                unchecked((long)scalar).TryFormat(text, out written, default, CultureInfo.InvariantCulture);
                WriteTextBytes(w, text[..written], truncate: true);
                break;
            case Field.AnyValue.DoubleValue:
                Expect(wireType, Fixed64);
                BitConverter.UInt64BitsToDouble(scalar).TryFormat(text, out written, "R", CultureInfo.InvariantCulture);
                WriteTextBytes(w, text[..written], truncate: true);
                break;
            case Field.AnyValue.ArrayValue:
            case Field.AnyValue.KvlistValue:
                Expect(wireType, LengthDelimited);
                var json = StartJson();
                WriteJsonValue(json.Writer, value, 0);
                json.Writer.Flush();
                WriteTextBytes(w, json.Buffer.WrittenSpan, truncate: true);
                break;
            case Field.AnyValue.BytesValue:
                Expect(wireType, LengthDelimited);
                var length = Base64.GetMaxEncodedToUtf8Length(payload.Length);
                var rented = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    Base64.EncodeToUtf8(payload, rented, out _, out written);
                    WriteTextBytes(w, rented.AsSpan(0, written), truncate: true);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }

                break;
            default:
                throw new ProtoWireException();
        }
    }

    /// <summary>Writes text that is valid UTF-8, capped like <see cref="AnyValueText.Truncate"/> when it is too long.</summary>
    private static void WriteTextBytes(RowBinaryWriter w, ReadOnlySpan<byte> utf8, bool truncate)
    {
        var max = t_scratch!.MaxValueBytes;
        if (truncate && max > 0 && utf8.Length > max)
        {
            // Rare: a value over the attribute limit takes the reference's own code.
            w.WriteString(AnyValueText.Truncate(Encoding.UTF8.GetString(utf8), max));
            return;
        }

        w.WriteStringBytes(utf8);
    }

    /// <summary>Writes an AnyValue as JSON, as <see cref="AnyValueText.WriteJsonValue"/> does for the decoded object.</summary>
    private static void WriteJsonValue(Utf8JsonWriter writer, ReadOnlySpan<byte> value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ProtoWireException();
        }

        var field = OneOf(value, out var wireType, out var payload, out var scalar);
        switch (field)
        {
            case 0:
                writer.WriteNullValue();
                break;
            case Field.AnyValue.StringValue:
                Expect(wireType, LengthDelimited);
                ValidateUtf8(payload);
                writer.WriteStringValue(payload);
                break;
            case Field.AnyValue.BoolValue:
                Expect(wireType, Varint);
                writer.WriteBooleanValue(scalar != 0);
                break;
            case Field.AnyValue.IntValue:
                Expect(wireType, Varint);
                writer.WriteNumberValue(unchecked((long)scalar));
                break;
            case Field.AnyValue.DoubleValue:
                Expect(wireType, Fixed64);
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
            case Field.AnyValue.ArrayValue:
                Expect(wireType, LengthDelimited);
                writer.WriteStartArray();
                var reader = new ProtoWireReader(payload);
                while (reader.TryReadTag(out var f, out var wt))
                {
                    if (f == Field.ArrayValue.Values)
                    {
                        Expect(wt, LengthDelimited);
                        WriteJsonValue(writer, reader.ReadLengthDelimited(), depth + 1);
                    }
                    else
                    {
                        reader.Skip(wt);
                    }
                }

                writer.WriteEndArray();
                break;
            case Field.AnyValue.KvlistValue:
                Expect(wireType, LengthDelimited);
                WriteJsonObject(writer, payload, Field.KeyValueList.Values, depth + 1);
                break;
            case Field.AnyValue.BytesValue:
                Expect(wireType, LengthDelimited);
                writer.WriteBase64StringValue(payload);
                break;
            default:
                throw new ProtoWireException();
        }
    }

    private static void WriteJsonObject(Utf8JsonWriter writer, ReadOnlySpan<byte> message, int pairsField, int depth)
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

            Expect(wireType, LengthDelimited);
            var pair = reader.ReadLengthDelimited();
            var key = KeyOf(pair);
            ValidateUtf8(key);
            writer.WritePropertyName(key);
            var value = ValueOf(pair, out var hasValue);
            if (hasValue)
            {
                WriteJsonValue(writer, value, depth);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>The one field an AnyValue holds (0 when none); a second one would be merged by protobuf, so it falls back.</summary>
    private static int OneOf(ReadOnlySpan<byte> value, out int foundWireType, out ReadOnlySpan<byte> payload, out ulong scalar)
    {
        var found = 0;
        foundWireType = 0;
        payload = default;
        scalar = 0;
        var reader = new ProtoWireReader(value);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field is < Field.AnyValue.StringValue or > Field.AnyValue.BytesValue)
            {
                reader.Skip(wireType);
                continue;
            }

            if (found != 0)
            {
                throw new ProtoWireException();
            }

            found = field;
            foundWireType = wireType;
            switch (wireType)
            {
                case LengthDelimited:
                    payload = reader.ReadLengthDelimited();
                    break;
                case Varint:
                    scalar = reader.ReadVarint();
                    break;
                case Fixed64:
                    scalar = reader.ReadFixed64();
                    break;
                default:
                    throw new ProtoWireException();
            }
        }

        return found;
    }

    /// <summary>A KeyValue's key bytes (empty when absent).</summary>
    private static ReadOnlySpan<byte> KeyOf(ReadOnlySpan<byte> pair)
    {
        ReadOnlySpan<byte> key = default;
        var seen = false;
        var reader = new ProtoWireReader(pair);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == Field.KeyValue.Key)
            {
                Expect(wireType, LengthDelimited);
                key = reader.ReadLengthDelimited();
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
    private static ReadOnlySpan<byte> ValueOf(ReadOnlySpan<byte> pair, out bool hasValue)
    {
        ReadOnlySpan<byte> value = default;
        hasValue = false;
        var reader = new ProtoWireReader(pair);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == Field.KeyValue.Value)
            {
                Expect(wireType, LengthDelimited);
                if (hasValue)
                {
                    throw new ProtoWireException();
                }

                hasValue = true;
                value = reader.ReadLengthDelimited();
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return value;
    }

    /// <summary>Lowercase hex as <see cref="OtlpIds.Hex"/> writes it; empty for an absent id.</summary>
    private static void WriteHex(RowBinaryWriter w, ReadOnlySpan<byte> id)
    {
        if (id.Length > 64)
        {
            w.WriteString(Convert.ToHexStringLower(id));
            return;
        }

        Span<byte> hex = stackalloc byte[128];
        Convert.TryToHexStringLower(id, hex, out var written);
        w.WriteStringBytes(hex[..written]);
    }

    /// <summary>Invalid UTF-8 is left to Google.Protobuf, whose decoding the reference rows carry.</summary>
    private static void ValidateUtf8(ReadOnlySpan<byte> text)
    {
        if (!Utf8.IsValid(text))
        {
            throw new ProtoWireException();
        }
    }

    private static JsonScratch StartJson()
    {
        var json = t_scratch!.Json;
        json.Buffer.ResetWrittenCount();
        json.Writer.Reset(json.Buffer);
        return json;
    }

    private ref struct State(string project, ReadOnlySpan<byte> request, EncodedRequest output, Scratch scratch, bool normalizing)
    {
        public readonly string Project = project;
        public readonly ReadOnlySpan<byte> Request = request;
        public readonly EncodedRequest Output = output;
        public readonly Scratch Scratch = scratch;
        public readonly bool Normalizing = normalizing;
        public long Total;
        public long Rejected;
        public string? Error;
        public int Context;
        public Resource? Resource;
        public InstrumentationScope? InstrumentationScope;
    }

    /// <summary>Per-thread buffers reused by every request (encoding never awaits, so one thread serves one request at a time).</summary>
    private sealed class Scratch
    {
        public RowBinaryWriter Resource { get; } = new(1024);

        public RowBinaryWriter Scope { get; } = new(256);

        public JsonScratch Json { get; } = new();

        /// <summary>The attribute value limit of the request being encoded.</summary>
        public int MaxValueBytes { get; set; }

        /// <summary>Where each GenAI span's bytes are in the request, and its resource and scope.</summary>
        public List<(int Start, int Length, int Context)> GenAiSpans { get; } = [];

        public SpanMaterializer Spans { get; } = new();

        public List<(Resource Resource, InstrumentationScope Scope)> Contexts { get; } = [];

        public void Clear()
        {
            GenAiSpans.Clear();
            Contexts.Clear();
        }
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
