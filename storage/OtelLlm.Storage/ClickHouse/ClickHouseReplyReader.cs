using System.Buffers;
using System.Text;
using System.Text.Json;

namespace OtelLlm.Storage.ClickHouse;

/// <summary>
/// The reply of a streamed query, read line by line as it arrives from the server. Holds one buffer that grows to the
/// longest line seen (a row with large content) and is otherwise constant, however many rows the reply has.
/// </summary>
public abstract class ClickHouseReplyReader : IAsyncDisposable, IDisposable
{
    private const int InitialBuffer = 64 * 1024;
    private const int MaxLineBytes = 1024 * 1024 * 1024;

    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
    private int _start;
    private int _end;
    private bool _eof;
    private bool _disposed;

    private protected ClickHouseReplyReader(HttpResponseMessage response, Stream body, string purpose)
    {
        _response = response;
        _body = body;
        Purpose = purpose;
    }

    /// <summary>What the query is for, used in error messages.</summary>
    public string Purpose { get; }

    /// <summary>Rows read so far.</summary>
    public long RowsRead { get; private protected set; }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            await _body.DisposeAsync();
        }

        Dispose();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _body.Dispose();
        _response.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The next line without its <c>\n</c>, valid until the next call; <see langword="false"/> at the end of the reply.
    /// A reply cut off in transit surfaces as a <see cref="ClickHouseException"/>.
    /// </summary>
    private protected async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var scanned = _start;
        while (true)
        {
            var newline = _buffer.AsSpan(scanned, _end - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = _buffer.AsMemory(_start, scanned + newline - _start);
                _start = scanned + newline + 1;
                return line;
            }

            scanned = _end;
            if (_eof)
            {
                if (_start == _end)
                {
                    return null;
                }

                var last = _buffer.AsMemory(_start, _end - _start);
                _start = _end;
                return last;
            }

            if (_start > 0)
            {
                // Keep the partial line at the front.
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                scanned -= _start;
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                if (_buffer.Length >= MaxLineBytes)
                {
                    throw new ClickHouseException(0, $"a row of the reply is longer than {MaxLineBytes} bytes", Purpose, 0);
                }

                var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            int read;
            try
            {
                read = await _body.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                throw new ClickHouseException(0, $"the reply was cut off after {RowsRead} rows: {ex.Message}", Purpose, 0, ex);
            }

            if (read == 0)
            {
                _eof = true;
            }
            else
            {
                _end += read;
            }
        }
    }

    /// <summary>
    /// Throws the server's error when <paramref name="line"/> is the exception ClickHouse writes into a reply it had
    /// already begun (<c>Code: 241, e.displayText() = DB::Exception: …</c>), which ends the reply.
    /// </summary>
    private protected void ThrowIfServerError(ReadOnlySpan<byte> line)
    {
        var at = line.IndexOf("Code: "u8);
        if (at < 0 || line.IndexOf("Exception"u8) < 0)
        {
            return;
        }

        var (code, message) = ClickHouseClient.ParseError(Encoding.UTF8.GetString(line[at..]));
        if (code > 0)
        {
            throw new ClickHouseException(code, message, Purpose, 200);
        }
    }
}

/// <summary>
/// A streamed <c>TabSeparated</c> reply (<see cref="ClickHouseClient.QueryStreamAsync"/>): rows of unescaped fields,
/// <c>NULL</c> as <see cref="TabSeparated.Null"/>, read one at a time.
/// </summary>
public sealed class TabSeparatedReader : ClickHouseReplyReader
{
    private int _fields = -1;

    internal TabSeparatedReader(HttpResponseMessage response, Stream body, string purpose)
        : base(response, body, purpose)
    {
    }

    /// <summary>The next row, or <see langword="null"/> after the last.</summary>
    /// <exception cref="ClickHouseException">The server failed during the query, or the reply was cut off or malformed.</exception>
    public async ValueTask<string[]?> ReadRowAsync(CancellationToken cancellationToken = default)
    {
        if (await ReadLineAsync(cancellationToken) is not { } line)
        {
            return null;
        }

        var row = Parse(line.Span);
        if (_fields < 0)
        {
            _fields = row.Length;
        }

        if (row.Length != _fields)
        {
            ThrowIfServerError(line.Span);
            throw new ClickHouseException(0, $"row {RowsRead + 1} of the reply has {row.Length} fields where the first had {_fields}", Purpose, 200);
        }

        if (row.Length == 1)
        {
            // A one-column reply cannot tell an error line apart by its field count.
            ThrowIfServerError(line.Span);
        }

        RowsRead++;
        return row;
    }

    private static string[] Parse(ReadOnlySpan<byte> line)
    {
        var count = line.Count((byte)'\t') + 1;
        var fields = new string[count];
        for (var i = 0; i < count; i++)
        {
            var tab = line.IndexOf((byte)'\t');
            var field = tab < 0 ? line : line[..tab];
            fields[i] = Field(field);
            line = tab < 0 ? default : line[(tab + 1)..];
        }

        return fields;
    }

    private static string Field(ReadOnlySpan<byte> field)
    {
        if (field.Length == 2 && field[0] == '\\' && field[1] == 'N')
        {
            return TabSeparated.Null;
        }

        var escape = field.IndexOf((byte)'\\');
        if (escape < 0)
        {
            return Encoding.UTF8.GetString(field);
        }

        var rented = ArrayPool<byte>.Shared.Rent(field.Length);
        try
        {
            var n = 0;
            for (var i = 0; i < field.Length; i++)
            {
                var b = field[i];
                if (b == '\\' && i + 1 < field.Length)
                {
                    i++;
                    b = field[i] switch
                    {
                        (byte)'n' => (byte)'\n',
                        (byte)'t' => (byte)'\t',
                        (byte)'r' => (byte)'\r',
                        (byte)'0' => 0,
                        (byte)'b' => (byte)'\b',
                        (byte)'f' => (byte)'\f',
                        (byte)'a' => (byte)'\a',
                        (byte)'v' => (byte)'\v',
                        var other => other,
                    };
                }

                rented[n++] = b;
            }

            return Encoding.UTF8.GetString(rented, 0, n);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}

/// <summary>A streamed <c>JSONEachRow</c> reply (<see cref="ClickHouseClient.QueryJsonStreamAsync"/>), one object at a time.</summary>
public sealed class JsonRowReader : ClickHouseReplyReader
{
    internal JsonRowReader(HttpResponseMessage response, Stream body, string purpose)
        : base(response, body, purpose)
    {
    }

    /// <summary>
    /// The next row as a parsed document (dispose it when done), or <see langword="null"/> after the last.
    /// </summary>
    /// <exception cref="ClickHouseException">The server failed during the query, or the reply was cut off or malformed.</exception>
    public async ValueTask<JsonDocument?> ReadRowAsync(CancellationToken cancellationToken = default)
    {
        while (await ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Span.Trim((byte)' ').IsEmpty)
            {
                continue;
            }

            try
            {
                var row = JsonDocument.Parse(line);
                RowsRead++;
                return row;
            }
            catch (JsonException ex)
            {
                ThrowIfServerError(line.Span);
                throw new ClickHouseException(0, $"row {RowsRead + 1} of the reply is not JSON: {ex.Message}", Purpose, 200, ex);
            }
        }

        return null;
    }
}
