using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Receiver.Decoding;

namespace OtelLlm.Receiver.RowEncoding;

/// <summary>What encoding one request counted: items seen, items refused (not stored), and why the first was refused.</summary>
internal readonly record struct EncodedCounts(long Total, long Rejected, string Error);

/// <summary>Column values more than one table (or both trace paths) derive the same way.</summary>
internal static class RowValues
{
    public static string SpanKindText(Span.Types.SpanKind kind) => kind switch
    {
        Span.Types.SpanKind.Internal => "Internal",
        Span.Types.SpanKind.Server => "Server",
        Span.Types.SpanKind.Client => "Client",
        Span.Types.SpanKind.Producer => "Producer",
        Span.Types.SpanKind.Consumer => "Consumer",
        _ => string.Empty,
    };

    public static string StatusText(Status? status) => StatusText(status?.Code ?? Status.Types.StatusCode.Unset);

    public static string StatusText(Status.Types.StatusCode code) => code switch
    {
        Status.Types.StatusCode.Ok => "Ok",
        Status.Types.StatusCode.Error => "Error",
        _ => "Unset",
    };

    public static string ServiceName(Resource resource)
    {
        var attributes = resource.Attributes;
        for (var i = 0; i < attributes.Count; i++)
        {
            if (attributes[i].Key == OtelNames.Resource.ServiceName)
            {
                return AnyValueText.ToText(attributes[i].Value);
            }
        }

        return string.Empty;
    }

    /// <summary>Adds attributes (keys and values, in order) to a record's identity hash.</summary>
    public static void AddToHash(ref StableHash hash, StoredKeyValueList attributes)
    {
        for (var i = 0; i < attributes.Count; i++)
        {
            hash.Add(attributes.Keys[i]);
            hash.Add(attributes.Values[i]);
        }
    }
}
