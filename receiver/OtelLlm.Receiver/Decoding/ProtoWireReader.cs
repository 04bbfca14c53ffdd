using System.Buffers.Binary;

namespace OtelLlm.Receiver.Decoding;

/// <summary>
/// Reads protobuf wire format field by field over a span of bytes, without materializing messages. Strict on
/// purpose: anything it does not expect (a malformed varint, a length past the end, groups, an unknown wire type)
/// throws <see cref="ProtoWireException"/>, and the caller hands the whole request to Google.Protobuf, which gives
/// the protocol's answer.
/// </summary>
internal ref struct ProtoWireReader(ReadOnlySpan<byte> data)
{
    // The wire types of the protobuf encoding, as Google.Protobuf names them.
    public const int Varint = (int)WireFormat.WireType.Varint;
    public const int Fixed64 = (int)WireFormat.WireType.Fixed64;
    public const int LengthDelimited = (int)WireFormat.WireType.LengthDelimited;
    public const int Fixed32 = (int)WireFormat.WireType.Fixed32;

    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    /// <summary>Reads the next tag; <see langword="false"/> at the end of the data.</summary>
    public bool TryReadTag(out int field, out int wireType)
    {
        if (_position >= _data.Length)
        {
            field = 0;
            wireType = 0;
            return false;
        }

        var tag = ReadVarint();
        if (tag > uint.MaxValue || WireFormat.GetTagFieldNumber((uint)tag) == 0)
        {
            throw new ProtoWireException();
        }

        field = WireFormat.GetTagFieldNumber((uint)tag);
        wireType = (int)WireFormat.GetTagWireType((uint)tag);
        return true;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw new ProtoWireException();
            }

            var b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new ProtoWireException();
    }

    public uint ReadFixed32() => (uint)ReadFixed(sizeof(uint));

    public ulong ReadFixed64() => ReadFixed(sizeof(ulong));

    /// <summary>The payload of a length-delimited field (a string, bytes or an embedded message).</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw new ProtoWireException();
        }

        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    // A known field's value, after checking its tag has the wire type the field's declaration gives (otherwise the
    // request goes to the reference decoder, which decides what such input means).
    public ulong ReadVarint(int wireType)
    {
        Expect(wireType, Varint);
        return ReadVarint();
    }

    public uint ReadFixed32(int wireType)
    {
        Expect(wireType, Fixed32);
        return ReadFixed32();
    }

    public ulong ReadFixed64(int wireType)
    {
        Expect(wireType, Fixed64);
        return ReadFixed64();
    }

    public ReadOnlySpan<byte> ReadLengthDelimited(int wireType)
    {
        Expect(wireType, LengthDelimited);
        return ReadLengthDelimited();
    }

    /// <summary>Skips a field of a number this reader does not use.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                ReadFixed64();
                break;
            case LengthDelimited:
                ReadLengthDelimited();
                break;
            case Fixed32:
                ReadFixed32();
                break;
            default:
                // Groups (3, 4) are long deprecated and 6, 7 are invalid: leave them to Google.Protobuf.
                throw new ProtoWireException();
        }
    }

    /// <summary>Throws unless a known field arrived with the wire type its declaration has.</summary>
    public static void Expect(int wireType, int expected)
    {
        if (wireType != expected)
        {
            throw new ProtoWireException();
        }
    }

    private ulong ReadFixed(int size)
    {
        if (_data.Length - _position < size)
        {
            throw new ProtoWireException();
        }

        var value = size == sizeof(uint)
            ? BinaryPrimitives.ReadUInt32LittleEndian(_data[_position..])
            : BinaryPrimitives.ReadUInt64LittleEndian(_data[_position..]);
        _position += size;
        return value;
    }
}

/// <summary>The bytes are not what the span-at-a-time reader handles; the request goes to the reference decoder.</summary>
internal sealed class ProtoWireException : Exception
{
    public ProtoWireException()
        : base("the span-at-a-time reader does not handle this input")
    {
    }

    public ProtoWireException(string message)
        : base(message)
    {
    }

    public ProtoWireException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
