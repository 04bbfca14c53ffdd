using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using OtelLlm.Receiver.Diagnostics;

namespace OtelLlm.Receiver.Pipeline.Spool;

/// <summary>Where one pending record lives on disk.</summary>
internal readonly record struct SpoolEntry(long Segment, long Offset, int Length, bool FromEarlierRun);

/// <summary>
/// An append-only, checksummed, size-bounded queue of batches on local disk. Records are appended to numbered
/// segment files and taken back in the same order; a segment is deleted once every record in it has been completed,
/// and a checkpoint remembers how far completion got.
/// </summary>
/// <remarks>
/// Two rules keep an acknowledged record from ever being skipped: a segment number is never used twice in a folder
/// (numbering continues past both the files found and the checkpoint), and a checkpoint names the segment it belongs
/// to by a random id written in that segment's header, so it can only skip records of that very file. A checkpoint
/// that cannot prove this (written by an older version, or damaged) skips nothing: every record on disk is replayed and
/// the <c>llm_calls</c> dedup and <c>FINAL</c> absorb the repeats. Bytes that cannot be replayed (a record torn by a
/// crash, a corrupt record) are copied to the discard folder, counted and logged before anything is cut. Thread-safe.
/// </remarks>
internal sealed partial class DurableSpool : IDisposable
{
    private const string SegmentExtension = ".spool";
    private const string CheckpointFile = "checkpoint";
    private const string LockFile = "lock";

    private readonly Lock _lock = new();
    private readonly Queue<SpoolEntry> _pending = new();
    private readonly Dictionary<long, long> _segmentBytes = [];
    private readonly Dictionary<long, Guid> _segmentIds = [];
    private readonly string _directory;
    private readonly string _discardDirectory;
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

    private DurableSpool(string directory, string discardDirectory, SpoolOptions options, ILogger logger)
    {
        _directory = directory;
        _discardDirectory = discardDirectory;
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

    /// <summary>Whole records from an earlier process found on open (including those taken over from orphaned folders).</summary>
    public int RecoveredRecords { get; private set; }

    /// <summary>Bytes of torn or corrupt records cut off or stepped over on open, each copied to the discard folder first.</summary>
    public long TruncatedBytes { get; private set; }

    /// <summary>Records found on open that the checkpoint proves were completed, and so were not queued again.</summary>
    public int CompletedRecordsSkipped { get; private set; }

    /// <summary>Whether the checkpoint found on open could prove anything (false: none, an older format, or damaged).</summary>
    public bool CheckpointTrusted { get; private set; }

    /// <summary>Folder the spool lives in.</summary>
    public string DirectoryPath => _directory;

    /// <summary>Folder where bytes that cannot be replayed are kept (raw, one file per occurrence).</summary>
    public string DiscardDirectory => _discardDirectory;

    /// <summary>
    /// Opens (creating if needed) the spool in <paramref name="directory"/> and recovers what it holds, including what
    /// older versions left in private sibling folders (<c>&lt;directory&gt;.&lt;pid&gt;.&lt;suffix&gt;</c>).
    /// </summary>
    /// <param name="directory">The spool folder.</param>
    /// <param name="options">Size and fsync settings.</param>
    /// <param name="logger">Where recovery reports what it found, kept and set aside.</param>
    /// <param name="discardDirectory">Where unreplayable bytes are copied; default <c>&lt;directory&gt;/discarded</c>.</param>
    /// <exception cref="SpoolLockedException">Another live process has the folder open.</exception>
    public static DurableSpool Open(string directory, SpoolOptions options, ILogger logger, string? discardDirectory = null)
    {
        var spool = OpenOne(directory, discardDirectory ?? Path.Combine(directory, "discarded"), options, logger);
        try
        {
            spool.AdoptOrphans(options);
        }
        catch
        {
            spool.Dispose();
            throw;
        }

        return spool;
    }

    private static DurableSpool OpenOne(string directory, string discardDirectory, SpoolOptions options, ILogger logger)
    {
        var spool = new DurableSpool(directory, discardDirectory, options, logger);
        if (!spool.TryLock())
        {
            throw new SpoolLockedException(
                $"The spool folder '{directory}' is in use by another receiver process. Each receiver needs a folder of its own: "
                + "set OtelLlm:Receiver:Spool:Directory (env OtelLlm__Receiver__Spool__Directory) to a different path.");
        }

        try
        {
            spool.Recover();
        }
        catch
        {
            spool.Dispose();
            throw;
        }

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
        => AppendRecord(SpoolRecordCodec.Encode(table, columns, rowCount, rowBinary));

    private SpoolEntry AppendRecord(byte[] record)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_diskBytes + record.Length > _maxBytes)
            {
                throw new SpoolFullException($"The spool holds {_diskBytes} bytes and may hold at most {_maxBytes}; retry later.");
            }

            if (_active is null || _active.Length + record.Length > _segmentMaxBytes && _active.Length > SpoolFiles.SegmentHeaderSize)
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
            _diskBytes += active.Length - _segmentBytes[_activeSegment];
            _segmentBytes[_activeSegment] = active.Length;
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
        var buffer = ReadRaw(entry);
        if (!SpoolRecordCodec.TryReadHeader(buffer, out var length, out var crc) || length != buffer.Length - SpoolRecordCodec.HeaderSize
            || Crc32C.Compute(buffer.AsSpan(SpoolRecordCodec.HeaderSize)) != crc
            || !SpoolRecordCodec.TryDecodePayload(buffer.AsMemory(SpoolRecordCodec.HeaderSize), out var record))
        {
            throw new InvalidDataException($"Spool record at {entry.Segment}:{entry.Offset} no longer matches its checksum.");
        }

        return record;
    }

