using System.Buffers.Binary;
using System.Globalization;

namespace OtelLlm.Receiver.Pipeline.Spool;

/// <summary>Where one pending record lives on disk.</summary>
internal readonly record struct SpoolEntry(long Segment, long Offset, int Length, bool FromEarlierRun);

/// <summary>
/// An append-only, checksummed, size-bounded queue of batches on local disk. Records are appended to numbered
/// segment files and taken back in the same order; a segment is deleted once every record in it has been completed.
/// Opening the spool scans the segments, truncates a torn or corrupt tail at the first record whose checksum fails,
/// and queues every whole record left by an earlier process. Thread-safe.
/// </summary>
internal sealed partial class DurableSpool : IDisposable
{
    private const string SegmentExtension = ".spool";
    private const string CheckpointFile = "checkpoint";
    private const string LockFile = "lock";

    private readonly Lock _lock = new();
    private readonly Queue<SpoolEntry> _pending = new();
    private readonly Dictionary<long, long> _segmentBytes = [];
    private readonly string _directory;
    private readonly long _maxBytes;
    private readonly long _segmentMaxBytes;
    private readonly SpoolFsyncPolicy _fsync;
    private readonly long _fsyncIntervalTicks;
    private readonly ILogger _logger;
    private FileStream? _lockHandle;
    private FileStream? _active;
    private long _activeSegment;
    private long _nextSegment;
    private long _diskBytes;
    private long _lastFsyncTicks;
    private bool _disposed;

    private DurableSpool(string directory, SpoolOptions options, ILogger logger)
    {
        _directory = directory;
        _maxBytes = options.MaxSpoolBytes;
        _segmentMaxBytes = Math.Max(4096, options.SegmentBytes);
        _fsync = options.Fsync;
        _fsyncIntervalTicks = TimeSpan.FromMilliseconds(Math.Max(1, options.FsyncIntervalMilliseconds)).Ticks;
        _logger = logger;
    }

    /// <summary>Records waiting to be completed.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Bytes of segment files on disk.</summary>
    public long DiskBytes => Interlocked.Read(ref _diskBytes);

    /// <summary>Whole records from an earlier process found on open.</summary>
    public int RecoveredRecords { get; private set; }

    /// <summary>Bytes of torn or corrupt records cut off on open.</summary>
    public long TruncatedBytes { get; private set; }

    /// <summary>Folder the spool lives in.</summary>
    public string DirectoryPath => _directory;

    /// <summary>
    /// Opens (creating if needed) the spool in <paramref name="directory"/> and recovers what it holds. The folder is
    /// locked for this process; when another live process holds it, a private sibling folder
    /// (<c>&lt;directory&gt;.&lt;pid&gt;</c>) is used instead and a warning logged, so two receivers never share segments.
    /// </summary>
    public static DurableSpool Open(string directory, SpoolOptions options, ILogger logger)
    {
        var path = directory;
        var spool = new DurableSpool(path, options, logger);
        if (!spool.TryLock())
        {
            path = directory + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N")[..6];
            LogLocked(logger, directory, path);
            spool = new DurableSpool(path, options, logger);
            spool.TryLock();
        }

        spool.Recover();
        return spool;
    }

