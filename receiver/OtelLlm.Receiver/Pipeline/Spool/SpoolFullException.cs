namespace OtelLlm.Receiver.Pipeline.Spool;

/// <summary>The spool has reached its size limit; the batch was not stored and the client must retry later.</summary>
internal sealed class SpoolFullException : IOException
{
    public SpoolFullException()
    {
    }

    public SpoolFullException(string message)
        : base(message)
    {
    }

    public SpoolFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
