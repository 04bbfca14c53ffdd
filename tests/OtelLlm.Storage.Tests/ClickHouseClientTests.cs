using OtelLlm.Storage.ClickHouse;
using OtelLlm.TestSupport;

namespace OtelLlm.Storage.Tests;

public sealed class ClickHouseClientTests(ClickHouseDatabase db) : IClassFixture<ClickHouseDatabase>
{
    [Fact]
    public async Task Query_UnknownTable_ThrowsWithServerCodeMessageAndPurpose()
    {
        var ex = await Assert.ThrowsAsync<ClickHouseException>(() => db.Client.QueryAsync("SELECT * FROM no_such_table_here", "read the missing table"));

        Assert.Equal(60, ex.Code);
        Assert.Contains("no_such_table_here", ex.ServerMessage, StringComparison.Ordinal);
        Assert.Equal("read the missing table", ex.Purpose);
        Assert.StartsWith("read the missing table failed: ClickHouse error 60", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task Execute_SyntaxError_ThrowsWithCode62()
    {
        var ex = await Assert.ThrowsAsync<ClickHouseException>(() => db.Client.ExecuteAsync("SELEC 1", "run a typo"));

        Assert.Equal(62, ex.Code);
        Assert.Contains("Syntax error", ex.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Insert_UnreachableServer_ThrowsRetryableTransportError()
    {
        using var client = new ClickHouseClient(new ClickHouseOptions { Url = new Uri($"http://127.0.0.1:{FreePort.NextOutsideEphemeralRange()}"), Database = "x", Timeout = TimeSpan.FromSeconds(5) });
        using var w = new RowBinaryWriter();
        w.WriteString("a");

        var ex = await Assert.ThrowsAsync<ClickHouseException>(() => client.InsertRowBinaryAsync("t", "a", w.WrittenMemory, "write to nowhere"));

        Assert.Equal(0, ex.Code);
        Assert.True(ex.IsRetryable);
        Assert.Contains("cannot reach", ex.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Insert_GzipBody_RowsArrive()
    {
        await db.Client.ExecuteAsync("CREATE TABLE gz (a String, b UInt64) ENGINE = MergeTree ORDER BY b", "create gz");
        using var client = new ClickHouseClient(new ClickHouseOptions { Url = db.Url, Database = db.Name, CompressInserts = true });
        using var w = new RowBinaryWriter();
        for (var i = 0; i < 1000; i++)
        {
            w.WriteString("row " + i);
            w.WriteUInt64((ulong)i);
        }

        await client.InsertRowBinaryAsync("gz", "a, b", w.WrittenMemory, "write gzip rows");

        var rows = await db.QueryAsync("SELECT count(), sum(b), any(a) FROM gz WHERE a = 'row 999'");
        Assert.Equal(["1", "999", "row 999"], rows[0]);
        Assert.Equal(1000, await db.CountAsync("SELECT count() FROM gz"));
    }

    [Fact]
    public async Task Query_Cancelled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.Client.QueryAsync("SELECT sleep(3)", "sleep", cts.Token));
    }

    [Fact]
    public async Task Query_Timeout_ThrowsRetryableError()
    {
        using var client = new ClickHouseClient(new ClickHouseOptions { Url = db.Url, Database = db.Name, Timeout = TimeSpan.FromMilliseconds(300) });

        var ex = await Assert.ThrowsAsync<ClickHouseException>(() => client.QueryAsync("SELECT sleep(2)", "sleep too long"));

        Assert.True(ex.IsRetryable);
        Assert.Contains("no reply", ex.ServerMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Code: 60, e.displayText() = DB::Exception: Table default.x doesn't exist., e.what() = DB::Exception\n", 60, "DB::Exception: Table default.x doesn't exist.")]
    [InlineData("Code: 62. DB::Exception: Syntax error: failed at position 1 (SELEC). (SYNTAX_ERROR) (version 24.8.4.13 (official build))\n", 62, "DB::Exception: Syntax error: failed at position 1 (SELEC). (SYNTAX_ERROR) (version 24.8.4.13 (official build))")]
    [InlineData("Bad Gateway", 0, "Bad Gateway")]
    public void ParseError_OldAndNewServerFormats(string body, int code, string message)
    {
        var parsed = ClickHouseClient.ParseError(body);

        Assert.Equal(code, parsed.Code);
        Assert.Equal(message, parsed.Message);
    }

    [Fact]
    public void TabSeparated_EscapedFieldsAndArrays_Unescape()
    {
        var rows = TabSeparated.Parse("a\\tb\tline\\nnext\t\\\\\n\\N\tx\\N\n");

        Assert.Equal(2, rows.Count);
        Assert.Equal(["a\tb", "line\nnext", "\\"], rows[0]);
        Assert.Equal([TabSeparated.Null, "xN"], rows[1]);
    }
}
