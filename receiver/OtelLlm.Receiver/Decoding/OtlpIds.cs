
namespace OtelLlm.Receiver.Decoding;

/// <summary>
/// Trace, span and link ids as stored in ClickHouse: lowercase hex, and an empty string (not zeros) when the id is
/// absent, so a root span's <c>ParentSpanId</c> compares equal to <c>''</c> in SQL.
/// </summary>
internal static class OtlpIds
{
    public static string Hex(ByteString bytes) => bytes.IsEmpty ? string.Empty : Convert.ToHexStringLower(bytes.Span);

    /// <summary>Whether a span's ids have the lengths OTLP requires (16, 8 and 0 or 8 bytes); a span with others is refused.</summary>
    public static bool AreValid(OpenTelemetry.Proto.Trace.V1.Span span) => AreValid(span.TraceId.Length, span.SpanId.Length, span.ParentSpanId.Length);

    /// <summary>Whether ids of these lengths are what OTLP requires (16, 8 and 0 or 8 bytes).</summary>
    public static bool AreValid(int traceId, int spanId, int parentSpanId) => traceId == 16 && spanId == 8 && parentSpanId is 0 or 8;
}
