using System.Text;
using OpenTelemetry.Proto.Trace.V1;

namespace OtelLlm.Receiver.Decoding;

/// <summary>
/// Turns the bytes of one GenAI span into the <see cref="Span"/> object the normalizer reads, reusing one object
/// graph per thread: the span, its status and one <see cref="KeyValue"/>/<see cref="AnyValue"/> pair per attribute
/// are recycled, and short ASCII strings (attribute keys, model, provider and operation names, addresses, finish
/// reasons) come from a small per-thread cache instead of being decoded again for every span.
/// </summary>
/// <remarks>
/// Only what normalization reads is filled: ids, times, name, attributes, events and status (links, kind, trace
/// state and dropped counts are left empty). Arrays of plain values are recycled too; arrays and maps that nest
/// further, and events, are parsed by Google.Protobuf. The bytes must already have been read in full by
/// the span-at-a-time trace reader, which falls back before this runs on anything it does not handle, and the span
/// is only valid until the next <see cref="Build"/> on the same thread.
/// </remarks>
internal sealed class SpanMaterializer
{
    private const int CacheSlots = 1024;
    private const int MaxCachedBytes = 64;

    private readonly Span _span = new();
    private readonly Status _status = new();
    private readonly List<KeyValue> _pairs = [];
    private readonly List<ArrayValue> _arrays = [];
    private readonly string?[] _strings = new string?[CacheSlots];

    // The ids of an accepted span are 16 and 8 bytes: copied into buffers that these ByteStrings wrap, so the
    // normalizer reads them without a ByteString and an array per id and span.
    private readonly byte[] _traceId = new byte[16];
    private readonly byte[] _spanId = new byte[8];
    private readonly byte[] _parentSpanId = new byte[8];
    private readonly ByteString _traceIdBytes;
    private readonly ByteString _spanIdBytes;
    private readonly ByteString _parentSpanIdBytes;

    public SpanMaterializer()
    {
        _traceIdBytes = UnsafeByteOperations.UnsafeWrap(_traceId);
        _spanIdBytes = UnsafeByteOperations.UnsafeWrap(_spanId);
        _parentSpanIdBytes = UnsafeByteOperations.UnsafeWrap(_parentSpanId);
    }

    public Span Build(ReadOnlySpan<byte> message)
    {
        var span = _span;
        span.TraceId = ByteString.Empty;
        span.SpanId = ByteString.Empty;
        span.ParentSpanId = ByteString.Empty;
        span.Name = string.Empty;
        span.StartTimeUnixNano = 0;
        span.EndTimeUnixNano = 0;
        span.Status = null;
        span.Attributes.Clear();
        span.Events.Clear();
        var used = 0;

        var reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case Span.TraceIdFieldNumber: span.TraceId = Id(reader.ReadLengthDelimited(), _traceId, _traceIdBytes); break;
                case Span.SpanIdFieldNumber: span.SpanId = Id(reader.ReadLengthDelimited(), _spanId, _spanIdBytes); break;
                case Span.ParentSpanIdFieldNumber: span.ParentSpanId = Id(reader.ReadLengthDelimited(), _parentSpanId, _parentSpanIdBytes); break;
                case Span.NameFieldNumber: span.Name = Text(reader.ReadLengthDelimited()); break;
                case Span.StartTimeUnixNanoFieldNumber: span.StartTimeUnixNano = reader.ReadFixed64(); break;
                case Span.EndTimeUnixNanoFieldNumber: span.EndTimeUnixNano = reader.ReadFixed64(); break;
                case Span.AttributesFieldNumber: span.Attributes.Add(Pair(reader.ReadLengthDelimited(), used++)); break;
                case Span.EventsFieldNumber: span.Events.Add(Span.Types.Event.Parser.ParseFrom(reader.ReadLengthDelimited())); break;
                case Span.StatusFieldNumber: span.Status = ReadStatus(reader.ReadLengthDelimited()); break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return span;
    }

    /// <summary>An id in its recycled buffer; any other length (never the case for an accepted span) is copied.</summary>
    private static ByteString Id(ReadOnlySpan<byte> id, byte[] buffer, ByteString wrapper)
    {
        if (id.Length == 0)
        {
            return ByteString.Empty;
        }

        if (id.Length != buffer.Length)
        {
            return ByteString.CopyFrom(id);
        }

        id.CopyTo(buffer);
        return wrapper;
    }

