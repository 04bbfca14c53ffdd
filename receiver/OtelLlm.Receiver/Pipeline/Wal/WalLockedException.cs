namespace OtelLlm.Receiver.Pipeline.Wal;

/// <summary>The spool folder is held by another live process; two receivers must never share one.</summary>
internal sealed class WalLockedException(string message) : IOException(message);
