using System.Globalization;

namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>
/// The identity of a model call, (TraceId, SpanId), packed from its 48 hex digits into 24 bytes: exact (no hash, so
/// no two calls share a key) and without the two strings a key used to cost per row.
/// </summary>
internal readonly struct LlmCallKey : IEquatable<LlmCallKey>
{
    private readonly ulong _traceHigh;
    private readonly ulong _traceLow;
    private readonly ulong _span;

    private LlmCallKey(ulong traceHigh, ulong traceLow, ulong span)
    {
        _traceHigh = traceHigh;
        _traceLow = traceLow;
        _span = span;
    }

    /// <summary>The trace id as stored: 32 lowercase hex digits.</summary>
    public string TraceId => string.Create(CultureInfo.InvariantCulture, $"{_traceHigh:x16}{_traceLow:x16}");

    /// <summary>The span id as stored: 16 lowercase hex digits.</summary>
    public string SpanId => _span.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Reads a key from the UTF-8 hex digits of a stored row; false unless they are 32 and 16 hex digits.</summary>
    public static bool TryParse(ReadOnlySpan<byte> traceId, ReadOnlySpan<byte> spanId, out LlmCallKey key)
    {
        if (traceId.Length == 32 && spanId.Length == 16
            && TryHex(traceId[..16], out var high) && TryHex(traceId[16..], out var low) && TryHex(spanId, out var span))
        {
            key = new LlmCallKey(high, low, span);
            return true;
        }

        key = default;
        return false;
    }

    /// <summary>Reads a key from the hex text of a query result.</summary>
    public static bool TryParse(string traceId, string spanId, out LlmCallKey key)
    {
        if (traceId.Length == 32 && spanId.Length == 16
            && ulong.TryParse(traceId.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            && ulong.TryParse(traceId.AsSpan(16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low)
            && ulong.TryParse(spanId, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var span))
        {
            key = new LlmCallKey(high, low, span);
            return true;
        }

        key = default;
        return false;
    }

    public bool Equals(LlmCallKey other) => _span == other._span && _traceLow == other._traceLow && _traceHigh == other._traceHigh;

    public override bool Equals(object? obj) => obj is LlmCallKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_traceHigh, _traceLow, _span);

    public static bool operator ==(LlmCallKey left, LlmCallKey right) => left.Equals(right);

    public static bool operator !=(LlmCallKey left, LlmCallKey right) => !left.Equals(right);

    private static bool TryHex(ReadOnlySpan<byte> digits, out ulong value)
    {
        value = 0;
        foreach (var c in digits)
        {
            int nibble = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                _ => -1,
            };
            if (nibble < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)nibble;
        }

        return true;
    }
}
