using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OtelLlm.LoadGen.Measurement;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.LoadGen.Dashboards;

/// <summary>One read-API request behind a console page over one range.</summary>
/// <param name="Page">The console page that makes the request.</param>
/// <param name="Request">What is asked, as the path and query (the range left out).</param>
/// <param name="Range">24h or 30d.</param>
/// <param name="P50Ms">Median milliseconds from request to the last byte of the answer, on loopback.</param>
/// <param name="P95Ms">95th percentile of the same.</param>
/// <param name="Runs">Timed runs.</param>
/// <param name="Error">The status and body when it failed.</param>
internal sealed record ReadTiming(string Page, string Request, string Range, double P50Ms, double P95Ms, int Runs, string? Error);

/// <summary>The read-API benchmark's result.</summary>
/// <param name="Rows">The <c>llm_calls</c> rows timed over.</param>
/// <param name="Spans">The <c>otel_traces</c> rows (one per call, made from the calls when missing).</param>
/// <param name="SpansSeconds">How long making the spans took (0 when reused).</param>
/// <param name="Timings">Every timed request.</param>
internal sealed record ReadApiResult(long Rows, long Spans, double SpansSeconds, IReadOnlyList<ReadTiming> Timings);

/// <summary>
/// Times every read-API request the console's pages make, against the receiver as a child process over the dashboard
/// benchmark's database (<see cref="DashboardBench"/> fills it), for the last 24 hours and the last 30 days of the data.
/// Each request runs once unmeasured, then <c>runs</c> times; the time is the client's, request to last byte, on
/// loopback: the receiver's work plus ClickHouse's, nothing of a browser.
/// </summary>
internal sealed class ReadApiBench(ClickHouseClient clickHouse, string receiverDll, int runs)
{
    public async Task<ReadApiResult> RunAsync(DateTimeOffset end, long rows)
    {
        var (spans, spansSeconds) = await EnsureSpansAsync(rows);
        var sample = (await clickHouse.QueryJsonAsync(
            $"""
            SELECT TraceId, SpanId, StartTimeUnixNano, RequestModel, UserId, ConversationId
            FROM llm_calls
            WHERE Timestamp >= toDateTime({end.AddHours(-2).ToUnixTimeSeconds()}) AND ConversationId != ''
            ORDER BY Timestamp DESC
            LIMIT 1
            """,
            "pick a recent call"))[0];
        var traceId = sample.GetProperty("TraceId").GetString()!;
        var spanId = sample.GetProperty("SpanId").GetString()!;
        var at = DateTimeOffset.UnixEpoch.AddTicks((long)(ulong.Parse(sample.GetProperty("StartTimeUnixNano").GetString()!, CultureInfo.InvariantCulture) / 100))
            .UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        var model = sample.GetProperty("RequestModel").GetString()!;
        var user = sample.GetProperty("UserId").GetString()!;
        var session = sample.GetProperty("ConversationId").GetString()!;

        await using var receiver = await ReceiverProcess.StartAsync(receiverDll, clickHouse.Options.Url, clickHouse.Database, apiKey: null, ["--OtelLlm:Api:Alerts:EvaluatorEnabled=false"], new Dictionary<string, string>());
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{receiver.HttpPort}/api/v1/"), Timeout = TimeSpan.FromMinutes(5) };
        var timings = new List<ReadTiming>();
        foreach (var (label, span) in new[] { ("24h", TimeSpan.FromHours(24)), ("30d", TimeSpan.FromDays(30)) })
        {
            var range = $"from={Iso(end - span)}&to={Iso(end)}";
            var step = span.TotalDays > 2 ? 21600 : 900;
            (string Page, string Request)[] requests =
            [
                ("Overview", "overview"),
                ("Overview", $"overview/series?groupBy=model&step={step}"),
                ("Overview", $"overview/latency?step={step}"),
                ("Overview", "overview/breakdown?by=provider&limit=10"),
                ("Overview", "overview/breakdown?by=service&limit=10"),
                ("Filter bar", "overview/breakdown?by=model&limit=200"),
                ("Overview, filtered", $"overview?model={model}&status=error"),
                ("Overview, by user", $"overview?userId={user}"),
                ("Calls", "calls?limit=50"),
                ("Calls", "calls?limit=50&sort=cost"),
                ("Calls", "calls?limit=50&sort=duration"),
                ("Calls", "calls?limit=50&sort=tokens"),
                ("Calls", "calls?limit=50&sort=time&order=asc"),
                ("Calls", $"calls?limit=50&model={model}&status=error"),
                ("Calls", $"calls?limit=50&userId={user}"),
                ("Calls", "calls?limit=50&minCost=0.05&minDurationMs=5000"),
                ("Calls", "calls?limit=50&q=refund"),
                ("Calls, page 2", "calls?limit=50&cursor={cursor:time}"),
                ("Calls, page 2", "calls?limit=50&sort=cost&cursor={cursor:cost}"),
                ("Call", $"calls/{traceId}/{spanId}?at={at}"),
                ("Trace", $"traces/{traceId}"),
                ("Sessions", "sessions?limit=200"),
                ("Session", $"sessions/{session}"),
                ("Users", "users?limit=200"),
                ("User", $"users/{user}"),
            ];
            var cursors = new Dictionary<string, string>();
            foreach (var (page, request) in requests)
            {
                var path = request;
                foreach (var (key, cursor) in cursors)
                {
                    path = path.Replace($"{{cursor:{key}}}", cursor, StringComparison.Ordinal);
                }

                // One session or user, a call and a trace are looked for in their own span, as the pages do.
                var scoped = page is "Call" or "Trace" ? path : path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + range;
                var timing = await TimeAsync(http, page, request, label, scoped);
                timings.Add(timing.Timing);
                if (request.StartsWith("calls?limit=50", StringComparison.Ordinal) && timing.Body is { } body && body.TryGetProperty("nextCursor", out var next))
                {
                    cursors.TryAdd(body.GetProperty("sort").GetString()!, next.GetString()!);
                }

                Console.Error.WriteLine($"  {label} {page}: {request} p50 {timing.Timing.P50Ms} ms p95 {timing.Timing.P95Ms} ms{(timing.Timing.Error is null ? string.Empty : " " + timing.Timing.Error)}");
            }
        }

        return new ReadApiResult(rows, spans, spansSeconds, timings);
    }

