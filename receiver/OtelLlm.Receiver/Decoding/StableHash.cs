using System.Runtime.InteropServices;

namespace OtelLlm.Receiver.Decoding;

/// <summary>
/// A 64-bit FNV-1a hash that is the same in every process and version, for row identities stored in ClickHouse
/// (unlike <see cref="HashCode"/>, which is randomised per process).
/// </summary>
internal struct StableHash
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;
    private ulong _value;

    public StableHash() => _value = Offset;

    public readonly ulong Value => _value;

    public void Add(ReadOnlySpan<byte> bytes)
    {
        var h = _value;
        foreach (var b in bytes)
        {
            h = (h ^ b) * Prime;
        }

        // A separator so that ("ab","c") and ("a","bc") differ.
        _value = (h ^ 0xFF) * Prime;
    }

    public void Add(string text) => Add(MemoryMarshal.AsBytes(text.AsSpan()));

    public void Add(ulong value) => Add(MemoryMarshal.AsBytes(new ReadOnlySpan<ulong>(in value)));
}
