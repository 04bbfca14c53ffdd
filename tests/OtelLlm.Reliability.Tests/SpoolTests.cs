using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OtelLlm.Receiver.Pipeline.Spool;

namespace OtelLlm.Reliability.Tests;

public sealed class SpoolTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "otelllm-spool-" + Guid.NewGuid().ToString("N"));

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

        var segment = Directory.GetFiles(_dir, "*.spool").Single();
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

        var segment = Directory.GetFiles(_dir, "*.spool").Single();
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

        Assert.True(Directory.GetFiles(_dir, "*.spool").Length > 1);
        Assert.True(spool.DiskBytes > 20_000);
        Assert.Equal(40, ReadAll(spool).Count);
        Assert.Empty(Directory.GetFiles(_dir, "*.spool"));
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
    public void Append_OverMaxSpoolBytes_RefusesWithSpoolFull()
    {
        using var spool = Open(o => o.MaxSpoolBytes = 2000);
        spool.Append("t", "A", new byte[900], 1);
        spool.Append("t", "A", new byte[900], 1);
        Assert.Throws<SpoolFullException>(() => spool.Append("t", "A", new byte[900], 1));
        Assert.Equal(2, spool.PendingCount);
        Assert.Equal(2, ReadAll(spool).Count);
        spool.Append("t", "A", new byte[900], 1);
        Assert.Equal(1, spool.PendingCount);
    }

    [Theory]
    [InlineData(SpoolFsyncPolicy.Always)]
    [InlineData(SpoolFsyncPolicy.Interval)]
    [InlineData(SpoolFsyncPolicy.Never)]
    public void Append_AnyFsyncPolicy_IsReadableByAnotherProcessView(SpoolFsyncPolicy policy)
    {
        using var spool = Open(o => o.Fsync = policy);
        spool.Append("t", "A", Payload(7), 1);

        // Copied while the writer is still open: a killed process leaves exactly this on disk.
        var copy = _dir + "-copy";
        Directory.CreateDirectory(copy);
        try
        {
            foreach (var file in Directory.GetFiles(_dir, "*.spool"))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }

            using var view = DurableSpool.Open(copy, new SpoolOptions(), NullLogger.Instance);
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
        var refused = Assert.Throws<SpoolLockedException>(() => Open());
        Assert.Contains("OtelLlm:Receiver:Spool:Directory", refused.Message, StringComparison.Ordinal);
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

        Assert.Empty(Directory.GetFiles(_dir, "*.spool"));
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

        var numbers = Directory.GetFiles(_dir, "*.spool").Select(f => long.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([1L], numbers);
    }

    [Fact]
    public void Reopen_CheckpointOfAnOlderVersion_SkipsAndDeletesNothing()
    {
        // Format 1: segments without a header and a 16-byte checkpoint (segment, offset) that may point past records
        // written after it. Nothing it says can be proven, so every record is replayed.
        Directory.CreateDirectory(_dir);
        var records = Enumerable.Range(0, 4).Select(i => SpoolRecordCodec.Encode("t", "A", 1, Payload(i))).ToArray();
        File.WriteAllBytes(Path.Combine(_dir, "0000000000000000.spool"), [.. records[0], .. records[1]]);
        File.WriteAllBytes(Path.Combine(_dir, "0000000000000001.spool"), [.. records[2], .. records[3]]);
        var checkpoint = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(checkpoint, 1);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(checkpoint.AsSpan(8), records[2].Length + records[3].Length);
        File.WriteAllBytes(Path.Combine(_dir, "checkpoint"), checkpoint);

        using var spool = Open();
        Assert.False(spool.CheckpointTrusted);
        Assert.Equal(4, spool.RecoveredRecords);
        Assert.Equal(Enumerable.Range(0, 4).Select(Payload), ReadAll(spool));

        spool.Append("t", "A", Payload(9), 1);
        Assert.Equal("0000000000000002.spool", Path.GetFileName(Directory.GetFiles(_dir, "*.spool").Single()));
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
        var segment = Directory.GetFiles(_dir, "*.spool").Single();
        var replacement = SpoolFiles.EncodeSegmentHeader(0, Guid.NewGuid())
            .Concat(SpoolRecordCodec.Encode("t", "A", 1, Payload(7)))
            .Concat(SpoolRecordCodec.Encode("t", "A", 1, Payload(8)))
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

        var segment = Directory.GetFiles(_dir, "*.spool").Single();
        var bytes = File.ReadAllBytes(segment);
        var second = SpoolFiles.SegmentHeaderSize + SpoolRecordCodec.Encode("t", "A", 1, Payload(0)).Length;
        var secondLength = SpoolRecordCodec.Encode("t", "A", 1, Payload(1)).Length;
        bytes[second + secondLength - 2] ^= 0x40;
        File.WriteAllBytes(segment, bytes);

        using var reopened = Open(o => o.MaxSpoolBytes = 1 << 20);
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

        var segment = Directory.GetFiles(_dir, "*.spool").Single();
        var whole = File.ReadAllBytes(segment);
        File.WriteAllBytes(segment, whole[..^5]);

        using var reopened = Open();
        var kept = Directory.GetFiles(Path.Combine(_dir, "discarded"), "*.bin").Single();
        var tornStart = SpoolFiles.SegmentHeaderSize + SpoolRecordCodec.Encode("t", "A", 1, Payload(1)).Length;
        Assert.Equal(whole[tornStart..^5], File.ReadAllBytes(kept));
        Assert.Equal(ReadAll(reopened), [Payload(1)]);
    }

    [Fact]
    public void Discard_UnreadableRecord_KeepsItsBytes()
    {
        using var spool = Open();
        var entry = spool.Append("t", "A", Payload(3), 1);
        var path = spool.Discard(entry, "test");
        Assert.Equal(SpoolRecordCodec.Encode("t", "A", 1, Payload(3)), File.ReadAllBytes(path));
    }

    [Fact]
    public void Open_OrphanedFolderOfAnOlderVersion_IsTakenOverAndRemoved()
    {
        // Older versions spooled into "<dir>.<pid>.<id>" when the folder was locked, and nothing replayed it later.
        var orphan = _dir + ".4242.abcdef";
        Directory.CreateDirectory(orphan);
        try
        {
            File.WriteAllBytes(Path.Combine(orphan, "0000000000000000.spool"),
                [.. SpoolRecordCodec.Encode("t", "A", 1, Payload(5)), .. SpoolRecordCodec.Encode("u", "B", 2, Payload(6))]);

            using var spool = Open();
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

    private DurableSpool Open(Action<SpoolOptions>? configure = null)
    {
        var options = new SpoolOptions();
        configure?.Invoke(options);
        return DurableSpool.Open(_dir, options, NullLogger.Instance);
    }

    private static byte[] Payload(int i) => Encoding.UTF8.GetBytes("rows-" + i + new string('x', i % 17));

    private static List<byte[]> ReadAll(DurableSpool spool)
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
