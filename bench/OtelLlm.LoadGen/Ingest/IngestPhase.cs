using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using OtelLlm.LoadGen.Measurement;
using OtelLlm.LoadGen.Payloads;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.LoadGen.Ingest;

/// <summary>Settings of one ingest phase.</summary>
internal sealed record IngestSettings(
    OtlpProtocol Protocol,
    PayloadProfile Profile,
    int SpansPerRequest,
    int Concurrency,
    int Connections,
    TimeSpan Warmup,
    TimeSpan Duration,
    long MaxSpans,
    double TargetSpansPerSecond,
    TimeSpan ProbeInterval,
    string? ApiKey);

/// <summary>What one ingest phase measured.</summary>
internal sealed record IngestResult(
    string Receiver,
    int Round,
    string Protocol,
    string Profile,
    int SpansPerRequest,
    int RequestBytes,
    int Concurrency,
    double Seconds,
    long SpansAcked,
    double SpansPerSecond,
    double ReceiverCpuSeconds,
    double SpansPerReceiverCpuSecond,
    double ClickHouseCpuSeconds,
    double SpansPerClickHouseCpuSecond,
    double ReceiverPeakMiB,
    long Refused,
    long Failed,
    int LatencySamples,
    double LatencyP50Ms,
    double LatencyP99Ms,
    double LatencyMaxMs,
    long StoredSpans,
    long StoredLlmCalls,
    long AckedTotal,
    int AckSamples,
    double AckP50Ms,
    double AckP99Ms,
    double AckMaxMs,
    long BacklogAtWindowStart,
    double SpansStoredPerSecond,
    double DrainSeconds,
    double ReceiverCpuToDrainedSeconds,
    double SpansPerReceiverCpuSecondToDrained,
    double ClickHouseCpuToDrainedSeconds,
    long LogBytesWritten,
    long LogPeakBytes,
    double LogBytesPerSpan,
    double StorageWriteBytesPerSpan,
    string LoadAverageStart,
    string LoadAverageEnd);

/// <summary>
/// Drives a receiver flat out (or at a target rate) with pre-encoded requests and measures acknowledged spans, each
/// request's acknowledgement latency, the receiver's and ClickHouse's CPU time over a window after warm-up and again
/// until everything acknowledged is in ClickHouse (a receiver that acknowledges before it writes may still owe the
/// insert when the window ends), probe spans' send-to-queryable latency and the bytes its log wrote per span.
/// </summary>
internal sealed class IngestPhase(IngestSettings settings, ReceiverProcess receiver, ClickHouseClient clickHouse, IReadOnlyList<int> clickHousePids, string receiverLabel, int round)
{
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(180);
    private readonly ConcurrentQueue<double> _ackLatencies = new();
    private volatile bool _measuring;

    private static ulong s_unique = (ulong)DateTime.UtcNow.Ticks << 8;

    private long _acked;
    private long _refused;
    private long _failed;
    private long _requestIndex;

    public async Task<IngestResult> RunAsync()
    {
        var factory = new GenAiSpanFactory(settings.Profile);
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL;
        var grpc = settings.Protocol == OtlpProtocol.Grpc;
        // A handful of distinct requests so the receiver does not see one byte pattern forever.
        var templates = new PreEncodedRequest[8];
        for (var i = 0; i < templates.Length; i++)
        {
            templates[i] = PreEncodedRequest.Create(factory.Build(settings.SpansPerRequest, now + ((ulong)i * 1_000_000_000UL)), grpc);
        }

        var port = grpc ? receiver.GrpcPort : receiver.HttpPort;
        var loadStart = MachineInfo.LoadAverageNow();
        var writeBytesStart = ProcessStats.StorageWriteBytes(receiver.Pid);
        await using var log = new FolderGrowth(receiver.DataRoot, TimeSpan.FromMilliseconds(100));
        using var sender = new OtlpSender(settings.Protocol, port, settings.Connections, settings.Concurrency, settings.ApiKey);
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var workers = new Task[settings.Concurrency];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(() => WorkerAsync(sender, templates, clock, stop.Token));
        }

        await Task.Delay(settings.Warmup);
        var ackedStart = Interlocked.Read(ref _acked);
        var refusedStart = Interlocked.Read(ref _refused);
        var failedStart = Interlocked.Read(ref _failed);
        var receiverCpuStart = ProcessStats.CpuSeconds(receiver.Pid);
        var clickHouseCpuStart = ProcessStats.CpuSeconds(clickHousePids);
        var window = Stopwatch.StartNew();
        _measuring = true;
        var storedAtStart = await CountAsync("SELECT count() FROM otel_traces");

