namespace OtelLlm.Receiver.Pipeline.Wal;

/// <summary>One batch kept on disk: the insert it stands for, and (for dead letters) why it was set aside.</summary>
internal sealed record WalRecord(string Table, string Columns, int RowCount, ReadOnlyMemory<byte> RowBinary, string Reason = "");
