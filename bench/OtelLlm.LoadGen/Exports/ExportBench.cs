using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using OtelLlm.LoadGen.Dashboards;
using OtelLlm.LoadGen.Measurement;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;
using OtelLlm.Storage.Schema;

namespace OtelLlm.LoadGen.Exports;

/// <summary>One export streamed from the receiver to a sink that only counts.</summary>
/// <param name="Receiver">The receiver build's label.</param>
/// <param name="Export">The request's path and query (the range left out).</param>
/// <param name="Lines">Lines received (CSV: rows and the header; JSON Lines: rows; a JSON array: 1).</param>
/// <param name="Bytes">Bytes received.</param>
/// <param name="FirstByteMs">Milliseconds from the request to the first byte of the body.</param>
/// <param name="Seconds">Seconds from the request to the last byte.</param>
/// <param name="RssBeforeMiB">The receiver's resident memory before the request.</param>
/// <param name="PeakRssMiB">The receiver's peak resident memory during the request (<c>VmHWM</c>, reset before it).</param>
/// <param name="Error">The status and body when it failed.</param>
internal sealed record ExportTiming(string Receiver, string Export, long Lines, long Bytes, double FirstByteMs, double Seconds, double RssBeforeMiB, double PeakRssMiB, string? Error)
{
    public double GrowthMiB => Math.Round(PeakRssMiB - RssBeforeMiB, 1);

    public double MiBPerSecond => Seconds == 0 ? 0 : Math.Round(Bytes / 1048576.0 / Seconds, 1);
}

/// <summary>What ClickHouse needed to read every call of the range with <c>FINAL</c>, as one query or one query per day.</summary>
/// <param name="Read">How the range was read.</param>
/// <param name="Queries">Queries run.</param>
/// <param name="PeakMemoryMiB">The largest <c>memory_usage</c> of one of them (<c>system.query_log</c>); for a failed query the limit it hit.</param>
/// <param name="Seconds">Their time in all.</param>
/// <param name="Error">The server's error, when the read failed.</param>
internal sealed record ServerRead(string Read, int Queries, double PeakMemoryMiB, double Seconds, string? Error);

/// <summary>The export benchmark's result.</summary>
/// <param name="Rows">The <c>llm_calls</c> rows in the database.</param>
/// <param name="InsertSeconds">How long filling the database took (0 when reused).</param>
/// <param name="ContentBytes">Bytes of content (system instructions, input and output messages) the rows hold.</param>
/// <param name="Timings">Every export, small and whole.</param>
/// <param name="ServerReads">ClickHouse's memory for the whole range read at once and a day at a time.</param>
internal sealed record ExportResult(long Rows, double InsertSeconds, long ContentBytes, IReadOnlyList<ExportTiming> Timings, IReadOnlyList<ServerRead> ServerReads);

/// <summary>
/// Streams every kind of export of the whole database (a million calls by default, with captured content) and of its
/// first 10,000 calls from the receiver as a child process, and reads the receiver's resident memory before and at its
/// peak during each (<c>/proc/&lt;pid&gt;/status</c>; the peak is reset through <c>clear_refs</c> before each request). An
/// export that streams takes no more memory for a million rows than for ten thousand; one that buffers grows with them.
/// </summary>
internal sealed class ExportBench(ClickHouseClient clickHouse, IReadOnlyList<(string Label, string Dll)> receivers, long rows, bool regenerate)
{
    private const int BatchRows = 10_000;
    private const int SmallRows = 10_000;

