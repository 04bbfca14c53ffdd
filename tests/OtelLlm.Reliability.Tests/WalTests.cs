using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Receiver.Pipeline.Wal;

namespace OtelLlm.Reliability.Tests;

public sealed class WalTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "otelllm-wal-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Crc32C_StandardCheckValue_Matches()
        => Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));

    [Fact]
    public void Reopen_AfterAppends_ReplaysEveryRecordInOrder()
    {
        using (var spool = Open())
        {
            for (var i = 0; i < 50; i++)
            {
                spool.Append("t" + (i % 3), "A, B", Payload(i), i + 1);
            }
        }

        using var reopened = Open();
        Assert.Equal(50, reopened.RecoveredRecords);
        for (var i = 0; i < 50; i++)
        {
            Assert.True(reopened.TryPeek(out var entry));
            Assert.True(entry.FromEarlierRun);
            var record = reopened.Read(entry);
            Assert.Equal("t" + (i % 3), record.Table);
            Assert.Equal("A, B", record.Columns);
            Assert.Equal(i + 1, record.RowCount);
            Assert.Equal(Payload(i), record.RowBinary.ToArray());
            reopened.Complete(entry);
        }

        Assert.False(reopened.TryPeek(out _));
    }

    [Fact]
    public void Reopen_TornTailRecord_IsTruncatedNotReplayed()
    {
        using (var spool = Open())
        {
            spool.Append("t", "A", Payload(1), 1);
            spool.Append("t", "A", Payload(2), 1);
            spool.Append("t", "A", Payload(3), 1);
        }

        var segment = Directory.GetFiles(_dir, "*.wal").Single();
        var length = new FileInfo(segment).Length;
        using (var stream = new FileStream(segment, FileMode.Open))
        {
            // A crash in the middle of the third append.
            stream.SetLength(length - 7);
        }

        using var reopened = Open();
        Assert.Equal(2, reopened.RecoveredRecords);
        Assert.True(reopened.TruncatedBytes > 0);
        Assert.Equal(ReadAll(reopened), [Payload(1), Payload(2)]);
    }

    [Fact]
    public void Reopen_CorruptByteInRecord_CutsFromThatRecord()
    {
        using (var spool = Open())
        {
            spool.Append("t", "A", Payload(1), 1);
            spool.Append("t", "A", Payload(2), 1);
            spool.Append("t", "A", Payload(3), 1);
        }

        var segment = Directory.GetFiles(_dir, "*.wal").Single();
        var bytes = File.ReadAllBytes(segment);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(segment, bytes);

        using (var reopened = Open())
        {
            Assert.Equal(2, reopened.RecoveredRecords);
            Assert.True(reopened.TruncatedBytes > 0);
        }

        // The cut is made once: the next start finds a clean segment with the same two records.
        using var again = Open();
        Assert.Equal(0, again.TruncatedBytes);
        Assert.Equal(ReadAll(again), [Payload(1), Payload(2)]);
    }

    [Fact]
    public void Complete_EveryRecord_DeletesSegmentsAndFreesSpace()
    {
        using var spool = Open(o => o.SegmentBytes = 4096);
        for (var i = 0; i < 40; i++)
        {
            spool.Append("t", "A", new byte[500], 1);
        }

        Assert.True(Directory.GetFiles(_dir, "*.wal").Length > 1);
        Assert.True(spool.DiskBytes > 20_000);
        Assert.Equal(40, ReadAll(spool).Count);
        Assert.Empty(Directory.GetFiles(_dir, "*.wal"));
        Assert.Equal(0, spool.DiskBytes);
    }

    [Fact]
    public void Reopen_AfterPartialCompletion_SkipsCompletedRecords()
    {
        using (var spool = Open())
        {
            for (var i = 0; i < 5; i++)
            {
                spool.Append("t", "A", Payload(i), 1);
            }

            for (var i = 0; i < 2; i++)
            {
                Assert.True(spool.TryPeek(out var e));
                spool.Complete(e);
            }
        }

        using var reopened = Open();
        Assert.Equal(ReadAll(reopened), [Payload(2), Payload(3), Payload(4)]);
    }

    [Fact]
    public void Append_OverMaxLogBytes_RefusesWithLogFull()
    {
        using var spool = Open(o => o.MaxLogBytes = 2000);
        spool.Append("t", "A", new byte[900], 1);
        spool.Append("t", "A", new byte[900], 1);
        Assert.Throws<WalFullException>(() => spool.Append("t", "A", new byte[900], 1));
        Assert.Equal(2, spool.PendingCount);
        Assert.Equal(2, ReadAll(spool).Count);
        spool.Append("t", "A", new byte[900], 1);
        Assert.Equal(1, spool.PendingCount);
    }

    [Theory]
    [InlineData(WalDurability.Fsync)]
    [InlineData(WalDurability.Os)]
    public void Append_AnyDurability_IsReadableByAnotherProcessView(WalDurability durability)
    {
        using var spool = Open(o => o.Durability = durability);
        spool.Append("t", "A", Payload(7), 1);

        // Copied while the writer is still open: a killed process leaves exactly this on disk.
        var copy = _dir + "-copy";
        Directory.CreateDirectory(copy);
        try
        {
            foreach (var file in Directory.GetFiles(_dir, "*.wal"))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }

            using var view = WriteAheadLog.Open(copy, new WalOptions(), NullLogger.Instance);
            Assert.Equal(ReadAll(view), [Payload(7)]);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public void Open_FolderLockedByAnotherSpool_RefusesNamingTheSetting()
    {
        using var first = Open();
        var refused = Assert.Throws<WalLockedException>(() => Open());
        Assert.Contains("OtelLlm:Receiver:Wal:Directory", refused.Message, StringComparison.Ordinal);
        Assert.Contains(_dir, refused.Message, StringComparison.Ordinal);
        first.Append("t", "A", Payload(1), 1);
        Assert.Equal(1, first.PendingCount);
    }

    [Fact]
    public void Reopen_NewRecordsAfterADrainedOutageAndARestart_AreAllReplayed()
    {
        // The sequence that lost data: an outage drained to an empty folder, a restart, a second outage, a crash.
        using (var spool = Open())
        {
            for (var i = 0; i < 20; i++)
            {
                spool.Append("t", "A", Payload(i), 1);
            }

            Assert.Equal(20, ReadAll(spool).Count);
        }

        Assert.Empty(Directory.GetFiles(_dir, "*.wal"));
        Assert.True(File.Exists(Path.Combine(_dir, "checkpoint")));
        using (var restarted = Open())
        {
            for (var i = 100; i < 120; i++)
            {
                restarted.Append("t", "A", Payload(i), 1);
            }
        }

        using var afterCrash = Open();
        Assert.True(afterCrash.CheckpointTrusted);
        Assert.Equal(20, afterCrash.RecoveredRecords);
        Assert.Equal(Enumerable.Range(100, 20).Select(Payload), ReadAll(afterCrash));
    }

    [Fact]
    public void Reopen_SegmentNumbersContinuePastTheCheckpoint()
    {
        using (var spool = Open())
        {
            spool.Append("t", "A", Payload(1), 1);
            ReadAll(spool);
        }

        using (var restarted = Open())
        {
            restarted.Append("t", "A", Payload(2), 1);
        }

        var numbers = Directory.GetFiles(_dir, "*.wal").Select(f => long.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([1L], numbers);
    }

    [Fact]
    public void Reopen_CheckpointOfAnOlderVersion_SkipsAndDeletesNothing()
    {
        // Format 1: segments without a header and a 16-byte checkpoint (segment, offset) that may point past records
        // written after it. Nothing it says can be proven, so every record is replayed.
        Directory.CreateDirectory(_dir);
        var records = Enumerable.Range(0, 4).Select(i => WalRecordCodec.Encode("t", "A", 1, Payload(i))).ToArray();
        File.WriteAllBytes(Path.Combine(_dir, "0000000000000000.wal"), [.. records[0], .. records[1]]);
        File.WriteAllBytes(Path.Combine(_dir, "0000000000000001.wal"), [.. records[2], .. records[3]]);
        var checkpoint = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(checkpoint, 1);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(checkpoint.AsSpan(8), records[2].Length + records[3].Length);
        File.WriteAllBytes(Path.Combine(_dir, "checkpoint"), checkpoint);

        using var spool = Open();
        Assert.False(spool.CheckpointTrusted);
        Assert.Equal(4, spool.RecoveredRecords);
        Assert.Equal(Enumerable.Range(0, 4).Select(Payload), ReadAll(spool));

        spool.Append("t", "A", Payload(9), 1);
        Assert.Equal("0000000000000002.wal", Path.GetFileName(Directory.GetFiles(_dir, "*.wal").Single()));
    }

    [Fact]
    public void Reopen_CheckpointOfAnotherSegmentWithTheSameNumber_SkipsNothing()
    {
        using (var spool = Open())
        {
            spool.Append("t", "A", Payload(1), 1);
            spool.Append("t", "A", Payload(2), 1);
            Assert.True(spool.TryPeek(out var first));
            spool.Complete(first);
        }

        // The segment is replaced by another file of the same number (a restored backup, a hand-made copy): the
        // checkpoint's offset means nothing in it.
        var segment = Directory.GetFiles(_dir, "*.wal").Single();
        var replacement = WalFiles.EncodeSegmentHeader(0, Guid.NewGuid())
            .Concat(WalRecordCodec.Encode("t", "A", 1, Payload(7)))
            .Concat(WalRecordCodec.Encode("t", "A", 1, Payload(8)))
            .ToArray();
        File.WriteAllBytes(segment, replacement);

        using var reopened = Open();
        Assert.Equal(ReadAll(reopened), [Payload(7), Payload(8)]);
    }

    [Fact]
    public void Reopen_AfterPartialCompletion_CountsSkippedRecords()
    {
        using (var spool = Open())
        {
            for (var i = 0; i < 5; i++)
            {
                spool.Append("t", "A", Payload(i), 1);
            }

            Assert.True(spool.TryPeek(out var e));
            spool.Complete(e);
        }

        using var reopened = Open();
        Assert.True(reopened.CheckpointTrusted);
        Assert.Equal(1, reopened.CompletedRecordsSkipped);
        Assert.Equal(4, reopened.RecoveredRecords);
    }

    [Fact]
    public void Reopen_CorruptRecordInTheMiddle_KeepsTheRecordsAfterItAndItsBytes()
    {
        using (var spool = Open())
        {
            for (var i = 0; i < 5; i++)
            {
                spool.Append("t", "A", Payload(i), 1);
            }
        }

        var segment = Directory.GetFiles(_dir, "*.wal").Single();
        var bytes = File.ReadAllBytes(segment);
        var second = WalFiles.SegmentHeaderSize + WalRecordCodec.Encode("t", "A", 1, Payload(0)).Length;
        var secondLength = WalRecordCodec.Encode("t", "A", 1, Payload(1)).Length;
        bytes[second + secondLength - 2] ^= 0x40;
        File.WriteAllBytes(segment, bytes);

        using var reopened = Open(o => o.MaxLogBytes = 1 << 20);
        Assert.Equal(secondLength, reopened.TruncatedBytes);
        Assert.Equal(ReadAll(reopened), [Payload(0), Payload(2), Payload(3), Payload(4)]);
        var kept = Directory.GetFiles(Path.Combine(_dir, "discarded"), "*.bin").Single();
        Assert.Equal(bytes.AsSpan(second, secondLength).ToArray(), File.ReadAllBytes(kept));
        Assert.Contains("corrupt record", File.ReadAllText(Path.ChangeExtension(kept, ".txt")), StringComparison.Ordinal);
    }

    [Fact]
    public void Reopen_TornTail_KeepsTheCutBytesInTheDiscardFolder()
    {
        using (var spool = Open())
        {
            spool.Append("t", "A", Payload(1), 1);
            spool.Append("t", "A", Payload(2), 1);
        }

        var segment = Directory.GetFiles(_dir, "*.wal").Single();
        var whole = File.ReadAllBytes(segment);
        File.WriteAllBytes(segment, whole[..^5]);

        using var reopened = Open();
        var kept = Directory.GetFiles(Path.Combine(_dir, "discarded"), "*.bin").Single();
        var tornStart = WalFiles.SegmentHeaderSize + WalRecordCodec.Encode("t", "A", 1, Payload(1)).Length;
        Assert.Equal(whole[tornStart..^5], File.ReadAllBytes(kept));
        Assert.Equal(ReadAll(reopened), [Payload(1)]);
    }

    [Fact]
    public void Discard_UnreadableRecord_KeepsItsBytes()
    {
        using var spool = Open();
        spool.Append("t", "A", Payload(3), 1);
        Assert.True(spool.TryPeek(out var entry));
        var path = spool.Discard(entry, "test");
        Assert.Equal(WalRecordCodec.Encode("t", "A", 1, Payload(3)), File.ReadAllBytes(path));
    }

    [Fact]
    public void Open_SpoolFolderOfAnEarlierRelease_IsMovedIntoTheLogAndRemoved()
    {
        // The spool that came before the log: same record format, ".spool" segments, its own checkpoint.
        var spoolFolder = _dir + "-spool";
        Directory.CreateDirectory(spoolFolder);
        try
        {
            File.WriteAllBytes(Path.Combine(spoolFolder, "0000000000000003.spool"),
                [.. WalRecordCodec.Encode("t", "A", 1, Payload(1)), .. WalRecordCodec.Encode("u", "B", 2, Payload(2))]);

            using var log = WriteAheadLog.Open(_dir, new WalOptions(), NullLogger.Instance, legacySpoolDirectory: spoolFolder);
            Assert.False(Directory.Exists(spoolFolder));
            Assert.Equal(2, log.RecoveredRecords);
            Assert.Equal(3, log.PendingRows);
            Assert.True(log.TryPeek(out var entry));
            Assert.Equal(("t", "A", 1), (log.Read(entry).Table, log.Read(entry).Columns, log.Read(entry).RowCount));
            Assert.Equal(ReadAll(log), [Payload(1), Payload(2)]);
        }
        finally
        {
            if (Directory.Exists(spoolFolder))
            {
                Directory.Delete(spoolFolder, recursive: true);
            }
        }
    }

    [Fact]
    public void Open_OrphanedSpoolFolderOfAnOlderVersion_IsTakenOverAndRemoved()
    {
        // Older versions spooled into "<spool>.<pid>.<id>" when the folder was locked, and nothing replayed it later.
        var spoolFolder = _dir + "-spool";
        var orphan = spoolFolder + ".4242.abcdef";
        Directory.CreateDirectory(orphan);
        try
        {
            File.WriteAllBytes(Path.Combine(orphan, "0000000000000000.spool"),
                [.. WalRecordCodec.Encode("t", "A", 1, Payload(5)), .. WalRecordCodec.Encode("u", "B", 2, Payload(6))]);

            using var spool = WriteAheadLog.Open(_dir, new WalOptions(), NullLogger.Instance, legacySpoolDirectory: spoolFolder);
            Assert.False(Directory.Exists(orphan));
            Assert.Equal(2, spool.RecoveredRecords);
            Assert.True(spool.TryPeek(out var entry));
            var record = spool.Read(entry);
            Assert.Equal(("t", "A", 1), (record.Table, record.Columns, record.RowCount));
            Assert.Equal(ReadAll(spool), [Payload(5), Payload(6)]);
        }
        finally
        {
            if (Directory.Exists(orphan))
            {
                Directory.Delete(orphan, recursive: true);
            }
        }
    }

    [Fact]
    public async Task WaitDurable_RecordsAppendedTogether_ShareOneFsync()
    {
        using var log = Open(o => o.GroupCommitMilliseconds = 0);
        var syncs = 0;
        log.Synced += _ => Interlocked.Increment(ref syncs);
        log.Append("t", "A", Payload(1), 1);
        log.Append("t", "A", Payload(2), 1);
        var last = log.Append("t", "A", Payload(3), 1);
        Assert.Equal(0, log.DurableSequence);

        await log.WaitDurableAsync(last);
        Assert.Equal(3, log.DurableSequence);
        Assert.Equal(1, Volatile.Read(ref syncs));
    }

    [Fact]
    public async Task WaitDurable_ConcurrentRequests_FewerFsyncsThanRequests()
    {
        using var log = Open(o => o.GroupCommitMilliseconds = 5);
        var syncs = 0;
        log.Synced += _ => Interlocked.Increment(ref syncs);
        var requests = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                await log.WaitDurableAsync(log.Append("t", "A", Payload(i), 1));
            }
        }));
        await Task.WhenAll(requests);

        Assert.Equal(200, log.DurableSequence);
        Assert.InRange(Volatile.Read(ref syncs), 25, 199);
    }

    [Fact]
    public async Task Append_OsDurability_IsDurableWithoutAnFsync()
    {
        using var log = Open(o => o.Durability = WalDurability.Os);
        var sequence = log.Append("t", "A", Payload(1), 1);
        Assert.Equal(sequence, log.DurableSequence);
        var wait = log.WaitDurableAsync(sequence);
        Assert.True(wait.IsCompletedSuccessfully);
        await wait;
    }

    [Fact]
    public void Append_DiskRefusesTheWrite_NothingIsAppendedAndTheLogGoesOn()
    {
        using var log = Open();
        log.Append("t", "A", Payload(1), 1);
        log.WriteFault = () => new IOException("No space left on device");
        var refused = Assert.Throws<IOException>(() => log.Append("t", "A", Payload(2), 1));
        Assert.Contains("No space left", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, log.PendingCount);

        log.WriteFault = null;
        log.Append("t", "A", Payload(3), 1);
        Assert.Equal(ReadAll(log), [Payload(1), Payload(3)]);
    }

    [Fact]
    public void Append_RecordsOfOneRequest_AreAppendedTogetherAndReadBackInOrder()
    {
        using (var log = Open())
        {
            log.Append([new WalAppend("otel_traces", "A", Payload(1), 5), new WalAppend("llm_calls", "B", Payload(2), 1)]);
        }

        using var reopened = Open();
        Assert.Equal(6, reopened.PendingRows);
        Assert.True(reopened.TryPeek(out var first));
        Assert.Equal("otel_traces", reopened.Read(first).Table);
        Assert.Equal(ReadAll(reopened), [Payload(1), Payload(2)]);
    }

    private WriteAheadLog Open(Action<WalOptions>? configure = null)
    {
        var options = new WalOptions();
        configure?.Invoke(options);
        return WriteAheadLog.Open(_dir, options, NullLogger.Instance);
    }

    private static byte[] Payload(int i) => Encoding.UTF8.GetBytes("rows-" + i + new string('x', i % 17));

    private static List<byte[]> ReadAll(WriteAheadLog spool)
    {
        var list = new List<byte[]>();
        while (spool.TryPeek(out var entry))
        {
            list.Add(spool.Read(entry).RowBinary.ToArray());
            spool.Complete(entry);
        }

        return list;
    }
}
