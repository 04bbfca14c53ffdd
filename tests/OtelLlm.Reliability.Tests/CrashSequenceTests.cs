using System.Collections.Concurrent;
using System.Globalization;
using OtelLlm.TestSupport;
using Xunit.Abstractions;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// Looks for the next bug of the kind that once lost acknowledged data: seeded, reproducible random sequences of
/// sends, ClickHouse outages and hangs, graceful restarts and SIGKILLs at random moments — mid-send, during the spool's
/// replay, right after a drain — against one receiver process and one state folder that lives through every sequence.
/// After each sequence every acknowledged span must be stored, and every stored call counted exactly once.
/// </summary>
/// <remarks>
/// <c>OTELLLM_CRASH_SEED</c> (default 20261202) and <c>OTELLLM_CRASH_SEQUENCES</c> (default 6) choose the sequences; the
/// same seed gives the same operations in the same order (when exactly a kill lands still depends on timing). A longer
/// search, for nightly use: <c>OTELLLM_CRASH_SEQUENCES=200 OTELLLM_CRASH_SEED=$RANDOM dotnet test
/// tests/OtelLlm.Reliability.Tests --filter CrashSequenceTests</c>.
/// </remarks>
[Collection(PrivateServerGroup.Name)]
public sealed class CrashSequenceTests(ClickHouseDatabase database, ITestOutputHelper output) : IClassFixture<ClickHouseDatabase>
{
    private const int SpansPerRequest = 50;
    private static readonly string[] s_settings =
    [
        "--OtelLlm:Receiver:Wal:RetryInitialMilliseconds=50",
        "--OtelLlm:Receiver:Wal:RetryMaxMilliseconds=500",
        "--OtelLlm:ClickHouse:Timeout=00:00:10",
    ];

    private enum Step
    {
        Send,
        OutageStart,
        OutageEnd,
        HangStart,
        Restart,
        Kill,
        KillMidSend,
        KillDuringReplay,
        KillAfterDrain,
    }

    [Fact]
    public async Task RandomCrashSequences_EveryAcknowledgedSpanStoredAndCountedOnce()
    {
        var seed = Setting("OTELLLM_CRASH_SEED", 20261202);
        var sequences = Setting("OTELLLM_CRASH_SEQUENCES", 6);
        await using var proxy = new FaultProxy(database.Url);
        await using var child = await ChildReceiver.StartAsync(proxy.Url, database.Name, s_settings);
        for (var n = 0; n < sequences; n++)
        {
            var random = new Random(unchecked((seed * 7919) + n));
            var plan = Plan(random);
            var service = string.Create(CultureInfo.InvariantCulture, $"crashseq-{seed}-{n}");
            output.WriteLine($"sequence {n} of seed {seed}: {string.Join(" ", plan)}");
            var run = new SequenceRun(child, proxy, service, random, output);
            run.StartStream();
            foreach (var step in plan)
            {
                await run.DoAsync(step);
            }

            await run.FinishAsync();
            await VerifyAsync(run, child);
        }
    }

    /// <summary>Five to nine steps, starting with a send, with at least one kill of some kind.</summary>
    private static List<Step> Plan(Random random)
    {
        var kills = new[] { Step.Kill, Step.KillMidSend, Step.KillDuringReplay, Step.KillAfterDrain };
        var all = Enum.GetValues<Step>();
        var plan = new List<Step> { Step.Send };
        var length = random.Next(5, 10);
        while (plan.Count < length)
        {
            // Sends and outages are what give a kill something to lose; weight them up.
            var pick = random.Next(all.Length + 3);
            plan.Add(pick < all.Length ? all[pick] : pick == all.Length ? Step.OutageStart : Step.Send);
        }

        if (!plan.Any(kills.Contains))
        {
            plan.Insert(random.Next(1, plan.Count + 1), kills[random.Next(kills.Length)]);
        }

        return plan;
    }

