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

        using var reopened = Open();
        Assert.Equal(ReadAll(reopened), [Payload(1), Payload(2)]);
        using var again = Open();
        Assert.Equal(0, again.TruncatedBytes);
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
    public void Open_FolderLockedByAnotherSpool_UsesPrivateFolder()
    {
        using var first = Open();
        using var second = Open();
        Assert.NotEqual(first.DirectoryPath, second.DirectoryPath);
        second.Append("t", "A", Payload(1), 1);
        Assert.Equal(0, first.PendingCount);
        Directory.Delete(second.DirectoryPath, recursive: true);
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
