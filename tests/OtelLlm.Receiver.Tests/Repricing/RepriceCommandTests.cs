using System.Globalization;
using OtelLlm.Receiver.Repricing;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;
using OtelLlm.TestSupport;

namespace OtelLlm.Receiver.Tests.Repricing;

/// <summary>The <c>reprice</c> command against a real database: arguments, a dry run, a run, and what it prints.</summary>
public sealed class RepriceCommandTests : IAsyncLifetime
{
    private static readonly DateTimeOffset CallTime = new(2025, 9, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly ClickHouseDatabase _db = new();

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        using var rows = new RowBinaryWriter();
        Call("a", "gpt-4.1-2025-04-14", cost: null, source: string.Empty).Write(rows);
        Call("b", "gpt-4.1", cost: 0.5, source: "span").Write(rows);
        Call("c", "my-private-model", cost: null, source: string.Empty).Write(rows);
        await _db.Client.InsertRowBinaryAsync(LlmCallRow.Table, LlmCallRow.Columns, rows.WrittenMemory, "write calls");
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Theory]
    [InlineData("--from 2025-09-02 --to 2025-09-01", "--from before --to")]
    [InlineData("--from 2025-09-01", "--from and --to are required")]
    [InlineData("--from 2025-09-01 --to 2025-09-02 --frobnicate", "unexpected argument '--frobnicate'")]
    [InlineData("--from 2025-09-01 --to 2025-09-02 --OtelLlm:ClickHouse:Cluster=otel_llm_cluster", "runs against a single ClickHouse server only. Nothing was changed")]
    public async Task BadArguments_ExitTwoAndSayWhat(string args, string message)
    {
        var (exit, _, error) = await RunAsync(args.Split(' '));

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_ThenRun_PricesTheUnpricedCall_KeepsTheSpansCost_NamesTheModelWithoutAPrice()
    {
        var (exit, output, _) = await RunAsync(["--from", "2025-09-01", "--to", "2025-09-02", "--dry-run"]);
        Assert.Equal(0, exit);
        Assert.Contains("Would re-price", output, StringComparison.Ordinal);
        Assert.Equal("0", await _db.Client.ScalarAsync("SELECT count() FROM llm_calls WHERE CostSource = 'repriced'", "count"));

        (exit, output, _) = await RunAsync(["--from", "2025-09-01", "--to", "2025-09-02"]);

        Assert.Equal(0, exit);
        Assert.Matches(@"re-priced\s+1\n", output);
        Assert.Matches(@"cost from the span, kept\s+1\n", output);
        Assert.Contains("no price: openai/my-private-model × 1", output, StringComparison.Ordinal);
        // GPT-4.1 $2 / $8: 1,000 × 2 + 1,000 × 8 = 10,000 $/M.
        var final = await _db.Client.QueryAsync(
            "SELECT SpanId, ifNull(CostUsd, -1), CostSource, Revision, Attributes.Value[indexOf(Attributes.Key, 'otel_llm.cost_before')] FROM llm_calls FINAL ORDER BY SpanId", "read");
        Assert.Equal(["0.01", "repriced", "1", ""], final[0][1..]);
        Assert.Equal(["0.5", "span", "0", ""], final[1][1..]);
        Assert.Equal(["-1", "", "0", ""], final[2][1..]);
    }

    private static LlmCallRow Call(string id, string model, double? cost, string source) => new()
    {
        Project = "default", ServiceName = "svc", Operation = "chat", Provider = "openai", RequestModel = model, ResponseModel = model,
        StartTimeUnixNano = (ulong)CallTime.ToUnixTimeMilliseconds() * 1_000_000UL, TraceId = new string(id[0], 32), SpanId = new string(id[0], 16),
        InputTokens = 1_000, OutputTokens = 1_000, CostUsd = cost, CostSource = source, StatusCode = "Unset",
    };

    private async Task<(int Exit, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var exit = await RepriceCommand.RunAsync(
            [.. args, $"--OtelLlm:ClickHouse:Url={_db.Url}", $"--OtelLlm:ClickHouse:Database={_db.Name}"], ReceiverHost.ClickHouseSectionName, output, error, TimeProvider.System);
        return (exit, output.ToString(), error.ToString());
    }
}