        using var probeStop = new CancellationTokenSource();
        var latencies = new ConcurrentBag<double>();
        var probes = Task.Run(() => ProbeAsync(factory, port, latencies, probeStop.Token));

        while (window.Elapsed < settings.Duration && !stop.IsCancellationRequested)
        {
            await Task.Delay(100);
            if (settings.MaxSpans > 0 && Interlocked.Read(ref _acked) >= settings.MaxSpans)
            {
                break;
            }

            if (receiver.HasExited)
            {
                throw new InvalidOperationException("The receiver exited during the run:\n" + receiver.LastOutput());
            }
        }

        var seconds = window.Elapsed.TotalSeconds;
        var acked = Interlocked.Read(ref _acked) - ackedStart;
        var receiverCpu = ProcessStats.CpuSeconds(receiver.Pid) - receiverCpuStart;
        var clickHouseCpu = ProcessStats.CpuSeconds(clickHousePids) - clickHouseCpuStart;
        var refused = Interlocked.Read(ref _refused) - refusedStart;
        var failed = Interlocked.Read(ref _failed) - failedStart;
        _measuring = false;
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        await probeStop.CancelAsync();
        await probes;

        // Everything acknowledged must reach ClickHouse: wait for it, and count the CPU spent until then.
        var ackedTotal = Interlocked.Read(ref _acked);
        var drain = Stopwatch.StartNew();
        long stored;
        while ((stored = await CountAsync("SELECT count() FROM otel_traces")) < ackedTotal && drain.Elapsed < s_drainTimeout)
        {
            await Task.Delay(100);
        }

        var drainSeconds = window.Elapsed.TotalSeconds - seconds;
        var receiverCpuDrained = ProcessStats.CpuSeconds(receiver.Pid) - receiverCpuStart;
        var clickHouseCpuDrained = ProcessStats.CpuSeconds(clickHousePids) - clickHouseCpuStart;
        log.Sample();
        var writeBytes = ProcessStats.StorageWriteBytes(receiver.Pid) - writeBytesStart;
        var peak = ProcessStats.PeakResidentMiB(receiver.Pid);

