using System.Diagnostics;
using OtelLlm.LoadGen.Measurement;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;

namespace OtelLlm.LoadGen.Ingest;

/// <summary>What ClickHouse alone managed with the receiver's own rows.</summary>
internal sealed record CeilingResult(
    string Profile,
    int BatchSpans,
    int BatchLlmCalls,
    int BatchBytes,
    int Concurrency,
    double Seconds,
    long Spans,
    double SpansPerSecond,
    double ClickHouseCpuSeconds,
    double SpansPerClickHouseCpuSecond,
    double LoadGenCpuSeconds,
    int Round = 1);

/// <summary>
/// The ceiling: the rows the receiver wrote, read back as RowBinary and inserted again straight into ClickHouse
/// in receiver-sized batches, as fast as ClickHouse takes them. No decode, no normalization, no network from a client.
/// </summary>
internal sealed class CeilingPhase(ClickHouseClient clickHouse, IReadOnlyList<int> clickHousePids, string profile, int batchSpans, int concurrency, TimeSpan duration)
{
    public async Task<CeilingResult> RunAsync(long storedSpans, long storedCalls)
    {
        var batch = (int)Math.Min(batchSpans, storedSpans);
        var spans = await ReadRowBinaryAsync(TraceRow.Table, TraceRow.Columns, batch);
        var callRows = storedSpans > 0 ? (int)Math.Round(batch * (double)storedCalls / storedSpans) : 0;
        var calls = callRows > 0 ? await ReadRowBinaryAsync(LlmCallRow.Table, LlmCallRow.Columns, callRows) : [];
        long inserted = 0;
        var clickHouseStart = ProcessStats.CpuSeconds(clickHousePids);
        var selfStart = ProcessStats.CpuSeconds(Environment.ProcessId);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                var traces = clickHouse.InsertRowBinaryAsync(TraceRow.Table, TraceRow.Columns, spans, "ceiling insert of spans");
                if (calls.Length > 0)
                {
                    await clickHouse.InsertRowBinaryAsync(LlmCallRow.Table, LlmCallRow.Columns, calls, "ceiling insert of llm calls");
                }

                await traces;
                Interlocked.Add(ref inserted, batch);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;
        var clickHouseCpu = ProcessStats.CpuSeconds(clickHousePids) - clickHouseStart;
        return new CeilingResult(profile, batch, callRows, spans.Length + calls.Length, concurrency, Math.Round(seconds, 2), inserted,
            Math.Round(inserted / seconds), Math.Round(clickHouseCpu, 2), clickHouseCpu > 0 ? Math.Round(inserted / clickHouseCpu) : 0,
            Math.Round(ProcessStats.CpuSeconds(Environment.ProcessId) - selfStart, 2));
    }

    private async Task<byte[]> ReadRowBinaryAsync(string table, string columns, int rows)
    {
        using var http = new HttpClient { BaseAddress = clickHouse.Options.Url, Timeout = TimeSpan.FromMinutes(2) };
        var sql = $"SELECT {columns} FROM {SqlLiteral.Identifier(clickHouse.Database)}.{table} LIMIT {rows} FORMAT RowBinary";
        using var content = new StringContent(sql);
        using var response = await http.PostAsync(new Uri("/", UriKind.Relative), content);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Reading rows back from {table} failed: {System.Text.Encoding.UTF8.GetString(body)}");
        }

        return body;
    }
}
