using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Win32.SafeHandles;
using OtelLlm.Receiver.Diagnostics;

namespace OtelLlm.Receiver.Pipeline.Wal;

/// <summary>Where one unwritten record lives on disk.</summary>
/// <param name="Segment">Number of the segment file.</param>
/// <param name="Offset">Where the record starts in it.</param>
/// <param name="Length">Bytes of the whole record.</param>
/// <param name="FromEarlierRun">Found on disk at start-up (an earlier process may have written it to ClickHouse already).</param>
/// <param name="Sequence">Order of the append in this process (0 for records of an earlier run, which are durable).</param>
/// <param name="AppendedAt">When it was appended (<see cref="Environment.TickCount64"/>; start-up time for earlier runs' records).</param>
internal readonly record struct WalEntry(long Segment, long Offset, int Length, bool FromEarlierRun, long Sequence = 0, long AppendedAt = 0);

/// <summary>One table's rows of a request, to append.</summary>
internal readonly record struct WalAppend(string Table, string Columns, ReadOnlyMemory<byte> RowBinary, int RowCount);

/// <summary>
/// The receiver's write-ahead log: an append-only, checksummed, size-bounded log of accepted rows on local disk, in
/// numbered segment files. A request's records are appended together and acknowledged once they are durable
/// (<see cref="WaitDurableAsync"/>; requests arriving close together share one fsync); the writers read them back in
/// order (<see cref="PeekDurable"/>), insert them into ClickHouse and complete them (<see cref="Complete(IReadOnlyList{WalEntry}, IReadOnlyList{int})"/>), which
/// advances a checkpoint and deletes segments nothing unwritten is left in.
/// </summary>
/// <remarks>
/// Two rules keep an acknowledged record from ever being skipped: a segment number is never used twice in a folder
/// (numbering continues past both the files found and the checkpoint), and a checkpoint names the segment it belongs
/// to by a random id written in that segment's header, so it can only skip records of that very file. A checkpoint
/// that cannot prove this (written by an older version, or damaged) skips nothing: every record on disk is written
/// again and the <c>llm_calls</c> dedup and <c>FINAL</c> absorb the repeats. Bytes that cannot be read back (a record
/// torn by a crash, a corrupt record) are copied to the dead-letter folder, counted and logged before anything is cut.
/// Thread-safe.
/// </remarks>
internal sealed partial class WriteAheadLog : IDisposable
{
    /// <summary>File name extension of the log's segments.</summary>
    public const string LogExtension = ".wal";

    /// <summary>File name extension of the segments of the spool that came before the log (same record format).</summary>
    public const string LegacySpoolExtension = ".spool";

    private const string CheckpointFile = "checkpoint";
    private const string LockFile = "lock";

    private readonly Lock _lock = new();
    private readonly Queue<WalEntry> _pending = new();
    private readonly Dictionary<long, long> _segmentBytes = [];
    private readonly Dictionary<long, Guid> _segmentIds = [];
    private readonly string _directory;
    private readonly string _extension;
    private readonly string _discardDirectory;
    private readonly long _maxBytes;
    private readonly long _segmentMaxBytes;
    private readonly WalDurability _durability;
    private readonly int _groupCommitMilliseconds;
    private readonly ILogger _logger;
    /// <summary>
    /// Set when a request needs an fsync. An event the group-commit thread blocks on at once: SemaphoreSlim spins
    /// (sched_yield) before it blocks, which cost this thread about 2% of the receiver's CPU at ten syncs a second
    /// (bench/RESULTS.md §12.4).
    /// </summary>
    private readonly AutoResetEvent _syncWanted = new(false);
    private TaskCompletionSource _nextSync = NewSync();
    private Thread? _syncThread;
    private FileStream? _lockHandle;
    private FileStream? _active;
    private long _activeSegment;
    private long _nextSegment;
    private long _diskBytes;
    private long _appendedSequence;
    private long _durableSequence;
    private long _pendingRows;
    private long _pendingBytes;
    private long _startedAt = Environment.TickCount64;
    private volatile bool _disposed;
    private volatile bool _full;

