using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;

namespace OtelLlm.Receiver.Transport;

/// <summary>
/// The throttling answer of both transports: a <c>google.rpc.Status</c> carrying a <c>google.rpc.RetryInfo</c> whose
/// <c>retry_delay</c> is <see cref="ReceiverOptions.RetryAfterSeconds"/>. OTLP/gRPC sends it base64-encoded in
/// <c>grpc-status-details-bin</c>; OTLP/HTTP sends it as the error body next to <c>Retry-After</c>.
/// </summary>
internal sealed class RetryStatus
{
    /// <summary>The gRPC metadata key of the encoded status.</summary>
    public const string DetailsHeader = "grpc-status-details-bin";

    private readonly Any _retryInfo;

    public RetryStatus(int retryAfterSeconds)
    {
        Delay = TimeSpan.FromSeconds(Math.Max(0, retryAfterSeconds));
        _retryInfo = Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(Delay) });
    }

    /// <summary>How long a refused client is asked to wait.</summary>
    public TimeSpan Delay { get; }

    /// <summary>A status with the RetryInfo detail.</summary>
    public Google.Rpc.Status Create(int code, string message) => new() { Code = code, Message = message, Details = { _retryInfo } };

    /// <summary>
    /// The status as gRPC sends binary metadata: base64 without padding. The encoded message is made a multiple of
    /// 3 bytes long (by ending the message with up to two spaces) so that the text has no padding to leave out:
    /// decoders that insist on padding, such as the OpenTelemetry .NET exporter's (1.20), read it as well as
    /// decoders that follow the gRPC rule of accepting both forms.
    /// </summary>
    public string EncodeDetails(int code, string message)
    {
        var status = Create(code, message);
        while (status.CalculateSize() % 3 != 0)
        {
            status.Message += " ";
        }

        return Convert.ToBase64String(status.ToByteArray());
    }
}
