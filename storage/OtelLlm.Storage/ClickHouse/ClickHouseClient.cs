using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OtelLlm.Storage.ClickHouse;

/// <summary>
/// A small client for ClickHouse's HTTP interface: statements, queries read as <c>TabSeparated</c>,
/// and RowBinary inserts. Every failure surfaces as a <see cref="ClickHouseException"/> that carries the
/// server's code and message and what was being done.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe; one instance is meant to live as long as the process. It owns a pooled
/// <see cref="HttpClient"/> whose connections are recycled every few minutes so DNS changes are seen.
/// </para>
/// <para>
/// With several endpoints (<see cref="ClickHouseOptions.Endpoints"/>) requests go round the servers in turn. A server
/// that refuses the connection is skipped for a while (1 s, doubling to 30 s while it stays down) and the request goes
/// to the next one at once; that is safe for every request, since nothing reached the server. A server that took a
/// request and then failed (no reply in time, reply cut off, an overloaded or read-only server) may have applied it, so
/// only queries move on to the next server then; statements and inserts report the failure, and the caller decides
/// whether to try again (the receiver's log does, checking what was stored first).
/// </para>
/// </remarks>
public sealed partial class ClickHouseClient : IDisposable
{
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http;
    private readonly ClickHouseOptions _options;
    private readonly AuthenticationHeaderValue? _auth;
    private readonly Endpoint[] _endpoints;
    private readonly TimeProvider _time;
    private int _next = -1;
    private long _failovers;

    /// <summary>Creates a client for the given server or servers.</summary>
    public ClickHouseClient(ClickHouseOptions options)
        : this(options, TimeProvider.System)
    {
    }

