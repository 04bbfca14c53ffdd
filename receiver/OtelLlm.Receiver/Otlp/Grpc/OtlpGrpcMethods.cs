using System.Buffers;
using Grpc.Core;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace OtelLlm.Receiver.Otlp.Grpc;

/// <summary>
/// An export request's message as bytes: the gRPC framework reads the frame and decompresses it, and the bytes go to
/// the service undecoded, so traces can be read span at a time. They are the buffer the admission middleware read the
/// body into (or, for a compressed message, the framework's decompressed copy), alive until the call completes.
/// </summary>
internal sealed class OtlpGrpcRequest(ReadOnlyMemory<byte> message)
{
    public ReadOnlyMemory<byte> Message { get; } = message;
}

/// <summary>The three OTLP <c>Export</c> methods, with marshallers that pass the request through as bytes.</summary>
internal static class OtlpGrpcMethods
{
    // Declared before the methods, which use it: static fields initialize in order.
    private static readonly Marshaller<OtlpGrpcRequest> s_request = new(SerializeRequest, DeserializeRequest);

    public static readonly Method<OtlpGrpcRequest, ExportTraceServiceResponse> Traces = Export("opentelemetry.proto.collector.trace.v1.TraceService", ExportTraceServiceResponse.Parser);

    public static readonly Method<OtlpGrpcRequest, ExportLogsServiceResponse> Logs = Export("opentelemetry.proto.collector.logs.v1.LogsService", ExportLogsServiceResponse.Parser);

    public static readonly Method<OtlpGrpcRequest, ExportMetricsServiceResponse> Metrics = Export("opentelemetry.proto.collector.metrics.v1.MetricsService", ExportMetricsServiceResponse.Parser);

    private static Method<OtlpGrpcRequest, TResponse> Export<TResponse>(string service, MessageParser<TResponse> parser)
        where TResponse : class, IMessage<TResponse>
        => new(MethodType.Unary, service, "Export", s_request, Marshallers.Create(static response => response.ToByteArray(), parser.ParseFrom));

    private static void SerializeRequest(OtlpGrpcRequest request, SerializationContext context)
        => throw new NotSupportedException("The receiver never sends export requests.");

    private static OtlpGrpcRequest DeserializeRequest(DeserializationContext context)
    {
        var payload = context.PayloadAsReadOnlySequence();
        return new OtlpGrpcRequest(payload.IsSingleSegment ? payload.First : payload.ToArray());
    }
}