    private async Task<(ReadTiming Timing, JsonElement? Body)> TimeAsync(HttpClient http, string page, string request, string range, string path)
    {
        var times = new List<double>();
        JsonElement? body = null;
        for (var i = 0; i <= runs; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(path);
            var text = await response.Content.ReadAsStringAsync();
            var elapsed = clock.Elapsed.TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                return (new ReadTiming(page, request, range, 0, 0, 0, $"{(int)response.StatusCode} {text}"), null);
            }

            if (i == 0)
            {
                using var doc = JsonDocument.Parse(text);
                body = doc.RootElement.Clone();
                continue;
            }

            times.Add(elapsed);
        }

        times.Sort();
        return (new ReadTiming(page, request, range, Round(times[times.Count / 2]), Round(times[Math.Min(times.Count - 1, (int)Math.Ceiling(times.Count * 0.95) - 1)]), times.Count, null), body);
    }

    /// <summary>One span per call in <c>otel_traces</c> (the trace page and one-call lookups read it), made from the calls day by day.</summary>
    private async Task<(long Spans, double Seconds)> EnsureSpansAsync(long rows)
    {
        var spans = long.Parse(await clickHouse.ScalarAsync("SELECT count() FROM otel_traces", "count spans"), CultureInfo.InvariantCulture);
        if (spans >= rows)
        {
            return (spans, 0);
        }

        await clickHouse.ExecuteAsync("TRUNCATE TABLE otel_traces", "clear partial spans");
        await clickHouse.ExecuteAsync("TRUNCATE TABLE otel_traces_trace_id_ts", "clear the trace index");
        var days = await clickHouse.QueryAsync("SELECT DISTINCT toYYYYMMDD(Timestamp) AS d FROM llm_calls ORDER BY d", "list the days");
        var clock = Stopwatch.StartNew();
        foreach (var day in days)
        {
            await clickHouse.ExecuteAsync(
                $"""
                INSERT INTO otel_traces (Project, Timestamp, StartTimeUnixNano, EndTimeUnixNano, Duration, TraceId, SpanId, ParentSpanId, SpanName, SpanKind,
                                         ServiceName, ScopeName, StatusCode, StatusMessage, `SpanAttributes.Key`, `SpanAttributes.Value`)
                SELECT Project, Timestamp, StartTimeUnixNano, StartTimeUnixNano + Duration, Duration, TraceId, SpanId, ParentSpanId,
                       concat(Operation, ' ', RequestModel), 'Client', ServiceName, 'bench', if(StatusCode = 'Error', 'Error', 'Unset'), ErrorType,
                       ['gen_ai.operation.name', 'gen_ai.request.model', 'gen_ai.provider.name'], [Operation, RequestModel, Provider]
                FROM llm_calls
                WHERE toYYYYMMDD(Timestamp) = {day[0]}
                """,
                $"make the spans of {day[0]}");
            Console.Error.Write($"\r  spans made for day {day[0]}");
        }

        Console.Error.WriteLine();
        return (long.Parse(await clickHouse.ScalarAsync("SELECT count() FROM otel_traces", "count spans"), CultureInfo.InvariantCulture), Math.Round(clock.Elapsed.TotalSeconds, 1));
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static double Round(double ms) => ms >= 100 ? Math.Round(ms) : Math.Round(ms, 1);
}