    private WriteAheadLog(string directory, string extension, string discardDirectory, WalOptions options, ILogger logger)
    {
        _directory = directory;
        _extension = extension;
        _discardDirectory = discardDirectory;
        _maxBytes = options.MaxLogBytes;
        _segmentMaxBytes = Math.Max(4096, options.SegmentBytes);
        _durability = options.Durability;
        _groupCommitMilliseconds = Math.Max(0, options.GroupCommitMilliseconds);
        _logger = logger;
    }

    /// <summary>Raised after each fsync with how long it took (for metrics).</summary>
    public event Action<TimeSpan>? Synced;

    /// <summary>Test seam: when set, every append throws what it returns (if anything) instead of writing, like a full disk.</summary>
    internal Func<Exception?>? WriteFault { get; set; }

    /// <summary>Records not yet completed.</summary>
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

    /// <summary>Rows in records not yet completed (records of an earlier run counted as they were found).</summary>
    public long PendingRows => Interlocked.Read(ref _pendingRows);

    /// <summary>Bytes of records not yet completed.</summary>
    public long PendingBytes => Interlocked.Read(ref _pendingBytes);

    /// <summary>Bytes of segment files on disk.</summary>
    public long DiskBytes => Interlocked.Read(ref _diskBytes);

    /// <summary>Most bytes the log may hold.</summary>
    public long MaxBytes => _maxBytes;

    /// <summary>
    /// Whether the log refuses new data for lack of room: from the first append that did not fit until the writers have
    /// brought it below nine tenths of <see cref="MaxBytes"/>, so refusals do not flap with every completed batch.
    /// </summary>
    public bool Full => _full || DiskBytes >= _maxBytes;

    /// <summary>Records appended by this process so far.</summary>
    public long AppendedSequence => Interlocked.Read(ref _appendedSequence);

    /// <summary>Records appended by this process that are durable.</summary>
    public long DurableSequence => Interlocked.Read(ref _durableSequence);

    /// <summary>Age of the oldest record not yet completed; zero when there is none.</summary>
    public TimeSpan OldestPendingAge
    {
        get
        {
            lock (_lock)
            {
                return _pending.TryPeek(out var head) ? TimeSpan.FromMilliseconds(Math.Max(0, Environment.TickCount64 - head.AppendedAt)) : TimeSpan.Zero;
            }
        }
    }

    /// <summary>Whole records from an earlier process found on open (including those taken over from older spool folders).</summary>
    public int RecoveredRecords { get; private set; }

    /// <summary>Bytes of torn or corrupt records cut off or stepped over on open, each copied to the dead-letter folder first.</summary>
    public long TruncatedBytes { get; private set; }

    /// <summary>Records found on open that the checkpoint proves were completed, and so were not queued again.</summary>
    public int CompletedRecordsSkipped { get; private set; }

    /// <summary>Whether the checkpoint found on open could prove anything (false: none, an older format, or damaged).</summary>
    public bool CheckpointTrusted { get; private set; }

    /// <summary>Folder the log lives in.</summary>
    public string DirectoryPath => _directory;

    /// <summary>Folder where bytes that cannot be read back are kept (raw, one file per occurrence).</summary>
    public string DiscardDirectory => _discardDirectory;

    /// <summary>
    /// Opens (creating if needed) the log in <paramref name="directory"/> and recovers what it holds; then moves in what
    /// the spool of earlier releases left in <paramref name="legacySpoolDirectory"/> and its private sibling folders
    /// (<c>&lt;spool&gt;.&lt;pid&gt;.&lt;suffix&gt;</c>).
    /// </summary>
    /// <param name="directory">The log folder.</param>
    /// <param name="options">Size and durability settings.</param>
    /// <param name="logger">Where recovery reports what it found, kept and set aside.</param>
    /// <param name="discardDirectory">Where unreadable bytes are copied; default <c>&lt;directory&gt;/discarded</c>.</param>
    /// <param name="legacySpoolDirectory">The spool folder of earlier releases, or null.</param>
    /// <exception cref="WalLockedException">Another live process has the folder open.</exception>
    public static WriteAheadLog Open(string directory, WalOptions options, ILogger logger, string? discardDirectory = null, string? legacySpoolDirectory = null)
    {
        var log = OpenOne(directory, LogExtension, discardDirectory ?? Path.Combine(directory, "discarded"), options, logger);
        try
        {
            if (!string.IsNullOrEmpty(legacySpoolDirectory))
            {
                log.TakeOverLegacySpool(Path.GetFullPath(legacySpoolDirectory), options);
            }

            log._startedAt = Environment.TickCount64;
            log._syncThread = new Thread(log.SyncLoop) { IsBackground = true, Name = "OtelLlm WAL group commit" };
            log._syncThread.Start();
        }
        catch
        {
            log.Dispose();
            throw;
        }

        return log;
    }

