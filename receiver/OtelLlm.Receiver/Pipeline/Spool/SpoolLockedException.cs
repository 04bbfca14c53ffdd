namespace OtelLlm.Receiver.Pipeline.Spool;

/// <summary>The spool folder is held by another live process; two receivers must never share one.</summary>
internal sealed class SpoolLockedException(string message) : IOException(message);
