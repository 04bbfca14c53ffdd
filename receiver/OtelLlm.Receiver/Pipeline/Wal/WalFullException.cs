namespace OtelLlm.Receiver.Pipeline.Wal;

/// <summary>The spool has reached its size limit; the batch was not stored and the client must retry later.</summary>
internal sealed class WalFullException : IOException
{
    public WalFullException()
    {
    }

    public WalFullException(string message)
        : base(message)
    {
    }

    public WalFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