    /// <summary>
    /// Sets a pending record that can no longer be read aside: its bytes, as far as they can be read, are copied to the
    /// discard folder; the caller then completes it.
    /// </summary>
    public string Discard(SpoolEntry entry, string reason)
    {
        byte[] bytes;
        try
        {
            bytes = ReadRaw(entry);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            bytes = [];
            reason += " (and its bytes could not be read: " + e.Message + ")";
        }

        return KeepDiscarded(entry.Segment, entry.Offset, bytes, reason);
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
            var id = _segmentIds[entry.Segment];
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

            WriteCheckpoint(new SpoolCheckpoint(entry.Segment, id, entry.Offset + entry.Length, Trusted: true));
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

    private byte[] ReadRaw(SpoolEntry entry)
    {
        var buffer = new byte[entry.Length];
        using var handle = File.OpenHandle(SegmentPath(entry.Segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
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

        return buffer;
    }

    private void Recover()
    {
        var checkpoint = ReadCheckpoint();
        CheckpointTrusted = checkpoint.Trusted;
        var segments = new List<long>();
        foreach (var path in Directory.EnumerateFiles(_directory, "*" + SegmentExtension))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                segments.Add(n);
            }
        }

        segments.Sort();

        // Never reuse a position: a checkpoint outlives the segments it points into.
        _nextSegment = Math.Max(checkpoint.Segment + 1, segments.Count > 0 ? segments[^1] + 1 : 0);
        if (!checkpoint.Trusted && checkpoint.Segment >= 0 && segments.Count > 0)
        {
            LogCheckpointUntrusted(_logger, _directory, segments.Count);
        }

        foreach (var segment in segments)
        {
            var (recordStart, id) = ReadSegmentStart(segment);
            if (recordStart < 0)
            {
                DeleteSegment(segment, counted: false);
                continue;
            }

            var skipBefore = recordStart;
            if (checkpoint.Trusted && segment < checkpoint.Segment)
            {
                // Records are completed in order and numbers are never reused: everything in a lower segment is done;
                // only its deletion was lost (a crash between the two).
                CompletedRecordsSkipped += CountRecords(segment, recordStart);
                DeleteSegment(segment, counted: false);
                continue;
            }

            if (checkpoint.Trusted && segment == checkpoint.Segment)
            {
                if (id == checkpoint.SegmentId)
                {
                    skipBefore = Math.Max(recordStart, checkpoint.Offset);
                }
                else
                {
                    LogCheckpointMismatch(_logger, segment, _directory);
                }
            }

            _segmentIds[segment] = id;
            var length = ScanSegment(segment, recordStart, skipBefore);
            if (length == 0)
            {
                _segmentIds.Remove(segment);
                DeleteSegment(segment, counted: false);
                continue;
            }

            _segmentBytes[segment] = length;
            _diskBytes += length;
        }

        if (RecoveredRecords > 0 || TruncatedBytes > 0)
        {
            LogRecovered(_logger, RecoveredRecords, CompletedRecordsSkipped, TruncatedBytes, _directory);
        }
    }

    /// <summary>Where a segment's records start and its id; -1 when the file holds neither a header nor a record.</summary>
    private (long RecordStart, Guid Id) ReadSegmentStart(long segment)
    {
        var path = SegmentPath(segment);
        var start = new byte[SpoolFiles.SegmentHeaderSize];
        int read;
        long length;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            length = stream.Length;
            read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        }

        switch (SpoolFiles.ReadSegmentStart(start.AsSpan(0, read), segment, out var id))
        {
            case SpoolFiles.SegmentStart.Header:
                return (SpoolFiles.SegmentHeaderSize, id);
            case SpoolFiles.SegmentStart.Legacy:
                return (0, id);
            default:
                if (length > 0)
                {
                    // A header torn by a crash right after the file was created holds no record; keep the bytes anyway.
                    TruncatedBytes += length;
                    KeepDiscarded(segment, 0, File.ReadAllBytes(path), "segment without a valid header");
                }

                return (-1, id);
        }
    }