    private async Task VerifyAsync(SequenceRun run, ChildReceiver child)
    {
        var where = $"ServiceName = '{run.Service}'";
        var acked = run.AckedSpanIds();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        HashSet<string> stored;
        while (true)
        {
            var drained = !Directory.Exists(child.WalDirectory) || Directory.GetFiles(child.WalDirectory, "*.wal").Length == 0;
            stored = [.. (await database.QueryAsync($"SELECT DISTINCT SpanId FROM otel_traces WHERE {where}")).Select(r => r[0])];
            if (drained && stored.IsSupersetOf(acked) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(200);
        }

        var missing = acked.Except(stored).ToList();
        var final = await database.CountAsync($"SELECT count() FROM otel_traces FINAL WHERE {where}");
        var calls = await database.CountAsync($"SELECT uniqExact(SpanId) FROM llm_calls WHERE {where}");
        var callsFinal = await database.CountAsync($"SELECT count() FROM llm_calls FINAL WHERE {where}");
        var revisionZero = await database.CountAsync($"SELECT count() FROM llm_calls WHERE {where} AND Revision = 0");
        var rollup = await database.CountAsync($"SELECT sum(Calls) FROM llm_calls_1m WHERE {where}");
        output.WriteLine($"  sent {run.SentSpans}, acknowledged {acked.Count}, stored {stored.Count} (FINAL {final}); llm_calls unique {calls}, FINAL {callsFinal}, revision-0 rows {revisionZero}, llm_calls_1m {rollup}; kills {run.Kills}, restarts {run.Restarts}, client retries {run.Retries}");
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged spans of {run.Service} were never stored, e.g. {string.Join(", ", missing.Take(5))}\n{child.RecentOutput}");
        Assert.True(stored.IsSubsetOf(run.SentSpanIds()), "a span that was never sent was stored");
        Assert.Equal(stored.Count, final);
        Assert.Equal(stored.Count, calls);
        Assert.Equal(stored.Count, callsFinal);
        Assert.Equal(stored.Count, revisionZero);
        Assert.Equal(stored.Count, rollup);
    }

    private static int Setting(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    /// <summary>One sequence's state: what was sent and acknowledged, the sends still in flight, the faults in force.</summary>
    private sealed class SequenceRun(ChildReceiver child, FaultProxy proxy, string service, Random random, ITestOutputHelper output)
    {
        private readonly ConcurrentBag<int> _ackedRequests = [];
        private readonly List<Task> _sends = [];
        private readonly RetryingExporter _exporter = new(child.HttpPort, child.GrpcPort);
        private readonly CancellationTokenSource _finishing = new();
        private int _nextRequest;
        private volatile bool _streamPaused;

        public string Service => service;

        public int Kills { get; private set; }

        public int Restarts { get; private set; }

        public long Retries => _exporter.Retries;

        public int SentSpans => Volatile.Read(ref _nextRequest) * SpansPerRequest;

        public async Task DoAsync(Step step)
        {
            output.WriteLine($"  {step}: {_ackedRequests.Count} requests acknowledged so far, {Segments()} spool segments");
            switch (step)
            {
                case Step.Send:
                    StartSends(random.Next(3, 10));
                    await PauseAsync();
                    break;
                case Step.OutageStart:
                    proxy.Down = true;

                    // The stream keeps sending: an outage counts once something has been acknowledged from the spool.
                    await WaitAsync(() => Segments() > 0, "the receiver spools during the outage");
                    await PauseAsync();
                    break;
                case Step.OutageEnd:
                    proxy.Down = false;
                    proxy.Stalled = false;
                    await PauseAsync();
                    break;
                case Step.HangStart:
                    proxy.Stalled = true;
                    await PauseAsync();
                    break;
                case Step.Restart:
                    Assert.Equal(0, await child.TerminateAsync());
                    Restarts++;
                    await child.RestartAsync();
                    break;
                case Step.Kill:
                    await KillAsync();
                    break;
                case Step.KillMidSend:
                    var acked = _ackedRequests.Count;
                    StartSends(random.Next(4, 12));
                    var after = random.Next(0, 3);
                    await WaitAsync(() => _ackedRequests.Count >= acked + after || AllSendsDone(), "acknowledgements before the kill");
                    await KillAsync();
                    break;
                case Step.KillDuringReplay:
                    var wasSpooling = Segments() > 0;
                    proxy.Down = false;
                    proxy.Stalled = false;
                    if (wasSpooling)
                    {
                        await Task.Delay(random.Next(0, 400));
                    }

                    await KillAsync();
                    break;
                case Step.KillAfterDrain:
                    // The stream holds off so the spool can empty: while it holds anything new batches queue behind it.
                    _streamPaused = true;
                    proxy.Down = false;
                    proxy.Stalled = false;
                    await WaitAsync(() => Segments() == 0, "the spool drains");
                    await KillAsync();
                    _streamPaused = false;
                    break;
            }
        }

        /// <summary>
        /// A steady stream of small requests for the whole sequence, so every outage, restart and kill meets traffic in
        /// flight (bursts of <see cref="Step.Send"/> come on top).
        /// </summary>
        public void StartStream()
        {
            var pace = new Random(random.Next());
            _sends.Add(Task.Run(async () =>
            {
                while (!_finishing.IsCancellationRequested)
                {
                    if (!_streamPaused)
                    {
                        await SendOneAsync(Interlocked.Increment(ref _nextRequest) - 1);
                    }

                    try
                    {
                        await Task.Delay(pace.Next(20, 150), _finishing.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            }));
        }

        public async Task FinishAsync()
        {
            await _finishing.CancelAsync();
            proxy.Down = false;
            proxy.Stalled = false;
            await Task.WhenAll(_sends);
            _exporter.Dispose();
            _finishing.Dispose();
        }

        public HashSet<string> AckedSpanIds()
            => [.. _ackedRequests.SelectMany(r => Enumerable.Range(r * SpansPerRequest, SpansPerRequest)).Select(i => Load.Hex(Load.SpanId(service, i)))];

        public HashSet<string> SentSpanIds()
            => [.. Enumerable.Range(0, SentSpans).Select(i => Load.Hex(Load.SpanId(service, i)))];

        private void StartSends(int requests)
        {
            for (var worker = 0; worker < 2; worker++)
            {
                var count = (requests + 1 - worker) / 2;
                _sends.Add(Task.Run(async () =>
                {
                    for (var i = 0; i < count; i++)
                    {
                        await SendOneAsync(Interlocked.Increment(ref _nextRequest) - 1);
                    }
                }));
            }
        }

        private async Task SendOneAsync(int r)
        {
            var request = Load.GenAiSpans(service, r * SpansPerRequest, SpansPerRequest);
            if (await _exporter.ExportAsync(request, useGrpc: r % 3 == 0, TimeSpan.FromMinutes(3)))
            {
                _ackedRequests.Add(r);
            }
        }

        private async Task KillAsync()
        {
            await child.KillAsync();
            Kills++;

            // Down for a random moment, as after a real crash, while senders keep retrying.
            await Task.Delay(random.Next(0, 800));
            await child.RestartAsync();
        }

        private Task PauseAsync() => Task.Delay(random.Next(0, 600));

        private bool AllSendsDone() => _sends.TrueForAll(t => t.IsCompleted);

        private int Segments() => Directory.Exists(child.WalDirectory) ? Directory.GetFiles(child.WalDirectory, "*.wal").Length : 0;

        private static Task WaitAsync(Func<bool> condition, string what) => Wait.UntilAsync(condition, TimeSpan.FromMinutes(3), what);
    }
}
