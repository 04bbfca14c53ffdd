using System.Text.Json;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.TestSupport;

namespace OtelLlm.Storage.Tests;

/// <summary>Queries read as they arrive (<see cref="ClickHouseClient.QueryStreamAsync"/>) against the real server.</summary>
public sealed class StreamingQueryTests(ClickHouseDatabase db) : IClassFixture<ClickHouseDatabase>
{
    [Fact]
    public async Task QueryStream_ManyRows_ReadsEveryRowInOrder()
    {
        await using var reader = await db.Client.QueryStreamAsync("SELECT number, toString(number * 3) FROM system.numbers LIMIT 300000", "count to 300,000");
        var expected = 0L;
        while (await reader.ReadRowAsync() is { } row)
        {
            Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), row[0]);
            Assert.Equal((expected * 3).ToString(System.Globalization.CultureInfo.InvariantCulture), row[1]);
            expected++;
        }

        Assert.Equal(300_000, expected);
        Assert.Equal(300_000, reader.RowsRead);
        Assert.Null(await reader.ReadRowAsync());
    }

    [Fact]
    public async Task QueryStream_EscapedValuesAndNulls_RoundTrip()
    {
        string[] values = ["tab\there", "new\nline", "back\\slash", "quote'\"", "crlf\r\n", "zero\0byte", "ünïcødé ✓ 🚀", "\\N", string.Empty];
        var literals = string.Join(", ", values.Select(SqlLiteral.Quote));
        await using var reader = await db.Client.QueryStreamAsync($"SELECT arrayJoin([{literals}]) AS v, CAST(NULL AS Nullable(String)) AS n, length(v)", "read hostile strings");
        var read = new List<string[]>();
        while (await reader.ReadRowAsync() is { } row)
        {
            read.Add(row);
        }

        Assert.Equal(values, read.Select(r => r[0]));
        Assert.All(read, r => Assert.Equal(TabSeparated.Null, r[1]));
        Assert.Equal(values.Select(v => System.Text.Encoding.UTF8.GetByteCount(v).ToString(System.Globalization.CultureInfo.InvariantCulture)), read.Select(r => r[2]));
    }

    [Fact]
    public async Task QueryStream_RowLongerThanTheBuffer_IsReadWhole()
    {
        // 5 MB rows grow the 64 KB buffer; the rows after them still come out right.
        await using var reader = await db.Client.QueryStreamAsync("SELECT number, arrayStringConcat(arrayResize([toString(number)], 5000000, toString(number))) FROM system.numbers LIMIT 3", "read long rows");
        for (var i = 0; i < 3; i++)
        {
            var row = await reader.ReadRowAsync();
            Assert.NotNull(row);
            Assert.Equal(5_000_000, row[1].Length);
            Assert.True(row[1].All(c => c == (char)('0' + i)));
        }

        Assert.Null(await reader.ReadRowAsync());
    }

    [Fact]
    public async Task QueryStream_ErrorBeforeAnyRow_ThrowsWithTheServersCode()
    {
        var ex = await Assert.ThrowsAsync<ClickHouseException>(() => db.Client.QueryStreamAsync("SELECT * FROM no_such_table_streamed", "stream the missing table"));
        Assert.Equal(60, ex.Code);
        Assert.Equal("stream the missing table", ex.Purpose);
    }

    [Fact]
    public async Task QueryStream_ErrorAfterRowsWereSent_ThrowsWhenReachedInsteadOfEndingQuietly()
    {
        // Small blocks make the server send rows (past its 1 MB send buffer) before the failing one.
        var settings = new Dictionary<string, string> { ["max_block_size"] = "1000" };
        await using var reader = await db.Client.QueryStreamAsync(
            "SELECT number, throwIf(number = 200000) FROM system.numbers LIMIT 300000", "fail half way", settings);
        var rows = 0;
        var ex = await Assert.ThrowsAsync<ClickHouseException>(async () =>
        {
            while (await reader.ReadRowAsync() is not null)
            {
                rows++;
            }
        });

        Assert.True(rows > 0, "rows should have arrived before the error");
        Assert.True(rows <= 200_000);
        Assert.Equal(395, ex.Code);
        Assert.Equal("fail half way", ex.Purpose);
    }

    [Fact]
    public async Task QueryJsonStream_RowsWithArraysAndNulls_ParseOneAtATime()
    {
        await using var reader = await db.Client.QueryJsonStreamAsync(
            "SELECT number AS n, [toString(number), 'x\"y'] AS a, if(number % 2 = 0, NULL, number) AS maybe FROM system.numbers LIMIT 50000",
            "read json rows",
            new Dictionary<string, string> { ["output_format_json_quote_64bit_integers"] = "0" });
        var count = 0;
        while (await reader.ReadRowAsync() is { } row)
        {
            using (row)
            {
                var r = row.RootElement;
                Assert.Equal(count, r.GetProperty("n").GetInt64());
                Assert.Equal(count.ToString(System.Globalization.CultureInfo.InvariantCulture), r.GetProperty("a")[0].GetString());
                Assert.Equal("x\"y", r.GetProperty("a")[1].GetString());
                Assert.Equal(count % 2 == 0 ? JsonValueKind.Null : JsonValueKind.Number, r.GetProperty("maybe").ValueKind);
            }

            count++;
        }

        Assert.Equal(50_000, count);
    }

    [Fact]
    public async Task QueryStream_DisposedEarly_StopsReading()
    {
        var reader = await db.Client.QueryStreamAsync("SELECT number FROM system.numbers LIMIT 100000000", "read a little of a lot");
        for (var i = 0; i < 10; i++)
        {
            Assert.NotNull(await reader.ReadRowAsync());
        }

        await reader.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await reader.ReadRowAsync());
    }
}