    public async Task<ExportResult> RunAsync()
    {
        await new MigrationRunner(clickHouse).ApplyAsync();
        var insertSeconds = await EnsureDataAsync();
        var end = DateTimeOffset.FromUnixTimeSeconds(long.Parse(
            await clickHouse.ScalarAsync("SELECT toUnixTimestamp(max(Timestamp)) FROM llm_calls", "read the data's end"), CultureInfo.InvariantCulture) + 60);
        var contentBytes = long.Parse(
            await clickHouse.ScalarAsync("SELECT sum(length(SystemInstructions) + length(InputMessages) + length(OutputMessages)) FROM llm_calls", "measure the content"),
            CultureInfo.InvariantCulture);
        var range = $"from={Iso(end.AddDays(-31))}&to={Iso(end)}";

        var timings = new List<ExportTiming>();
        foreach (var (label, dll) in receivers)
        {
            timings.AddRange(await ExportAllAsync(label, dll, range));
        }

        var reads = new List<ServerRead>
        {
            await ServerReadAsync("whole range, one query (default settings)", [string.Empty], null),
            await ServerReadAsync("a day at a time, max_block_size 8192 (as the export reads)", await DaysAsync(), "8192"),
        };
        foreach (var read in reads)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ClickHouse, {read.Read}: {read.Queries} queries, peak {read.PeakMemoryMiB} MiB, {read.Seconds} s {read.Error}"));
        }

