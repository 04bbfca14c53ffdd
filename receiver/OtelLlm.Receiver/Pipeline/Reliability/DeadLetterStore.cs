using System.Globalization;
using OtelLlm.Receiver.Pipeline.Wal;

namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>
/// Keeps batches ClickHouse refused as permanently invalid, in the spool's record format plus the reason, in one
/// file per UTC day. Nothing is thrown away silently: an operator can read, fix and re-insert them.
/// </summary>
internal sealed class DeadLetterStore(string directory)
{
    private readonly Lock _lock = new();

    /// <summary>Folder of the dead-letter files.</summary>
    public string Directory { get; } = directory;

    /// <summary>Appends a batch and the reason it was refused; fsynced before returning.</summary>
    public void Add(string table, string columns, ReadOnlySpan<byte> rowBinary, int rowCount, string reason)
    {
        var record = WalRecordCodec.Encode(table, columns, rowCount, rowBinary, reason);
        lock (_lock)
        {
            System.IO.Directory.CreateDirectory(Directory);
            var path = Path.Combine(Directory, "dead-letter-" + DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + ".dlq");
            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            stream.Write(record);
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Reads every dead letter back (for tools and tests).</summary>
    public IReadOnlyList<WalRecord> ReadAll()
    {
        var records = new List<WalRecord>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return records;
        }

        var files = System.IO.Directory.GetFiles(Directory, "*.dlq");
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            var data = File.ReadAllBytes(file);
            var offset = 0;
            while (data.Length - offset >= WalRecordCodec.HeaderSize
                && WalRecordCodec.TryReadHeader(data.AsSpan(offset), out var length, out var crc)
                && length <= data.Length - offset - WalRecordCodec.HeaderSize)
            {
                var payload = data.AsMemory(offset + WalRecordCodec.HeaderSize, length);
                if (Crc32C.Compute(payload.Span) != crc || !WalRecordCodec.TryDecodePayload(payload, out var record))
                {
                    break;
                }

                records.Add(record);
                offset += WalRecordCodec.HeaderSize + length;
            }
        }

        return records;
    }
}
