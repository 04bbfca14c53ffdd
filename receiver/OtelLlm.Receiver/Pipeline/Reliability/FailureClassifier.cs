using System.Net.Sockets;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>Decides whether a failed insert may succeed if tried again later.</summary>
internal static class FailureClassifier
{
    /// <summary>
    /// True for an unreachable, slow or overloaded server; false for a batch ClickHouse refuses as such
    /// (e.g. 27 CANNOT_PARSE_INPUT..., 53 TYPE_MISMATCH), which would fail the same way forever.
    /// </summary>
    public static bool IsRetryable(Exception exception) => exception switch
    {
        ClickHouseException ch => ch.IsRetryable,
        HttpRequestException or SocketException or TimeoutException or IOException => true,
        OperationCanceledException => true,
        _ => false,
    };
}
