using System.Buffers.Binary;
using System.Numerics;

namespace OtelLlm.Receiver.Pipeline;

/// <summary>
/// CRC-32C (Castagnoli) over <see cref="BitOperations.Crc32C(uint, ulong)"/>, which uses the processor's CRC32
/// instruction where there is one (SSE4.2, ARMv8) and a table otherwise. The same values as the table-driven version
/// earlier write-ahead log and spool files were written with, so old files stay readable.
/// </summary>
internal static class Crc32C
{
    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC-32C computed over earlier bytes with <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var c = ~crc;
        while (data.Length >= 8)
        {
            c = BitOperations.Crc32C(c, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            c = BitOperations.Crc32C(c, b);
        }

        return ~c;
    }
}