    /// <summary>
    /// Queues the whole records of a segment from <paramref name="skipBefore"/> on. A corrupt record is stepped over to the
    /// next whole one; a torn or corrupt tail is cut off. Every byte not kept is first copied to the discard folder.
    /// Returns the kept length, or 0 when nothing in the segment is pending.
    /// </summary>
    private long ScanSegment(long segment, long recordStart, long skipBefore)
    {
        var path = SegmentPath(segment);
        var data = File.ReadAllBytes(path);
        var offset = recordStart;
        var pendingBefore = _pending.Count;
        while (offset < data.Length)
        {
            var total = WholeRecordAt(data, offset);
            if (total > 0)
            {
                if (offset >= skipBefore)
                {
                    _pending.Enqueue(new SpoolEntry(segment, offset, total, FromEarlierRun: true));
                }
                else
                {
                    CompletedRecordsSkipped++;
                }

                offset += total;
                continue;
            }

            var resume = NextWholeRecord(data, offset + 1);
            var end = resume < 0 ? data.Length : resume;
            TruncatedBytes += end - offset;
            KeepDiscarded(segment, offset, data.AsSpan((int)offset, (int)(end - offset)), resume < 0 ? "torn or corrupt tail" : "corrupt record");
            if (resume < 0)
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
                stream.SetLength(offset);
                stream.Flush(flushToDisk: true);
                break;
            }

            offset = resume;
        }