        return new ExportResult(rows, insertSeconds, contentBytes, timings, reads);
    }

    private async Task<string[]> DaysAsync() =>
        [.. (await clickHouse.QueryAsync("SELECT toYYYYMMDD(Timestamp) AS Day FROM llm_calls GROUP BY Day ORDER BY Day", "list the days")).Select(d => $" WHERE toYYYYMMDD(Timestamp) = {d[0]}")];

    // Every column of every call with FINAL, read to the end as the receiver reads it, logged so its memory can be read back.
    private async Task<ServerRead> ServerReadAsync(string label, string[] conditions, string? maxBlockSize)
    {
        var marker = "export_bench_" + Guid.NewGuid().ToString("N");
        var settings = new Dictionary<string, string> { ["log_queries"] = "1" };
        if (maxBlockSize is not null)
        {
            settings["max_block_size"] = maxBlockSize;
        }

        var clock = Stopwatch.StartNew();
        string? error = null;
        foreach (var condition in conditions)
        {
            try
            {
                await using var reader = await clickHouse.QueryStreamAsync($"SELECT * FROM llm_calls FINAL{condition} /* {marker} */", "read the range with FINAL", settings);
                while (await reader.ReadRowAsync() is not null)
                {
                }
            }
            catch (ClickHouseException e)
            {
                error = e.Message;
                break;
            }
        }

        var seconds = Math.Round(clock.Elapsed.TotalSeconds, 1);
        await clickHouse.ExecuteAsync("SYSTEM FLUSH LOGS", "flush the query log");
        var peak = double.Parse(
            await clickHouse.ScalarAsync($"SELECT max(memory_usage) FROM system.query_log WHERE type != 1 AND query LIKE '%{marker}%' AND query NOT LIKE '%query_log%'", "read the queries' memory"),
            CultureInfo.InvariantCulture);
        return new ServerRead(label, conditions.Length, Math.Round(peak / 1048576.0, 1), seconds, error);
    }

    private async Task<List<ExportTiming>> ExportAllAsync(string label, string dll, string range)
    {
        await using var receiver = await ReceiverProcess.StartAsync(dll, clickHouse.Options.Url, clickHouse.Database, apiKey: null, ["--OtelLlm:Api:Alerts:EvaluatorEnabled=false"], new Dictionary<string, string>());
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{receiver.HttpPort}/api/v1/"), Timeout = TimeSpan.FromMinutes(30) };

        // Every code path once before measuring, so what is measured is the export, not the first use of the JIT or the pools.
        foreach (var warmUp in new[] { "export/calls?format=csv&limit=1000", "export/calls?format=jsonl&content=true&limit=1000", "export/calls?format=json&limit=1000", "export/finetune?limit=1000" })
        {
            await ExportAsync(label, http, receiver.Pid, warmUp, $"{warmUp}&{range}");
        }

        var timings = new List<ExportTiming>();
        foreach (var export in new[]
        {
            "export/calls?format=csv",
            "export/calls?format=json",
            "export/calls?format=jsonl&content=true",
            "export/finetune",
        })
        {
            foreach (var limit in new[] { SmallRows, 0 })
            {
                var request = limit == 0 ? export : $"{export}{(export.Contains('?', StringComparison.Ordinal) ? "&" : "?")}limit={limit.ToString(CultureInfo.InvariantCulture)}";
                var timing = await ExportAsync(label, http, receiver.Pid, request, $"{request}{(request.Contains('?', StringComparison.Ordinal) ? "&" : "?")}{range}");
                timings.Add(timing);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {label} {request}: {timing.Lines:N0} lines, {timing.Bytes / 1048576.0:N1} MiB in {timing.Seconds} s; receiver RSS {timing.RssBeforeMiB} → peak {timing.PeakRssMiB} MiB{(timing.Error is null ? string.Empty : " " + timing.Error)}"));
            }
        }

        return timings;
    }

    private static async Task<ExportTiming> ExportAsync(string receiver, HttpClient http, int pid, string label, string path)
    {
        GC.Collect();
        await Task.Delay(500);
        var before = ProcessStats.ResidentMiB(pid);
        ResetPeak(pid);
        using var sampling = new CancellationTokenSource();
        var sampledPeak = 0.0;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                sampledPeak = Math.Max(sampledPeak, ProcessStats.ResidentMiB(pid));
                try
                {
                    await Task.Delay(50, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        var clock = Stopwatch.StartNew();
        long bytes = 0;
        long lines = 0;
        double firstByte = 0;
        string? error = null;
        try
        {
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode)
            {
                error = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            else
            {
                await using var body = await response.Content.ReadAsStreamAsync();
                var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
                try
                {
                    int read;
                    while ((read = await body.ReadAsync(buffer)) > 0)
                    {
                        if (bytes == 0)
                        {
                            firstByte = clock.Elapsed.TotalMilliseconds;
                        }

                        bytes += read;
                        lines += buffer.AsSpan(0, read).Count((byte)'\n');
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (HttpRequestException e)
        {
            error = e.Message;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        var peak = Math.Max(ProcessStats.PeakResidentMiB(pid), sampledPeak);
        return new ExportTiming(receiver, label, lines, bytes, Math.Round(firstByte, 1), Math.Round(seconds, 2), Math.Round(before, 1), Math.Round(peak, 1), error);
    }

    // Writing 5 to clear_refs resets the process's peak resident size (VmHWM) to its current size (Linux 4.0 and later).
    private static void ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task<double> EnsureDataAsync()
    {
        var existing = long.Parse(await clickHouse.ScalarAsync("SELECT count() FROM llm_calls", "count benchmark rows"), CultureInfo.InvariantCulture);
        if (!regenerate && existing == rows)
        {
            return 0;
        }

        if (existing > 0)
        {
            await clickHouse.ExecuteAsync($"DROP DATABASE {SqlLiteral.Identifier(clickHouse.Database)}", "drop the old benchmark data", useDatabase: false);
            await new MigrationRunner(clickHouse).ApplyAsync();
        }

        var generator = new LlmCallGenerator(rows, DateTimeOffset.UtcNow, content: true);
        var clock = Stopwatch.StartNew();
        using var writer = new RowBinaryWriter(BatchRows * 2048);
        while (generator.Produced < rows)
        {
            writer.Reset();
            generator.WriteBatch(writer, BatchRows);
            await clickHouse.InsertRowBinaryAsync(LlmCallRow.Table, LlmCallRow.Columns, writer.WrittenMemory, "insert benchmark llm calls");
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r  inserted {generator.Produced:N0} / {rows:N0} llm_calls rows"));
        }

        Console.Error.WriteLine();
        return Math.Round(clock.Elapsed.TotalSeconds, 1);
    }

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}
