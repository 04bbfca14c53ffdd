using OtelLlm.Storage.ClickHouse;
using OtelLlm.TestSupport;

namespace OtelLlm.Storage.Tests;

public sealed class SqlLiteralTests(ClickHouseDatabase db) : IClassFixture<ClickHouseDatabase>
{
    public static TheoryData<string> HostileStrings => new()
    {
        "",
        "plain",
        "it's",
        "'; DROP TABLE otel_traces; --",
        "back\\slash",
        "trailing backslash\\",
        "\\'",
        "new\nline",
        "carriage\rreturn",
        "tab\there",
        "nul\0byte",
        "bell\a form\f backspace\b vertical\v",
        "emoji 😀 and 𝄞 clef",
        "日本語のテキスト",
        "quote \" double",
        "`backtick`",
        "{param:String}",
        "$__timeFilter(Timestamp)",
    };

    [Theory]
    [MemberData(nameof(HostileStrings))]
    public async Task Quote_HostileString_ServerReadsItBackUnchanged(string value)
    {
        var hex = await db.Client.ScalarAsync($"SELECT hex({SqlLiteral.Quote(value)})", "echo a literal");

        Assert.Equal(Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(value)), hex);
    }

    [Theory]
    [InlineData("otel_llm")]
    [InlineData("Db_2")]
    public void Identifier_PlainName_ReturnsIt(string name) => Assert.Equal(name, SqlLiteral.Identifier(name));

    [Theory]
    [InlineData("")]
    [InlineData("2db")]
    [InlineData("db; DROP")]
    [InlineData("db.table")]
    [InlineData("`x`")]
    public void Identifier_AnythingElse_Throws(string name) => Assert.Throws<ArgumentException>(() => SqlLiteral.Identifier(name));
}