        var calls = await CountAsync("SELECT count() FROM llm_calls");
        var sorted = latencies.Order().ToArray();
        var acks = _ackLatencies.Order().ToArray();
        return new IngestResult(
            receiverLabel,
            round,
            settings.Protocol == OtlpProtocol.Grpc ? "grpc" : "http/protobuf",
            settings.Profile == PayloadProfile.ContentOn ? "content on" : "content off",
            settings.SpansPerRequest,
            templates[0].Length,
            settings.Concurrency,
            Math.Round(seconds, 2),
            acked,
            Math.Round(acked / seconds),
            Math.Round(receiverCpu, 2),
            receiverCpu > 0 ? Math.Round(acked / receiverCpu) : 0,
            Math.Round(clickHouseCpu, 2),
            clickHouseCpu > 0 ? Math.Round(acked / clickHouseCpu) : 0,
            Math.Round(peak, 1),
            refused,
            failed,
            sorted.Length,
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.99),
            sorted.Length > 0 ? Math.Round(sorted[^1], 1) : 0,
            stored,
            calls,
            ackedTotal,
            acks.Length,
            Percentile(acks, 0.50),
            Percentile(acks, 0.99),
            acks.Length > 0 ? Math.Round(acks[^1], 1) : 0,
            Math.Max(0, ackedStart - storedAtStart),
            Math.Round((stored - storedAtStart) / (seconds + drainSeconds)),
            Math.Round(drainSeconds, 2),
            Math.Round(receiverCpuDrained, 2),
            receiverCpuDrained > 0 ? Math.Round(acked / receiverCpuDrained) : 0,
            Math.Round(clickHouseCpuDrained, 2),
            log.BytesWritten,
            log.PeakBytes,
            stored > 0 ? Math.Round(log.BytesWritten / (double)stored, 1) : 0,
            stored > 0 ? Math.Round(writeBytes / (double)stored, 1) : 0,
            loadStart,
            MachineInfo.LoadAverageNow());
    }

    private async Task WorkerAsync(OtlpSender sender, PreEncodedRequest[] templates, Stopwatch clock, CancellationToken ct)
    {
        var buffers = templates.Select(t => t.NewBuffer()).ToArray();
        var secondsPerRequest = settings.TargetSpansPerSecond > 0 ? settings.SpansPerRequest / settings.TargetSpansPerSecond : 0;
        while (!ct.IsCancellationRequested)
        {
            var index = Interlocked.Increment(ref _requestIndex) - 1;
            if (secondsPerRequest > 0)
            {
                var due = TimeSpan.FromSeconds(index * secondsPerRequest) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(due, ct);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }

            var slot = (int)(index % templates.Length);
            var template = templates[slot];
            template.Stamp(buffers[slot], Interlocked.Add(ref s_unique, (ulong)template.Traces) - (ulong)template.Traces);
            SendOutcome outcome;
            var sent = Stopwatch.GetTimestamp();
            var measured = _measuring;
            try
            {
                outcome = await sender.SendAsync(buffers[slot], template.Length, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            switch (outcome)
            {
                case SendOutcome.Accepted:
                    Interlocked.Add(ref _acked, template.Spans);
                    if (measured && _measuring)
                    {
                        _ackLatencies.Enqueue(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                    }

                    break;
                case SendOutcome.Refused:
                    Interlocked.Increment(ref _refused);
                    // An SDK would back off; a short pause keeps the generator from spinning on refusals.
                    await Task.Delay(20, CancellationToken.None);
                    break;
                default:
                    Interlocked.Increment(ref _failed);
                    await Task.Delay(20, CancellationToken.None);
                    break;
            }
        }
    }

    /// <summary>
    /// Sends a small tagged request every probe interval and polls ClickHouse (through the trace-id lookup table,
    /// a primary-key read) until each is visible; the latency is send start to first visible.
    /// </summary>
    private async Task ProbeAsync(GenAiSpanFactory factory, int port, ConcurrentBag<double> latencies, CancellationToken ct)
    {
        // Probes are fire-and-forget; HTTP/1.1 needs enough connections that one never queues behind another.
        using var sender = new OtlpSender(settings.Protocol, port, 1, 64, settings.ApiKey);
        var pending = new ConcurrentDictionary<string, long>();
        var poller = Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested || !pending.IsEmpty)
            {
                if (!pending.IsEmpty)
                {
                    var ids = string.Join(",", pending.Keys.Select(SqlLiteral.Quote));
                    try
                    {
                        var rows = await clickHouse.QueryAsync($"SELECT DISTINCT TraceId FROM otel_traces_trace_id_ts WHERE TraceId IN ({ids})", "poll latency probes", CancellationToken.None);
                        var seen = Stopwatch.GetTimestamp();
                        foreach (var row in rows)
                        {
                            if (pending.TryRemove(row[0], out var sent))
                            {
                                latencies.Add(Stopwatch.GetElapsedTime(sent, seen).TotalMilliseconds);
                            }
                        }
                    }
                    catch (ClickHouseException)
                    {
                    }
                }

                await Task.Delay(50, CancellationToken.None);
                if (ct.IsCancellationRequested && !pending.IsEmpty)
                {
                    // Stop waiting for stragglers after a generous grace period.
                    await Task.Delay(10, CancellationToken.None);
                    if (pending.Values.All(t => Stopwatch.GetElapsedTime(t) > TimeSpan.FromSeconds(30)))
                    {
                        break;
                    }
                }
            }
        }, CancellationToken.None);

        var grpc = settings.Protocol == OtlpProtocol.Grpc;
        while (!ct.IsCancellationRequested)
        {
            var traceId = Guid.NewGuid().ToByteArray();
            var hex = Convert.ToHexStringLower(traceId);
            var request = PreEncodedRequest.Create(
                factory.BuildProbe(traceId, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL), grpc);
            var body = request.NewBuffer();
            var sent = Stopwatch.GetTimestamp();
            pending[hex] = sent;
            _ = sender.SendAsync(body, body.Length, CancellationToken.None);
            try
            {
                await Task.Delay(settings.ProbeInterval, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await poller;
    }

    private async Task<long> CountAsync(string sql)
        => long.Parse(await clickHouse.ScalarAsync(sql, "count stored rows"), CultureInfo.InvariantCulture);

    private static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        var index = (int)Math.Ceiling(p * sorted.Length) - 1;
        return Math.Round(sorted[Math.Clamp(index, 0, sorted.Length - 1)], 1);
    }
}
