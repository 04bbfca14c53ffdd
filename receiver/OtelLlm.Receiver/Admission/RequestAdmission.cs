using OtelLlm.Receiver.Pipeline;

using OtelLlm.Receiver.Configuration;

namespace OtelLlm.Receiver.Admission;

/// <summary>
/// Decides before a request body is read whether the receiver can take it (the write-ahead log has room), and bounds the bytes of request bodies
/// (compressed and decompressed buffers) held at once. Without this, a flood of large requests is read and decoded
/// in full before the pipeline's queue budget refuses it, and memory grows with the number of requests in flight.
/// </summary>
internal sealed class RequestAdmission
{
    private readonly TelemetryPipeline _pipeline;
    private long _used;

    public RequestAdmission(TelemetryPipeline pipeline, IOptions<ReceiverOptions> options)
    {
        _pipeline = pipeline;
        var o = options.Value;
        MaxBodyBytes = o.InFlightMaxBytes > 0 ? o.InFlightMaxBytes : Math.Max(1, o.QueueMaxBytes / 4);
    }

    /// <summary>Largest total of request-body buffers held at once.</summary>
    public long MaxBodyBytes { get; }

    /// <summary>Bytes of request-body buffers held now.</summary>
    public long BodyBytes => Interlocked.Read(ref _used);

    /// <summary>Whether new requests should be refused without reading them: the write-ahead log is full.</summary>
    public bool Overloaded => _pipeline.LogFull;

    /// <summary>
    /// Reserves <paramref name="bytes"/> more for a request that holds <paramref name="held"/> already. A request
    /// that is the only one holding any budget always gets it, so a body larger than the budget is not refused forever.
    /// </summary>
    public bool TryReserve(long bytes, long held)
    {
        var used = Interlocked.Add(ref _used, bytes);
        if (used > MaxBodyBytes && used != bytes + held)
        {
            Interlocked.Add(ref _used, -bytes);
            return false;
        }

        return true;
    }

    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);

    /// <summary>Throws the retryable refusal when the log is full, before anything of the request is read.</summary>
    public void ThrowIfOverloaded()
    {
        if (Overloaded)
        {
            throw new PipelineOverloadedException("the write-ahead log is full; ClickHouse is not taking rows as fast as they arrive");
        }
    }
}

/// <summary>What one request holds of the <see cref="RequestAdmission"/> body budget; released when disposed.</summary>
internal sealed class BodyLease(RequestAdmission admission) : IDisposable
{
    private long _held;

    /// <summary>Reserves more, or throws the retryable refusal when other requests hold the budget.</summary>
    public void Reserve(long bytes)
    {
        if (bytes <= 0)
        {
            return;
        }

        if (!admission.TryReserve(bytes, _held))
        {
            throw new PipelineOverloadedException("too many request bytes are being read at once");
        }

        _held += bytes;
    }

    public void Dispose()
    {
        admission.Release(_held);
        _held = 0;
    }
}
