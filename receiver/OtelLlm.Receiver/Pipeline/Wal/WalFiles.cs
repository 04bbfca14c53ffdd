using System.Buffers.Binary;

namespace OtelLlm.Receiver.Pipeline.Wal;

/// <summary>
/// The two small fixed-layout files of the spool besides its records: the header every segment starts with and the
/// checkpoint. Both carry an identity, so a checkpoint can only ever skip records of the very segment it was written
/// for — never records of a later segment that happens to reuse a number or an offset.
/// </summary>
internal static class WalFiles
{
    /// <summary>"OLSG" read as a little-endian integer: a segment written with a header (format 2 and later).</summary>
    public const uint SegmentMagic = 0x47534C4F;

    /// <summary>"OLCP" read as a little-endian integer.</summary>
    public const uint CheckpointMagic = 0x50434C4F;

    /// <summary>Bytes of a segment header: magic, version, segment number, segment id.</summary>
    public const int SegmentHeaderSize = 32;

    /// <summary>Bytes of a checkpoint: magic, version, segment number, segment id, offset, CRC-32C of the rest.</summary>
    public const int CheckpointSize = 44;

    private const uint Version = 2;

    /// <summary>The id of segments written before segments had headers (format 1): their records start at offset 0.</summary>
    public static readonly Guid LegacySegmentId = Guid.Empty;

    public static byte[] EncodeSegmentHeader(long segment, Guid id)
    {
        var header = new byte[SegmentHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, SegmentMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), Version);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), segment);
        id.TryWriteBytes(header.AsSpan(16));
        return header;
    }

    /// <summary>What a segment file starts with.</summary>
    public enum SegmentStart
    {
        /// <summary>A format-2 header for this segment number: records follow it.</summary>
        Header,

        /// <summary>A record (format 1, no header): records start at offset 0.</summary>
        Legacy,

        /// <summary>Neither (a header torn by a crash right after the file was created, or foreign bytes).</summary>
        Unknown,
    }

    public static SegmentStart ReadSegmentStart(ReadOnlySpan<byte> start, long segment, out Guid id)
    {
        id = LegacySegmentId;
        if (start.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(start) == WalRecordCodec.Magic)
        {
            return SegmentStart.Legacy;
        }

        if (start.Length < SegmentHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(start) != SegmentMagic
            || BinaryPrimitives.ReadUInt32LittleEndian(start[4..]) != Version || BinaryPrimitives.ReadInt64LittleEndian(start[8..]) != segment)
        {
            return SegmentStart.Unknown;
        }

        id = new Guid(start.Slice(16, 16));
        return SegmentStart.Header;
    }

    public static byte[] EncodeCheckpoint(WalCheckpoint checkpoint)
    {
        var data = new byte[CheckpointSize];
        BinaryPrimitives.WriteUInt32LittleEndian(data, CheckpointMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), Version);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(8), checkpoint.Segment);
        checkpoint.SegmentId.TryWriteBytes(data.AsSpan(16));
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(32), checkpoint.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(40), Crc32C.Compute(data.AsSpan(0, 40)));
        return data;
    }

    /// <summary>
    /// Reads a checkpoint. A file of format 1 (16 bytes, no identity) or a damaged one is reported as untrusted with the
    /// segment number it names, if any, so numbering can still continue past it.
    /// </summary>
    public static WalCheckpoint ReadCheckpoint(ReadOnlySpan<byte> data)
    {
        if (data.Length == CheckpointSize && BinaryPrimitives.ReadUInt32LittleEndian(data) == CheckpointMagic
            && BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) == Version
            && BinaryPrimitives.ReadUInt32LittleEndian(data[40..]) == Crc32C.Compute(data[..40]))
        {
            return new WalCheckpoint(
                BinaryPrimitives.ReadInt64LittleEndian(data[8..]),
                new Guid(data.Slice(16, 16)),
                BinaryPrimitives.ReadInt64LittleEndian(data[32..]),
                Trusted: true);
        }

        return data.Length == 16
            ? new WalCheckpoint(BinaryPrimitives.ReadInt64LittleEndian(data), LegacySegmentId, 0, Trusted: false)
            : WalCheckpoint.None;
    }
}

/// <summary>
/// Everything before <see cref="Offset"/> in segment <see cref="Segment"/> (identified by <see cref="SegmentId"/>), and
/// every segment numbered lower, has been written to ClickHouse (or set aside as a dead letter).
/// </summary>
internal readonly record struct WalCheckpoint(long Segment, Guid SegmentId, long Offset, bool Trusted)
{
    public static WalCheckpoint None => new(-1, WalFiles.LegacySegmentId, 0, Trusted: false);
}