    private static WriteAheadLog OpenOne(string directory, string extension, string discardDirectory, WalOptions options, ILogger logger)
    {
        var log = new WriteAheadLog(directory, extension, discardDirectory, options, logger);
        if (!log.TryLock())
        {
            throw new WalLockedException(
                $"The write-ahead log folder '{directory}' is in use by another receiver process. Each receiver needs a folder of its own: "
                + "set OtelLlm:Receiver:Wal:Directory (env OtelLlm__Receiver__Wal__Directory) to a different path.");
        }

        try
        {
            log.Recover();
        }
        catch
        {
            log.Dispose();
            throw;
        }

        return log;
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

    /// <summary>Appends one batch (see <see cref="Append(ReadOnlySpan{WalAppend})"/>).</summary>
    public long Append(string table, string columns, ReadOnlySpan<byte> rowBinary, int rowCount)
        => Append([new WalAppend(table, columns, rowBinary.ToArray(), rowCount)]);

    /// <summary>
    /// Appends the records of one request together, in one segment, in one write: all of them or (on an error) none.
    /// Returns the sequence number to pass to <see cref="WaitDurableAsync"/>; the records are in the operating system's
    /// cache when this returns, not yet necessarily on the disk.
    /// </summary>
    /// <exception cref="WalFullException">The log is at <see cref="WalOptions.MaxLogBytes"/>; nothing was appended.</exception>
    /// <exception cref="IOException">The disk refused the write (full, failing); nothing was appended.</exception>
    public long Append(ReadOnlySpan<WalAppend> records)
    {
        var total = 0;
        foreach (var r in records)
        {
            total += WalRecordCodec.EncodedLength(r.Table, r.Columns, r.RowBinary.Length);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            Span<int> lengths = stackalloc int[records.Length];
            var written = 0;
            for (var i = 0; i < records.Length; i++)
            {
                var r = records[i];
                lengths[i] = WalRecordCodec.EncodeInto(buffer.AsSpan(written), r.Table, r.Columns, r.RowCount, r.RowBinary.Span);
                written += lengths[i];
            }

            Span<int> rowCounts = stackalloc int[records.Length];
            for (var i = 0; i < records.Length; i++)
            {
                rowCounts[i] = records[i].RowCount;
            }

            return AppendEncoded(buffer.AsSpan(0, total), lengths, rowCounts);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private long AppendEncoded(ReadOnlySpan<byte> encoded, ReadOnlySpan<int> lengths, ReadOnlySpan<int> rowCounts)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_full || (_diskBytes + encoded.Length > _maxBytes && _diskBytes > 0))
            {
                _full = true;
                throw new WalFullException($"The write-ahead log holds {_diskBytes} bytes and may hold at most {_maxBytes} (OtelLlm:Receiver:Wal:MaxLogBytes); ClickHouse is not taking rows as fast as they arrive. Retry later.");
            }

            if (WriteFault?.Invoke() is { } fault)
            {
                throw fault;
            }

            if (_active is null || _active.Length + encoded.Length > _segmentMaxBytes && _active.Length > WalFiles.SegmentHeaderSize)
            {
                StartSegment();
            }

            var active = _active!;
            var offset = active.Length;
            try
            {
                active.Write(encoded);
            }
            catch
            {
                // A partly written record would poison every later one; cut it off before anyone reads past it.
                TryCut(active, offset);
                throw;
            }

            var now = Environment.TickCount64;
            var at = offset;
            long rows = 0;
            for (var i = 0; i < lengths.Length; i++)
            {
                _pending.Enqueue(new WalEntry(_activeSegment, at, lengths[i], FromEarlierRun: false, ++_appendedSequence, now));
                at += lengths[i];
                rows += rowCounts[i];
            }

            _pendingRows += rows;
            _pendingBytes += encoded.Length;
            _diskBytes += active.Length - _segmentBytes[_activeSegment];
            _segmentBytes[_activeSegment] = active.Length;
            if (_durability == WalDurability.Os)
            {
                _durableSequence = _appendedSequence;
            }

            return _appendedSequence;
        }
    }