    private Status ReadStatus(ReadOnlySpan<byte> message)
    {
        var status = _status;
        status.Code = 0;
        status.Message = string.Empty;
        var reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case Status.MessageFieldNumber: status.Message = Text(reader.ReadLengthDelimited()); break;
                case Status.CodeFieldNumber: status.Code = (Status.Types.StatusCode)unchecked((int)reader.ReadVarint()); break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return status;
    }

    private KeyValue Pair(ReadOnlySpan<byte> message, int index)
    {
        if (index == _pairs.Count)
        {
            _pairs.Add(new KeyValue { Value = new AnyValue() });
        }

        var pair = _pairs[index];
        // The normalizer may have seen this pair's value replaced by a parsed nested value on an earlier span.
        var value = pair.Value ?? new AnyValue();
        pair.Key = string.Empty;
        pair.Value = null;
        var reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case KeyValue.KeyFieldNumber: pair.Key = Text(reader.ReadLengthDelimited()); break;
                case KeyValue.ValueFieldNumber: pair.Value = Value(reader.ReadLengthDelimited(), value, index); break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return pair;
    }

    private AnyValue Value(ReadOnlySpan<byte> message, AnyValue reuse, int index)
    {
        reuse.ClearValue();
        var reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case AnyValue.StringValueFieldNumber: reuse.StringValue = Text(reader.ReadLengthDelimited()); break;
                case AnyValue.BoolValueFieldNumber: reuse.BoolValue = reader.ReadVarint() != 0; break;
                case AnyValue.IntValueFieldNumber: reuse.IntValue = unchecked((long)reader.ReadVarint()); break;
                case AnyValue.DoubleValueFieldNumber: reuse.DoubleValue = BitConverter.UInt64BitsToDouble(reader.ReadFixed64()); break;
                case AnyValue.ArrayValueFieldNumber:
                    // Arrays of plain values (finish reasons, stop sequences) are common: recycled. Anything nested
                    // is built by Google.Protobuf, in fresh objects.
                    if (ScalarArray(reader.ReadLengthDelimited(), index) is { } array)
                    {
                        reuse.ArrayValue = array;
                        break;
                    }

                    return AnyValue.Parser.ParseFrom(message);
                case AnyValue.KvlistValueFieldNumber:
                    return AnyValue.Parser.ParseFrom(message);
                case AnyValue.BytesValueFieldNumber: reuse.BytesValue = ByteString.CopyFrom(reader.ReadLengthDelimited()); break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return reuse;
    }

    /// <summary>
    /// The recycled array of attribute <paramref name="index"/> filled with the elements, or <see langword="null"/> when
    /// an element is itself an array or a map.
    /// </summary>
    private ArrayValue? ScalarArray(ReadOnlySpan<byte> message, int index)
    {
        var reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field != ArrayValue.ValuesFieldNumber)
            {
                reader.Skip(wireType);
                continue;
            }

            var element = new ProtoWireReader(reader.ReadLengthDelimited());
            while (element.TryReadTag(out var f, out var wt))
            {
                if (f is AnyValue.ArrayValueFieldNumber or AnyValue.KvlistValueFieldNumber)
                {
                    return null;
                }

                element.Skip(wt);
            }
        }

        while (_arrays.Count <= index)
        {
            _arrays.Add(new ArrayValue());
        }

        var array = _arrays[index];
        var values = array.Values;
        var used = 0;
        reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field != ArrayValue.ValuesFieldNumber)
            {
                reader.Skip(wireType);
                continue;
            }

            if (used == values.Count)
            {
                values.Add(new AnyValue());
            }

            Value(reader.ReadLengthDelimited(), values[used], index);
            used++;
        }

        while (values.Count > used)
        {
            values.RemoveAt(values.Count - 1);
        }

        return array;
    }

    /// <summary>Decoded text; short ASCII strings come from the per-thread cache (one slot per hash, last one wins).</summary>
    private string Text(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length == 0)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxCachedBytes || !Ascii.IsValid(utf8))
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var hash = new HashCode();
        hash.AddBytes(utf8);
        ref var slot = ref _strings[hash.ToHashCode() & (CacheSlots - 1)];
        if (slot is { } cached && Ascii.Equals(utf8, cached))
        {
            return cached;
        }

        return slot = Encoding.ASCII.GetString(utf8);
    }
}
