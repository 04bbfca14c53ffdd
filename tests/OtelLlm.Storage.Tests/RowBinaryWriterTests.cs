using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Storage.Tests;

public sealed class RowBinaryWriterTests
{
    [Theory]
    [InlineData(0UL, new byte[] { 0 })]
    [InlineData(127UL, new byte[] { 127 })]
    [InlineData(128UL, new byte[] { 0x80, 1 })]
    [InlineData(300UL, new byte[] { 0xAC, 0x02 })]
    [InlineData(ulong.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    public void WriteVarUInt_IsLeb128(ulong value, byte[] expected)
    {
        using var w = new RowBinaryWriter();
        w.WriteVarUInt(value);
        Assert.Equal(expected, w.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("42 chars of three-byte text: 日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日")]
    [InlineData("😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀")]
    public void WriteString_LengthPrefixThenUtf8(string value)
    {
        using var w = new RowBinaryWriter(1);
        w.WriteString(value);
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        using var expected = new RowBinaryWriter();
        expected.WriteVarUInt((ulong)bytes.Length);
        Assert.Equal([.. expected.WrittenSpan.ToArray(), .. bytes], w.WrittenSpan.ToArray());
    }

    [Fact]
    public void Grow_ManyWrites_KeepsEarlierBytes()
    {
        using var w = new RowBinaryWriter(256);
        for (var i = 0; i < 100_000; i++)
        {
            w.WriteUInt32((uint)i);
        }

        Assert.Equal(400_000, w.Length);
        Assert.Equal(99_999u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(w.WrittenSpan[^4..]));
        Assert.Equal(12_345u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(w.WrittenSpan[(12_345 * 4)..]));
    }

    [Fact]
    public void LoneSurrogate_BecomesReplacementCharacter()
    {
        using var w = new RowBinaryWriter();
        w.WriteString("a\uD800b");
        Assert.Equal(new byte[] { 5, (byte)'a', 0xEF, 0xBF, 0xBD, (byte)'b' }, w.WrittenSpan.ToArray());
    }
}
