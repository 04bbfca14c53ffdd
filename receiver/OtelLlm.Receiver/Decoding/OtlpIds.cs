using Google.Protobuf;

namespace OtelLlm.Receiver.Decoding;

/// <summary>
/// Trace, span and link ids as stored in ClickHouse: lowercase hex, and an empty string (not zeros) when the id is
/// absent, so a root span's <c>ParentSpanId</c> compares equal to <c>''</c> in SQL.
/// </summary>
internal static class OtlpIds
{
    public static string Hex(ByteString bytes) => bytes.IsEmpty ? string.Empty : Convert.ToHexStringLower(bytes.Span);
}
