using System.Buffers.Binary;
using System.Text;

namespace OtelLlm.Receiver.Pipeline.Wal;

/// <summary>
/// The on-disk record format shared by write-ahead log segments and dead-letter files. A record is a 12-byte header
/// (magic, payload length, CRC-32C of the payload, all little endian) followed by the payload: format version,
/// table, column list, row count, reason, RowBinary rows. The checksum is what lets start-up tell a record torn by a
/// crash from a whole one.
/// </summary>
internal static class WalRecordCodec
{
    /// <summary>"OLSP" read as a little-endian integer.</summary>
    public const uint Magic = 0x50534C4F;

    /// <summary>Bytes in a record header.</summary>
    public const int HeaderSize = 12;

    private const byte Version = 1;

    /// <summary>Largest payload accepted when reading; anything larger is corruption, not data.</summary>
    public const int MaxPayloadBytes = 1 << 30;

    /// <summary>Encodes a whole record (header and payload).</summary>
    public static byte[] Encode(string table, string columns, int rowCount, ReadOnlySpan<byte> rowBinary, string reason = "")
    {
        var buffer = new byte[EncodedLength(table, columns, rowBinary.Length, reason)];
        EncodeInto(buffer, table, columns, rowCount, rowBinary, reason);
        return buffer;
    }

    /// <summary>Bytes of the whole record <see cref="EncodeInto"/> writes.</summary>
    public static int EncodedLength(string table, string columns, int rowBinaryLength, string reason = "")
        => HeaderSize + 1 + 4 + Encoding.UTF8.GetByteCount(table) + 4 + Encoding.UTF8.GetByteCount(columns) + 4 + 4
            + Encoding.UTF8.GetByteCount(reason) + rowBinaryLength;

    /// <summary>Writes a whole record (header and payload) at the start of <paramref name="destination"/>; returns its length.</summary>
    public static int EncodeInto(Span<byte> destination, string table, string columns, int rowCount, ReadOnlySpan<byte> rowBinary, string reason = "")
    {
        var total = EncodedLength(table, columns, rowBinary.Length, reason);
        var payloadLength = total - HeaderSize;
        var p = destination.Slice(HeaderSize, payloadLength);
        var o = 0;
        p[o++] = Version;
        o += WriteString(p[o..], table, Encoding.UTF8.GetByteCount(table));
        o += WriteString(p[o..], columns, Encoding.UTF8.GetByteCount(columns));
        BinaryPrimitives.WriteInt32LittleEndian(p[o..], rowCount);
        o += 4;
        o += WriteString(p[o..], reason, Encoding.UTF8.GetByteCount(reason));
        rowBinary.CopyTo(p[o..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Crc32C.Compute(p));
        return total;
    }

    /// <summary>Reads a header; false when it is not one (wrong magic or an impossible length).</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out int payloadLength, out uint crc)
    {
        payloadLength = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        crc = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        return BinaryPrimitives.ReadUInt32LittleEndian(header) == Magic && payloadLength is > 0 and <= MaxPayloadBytes;
    }

    /// <summary>Decodes a payload whose checksum has been verified; false when its structure is inconsistent.</summary>
    public static bool TryDecodePayload(ReadOnlyMemory<byte> payload, out WalRecord record)
    {
        record = null!;
        var p = payload.Span;
        if (p.Length < 1 || p[0] != Version)
        {
            return false;
        }

        var o = 1;
        if (!TryReadString(p, ref o, out var table) || !TryReadString(p, ref o, out var columns) || p.Length - o < 4)
        {
            return false;
        }

        var rowCount = BinaryPrimitives.ReadInt32LittleEndian(p[o..]);
        o += 4;
        if (rowCount < 0 || !TryReadString(p, ref o, out var reason))
        {
            return false;
        }

        record = new WalRecord(table, columns, rowCount, payload[o..], reason);
        return true;
    }

    private static int WriteString(Span<byte> destination, string value, int byteCount)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, byteCount);
        Encoding.UTF8.GetBytes(value, destination[4..]);
        return 4 + byteCount;
    }

    private static bool TryReadString(ReadOnlySpan<byte> p, ref int o, out string value)
    {
        value = string.Empty;
        if (p.Length - o < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(p[o..]);
        o += 4;
        if (length < 0 || length > p.Length - o)
        {
            return false;
        }

        value = Encoding.UTF8.GetString(p.Slice(o, length));
        o += length;
        return true;
    }
}
