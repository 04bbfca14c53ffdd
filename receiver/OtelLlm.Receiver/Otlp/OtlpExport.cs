using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Receiver.RowEncoding;

namespace OtelLlm.Receiver.Otlp;

/// <summary>An export request's body as the transport received it (decompressed), and how it is encoded.</summary>
internal readonly record struct OtlpBody(ReadOnlyMemory<byte> Bytes, bool Json);

/// <summary>Encodes rows into the request's <see cref="EncodedRequest"/>; replaces it when it starts over.</summary>
internal delegate EncodedCounts RowsEncoder(ref EncodedRequest output);

/// <summary>
/// What every signal's export does once its rows are encoded: counts what arrived and what was refused, hands the rows
/// to the pipeline, and answers with the signal's response once they are written. Decoding failures become
/// <see cref="OtlpFailure.InvalidArgument"/>.
/// </summary>
internal sealed class OtlpExport(TelemetryPipeline pipeline, ReceiverMetrics metrics)
{
    /// <summary>Decodes a request message from protobuf or OTLP/JSON, naming the message in the error.</summary>
    public static TRequest Decode<TRequest>(OtlpBody body)
        where TRequest : IMessage<TRequest>, new()
    {
        try
        {
            if (body.Json)
            {
                return OtlpJson.Parse<TRequest>(body.Bytes.Span);
            }

            var request = new TRequest();
            request.MergeFrom(body.Bytes.Span);
            return request;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OtlpExportException(OtlpFailure.InvalidArgument, $"The body is not a valid protobuf {typeof(TRequest).Name}: {e.Message}", e);
        }
        catch (OtlpJsonException e)
        {
            throw new OtlpExportException(OtlpFailure.InvalidArgument, $"The body is not valid OTLP/JSON for {typeof(TRequest).Name}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Encodes the rows, queues them, and answers once every row is written: an empty response when every item was
    /// taken, otherwise the signal's partial success, which <paramref name="partialSuccess"/> fills from the counts.
    /// </summary>
    public async Task<TResponse> ExportAsync<TResponse>(string signal, RowsEncoder encode, Func<EncodedCounts, TResponse> partialSuccess, CancellationToken ct)
        where TResponse : new()
    {
        var rows = new EncodedRequest();
        try
        {
            var counts = encode(ref rows);
            metrics.Received(signal, counts.Total);
            if (counts.Rejected > 0)
            {
                metrics.Rejected("invalid_item", counts.Rejected);
            }

            await pipeline.SubmitAsync(rows).WaitAsync(ct);
            return counts.Rejected == 0 ? new TResponse() : partialSuccess(counts);
        }
        finally
        {
            rows.Dispose();
        }
    }
}
