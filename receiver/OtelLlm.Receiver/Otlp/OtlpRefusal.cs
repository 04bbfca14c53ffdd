using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using OtelLlm.Receiver.Configuration;
using OtelLlm.Receiver.Diagnostics;

namespace OtelLlm.Receiver.Otlp;

/// <summary>
/// The <c>google.rpc.Status</c> both transports answer a refusal with: OTLP/HTTP as the error body, OTLP/gRPC in
/// <c>grpc-status-details-bin</c>. Retryable refusals carry a <c>google.rpc.RetryInfo</c> whose <c>retry_delay</c> is
/// <see cref="ReceiverOptions.RetryAfterSeconds"/>, as the OTLP specification's throttling section asks.
/// </summary>
internal sealed partial class OtlpRefusal(IOptions<ReceiverOptions> options, ReceiverMetrics metrics, ILogger<OtlpRefusal> logger)
{
    private readonly Any _retryInfo = Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(Math.Max(0, options.Value.RetryAfterSeconds))) });

    /// <summary>How long a refused client is asked to wait.</summary>
    public TimeSpan RetryDelay { get; } = TimeSpan.FromSeconds(Math.Max(0, options.Value.RetryAfterSeconds));

    /// <summary>
    /// Counts and logs the refusal and returns its status. A retryable one carries the RetryInfo, and its encoded length
    /// is made a multiple of 3 bytes (by ending the message with up to two spaces) so that its base64 text has no padding:
    /// decoders that insist on padding, such as the OpenTelemetry .NET exporter's (1.20), read it as well as those that
    /// follow the gRPC rule of accepting both forms.
    /// </summary>
    public Google.Rpc.Status Refuse(OtlpFailure failure, string message, string? path)
    {
        metrics.Rejected(OtlpFailures.Answer(failure).Reason);
        LogRefused(logger, path, failure, message);
        var status = new Google.Rpc.Status { Code = (int)OtlpFailures.Answer(failure).Grpc, Message = message };
        if (OtlpFailures.Answer(failure).Retryable)
        {
            status.Details.Add(_retryInfo);
            while (status.CalculateSize() % 3 != 0)
            {
                status.Message += " ";
            }
        }

        return status;
    }

    [LoggerMessage(EventId = ReceiverEventIds.ExportRefused, Level = LogLevel.Debug, Message = "OTLP request to {Path} refused ({Failure}): {Message}")]
    private static partial void LogRefused(ILogger logger, string? path, OtlpFailure failure, string message);
}