    private static void TryCut(FileStream stream, long length)
    {
        try
        {
            stream.SetLength(length);
        }
        catch (IOException)
        {
            // The tail cannot even be cut: recovery at the next start finds the torn record by its checksum and sets it aside.
        }
    }

    /// <summary>Completes when every record up to <paramref name="sequence"/> is as durable as <see cref="WalOptions.Durability"/> says.</summary>
    /// <exception cref="IOException">The fsync failed; the request must not be acknowledged.</exception>
    public async ValueTask WaitDurableAsync(long sequence)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_durableSequence >= sequence)
                {
                    return;
                }

                ObjectDisposedException.ThrowIf(_disposed, this);
                wait = _nextSync.Task;
            }

            try
            {
                _syncWanted.Set();
            }
            catch (ObjectDisposedException)
            {
                // Disposed meanwhile: the wait below ends with the same exception.
            }

            await wait.ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSync() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Group commit: waits for a request to need an fsync, lets others join for the window, syncs once for all.</summary>
    private void SyncLoop()
    {
        while (!_disposed)
        {
            _syncWanted.WaitOne();
            if (_disposed)
            {
                break;
            }

            if (_groupCommitMilliseconds > 0)
            {
                Thread.Sleep(_groupCommitMilliseconds);
            }

            long target;
            SafeFileHandle? handle;
            TaskCompletionSource done;
            lock (_lock)
            {
                target = _appendedSequence;
                handle = _active?.SafeFileHandle;
                done = _nextSync;
                _nextSync = NewSync();
                if (_durableSequence >= target)
                {
                    done.TrySetResult();
                    continue;
                }
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                if (handle is not null)
                {
                    RandomAccess.FlushToDisk(handle);
                }
            }
            catch (ObjectDisposedException)
            {
                // The segment was closed meanwhile: closing it (a roll, or disposal) fsynced it first.
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogSyncFailed(_logger, _directory, e.Message);
                done.TrySetException(new IOException("Writing the write-ahead log to disk failed: " + e.Message, e));
                continue;
            }

            Synced?.Invoke(Stopwatch.GetElapsedTime(started));
            lock (_lock)
            {
                _durableSequence = Math.Max(_durableSequence, target);
            }

            done.TrySetResult();
        }
    }

    /// <summary>
    /// Copies into <paramref name="into"/>, oldest first, the durable records not yet completed: at most
    /// <paramref name="maxRecords"/> of them and no more bytes than <paramref name="maxBytes"/> (at least one record).
    /// </summary>
    public void PeekDurable(List<WalEntry> into, int maxRecords, long maxBytes)
    {
        into.Clear();
        lock (_lock)
        {
            long bytes = 0;
            foreach (var entry in _pending)
            {
                if (into.Count >= maxRecords || (into.Count > 0 && bytes + entry.Length > maxBytes)
                    || (!entry.FromEarlierRun && entry.Sequence > _durableSequence))
                {
                    break;
                }

                into.Add(entry);
                bytes += entry.Length;
            }
        }
    }

    /// <summary>The oldest record not yet completed, without removing it.</summary>
    public bool TryPeek(out WalEntry entry)
    {
        lock (_lock)
        {
            return _pending.TryPeek(out entry);
        }
    }

    /// <summary>Reads a record back from disk, checking its checksum again.</summary>
    public WalRecord Read(WalEntry entry)
    {
        var buffer = ReadRaw(entry);
        if (!WalRecordCodec.TryReadHeader(buffer, out var length, out var crc) || length != buffer.Length - WalRecordCodec.HeaderSize
            || Crc32C.Compute(buffer.AsSpan(WalRecordCodec.HeaderSize)) != crc
            || !WalRecordCodec.TryDecodePayload(buffer.AsMemory(WalRecordCodec.HeaderSize), out var record))
        {
            throw new InvalidDataException($"Write-ahead log record at {entry.Segment}:{entry.Offset} no longer matches its checksum.");
        }

        return record;
    }

    /// <summary>
    /// Sets a record that can no longer be read aside: its bytes, as far as they can be read, are copied to the
    /// dead-letter folder; the caller then completes it.
    /// </summary>
    public string Discard(WalEntry entry, string reason)
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

    /// <summary>Marks the oldest record done (see <see cref="Complete(IReadOnlyList{WalEntry}, IReadOnlyList{int})"/>).</summary>
    public void Complete(WalEntry entry) => Complete([entry], null);

    /// <summary>
    /// Marks the oldest records done, in order: the checkpoint moves past them (one write) and segments nothing
    /// unwritten is left in are deleted.
    /// </summary>
    /// <param name="entries">The oldest pending records, oldest first.</param>
    /// <param name="rowCounts">Rows of each, for the pending-rows count; null when not known.</param>
    public void Complete(IReadOnlyList<WalEntry> entries, IReadOnlyList<int>? rowCounts)
    {
        if (entries.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            var checkpoint = WalCheckpoint.None;
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                if (!_pending.TryPeek(out var head) || head != entry)
                {
                    throw new InvalidOperationException("Write-ahead log records must be completed in order.");
                }

                _pending.Dequeue();
                _pendingBytes -= entry.Length;
                _pendingRows -= rowCounts?[i] ?? 0;
                checkpoint = new WalCheckpoint(entry.Segment, _segmentIds[entry.Segment], entry.Offset + entry.Length, Trusted: true);
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
            }

            WriteCheckpoint(checkpoint);
            if (_full && _diskBytes <= _maxBytes / 10 * 9)
            {
                _full = false;
            }

            if (_pending.Count == 0)
            {
                _pendingRows = 0;
                _pendingBytes = 0;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_active is not null)
            {
                try
                {
                    _active.Flush(flushToDisk: _durability == WalDurability.Fsync);
                    _durableSequence = _appendedSequence;
                }
                catch (IOException)
                {
                    // Whatever was not synced was not acknowledged.
                }

                _active.Dispose();
                _active = null;
            }

            _lockHandle?.Dispose();
            _lockHandle = null;
            _nextSync.TrySetException(new ObjectDisposedException(nameof(WriteAheadLog)));
        }

        _syncWanted.Set();
        _syncThread?.Join();
        _syncWanted.Dispose();
    }

    private byte[] ReadRaw(WalEntry entry)
    {
        var buffer = new byte[entry.Length];
        using var handle = File.OpenHandle(SegmentPath(entry.Segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var read = 0;
        while (read < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(read), entry.Offset + read);
            if (n == 0)
            {
                throw new InvalidDataException($"Segment {entry.Segment} ends inside a record.");
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
        foreach (var path in Directory.EnumerateFiles(_directory, "*" + _extension))
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
        var start = new byte[WalFiles.SegmentHeaderSize];
        int read;
        long length;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            length = stream.Length;
            read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        }

        switch (WalFiles.ReadSegmentStart(start.AsSpan(0, read), segment, out var id))
        {
            case WalFiles.SegmentStart.Header:
                return (WalFiles.SegmentHeaderSize, id);
            case WalFiles.SegmentStart.Legacy:
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
                    _pending.Enqueue(new WalEntry(segment, offset, total, FromEarlierRun: true, 0, Environment.TickCount64));
                    _pendingBytes += total;
                    _pendingRows += RowCountAt(data, offset, total);
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
        if (data.Length - offset < WalRecordCodec.HeaderSize
            || !WalRecordCodec.TryReadHeader(data.AsSpan((int)offset), out var payloadLength, out var crc)
            || payloadLength > data.Length - offset - WalRecordCodec.HeaderSize)
        {
            return 0;
        }

        var payload = data.AsMemory((int)offset + WalRecordCodec.HeaderSize, payloadLength);
        return Crc32C.Compute(payload.Span) == crc && WalRecordCodec.TryDecodePayload(payload, out _)
            ? WalRecordCodec.HeaderSize + payloadLength
            : 0;
    }

    private static long NextWholeRecord(byte[] data, long from)
    {
        Span<byte> magic = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(magic, WalRecordCodec.Magic);
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
        var name = string.Create(CultureInfo.InvariantCulture, $"wal-{DateTime.UtcNow:yyyyMMddTHHmmssfff}-{segment:D16}-{offset}-{Guid.NewGuid():N}");
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

    private static int RowCountAt(byte[] data, long offset, int total)
        => WalRecordCodec.TryDecodePayload(data.AsMemory((int)offset + WalRecordCodec.HeaderSize, total - WalRecordCodec.HeaderSize), out var record)
            ? record.RowCount
            : 0;

    /// <summary>
    /// Moves what the spool of earlier releases still holds into this log: its folder, and the private sibling folders
    /// (<c>&lt;spool&gt;.&lt;pid&gt;.&lt;suffix&gt;</c>) even older versions used when the folder was locked and nothing ever
    /// replayed. Each whole record is appended here (and synced), then the old folder goes.
    /// </summary>
    private void TakeOverLegacySpool(string spoolDirectory, WalOptions options)
    {
        var folders = new List<string>();
        if (Directory.Exists(spoolDirectory))
        {
            folders.Add(spoolDirectory);
        }

        var parent = Path.GetDirectoryName(spoolDirectory);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(spoolDirectory));
        if (parent is not null && Directory.Exists(parent))
        {
            foreach (var folder in Directory.EnumerateDirectories(parent, name + ".*"))
            {
                var folderName = Path.GetFileName(folder);
                if (folderName.Length > name.Length + 1 && folderName.StartsWith(name + ".", StringComparison.Ordinal)
                    && OrphanSuffix().IsMatch(folderName[(name.Length + 1)..]))
                {
                    folders.Add(folder);
                }
            }
        }

        foreach (var folder in folders)
        {
            if (string.Equals(Path.GetFullPath(folder), Path.GetFullPath(_directory), StringComparison.Ordinal))
            {
                continue;
            }

            WriteAheadLog old;
            try
            {
                old = OpenOne(folder, LegacySpoolExtension, _discardDirectory, new WalOptions { MaxLogBytes = long.MaxValue, Durability = options.Durability }, _logger);
            }
            catch (WalLockedException)
            {
                LogOrphanInUse(_logger, folder);
                continue;
            }

            var moved = 0;
            using (old)
            {
                while (old.TryPeek(out var entry))
                {
                    byte[] record;
                    int rows;
                    try
                    {
                        record = old.ReadRaw(entry);
                        rows = old.Read(entry).RowCount;
                    }
                    catch (Exception e) when (e is IOException or InvalidDataException)
                    {
                        old.KeepDiscarded(entry.Segment, entry.Offset, [], "unreadable record in an earlier release's spool folder: " + e.Message);
                        old.Complete(entry);
                        continue;
                    }

                    try
                    {
                        AppendEncoded(record, [record.Length], [rows]);
                        _active?.Flush(flushToDisk: true);
                    }
                    catch (WalFullException)
                    {
                        LogOrphanPartlyAdopted(_logger, folder, moved, old.PendingCount);
                        return;
                    }

                    old.Complete(entry);
                    moved++;
                }
            }

            lock (_lock)
            {
                _durableSequence = _appendedSequence;
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
            // Records of the closing segment are acknowledged only once durable; sync them before the handle goes.
            _active.Flush(flushToDisk: _durability == WalDurability.Fsync);
            _active.Dispose();
        }

        _activeSegment = _nextSegment++;
        var id = Guid.NewGuid();
        _active = new FileStream(SegmentPath(_activeSegment), FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 1, FileOptions.None);
        _active.Write(WalFiles.EncodeSegmentHeader(_activeSegment, id));
        _segmentIds[_activeSegment] = id;
        _segmentBytes[_activeSegment] = 0;
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

    private void WriteCheckpoint(WalCheckpoint checkpoint)
    {
        // Replaced whole by a rename, so a crash leaves the old checkpoint or the new one, never a mix. Not fsynced:
        // losing it only means replaying completed records, which the dedup and FINAL absorb.
        var path = Path.Combine(_directory, CheckpointFile);
        var temporary = path + ".tmp";
        using (var handle = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, WalFiles.EncodeCheckpoint(checkpoint), 0);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private WalCheckpoint ReadCheckpoint()
    {
        var path = Path.Combine(_directory, CheckpointFile);
        return File.Exists(path) ? WalFiles.ReadCheckpoint(File.ReadAllBytes(path)) : WalCheckpoint.None;
    }

    private string SegmentPath(long segment) => Path.Combine(_directory, segment.ToString("D16", CultureInfo.InvariantCulture) + _extension);

    [GeneratedRegex("^[0-9]+\\.[0-9a-f]{6}$", RegexOptions.CultureInvariant)]
    private static partial Regex OrphanSuffix();

    [LoggerMessage(EventId = ReceiverEventIds.WalRecovered, Level = LogLevel.Warning, Message = "Write-ahead log recovered {Records} unwritten records from {Directory} ({Skipped} already written skipped, {TruncatedBytes} bytes of torn or corrupt records set aside)")]
    private static partial void LogRecovered(ILogger logger, int records, int skipped, long truncatedBytes, string directory);

    [LoggerMessage(EventId = ReceiverEventIds.WalBytesSetAside, Level = LogLevel.Error, Message = "Write-ahead log set aside {Bytes} bytes of segment {Segment} at offset {Offset} ({Reason}); kept in {Path}")]
    private static partial void LogDiscarded(ILogger logger, int bytes, long segment, long offset, string reason, string path);

    [LoggerMessage(EventId = ReceiverEventIds.WalCheckpointUntrusted, Level = LogLevel.Warning, Message = "Write-ahead log checkpoint in {Directory} is from an older version or damaged and proves nothing; all {Segments} segments are written again in full (repeats are absorbed by dedup and FINAL)")]
    private static partial void LogCheckpointUntrusted(ILogger logger, string directory, int segments);

    [LoggerMessage(EventId = ReceiverEventIds.WalCheckpointSegmentClash, Level = LogLevel.Warning, Message = "Write-ahead log checkpoint names segment {Segment} in {Directory} but another file has that number; the segment is written again in full")]
    private static partial void LogCheckpointMismatch(ILogger logger, long segment, string directory);

    [LoggerMessage(EventId = ReceiverEventIds.LegacySpoolTakenOver, Level = LogLevel.Warning, Message = "Took over {Records} unwritten batches from the earlier release's spool folder {Orphan} into the write-ahead log {Directory}")]
    private static partial void LogOrphanAdopted(ILogger logger, int records, string orphan, string directory);

    [LoggerMessage(EventId = ReceiverEventIds.LegacySpoolHeld, Level = LogLevel.Warning, Message = "The earlier release's spool folder {Orphan} is held by a running process; left as it is")]
    private static partial void LogOrphanInUse(ILogger logger, string orphan);

    [LoggerMessage(EventId = ReceiverEventIds.WalFullDuringTakeover, Level = LogLevel.Warning, Message = "The write-ahead log is full; took over {Moved} batches from the spool folder {Orphan}, {Left} stay there until the next start")]
    private static partial void LogOrphanPartlyAdopted(ILogger logger, string orphan, int moved, int left);

    [LoggerMessage(EventId = ReceiverEventIds.WalSyncFailed, Level = LogLevel.Error, Message = "fsync of the write-ahead log in {Directory} failed ({Error}); the waiting requests are refused as retryable")]
    private static partial void LogSyncFailed(ILogger logger, string directory, string error);
}
