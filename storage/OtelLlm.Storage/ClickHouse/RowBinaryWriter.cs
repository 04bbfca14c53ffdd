using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace OtelLlm.Storage.ClickHouse;

/// <summary>
/// Writes rows in ClickHouse's RowBinary format into one pooled, growable buffer.
/// </summary>
/// <remarks>
/// The buffer is rented from <see cref="ArrayPool{T}.Shared"/> and doubled when full; <see cref="Dispose"/>
/// returns it. <see cref="Reset"/> keeps the buffer so one writer serves many batches without allocating.
/// Strings are encoded to UTF-8 in place (lone surrogates become U+FFFD, as <see cref="Encoding.UTF8"/> does).
/// </remarks>
public sealed class RowBinaryWriter : IDisposable
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private byte[] _buffer;
    private int _position;

    /// <summary>Creates a writer with an initial buffer of at least <paramref name="initialCapacity"/> bytes.</summary>
    public RowBinaryWriter(int initialCapacity = 64 * 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));
    }

    /// <summary>How many bytes have been written.</summary>
    public int Length => _position;

    /// <summary>The bytes written so far. Valid until the next write, <see cref="Reset"/> or <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _position);

    /// <summary>The bytes written so far, as a span.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _position);

    /// <summary>Forgets what was written and keeps the buffer.</summary>
    public void Reset() => _position = 0;

    /// <summary>Writes a <c>UInt8</c> (also <c>Bool</c> and <c>Enum8</c> codes).</summary>
    public void WriteUInt8(byte value)
    {
        Ensure(1);
        _buffer[_position++] = value;
    }

    /// <summary>Writes a boolean as a <c>UInt8</c> 0 or 1.</summary>
    public void WriteBool(bool value) => WriteUInt8(value ? (byte)1 : (byte)0);

    /// <summary>Writes a <c>UInt16</c>.</summary>
    public void WriteUInt16(ushort value)
    {
        Ensure(2);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(_position), value);
        _position += 2;
    }

    /// <summary>Writes a <c>UInt32</c>.</summary>
    public void WriteUInt32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    /// <summary>Writes an <c>Int32</c>.</summary>
    public void WriteInt32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    /// <summary>Writes a <c>UInt64</c>.</summary>
    public void WriteUInt64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    /// <summary>Writes an <c>Int64</c>.</summary>
    public void WriteInt64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    /// <summary>Writes a <c>Float64</c>.</summary>
    public void WriteFloat64(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    /// <summary>Writes a <c>DateTime</c>: seconds since the Unix epoch, clamped to the type's range.</summary>
    public void WriteDateTime(ulong unixSeconds) => WriteUInt32(unixSeconds > uint.MaxValue ? uint.MaxValue : (uint)unixSeconds);

    /// <summary>Writes a <c>DateTime</c> from nanoseconds since the Unix epoch (the OTLP time unit).</summary>
    public void WriteDateTimeFromUnixNano(ulong unixNano) => WriteDateTime(unixNano / 1_000_000_000UL);

    /// <summary>Writes the unsigned LEB128 length that precedes strings and arrays.</summary>
    public void WriteVarUInt(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_position++] = (byte)value;
    }

    /// <summary>Writes a <c>String</c> from UTF-16 text, encoded as UTF-8. <see langword="null"/> is written as empty.</summary>
    public void WriteString(string? value) => WriteString(value.AsSpan());

    /// <summary>Writes a <c>String</c> from UTF-16 text, encoded as UTF-8.</summary>
    public void WriteString(ReadOnlySpan<char> value)
    {
        if (value.Length < 43)
        {
            // At most 42 * 3 = 126 bytes: the length fits one varint byte, so encode straight after it.
            Ensure(1 + (value.Length * 3));
            var written = s_utf8.GetBytes(value, _buffer.AsSpan(_position + 1));
            _buffer[_position] = (byte)written;
            _position += 1 + written;
            return;
        }

        var count = s_utf8.GetByteCount(value);
        WriteVarUInt((ulong)count);
        Ensure(count);
        _position += s_utf8.GetBytes(value, _buffer.AsSpan(_position));
    }

    /// <summary>Writes a <c>String</c> from bytes that are already UTF-8 (or any bytes: ClickHouse strings are byte strings).</summary>
    public void WriteStringBytes(ReadOnlySpan<byte> utf8)
    {
        WriteVarUInt((ulong)utf8.Length);
        Ensure(utf8.Length);
        utf8.CopyTo(_buffer.AsSpan(_position));
        _position += utf8.Length;
    }

    /// <summary>Writes the element count of an <c>Array</c>; the caller writes the elements next.</summary>
    public void WriteArrayLength(int count) => WriteVarUInt((ulong)count);

    /// <summary>Writes an <c>Array(String)</c>.</summary>
    public void WriteStringArray(IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            WriteVarUInt(0);
            return;
        }

        WriteVarUInt((ulong)values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            WriteString(values[i]);
        }
    }

    /// <summary>Writes an <c>Array(UInt64)</c>.</summary>
    public void WriteUInt64Array(IReadOnlyList<ulong>? values)
    {
        var count = values?.Count ?? 0;
        WriteVarUInt((ulong)count);
        for (var i = 0; i < count; i++)
        {
            WriteUInt64(values![i]);
        }
    }

    /// <summary>Writes an <c>Array(Float64)</c>.</summary>
    public void WriteFloat64Array(IReadOnlyList<double>? values)
    {
        var count = values?.Count ?? 0;
        WriteVarUInt((ulong)count);
        for (var i = 0; i < count; i++)
        {
            WriteFloat64(values![i]);
        }
    }

    /// <summary>Writes a <c>Nullable(Float64)</c>.</summary>
    public void WriteNullableFloat64(double? value)
    {
        if (value is { } v)
        {
            WriteUInt8(0);
            WriteFloat64(v);
        }
        else
        {
            WriteUInt8(1);
        }
    }

    /// <summary>Writes a <c>Nullable(UInt64)</c>.</summary>
    public void WriteNullableUInt64(ulong? value)
    {
        if (value is { } v)
        {
            WriteUInt8(0);
            WriteUInt64(v);
        }
        else
        {
            WriteUInt8(1);
        }
    }

    /// <summary>Writes a <c>Nullable(DateTime)</c> from Unix seconds.</summary>
    public void WriteNullableDateTime(ulong? unixSeconds)
    {
        if (unixSeconds is { } v)
        {
            WriteUInt8(0);
            WriteDateTime(v);
        }
        else
        {
            WriteUInt8(1);
        }
    }

    /// <summary>Writes an <c>Array(UInt32)</c>.</summary>
    public void WriteUInt32Array(IReadOnlyList<uint>? values)
    {
        WriteArrayLength(values?.Count ?? 0);
        for (var i = 0; i < (values?.Count ?? 0); i++)
        {
            WriteUInt32(values![i]);
        }
    }

    /// <summary>Writes an <c>Array(UInt8)</c>.</summary>
    public void WriteUInt8Array(IReadOnlyList<byte>? values)
    {
        WriteArrayLength(values?.Count ?? 0);
        for (var i = 0; i < (values?.Count ?? 0); i++)
        {
            WriteUInt8(values![i]);
        }
    }

    /// <summary>Writes an <c>Array(DateTime)</c> from Unix seconds.</summary>
    public void WriteDateTimeArray(IReadOnlyList<ulong>? unixSeconds)
    {
        WriteArrayLength(unixSeconds?.Count ?? 0);
        for (var i = 0; i < (unixSeconds?.Count ?? 0); i++)
        {
            WriteDateTime(unixSeconds![i]);
        }
    }

    /// <summary>Appends bytes that already are RowBinary (for example rows kept from an earlier batch).</summary>
    public void WriteRaw(ReadOnlySpan<byte> rowBinary)
    {
        Ensure(rowBinary.Length);
        rowBinary.CopyTo(_buffer.AsSpan(_position));
        _position += rowBinary.Length;
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _position = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int extra)
    {
        if (_buffer.Length - _position >= extra)
        {
            return;
        }

        Grow(extra);
    }

    private void Grow(int extra)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        var needed = (long)_position + extra;
        var size = Math.Max((long)_buffer.Length * 2, needed);
        if (size > Array.MaxLength)
        {
            if (needed > Array.MaxLength)
            {
                throw new InvalidOperationException($"A RowBinary batch cannot exceed {Array.MaxLength} bytes; flush smaller batches.");
            }

            size = Array.MaxLength;
        }

        var next = ArrayPool<byte>.Shared.Rent((int)size);
        _buffer.AsSpan(0, _position).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }
}