    internal ClickHouseClient(ClickHouseOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
        SqlLiteral.Identifier(options.Database);
        if (options.Cluster.Length > 0)
        {
            SqlLiteral.Identifier(options.Cluster);
        }

        _endpoints = [.. options.GetEndpoints().Select(u => new Endpoint(u))];
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = 64,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrEmpty(options.User) && (options.User != "default" || !string.IsNullOrEmpty(options.Password)))
        {
            _auth = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.User}:{options.Password}")));
        }
    }

    /// <summary>The options this client was made with.</summary>
    public ClickHouseOptions Options => _options;

    /// <summary>The configured database name.</summary>
    public string Database => _options.Database;

    /// <summary>The servers this client uses, in the configured order.</summary>
    public IReadOnlyList<Uri> Endpoints => [.. _endpoints.Select(e => e.Url)];

    /// <summary>A client of one of this client's servers alone, with the same settings.</summary>
    internal ClickHouseClient ForEndpoint(Uri endpoint) => new(
        new ClickHouseOptions
        {
            Url = endpoint,
            Database = _options.Database,
            User = _options.User,
            Password = _options.Password,
            Timeout = _options.Timeout,
            CompressInserts = _options.CompressInserts,
            Cluster = _options.Cluster,
        },
        _time);

    /// <summary>How many requests went on to another server because one could not be reached or failed a query.</summary>
    public long Failovers => Interlocked.Read(ref _failovers);

    /// <summary>Runs a statement that returns nothing (DDL, ALTER, INSERT … SELECT).</summary>
    /// <param name="sql">The statement. Values in it must come from <see cref="SqlLiteral.Quote(string)"/>.</param>
    /// <param name="purpose">What the statement is for, used in error messages.</param>
    /// <param name="useDatabase">Whether unqualified names resolve in the configured database (false for <c>CREATE DATABASE</c>).</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    public async Task ExecuteAsync(string sql, string purpose, bool useDatabase = true, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(BuildQueryString(useDatabase, null), () => new StringContent(sql, Encoding.UTF8, "text/plain"), purpose, idempotent: false, cancellationToken);
    }

    /// <summary>Runs a query and returns its rows as unescaped <c>TabSeparated</c> fields.</summary>
    /// <param name="sql">A <c>SELECT</c> without a <c>FORMAT</c> clause.</param>
    /// <param name="purpose">What the query is for, used in error messages.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public Task<IReadOnlyList<string[]>> QueryAsync(string sql, string purpose, CancellationToken cancellationToken = default)
        => QueryAsync(sql, purpose, useDatabase: true, cancellationToken);

    private async Task<IReadOnlyList<string[]>> QueryAsync(string sql, string purpose, bool useDatabase, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(BuildQueryString(useDatabase, null), () => new StringContent(sql + "\nFORMAT TabSeparated", Encoding.UTF8, "text/plain"), purpose, idempotent: true, cancellationToken);
        return TabSeparated.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>
    /// Runs a query and returns one JSON object a row (<c>JSONEachRow</c>): the format to use where values hold
    /// arrays or must be told apart from <c>NULL</c>. 64-bit integers arrive as JSON strings.
    /// </summary>
    public async Task<IReadOnlyList<JsonElement>> QueryJsonAsync(string sql, string purpose, CancellationToken cancellationToken = default)
    {
        var text = await QueryTextAsync(sql + "\nFORMAT JSONEachRow", purpose, cancellationToken);
        var rows = new List<JsonElement>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            rows.Add(doc.RootElement.Clone());
        }

        return rows;
    }

    /// <summary>Runs a query and returns the reply's text as the server formatted it (the SQL picks the format).</summary>
    public async Task<string> QueryTextAsync(string sql, string purpose, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(BuildQueryString(true, null), () => new StringContent(sql, Encoding.UTF8, "text/plain"), purpose, idempotent: true, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>
    /// Runs a query and reads its reply as it arrives, one row of unescaped <c>TabSeparated</c> fields at a time, in
    /// constant memory however many rows there are (only the row being read is held). The server does not hold the
    /// reply back until the query ends: a failure after rows were sent comes as a <see cref="ClickHouseException"/>
    /// from <see cref="TabSeparatedReader.ReadRowAsync"/>. The query's <see cref="ClickHouseOptions.Timeout"/> covers
    /// the wait for the first bytes; reading is bounded by <paramref name="cancellationToken"/> only.
    /// </summary>
    /// <param name="sql">A <c>SELECT</c> without a <c>FORMAT</c> clause.</param>
    /// <param name="purpose">What the query is for, used in error messages.</param>
    /// <param name="settings">ClickHouse settings for this query (for example <c>max_threads</c>), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the query and the reading.</param>
    public async Task<TabSeparatedReader> QueryStreamAsync(string sql, string purpose, IReadOnlyDictionary<string, string>? settings = null, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(BuildQueryString(true, null, waitEndOfQuery: false, settings), () => new StringContent(sql + "\nFORMAT TabSeparated", Encoding.UTF8, "text/plain"), purpose, idempotent: true, stream: true, cancellationToken);
        try
        {
            return new TabSeparatedReader(response, await response.Content.ReadAsStreamAsync(cancellationToken), purpose);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Like <see cref="QueryStreamAsync"/>, one JSON object a row (<c>JSONEachRow</c>): for rows with arrays, or where
    /// <c>NULL</c> must be told apart. 64-bit integers arrive as JSON strings unless the setting
    /// <c>output_format_json_quote_64bit_integers</c> is <c>0</c>.
    /// </summary>
    public async Task<JsonRowReader> QueryJsonStreamAsync(string sql, string purpose, IReadOnlyDictionary<string, string>? settings = null, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(BuildQueryString(true, null, waitEndOfQuery: false, settings), () => new StringContent(sql + "\nFORMAT JSONEachRow", Encoding.UTF8, "text/plain"), purpose, idempotent: true, stream: true, cancellationToken);
        try
        {
            return new JsonRowReader(response, await response.Content.ReadAsStreamAsync(cancellationToken), purpose);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Runs a query that returns one value and gives it back as text.</summary>
    public Task<string> ScalarAsync(string sql, string purpose, CancellationToken cancellationToken = default)
        => ScalarAsync(sql, purpose, useDatabase: true, cancellationToken);

    private async Task<string> ScalarAsync(string sql, string purpose, bool useDatabase, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(sql, purpose, useDatabase, cancellationToken);
        return rows.Count > 0 && rows[0].Length > 0 ? rows[0][0] : string.Empty;
    }

    /// <summary>Inserts rows already encoded as RowBinary.</summary>
    /// <param name="table">The table, unqualified (it is in the configured database).</param>
    /// <param name="columns">The column list, in the order the rows were written.</param>
    /// <param name="rowBinary">The encoded rows.</param>
    /// <param name="purpose">What is being written, used in error messages.</param>
    /// <param name="cancellationToken">Cancels the insert.</param>
    public async Task InsertRowBinaryAsync(string table, string columns, ReadOnlyMemory<byte> rowBinary, string purpose, CancellationToken cancellationToken = default)
    {
        var query = $"INSERT INTO {SqlLiteral.Identifier(_options.Database)}.{SqlLiteral.Identifier(table)} ({columns}) FORMAT RowBinary";
        Func<HttpContent> content;
        if (_options.CompressInserts)
        {
            var compressed = new MemoryStream();
            await using (var gz = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gz.WriteAsync(rowBinary, cancellationToken);
            }

            content = () =>
            {
                var gzipped = new ByteArrayContent(compressed.GetBuffer(), 0, (int)compressed.Length);
                gzipped.Headers.ContentEncoding.Add("gzip");
                return gzipped;
            };
        }
        else
        {
            content = () => new ReadOnlyMemoryContent(rowBinary);
        }

        using var response = await SendAsync(BuildQueryString(true, query), content, purpose, idempotent: false, cancellationToken);
    }

    /// <summary>Whether the server answers <c>SELECT 1</c> within the configured timeout.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await ScalarAsync("SELECT 1", "ping ClickHouse", useDatabase: false, cancellationToken) == "1";
        }
        catch (ClickHouseException)
        {
            return false;
        }
    }

    /// <summary>The server's version string, for example <c>18.16.1</c> or <c>24.8.4.13</c>.</summary>
    public Task<string> GetServerVersionAsync(CancellationToken cancellationToken = default)
        => ScalarAsync("SELECT version()", "read the ClickHouse server version", useDatabase: false, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    internal static (int Code, string Message) ParseError(string body)
    {
        var trimmed = body.Trim();
        var match = ErrorPattern().Match(trimmed);
        if (!match.Success)
        {
            return (0, trimmed.Length == 0 ? "the server replied with an error and no message" : trimmed);
        }

        var code = int.Parse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
        var message = match.Groups[2].Value;
        const string DisplayText = "e.displayText() = ";
        if (message.StartsWith(DisplayText, StringComparison.Ordinal))
        {
            message = message[DisplayText.Length..];
        }

        var what = message.LastIndexOf(", e.what() = ", StringComparison.Ordinal);
        if (what >= 0)
        {
            message = message[..what];
        }

        return (code, message.Trim());
    }

    private string BuildQueryString(bool useDatabase, string? query, bool waitEndOfQuery = true, IReadOnlyDictionary<string, string>? settings = null)
    {
        // wait_end_of_query makes the server hold the whole reply until the query ends, so an error is never sent after
        // a 200; a streamed query leaves it off and the readers recognize an error written into the body instead.
        var sb = new StringBuilder(waitEndOfQuery ? "/?wait_end_of_query=1" : "/?wait_end_of_query=0");
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            sb.Append('&').Append(SqlLiteral.Identifier(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        if (_options.Cluster.Length > 0)
        {
            // An insert into a Distributed table returns once every shard holds its rows (not when they are queued on
            // the server that took it), and IN over a Distributed subquery answers as on one server.
            sb.Append("&insert_distributed_sync=1&distributed_product_mode=global");
        }

        if (useDatabase)
        {
            sb.Append("&database=").Append(Uri.EscapeDataString(_options.Database));
        }

        if (query is not null)
        {
            sb.Append("&query=").Append(Uri.EscapeDataString(query));
        }

        return sb.ToString();
    }

    // Tries the servers in turn (see the class remarks): the next one after a refused connection, and after any retryable
    // failure when the request is a query. The last failure is what the caller sees.
    private Task<HttpResponseMessage> SendAsync(string pathAndQuery, Func<HttpContent> content, string purpose, bool idempotent, CancellationToken cancellationToken)
        => SendAsync(pathAndQuery, content, purpose, idempotent, stream: false, cancellationToken);

    private async Task<HttpResponseMessage> SendAsync(string pathAndQuery, Func<HttpContent> content, string purpose, bool idempotent, bool stream, CancellationToken cancellationToken)
    {
        var order = Order();
        ClickHouseException? last = null;
        for (var i = 0; i < order.Length; i++)
        {
            var endpoint = order[i];
            try
            {
                var response = await SendOnceAsync(endpoint, pathAndQuery, content, purpose, stream, cancellationToken);
                endpoint.Succeeded();
                return response;
            }
            catch (ClickHouseException ex) when (ex.IsConnectFailure)
            {
                endpoint.Failed(_time.GetUtcNow(), s_firstBackoff, s_maxBackoff);
                last = ex;
            }
            catch (ClickHouseException ex) when (idempotent && ex.IsRetryable && !cancellationToken.IsCancellationRequested)
            {
                last = ex;
            }

            if (i + 1 < order.Length)
            {
                Interlocked.Increment(ref _failovers);
            }
        }

        throw last!;
    }

    // Servers that are not resting after a refused connection, starting with the next in turn; then the resting ones,
    // soonest back first, so that a request still reaches a server that came back early.
    private Endpoint[] Order()
    {
        if (_endpoints.Length == 1)
        {
            return _endpoints;
        }

        var now = _time.GetUtcNow();
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)_endpoints.Length);
        var order = new Endpoint[_endpoints.Length];
        var n = 0;
        for (var i = 0; i < _endpoints.Length; i++)
        {
            var e = _endpoints[(start + i) % _endpoints.Length];
            if (!e.IsResting(now))
            {
                order[n++] = e;
            }
        }

        var resting = n;
        foreach (var e in _endpoints)
        {
            if (e.IsResting(now))
            {
                order[n++] = e;
            }
        }

        Array.Sort(order, resting, n - resting, Comparer<Endpoint>.Create((a, b) => a.RestingUntil.CompareTo(b.RestingUntil)));
        return order;
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Endpoint endpoint, string pathAndQuery, Func<HttpContent> content, string purpose, bool stream, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        using var body = content();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint.Url, pathAndQuery)) { Content = body };
        if (_auth is not null)
        {
            request.Headers.Authorization = _auth;
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClickHouseException(0, $"no reply from {endpoint.Url} within {_options.Timeout.TotalSeconds:0.#} s", purpose, 0, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ClickHouseException(0, $"cannot reach {endpoint.Url}: {ex.Message}", purpose, 0, ex)
            {
                IsConnectFailure = ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError,
            };
        }

        if (response.IsSuccessStatusCode && stream)
        {
            // The caller reads the body as it arrives, with its own cancellation; the timeout covered the headers.
            return response;
        }

        if (response.IsSuccessStatusCode)
        {
            // Buffer the body under the same timeout so a stalled reply cannot hang the caller.
            try
            {
                await response.Content.LoadIntoBufferAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                response.Dispose();
                throw new ClickHouseException(0, $"the reply from {endpoint.Url} was cut off: {ex.Message}", purpose, 0, ex);
            }

            return response;
        }

        using (response)
        {
            string text;
            try
            {
                text = await response.Content.ReadAsStringAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                text = string.Empty;
            }

            var (code, message) = ParseError(text);
            if (code == 0 && response.Headers.TryGetValues("X-ClickHouse-Exception-Code", out var codes)
                && int.TryParse(codes.FirstOrDefault(), System.Globalization.CultureInfo.InvariantCulture, out var headerCode))
            {
                code = headerCode;
            }

            throw new ClickHouseException(code, message, purpose, (int)response.StatusCode);
        }
    }

    /// <summary>One server and, after it refused a connection, until when it is skipped.</summary>
    private sealed class Endpoint(Uri url)
    {
        private readonly Lock _lock = new();
        private int _failures;
        private DateTimeOffset _restingUntil;

        public Uri Url { get; } = url;

        public DateTimeOffset RestingUntil
        {
            get
            {
                lock (_lock)
                {
                    return _restingUntil;
                }
            }
        }

        public bool IsResting(DateTimeOffset now) => RestingUntil > now;

        public void Failed(DateTimeOffset now, TimeSpan first, TimeSpan max)
        {
            lock (_lock)
            {
                var pause = TimeSpan.FromTicks(Math.Min(max.Ticks, first.Ticks << Math.Min(_failures, 20)));
                _failures++;
                _restingUntil = now + pause;
            }
        }

        public void Succeeded()
        {
            lock (_lock)
            {
                _failures = 0;
                _restingUntil = default;
            }
        }
    }

    [GeneratedRegex(@"^Code:\s*(\d+)[.,]\s*(.*)$", RegexOptions.Singleline)]
    private static partial Regex ErrorPattern();
}
