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
/// Thread-safe; one instance is meant to live as long as the process. It owns a pooled
/// <see cref="HttpClient"/> whose connections are recycled every few minutes so DNS changes are seen.
/// </remarks>
public sealed partial class ClickHouseClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ClickHouseOptions _options;
    private readonly AuthenticationHeaderValue? _auth;

    /// <summary>Creates a client for the given server.</summary>
    public ClickHouseClient(ClickHouseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        SqlLiteral.Identifier(options.Database);
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = 64,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        };
        _http = new HttpClient(handler) { BaseAddress = options.Url, Timeout = Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrEmpty(options.User) && (options.User != "default" || !string.IsNullOrEmpty(options.Password)))
        {
            _auth = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.User}:{options.Password}")));
        }
    }

    /// <summary>The options this client was made with.</summary>
    public ClickHouseOptions Options => _options;

    /// <summary>The configured database name.</summary>
    public string Database => _options.Database;

    /// <summary>Runs a statement that returns nothing (DDL, ALTER, INSERT … SELECT).</summary>
    /// <param name="sql">The statement. Values in it must come from <see cref="SqlLiteral.Quote(string)"/>.</param>
    /// <param name="purpose">What the statement is for, used in error messages.</param>
    /// <param name="useDatabase">Whether unqualified names resolve in the configured database (false for <c>CREATE DATABASE</c>).</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    public async Task ExecuteAsync(string sql, string purpose, bool useDatabase = true, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(sql, Encoding.UTF8, "text/plain");
        using var response = await SendAsync(BuildQueryString(useDatabase, null), content, purpose, cancellationToken);
    }

    /// <summary>Runs a query and returns its rows as unescaped <c>TabSeparated</c> fields.</summary>
    /// <param name="sql">A <c>SELECT</c> without a <c>FORMAT</c> clause.</param>
    /// <param name="purpose">What the query is for, used in error messages.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public Task<IReadOnlyList<string[]>> QueryAsync(string sql, string purpose, CancellationToken cancellationToken = default)
        => QueryAsync(sql, purpose, useDatabase: true, cancellationToken);

    private async Task<IReadOnlyList<string[]>> QueryAsync(string sql, string purpose, bool useDatabase, CancellationToken cancellationToken)
    {
        using var content = new StringContent(sql + "\nFORMAT TabSeparated", Encoding.UTF8, "text/plain");
        using var response = await SendAsync(BuildQueryString(useDatabase, null), content, purpose, cancellationToken);
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
        using var content = new StringContent(sql, Encoding.UTF8, "text/plain");
        using var response = await SendAsync(BuildQueryString(true, null), content, purpose, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
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
        HttpContent content;
        if (_options.CompressInserts)
        {
            var compressed = new MemoryStream();
            await using (var gz = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gz.WriteAsync(rowBinary, cancellationToken);
            }

            content = new ByteArrayContent(compressed.GetBuffer(), 0, (int)compressed.Length);
            content.Headers.ContentEncoding.Add("gzip");
        }
        else
        {
            content = new ReadOnlyMemoryContent(rowBinary);
        }

        using (content)
        {
            using var response = await SendAsync(BuildQueryString(true, query), content, purpose, cancellationToken);
        }
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

    private string BuildQueryString(bool useDatabase, string? query)
    {
        var sb = new StringBuilder("/?wait_end_of_query=1");
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

    private async Task<HttpResponseMessage> SendAsync(string pathAndQuery, HttpContent content, string purpose, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, pathAndQuery) { Content = content };
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
            throw new ClickHouseException(0, $"no reply within {_options.Timeout.TotalSeconds:0.#} s", purpose, 0, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ClickHouseException(0, $"cannot reach {_options.Url}: {ex.Message}", purpose, 0, ex);
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
                throw new ClickHouseException(0, $"the reply was cut off: {ex.Message}", purpose, 0, ex);
            }

            return response;
        }

        using (response)
        {
            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                body = string.Empty;
            }

            var (code, message) = ParseError(body);
            if (code == 0 && response.Headers.TryGetValues("X-ClickHouse-Exception-Code", out var codes)
                && int.TryParse(codes.FirstOrDefault(), System.Globalization.CultureInfo.InvariantCulture, out var headerCode))
            {
                code = headerCode;
            }

            throw new ClickHouseException(code, message, purpose, (int)response.StatusCode);
        }
    }

    [GeneratedRegex(@"^Code:\s*(\d+)[.,]\s*(.*)$", RegexOptions.Singleline)]
    private static partial Regex ErrorPattern();
}
