using System.Buffers;
using System.IO.Compression;

namespace OtelLlm.Receiver.Admission;

/// <summary>A request body too large for the configured limit (counted after decompression).</summary>
internal sealed class RequestTooLargeException(string message) : Exception(message);

/// <summary>
/// A pooled byte buffer that refuses to grow past a limit: request bodies and decompressed messages are read
/// into it, so neither a large body nor a gzip bomb can take more memory than the limit.
/// </summary>
internal sealed class BoundedBuffer : IDisposable
{
    private const int Chunk = 64 * 1024;
    private readonly int _limit;
    private readonly BodyLease? _lease;
    private byte[] _buffer;
    private int _length;

    /// <param name="limit">Largest content accepted.</param>
    /// <param name="initialCapacity">Capacity to start with (the announced size when known).</param>
    /// <param name="lease">When given, every byte of capacity is reserved from it first; it throws
    /// <see cref="Pipeline.PipelineOverloadedException"/> when too many request bytes are held already.</param>
    public BoundedBuffer(int limit, int initialCapacity = Chunk, BodyLease? lease = null)
    {
        _limit = limit;
        _lease = lease;
        var size = Math.Clamp(initialCapacity, 256, Math.Max(256, limit));
        lease?.Reserve(size);
        _buffer = ArrayPool<byte>.Shared.Rent(size);
    }

    public int Length => _length;

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    /// <summary>Reads <paramref name="source"/> to its end, throwing <see cref="RequestTooLargeException"/> past the limit.</summary>
    public async Task ReadFromAsync(Stream source, string what, CancellationToken ct)
    {
        while (true)
        {
            if (_buffer.Length - _length < 1024)
            {
                Grow(what);
            }

            // Never ask for more than one byte past the limit: that byte alone proves the body is too large.
            var room = Math.Min(_buffer.Length - _length, _limit + 1 - _length);
            var read = await source.ReadAsync(_buffer.AsMemory(_length, room), ct);
            if (read == 0)
            {
                return;
            }

            _length += read;
            if (_length > _limit)
            {
                throw new RequestTooLargeException($"{what} is larger than the limit of {_limit} bytes");
            }
        }
    }

    /// <summary>Decompresses gzip <paramref name="compressed"/> into this buffer, stopping as soon as the limit is passed.</summary>
    public async Task GunzipFromAsync(ReadOnlyMemory<byte> compressed, string what, CancellationToken ct)
    {
        using var source = new ReadOnlyMemoryStream(compressed);
        await using var gzip = new GZipStream(source, CompressionMode.Decompress);
        await ReadFromAsync(gzip, what, ct);
    }

    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        if (b.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }

    private void Grow(string what)
    {
        if (_length > _limit)
        {
            throw new RequestTooLargeException($"{what} is larger than the limit of {_limit} bytes");
        }

        var size = (int)Math.Min(Math.Max((long)_buffer.Length * 2, _length + Chunk), (long)_limit + Chunk);
        _lease?.Reserve(size - _buffer.Length);
        var next = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _length).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, data.Length - _position);
            data.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
