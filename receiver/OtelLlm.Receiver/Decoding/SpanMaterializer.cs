using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
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
/// state and dropped counts are left empty). Nested values and events are parsed by Google.Protobuf. The bytes
/// must already have been read in full by <see cref="ProtobufTraceEncoder"/>, which falls back before this runs on
/// anything it does not handle, and the span is only valid until the next <see cref="Build"/> on the same thread.
/// </remarks>
internal sealed class SpanMaterializer
{
    private const int CacheSlots = 1024;
    private const int MaxCachedBytes = 64;

    private readonly Span _span = new();
    private readonly Status _status = new();
    private readonly List<KeyValue> _pairs = [];
    private readonly string?[] _strings = new string?[CacheSlots];

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
                case 1:
                    span.TraceId = ByteString.CopyFrom(reader.ReadLengthDelimited());
                    break;
                case 2:
                    span.SpanId = ByteString.CopyFrom(reader.ReadLengthDelimited());
                    break;
                case 4:
                    span.ParentSpanId = ByteString.CopyFrom(reader.ReadLengthDelimited());
                    break;
                case 5:
                    span.Name = Text(reader.ReadLengthDelimited());
                    break;
                case 7:
                    span.StartTimeUnixNano = reader.ReadFixed64();
                    break;
                case 8:
                    span.EndTimeUnixNano = reader.ReadFixed64();
                    break;
                case 9:
                    span.Attributes.Add(Pair(reader.ReadLengthDelimited(), used++));
                    break;
                case 11:
                    span.Events.Add(Span.Types.Event.Parser.ParseFrom(reader.ReadLengthDelimited()));
                    break;
                case 15:
                    span.Status = Status(reader.ReadLengthDelimited());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return span;
    }

    private Status Status(ReadOnlySpan<byte> message)
    {
        var status = _status;
        status.Code = 0;
        status.Message = string.Empty;
        var reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 2:
                    status.Message = Text(reader.ReadLengthDelimited());
                    break;
                case 3:
                    status.Code = (Status.Types.StatusCode)unchecked((int)reader.ReadVarint());
                    break;
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
                case 1:
                    pair.Key = Text(reader.ReadLengthDelimited());
                    break;
                case 2:
                    pair.Value = Value(reader.ReadLengthDelimited(), value);
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return pair;
    }

    private AnyValue Value(ReadOnlySpan<byte> message, AnyValue reuse)
    {
        reuse.ClearValue();
        var reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    reuse.StringValue = Text(reader.ReadLengthDelimited());
                    break;
                case 2:
                    reuse.BoolValue = reader.ReadVarint() != 0;
                    break;
                case 3:
                    reuse.IntValue = unchecked((long)reader.ReadVarint());
                    break;
                case 4:
                    reuse.DoubleValue = BitConverter.UInt64BitsToDouble(reader.ReadFixed64());
                    break;
                case 5:
                case 6:
                    // Arrays and maps are rare and nested: Google.Protobuf builds them, in fresh objects.
                    return AnyValue.Parser.ParseFrom(message);
                case 7:
                    reuse.BytesValue = ByteString.CopyFrom(reader.ReadLengthDelimited());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return reuse;
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
