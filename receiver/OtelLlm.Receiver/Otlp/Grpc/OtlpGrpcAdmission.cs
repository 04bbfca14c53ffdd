using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Pipelines;
using Grpc.Core;
using Grpc.Net.Compression;
using Microsoft.AspNetCore.Http.Features;
using OtelLlm.Receiver.Admission;
using OtelLlm.Receiver.Configuration;

namespace OtelLlm.Receiver.Otlp.Grpc;

/// <summary>Marks the endpoints of the OTLP export methods, which <see cref="OtlpGrpcAdmission"/> guards.</summary>
internal sealed class OtlpGrpcExportEndpoint;

/// <summary>
/// Middleware in front of the OTLP/gRPC endpoints. Before a byte of the body is read it authenticates the call and
/// refuses it when the receiver holds as much unwritten data as it may: reading and decoding first is what let memory
/// grow under overload. An admitted body is read into a buffer bounded by <c>MaxRequestBytes</c> and reserved from
/// the in-flight budget (<see cref="RequestAdmission"/>), and the gRPC framework reads the call from that buffer. A
/// refused call's body is never read: the framework gets an empty message and the service answers with the refusal.
/// </summary>
internal sealed class OtlpGrpcAdmission(RequestDelegate next, IRequestAuthenticator authenticator, RequestAdmission admission, IOptions<ReceiverOptions> options)
{
    private const int FrameHeaderBytes = 5;

    /// <summary>An empty, uncompressed gRPC message: what a refused call's body is replaced with.</summary>
    private static readonly byte[] s_emptyFrame = new byte[FrameHeaderBytes];

    private readonly int _maxRequestBytes = options.Value.MaxRequestBytes;

    /// <summary>The admitted call's project, or the refusal decided before its body was read.</summary>
    public static string Admitted(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<Decision>();
        return feature.Refusal is { } refusal ? throw refusal : feature.Project;
    }

    /// <summary>The in-flight budget lease of the call being read, for decompression (<see cref="BoundedGzipProvider"/>).</summary>
    public static BodyLease? LeaseOf(HttpContext? context) => context?.Features.Get<Decision>()?.Lease;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<OtlpGrpcExportEndpoint>() is null)
        {
            await next(context);
            return;
        }

        var decision = new Decision();
        context.Features.Set(decision);
        try
        {
            decision.Project = OtlpFailures.AuthorizeExport(authenticator, context);
            if (admission.Overloaded)
            {
                decision.Refusal = new OtlpExportException(OtlpFailure.Overloaded, "Overloaded, retry later: the write-ahead log is full; ClickHouse is not taking rows as fast as they arrive");
            }
        }
        catch (OtlpExportException e)
        {
            decision.Refusal = e;
        }

        using var lease = new BodyLease(admission);
        BoundedBuffer? body = null;
        try
        {
            if (decision.Refusal is null)
            {
                body = await ReadBodyAsync(context, lease, decision);
            }

            decision.Lease = lease;
            context.Features.Set<IRequestBodyPipeFeature>(new BufferedBody(body is null ? s_emptyFrame : body.Memory));
            await next(context);
        }
        finally
        {
            body?.Dispose();
        }
    }

    private async Task<BoundedBuffer?> ReadBodyAsync(HttpContext context, BodyLease lease, Decision decision)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // The limit is ours to enforce, on the decompressed message; Kestrel's 30 MB default would cut it short.
            sizeFeature.MaxRequestBodySize = null;
        }

        var limit = _maxRequestBytes + FrameHeaderBytes;
        BoundedBuffer? body = null;
        try
        {
            body = new BoundedBuffer(limit, (int)Math.Min(context.Request.ContentLength ?? 64 * 1024, limit), lease);
            await body.ReadFromAsync(context.Request.Body, "the request message", context.RequestAborted);
            CheckFrameHeader(body.Span);

            return body;
        }
        catch (Exception e) when (OtlpFailures.TryClassify(e, out var failure, out var message))
        {
            body?.Dispose();
            decision.Refusal = new OtlpExportException(failure, message, e);
            return null;
        }
    }

    /// <summary>
    /// The two header fields the framework fails with an exception in the handler (<c>UNKNOWN</c>) rather than a status:
    /// a compressed flag other than 0 or 1 (gRPC answers <c>INTERNAL</c>) and a length beyond what an int holds (which
    /// is beyond <c>MaxRequestBytes</c>: <c>RESOURCE_EXHAUSTED</c>). Everything else about the frame is the framework's.
    /// </summary>
    private void CheckFrameHeader(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > 0 && frame[0] > 1)
        {
            throw new OtlpExportException(OtlpFailure.MalformedFrame, $"Invalid compressed flag {frame[0]} in the frame header");
        }

        if (frame.Length >= FrameHeaderBytes && BinaryPrimitives.ReadUInt32BigEndian(frame[1..]) is var length && length > (uint)_maxRequestBytes)
        {
            throw new RequestTooLargeException($"Received message exceeds the maximum size: the frame announces {length} bytes, the limit is {_maxRequestBytes}");
        }
    }

    /// <summary>What admission decided for one call.</summary>
    private sealed class Decision
    {
        public string Project { get; set; } = string.Empty;

        public OtlpExportException? Refusal { get; set; }

        public BodyLease? Lease { get; set; }
    }

    private sealed class BufferedBody(ReadOnlyMemory<byte> body) : IRequestBodyPipeFeature
    {
        public PipeReader Reader { get; } = PipeReader.Create(new ReadOnlySequence<byte>(body));
    }
}

/// <summary>
/// gzip for OTLP/gRPC messages whose decompressed size is bounded: past <c>MaxRequestBytes</c> the call ends with
/// <c>RESOURCE_EXHAUSTED</c> as soon as the limit is passed, so a gzip bomb never expands in memory, and the
/// decompressed bytes are reserved from the call's in-flight budget like the body they came from.
/// </summary>
internal sealed class BoundedGzipProvider(int maxMessageBytes, IHttpContextAccessor http) : ICompressionProvider
{
    public string EncodingName => "gzip";

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel)
        => new GZipStream(stream, compressionLevel ?? CompressionLevel.Fastest, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream stream)
        => new BoundedDecompression(new GZipStream(stream, CompressionMode.Decompress), maxMessageBytes, OtlpGrpcAdmission.LeaseOf(http.HttpContext));

    private sealed class BoundedDecompression(Stream gzip, int limit, BodyLease? lease) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n;
            try
            {
                n = gzip.Read(buffer);
            }
            catch (InvalidDataException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "The message is not valid gzip: " + e.Message));
            }

            _read += n;
            if (_read > limit)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Received message exceeds the maximum size: the decompressed message is larger than the limit of {limit} bytes"));
            }

            try
            {
                lease?.Reserve(n);
            }
            catch (Exception e) when (OtlpFailures.TryClassify(e, out var failure, out var message))
            {
                throw new RpcException(new Status(OtlpFailures.Answer(failure).Grpc, message));
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                gzip.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