        var found = _pending.Count - pendingBefore;
        RecoveredRecords += found;
        return found == 0 ? 0 : Math.Min(offset, data.Length);
    }

    private int CountRecords(long segment, long recordStart)
    {
        var data = File.ReadAllBytes(SegmentPath(segment));
        var count = 0;
        for (var offset = recordStart; offset < data.Length;)
        {
            var total = WholeRecordAt(data, offset);
            if (total <= 0)
            {
                break;
            }

            count++;
            offset += total;
        }

        return count;
    }

    /// <summary>The size of the whole, checksum-valid record at <paramref name="offset"/>, or 0.</summary>
    private static int WholeRecordAt(byte[] data, long offset)
    {
        if (data.Length - offset < SpoolRecordCodec.HeaderSize
            || !SpoolRecordCodec.TryReadHeader(data.AsSpan((int)offset), out var payloadLength, out var crc)
            || payloadLength > data.Length - offset - SpoolRecordCodec.HeaderSize)
        {
            return 0;
        }

        var payload = data.AsMemory((int)offset + SpoolRecordCodec.HeaderSize, payloadLength);
        return Crc32C.Compute(payload.Span) == crc && SpoolRecordCodec.TryDecodePayload(payload, out _)
            ? SpoolRecordCodec.HeaderSize + payloadLength
            : 0;
    }

    private static long NextWholeRecord(byte[] data, long from)
    {
        Span<byte> magic = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(magic, SpoolRecordCodec.Magic);
        for (var offset = from; offset < data.Length;)
        {
            var found = data.AsSpan((int)offset).IndexOf(magic);
            if (found < 0)
            {
                return -1;
            }

            offset += found;
            if (WholeRecordAt(data, offset) > 0)
            {
                return offset;
            }

            offset++;
        }

        return -1;
    }

    private string KeepDiscarded(long segment, long offset, ReadOnlySpan<byte> bytes, string reason)
    {
        Directory.CreateDirectory(_discardDirectory);
        var name = string.Create(CultureInfo.InvariantCulture, $"spool-{DateTime.UtcNow:yyyyMMddTHHmmssfff}-{segment:D16}-{offset}-{Guid.NewGuid():N}");
        var path = Path.Combine(_discardDirectory, name + ".bin");
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.WriteAllText(Path.Combine(_discardDirectory, name + ".txt"), string.Create(CultureInfo.InvariantCulture,
            $"spool folder: {_directory}\nsegment: {segment}\noffset: {offset}\nbytes: {bytes.Length}\nreason: {reason}\n"));
        LogDiscarded(_logger, bytes.Length, segment, offset, reason, path);
        return path;
    }

    /// <summary>
    /// Takes over what older versions left in private sibling folders (they used one when the main folder was locked,
    /// and nothing ever replayed it after that process ended): each whole record is appended here, then the folder goes.
    /// </summary>
    private void AdoptOrphans(SpoolOptions options)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(_directory));
        if (parent is null || !Directory.Exists(parent))
        {
            return;
        }

        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(_directory)));
        foreach (var folder in Directory.EnumerateDirectories(parent, name + ".*"))
        {
            var folderName = Path.GetFileName(folder);
            if (folderName.Length <= name.Length + 1 || !folderName.StartsWith(name + ".", StringComparison.Ordinal)
                || !OrphanSuffix().IsMatch(folderName[(name.Length + 1)..]))
            {
                continue;
            }

            DurableSpool orphan;
            try
            {
                orphan = OpenOne(folder, _discardDirectory, new SpoolOptions { MaxSpoolBytes = long.MaxValue, Fsync = options.Fsync }, _logger);
            }
            catch (SpoolLockedException)
            {
                LogOrphanInUse(_logger, folder);
                continue;
            }

            var moved = 0;
            using (orphan)
            {
                while (orphan.TryPeek(out var entry))
                {
                    byte[] record;
                    try
                    {
                        record = orphan.ReadRaw(entry);
                        _ = orphan.Read(entry);
                    }
                    catch (Exception e) when (e is IOException or InvalidDataException)
                    {
                        orphan.KeepDiscarded(entry.Segment, entry.Offset, [], "unreadable record in an orphaned spool folder: " + e.Message);
                        orphan.Complete(entry);
                        continue;
                    }

                    try
                    {
                        AppendRecord(record);
                    }
                    catch (SpoolFullException)
                    {
                        LogOrphanPartlyAdopted(_logger, folder, moved, orphan.PendingCount);
                        return;
                    }

                    orphan.Complete(entry);
                    moved++;
                }
            }

            RecoveredRecords += moved;
            Directory.Delete(folder, recursive: true);
            LogOrphanAdopted(_logger, moved, folder, _directory);
        }
    }

    private void StartSegment()
    {
        if (_active is not null)
        {
            Sync(_active, force: _fsync != SpoolFsyncPolicy.Never);
            _active.Dispose();
        }

        _activeSegment = _nextSegment++;
        var id = Guid.NewGuid();
        _active = new FileStream(SegmentPath(_activeSegment), FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 1, FileOptions.None);
        _active.Write(SpoolFiles.EncodeSegmentHeader(_activeSegment, id));
        _segmentIds[_activeSegment] = id;
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

        _segmentIds.Remove(segment);
        File.Delete(SegmentPath(segment));
    }

    private void WriteCheckpoint(SpoolCheckpoint checkpoint)
    {
        // Replaced whole by a rename, so a crash leaves the old checkpoint or the new one, never a mix. Not fsynced:
        // losing it only means replaying completed records, which the dedup and FINAL absorb.
        var path = Path.Combine(_directory, CheckpointFile);
        var temporary = path + ".tmp";
        using (var handle = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, SpoolFiles.EncodeCheckpoint(checkpoint), 0);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private SpoolCheckpoint ReadCheckpoint()
    {
        var path = Path.Combine(_directory, CheckpointFile);
        return File.Exists(path) ? SpoolFiles.ReadCheckpoint(File.ReadAllBytes(path)) : SpoolCheckpoint.None;
    }

    private string SegmentPath(long segment) => Path.Combine(_directory, segment.ToString("D16", CultureInfo.InvariantCulture) + SegmentExtension);

    [GeneratedRegex("^[0-9]+\\.[0-9a-f]{6}$", RegexOptions.CultureInvariant)]
    private static partial Regex OrphanSuffix();

    [LoggerMessage(EventId = ReceiverEventIds.SpoolRecovered, Level = LogLevel.Warning, Message = "Spool recovered {Records} pending batches from {Directory} ({Skipped} already written skipped, {TruncatedBytes} bytes of torn or corrupt records set aside)")]
    private static partial void LogRecovered(ILogger logger, int records, int skipped, long truncatedBytes, string directory);

    [LoggerMessage(EventId = ReceiverEventIds.SpoolBytesSetAside, Level = LogLevel.Error, Message = "Spool set aside {Bytes} bytes of segment {Segment} at offset {Offset} ({Reason}); kept in {Path}")]
    private static partial void LogDiscarded(ILogger logger, int bytes, long segment, long offset, string reason, string path);

    [LoggerMessage(EventId = ReceiverEventIds.SpoolCheckpointUntrusted, Level = LogLevel.Warning, Message = "Spool checkpoint in {Directory} is from an older version or damaged and proves nothing; all {Segments} segments are replayed in full (repeats are absorbed by dedup and FINAL)")]
    private static partial void LogCheckpointUntrusted(ILogger logger, string directory, int segments);

    [LoggerMessage(EventId = ReceiverEventIds.SpoolCheckpointSegmentClash, Level = LogLevel.Warning, Message = "Spool checkpoint names segment {Segment} in {Directory} but another file has that number; the segment is replayed in full")]
    private static partial void LogCheckpointMismatch(ILogger logger, long segment, string directory);

    [LoggerMessage(EventId = ReceiverEventIds.OrphanSpoolTakenOver, Level = LogLevel.Warning, Message = "Spool took over {Records} pending batches from the orphaned folder {Orphan} into {Directory}")]
    private static partial void LogOrphanAdopted(ILogger logger, int records, string orphan, string directory);

    [LoggerMessage(EventId = ReceiverEventIds.OrphanSpoolHeld, Level = LogLevel.Warning, Message = "Orphaned spool folder {Orphan} is held by a running process; left as it is")]
    private static partial void LogOrphanInUse(ILogger logger, string orphan);

    [LoggerMessage(EventId = ReceiverEventIds.SpoolFullDuringTakeover, Level = LogLevel.Warning, Message = "The spool is full; took over {Moved} batches from the orphaned folder {Orphan}, {Left} stay there until the next start")]
    private static partial void LogOrphanPartlyAdopted(ILogger logger, string orphan, int moved, int left);
}