    private bool TryLock()
    {
        Directory.CreateDirectory(_directory);
        try
        {
            _lockHandle = new FileStream(Path.Combine(_directory, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Appends a batch and makes it as durable as the fsync policy says before returning.</summary>
    /// <exception cref="SpoolFullException">The spool is at <see cref="SpoolOptions.MaxSpoolBytes"/>.</exception>
    public SpoolEntry Append(string table, string columns, ReadOnlySpan<byte> rowBinary, int rowCount)
    {
        var record = SpoolRecordCodec.Encode(table, columns, rowCount, rowBinary);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_diskBytes + record.Length > _maxBytes)
            {
                throw new SpoolFullException($"The spool holds {_diskBytes} bytes and may hold at most {_maxBytes}; retry later.");
            }

            if (_active is null || _active.Length + record.Length > _segmentMaxBytes && _active.Length > 0)
            {
                StartSegment();
            }

            var active = _active!;
            var offset = active.Length;
            try
            {
                active.Write(record);
                Sync(active);
            }
            catch
            {
                // A partly written record would poison every later one; cut it off before anyone reads past it.
                active.SetLength(offset);
                throw;
            }

            var entry = new SpoolEntry(_activeSegment, offset, record.Length, FromEarlierRun: false);
            _pending.Enqueue(entry);
            _segmentBytes[_activeSegment] = active.Length;
            _diskBytes += record.Length;
            return entry;
        }
    }

    /// <summary>The oldest pending record, without removing it.</summary>
    public bool TryPeek(out SpoolEntry entry)
    {
        lock (_lock)
        {
            return _pending.TryPeek(out entry);
        }
    }

    /// <summary>Reads a pending record back from disk, checking its checksum again.</summary>
    public SpoolRecord Read(SpoolEntry entry)
    {
        var buffer = new byte[entry.Length];
        using (var handle = File.OpenHandle(SegmentPath(entry.Segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            var read = 0;
            while (read < buffer.Length)
            {
                var n = RandomAccess.Read(handle, buffer.AsSpan(read), entry.Offset + read);
                if (n == 0)
                {
                    throw new InvalidDataException($"Spool segment {entry.Segment} ends inside a record.");
                }

                read += n;
            }
        }

        if (!SpoolRecordCodec.TryReadHeader(buffer, out var length, out var crc) || length != buffer.Length - SpoolRecordCodec.HeaderSize
            || Crc32C.Compute(buffer.AsSpan(SpoolRecordCodec.HeaderSize)) != crc
            || !SpoolRecordCodec.TryDecodePayload(buffer.AsMemory(SpoolRecordCodec.HeaderSize), out var record))
        {
            throw new InvalidDataException($"Spool record at {entry.Segment}:{entry.Offset} no longer matches its checksum.");
        }

        return record;
    }

    /// <summary>Marks the oldest pending record done; deletes its segment when nothing in it is pending any more.</summary>
    public void Complete(SpoolEntry entry)
    {
        lock (_lock)
        {
            if (!_pending.TryPeek(out var head) || head != entry)
            {
                throw new InvalidOperationException("Spool records must be completed in order.");
            }

            _pending.Dequeue();
            var segmentDone = !_pending.TryPeek(out var next) || next.Segment != entry.Segment;
            if (segmentDone)
            {
                if (entry.Segment == _activeSegment && _active is not null)
                {
                    _active.Dispose();
                    _active = null;
                }

                DeleteSegment(entry.Segment);
            }

            WriteCheckpoint(entry.Segment, entry.Offset + entry.Length);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            if (_active is not null)
            {
                Sync(_active, force: _fsync != SpoolFsyncPolicy.Never);
                _active.Dispose();
                _active = null;
            }

            _lockHandle?.Dispose();
            _lockHandle = null;
        }
    }

    private void Recover()
    {
        var (doneSegment, doneOffset) = ReadCheckpoint();
        var segments = new List<long>();
        foreach (var path in Directory.EnumerateFiles(_directory, "*" + SegmentExtension))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                segments.Add(n);
            }
        }

        segments.Sort();
        foreach (var segment in segments)
        {
            _nextSegment = Math.Max(_nextSegment, segment + 1);
            if (segment < doneSegment)
            {
                DeleteSegment(segment, counted: false);
                continue;
            }

            var skipBefore = segment == doneSegment ? doneOffset : 0;
            var length = ScanSegment(segment, skipBefore);
            if (length == 0)
            {
                DeleteSegment(segment, counted: false);
                continue;
            }

            _segmentBytes[segment] = length;
            _diskBytes += length;
        }

        if (RecoveredRecords > 0 || TruncatedBytes > 0)
        {
            LogRecovered(_logger, RecoveredRecords, TruncatedBytes, _directory);
        }
    }

    /// <summary>Queues the whole records of a segment and truncates it at the first bad one; returns the kept length.</summary>
    private long ScanSegment(long segment, long skipBefore)
    {
        var path = SegmentPath(segment);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var header = new byte[SpoolRecordCodec.HeaderSize];
        long offset = 0;
        var pendingBefore = _pending.Count;
        while (true)
        {
            stream.Position = offset;
            if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            {
                break;
            }

            if (!SpoolRecordCodec.TryReadHeader(header, out var payloadLength, out var crc) || payloadLength > stream.Length - offset - header.Length)
            {
                break;
            }

            var payload = new byte[payloadLength];
            stream.ReadExactly(payload);
            if (Crc32C.Compute(payload) != crc || !SpoolRecordCodec.TryDecodePayload(payload, out _))
            {
                break;
            }

            var total = SpoolRecordCodec.HeaderSize + payloadLength;
            if (offset >= skipBefore)
            {
                _pending.Enqueue(new SpoolEntry(segment, offset, total, FromEarlierRun: true));
            }

            offset += total;
        }

        if (offset < stream.Length)
        {
            TruncatedBytes += stream.Length - offset;
            LogTruncated(_logger, segment, offset, stream.Length - offset);
            stream.SetLength(offset);
            stream.Flush(flushToDisk: true);
        }

        var found = _pending.Count - pendingBefore;
        RecoveredRecords += found;
        return found == 0 ? 0 : offset;
    }

    private void StartSegment()
    {
        if (_active is not null)
        {
            Sync(_active, force: _fsync != SpoolFsyncPolicy.Never);
            _active.Dispose();
        }

        _activeSegment = _nextSegment++;
        _active = new FileStream(SegmentPath(_activeSegment), FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 1, FileOptions.None);
        _segmentBytes[_activeSegment] = 0;
    }

    private void Sync(FileStream stream, bool force = false)
    {
        var now = Environment.TickCount64 * TimeSpan.TicksPerMillisecond;
        var toDisk = force || _fsync switch
        {
            SpoolFsyncPolicy.Always => true,
            SpoolFsyncPolicy.Interval => now - _lastFsyncTicks >= _fsyncIntervalTicks,
            _ => false,
        };
        stream.Flush(toDisk);
        if (toDisk)
        {
            _lastFsyncTicks = now;
        }
    }

    private void DeleteSegment(long segment, bool counted = true)
    {
        if (counted && _segmentBytes.Remove(segment, out var bytes))
        {
            _diskBytes -= bytes;
        }

        File.Delete(SegmentPath(segment));
    }

    private void WriteCheckpoint(long segment, long offset)
    {
        // Not fsynced: losing it only means re-sending completed records, which dedup and FINAL absorb.
        Span<byte> data = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(data, segment);
        BinaryPrimitives.WriteInt64LittleEndian(data[8..], offset);
        using var handle = File.OpenHandle(Path.Combine(_directory, CheckpointFile), FileMode.Create, FileAccess.Write);
        RandomAccess.Write(handle, data, 0);
    }

    private (long Segment, long Offset) ReadCheckpoint()
    {
        var path = Path.Combine(_directory, CheckpointFile);
        if (!File.Exists(path))
        {
            return (-1, 0);
        }

        var data = File.ReadAllBytes(path);
        return data.Length == 16
            ? (BinaryPrimitives.ReadInt64LittleEndian(data), BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(8)))
            : (-1, 0);
    }

    private string SegmentPath(long segment) => Path.Combine(_directory, segment.ToString("D16", CultureInfo.InvariantCulture) + SegmentExtension);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Spool recovered {Records} pending batches from {Directory} ({TruncatedBytes} bytes of torn or corrupt records cut off)")]
    private static partial void LogRecovered(ILogger logger, int records, long truncatedBytes, string directory);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Spool folder {Directory} is in use by another process; this one spools to {Private}")]
    private static partial void LogLocked(ILogger logger, string directory, string @private);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Spool segment {Segment} has a torn or corrupt record at offset {Offset}; cut off {Bytes} bytes")]
    private static partial void LogTruncated(ILogger logger, long segment, long offset, long bytes);
}
