namespace OtelLlm.Storage.ClickHouse;

/// <summary>A statement ClickHouse refused or could not run, with the server's own code and message.</summary>
public sealed class ClickHouseException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">ClickHouse's error code, or 0 when the server gave none (a transport failure).</param>
    /// <param name="serverMessage">The server's message, as it sent it.</param>
    /// <param name="purpose">What was being done, in words a person reads in a log.</param>
    /// <param name="httpStatus">The HTTP status of the reply, or 0 when there was no reply.</param>
    /// <param name="inner">The transport error, if any.</param>
    public ClickHouseException(int code, string serverMessage, string purpose, int httpStatus = 0, Exception? inner = null)
        : base(Format(code, serverMessage, purpose), inner)
    {
        Code = code;
        ServerMessage = serverMessage;
        Purpose = purpose;
        HttpStatus = httpStatus;
    }

    /// <summary>Creates an exception with only a message.</summary>
    public ClickHouseException()
        : this(0, string.Empty, string.Empty)
    {
    }

    /// <summary>Creates an exception with only a message.</summary>
    public ClickHouseException(string message)
        : this(0, message, string.Empty)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    public ClickHouseException(string message, Exception innerException)
        : this(0, message, string.Empty, 0, innerException)
    {
    }

    /// <summary>ClickHouse's error code (for example 60 for an unknown table), or 0 for a transport failure.</summary>
    public int Code { get; }

    /// <summary>The server's message.</summary>
    public string ServerMessage { get; }

    /// <summary>What was being done when it failed.</summary>
    public string Purpose { get; }

    /// <summary>The HTTP status of the reply, or 0 when no reply came.</summary>
    public int HttpStatus { get; }

    /// <summary>Whether no connection to the server could be made, so the statement certainly did not reach it.</summary>
    public bool IsConnectFailure { get; init; }

    /// <summary>
    /// Whether trying the same statement again later may succeed: no reply at all, a timeout, an overloaded
    /// or restarting server. Syntax errors, unknown columns and bad data are permanent.
    /// </summary>
    public bool IsRetryable => Code switch
    {
        0 => true,                  // no reply: connection refused, reset, timeout
        159 or 160 => true,         // TIMEOUT_EXCEEDED, TOO_SLOW
        202 or 203 => true,         // TOO_MANY_SIMULTANEOUS_QUERIES, NO_FREE_CONNECTION
        209 or 210 => true,         // SOCKET_TIMEOUT, NETWORK_ERROR
        241 => true,                // MEMORY_LIMIT_EXCEEDED
        242 => true,                // TABLE_IS_READ_ONLY
        252 => true,                // TOO_MANY_PARTS
        225 => true,                // NO_ZOOKEEPER
        279 => true,                // ALL_CONNECTION_TRIES_FAILED: a Distributed table cannot reach any replica of a shard
        285 or 286 or 319 => true,  // TOO_FEW_LIVE_REPLICAS, UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE, UNKNOWN_STATUS_OF_INSERT
        999 => true,                // KEEPER_EXCEPTION
        _ => HttpStatus is 502 or 503 or 504,
    };

    private static string Format(int code, string serverMessage, string purpose)
    {
        var what = string.IsNullOrEmpty(purpose) ? "ClickHouse statement" : purpose;
        return code == 0
            ? $"{what} failed: {serverMessage}"
            : $"{what} failed: ClickHouse error {code}: {serverMessage}";
    }
}
