using System.Globalization;
using OtelLlm.LoadGen.Ingest;
using OtelLlm.LoadGen.Payloads;

namespace OtelLlm.LoadGen;

/// <summary>Command-line settings; every one has a default so a bare run measures something sensible.</summary>
internal sealed class LoadGenOptions
{
    public string Mode { get; private set; } = "ingest";
    public List<OtlpProtocol> Protocols { get; } = [];
    public List<PayloadProfile> Profiles { get; } = [];
    public int SpansPerRequest { get; private set; } = 500;
    public int Concurrency { get; private set; } = 32;
    public int Connections { get; private set; } = 4;
    public double DurationSeconds { get; private set; } = 20;
    public double WarmupSeconds { get; private set; } = 75;
    public long MaxSpans { get; private set; }
    public double Rate { get; private set; }
    public int ProbeIntervalMs { get; private set; } = 200;
    public string? ApiKey { get; private set; }
    public string? ReceiverDll { get; private set; }

    /// <summary>Receivers to compare, each with a label; phases alternate between them (A B, then B A, ...).</summary>
    public List<(string Label, string Dll)> Receivers { get; } = [];
    public int Rounds { get; private set; } = 1;
    public List<string> Sdks { get; } = [];
    public int Processes { get; private set; } = 1;
    public List<string> ReceiverArgs { get; } = [];
    public Dictionary<string, string> ReceiverEnvironment { get; } = [];
    public Uri ClickHouse { get; private set; } = new("http://127.0.0.1:8123");
    public bool Ceiling { get; private set; } = true;
    public int CeilingConcurrency { get; private set; } = 2;
    public int CeilingBatch { get; private set; } = 10_000;
    public long DashboardRows { get; private set; } = 10_000_000;
    public string DashboardDatabase { get; private set; } = "otel_llm_bench";
    public int DashboardRuns { get; private set; } = 3;
    public bool Regenerate { get; private set; }
    public bool KeepDatabases { get; private set; }
    public string OutputPrefix { get; private set; } = "loadgen-results";

    public const string Usage = """
        OtelLlm load generator

        dotnet OtelLlm.LoadGen.dll [ingest|sdk|dashboards|read-api|export] [options]

        ingest (default): starts the receiver as a child process per phase and sends pre-encoded OTLP GenAI spans.
          --protocol grpc|http|both        transports to measure (default both)
          --profile off|on|both            content capture off / on with ~2 KB prompts, ~1 KB completions (default both)
          --spans-per-request N            spans in one export request (default 500, near the SDK batch size of 512)
          --concurrency N                  requests in flight (default 32; the receiver acks when its batch is written, so keep spans in flight above its 10,000-row batch size)
          --connections N                  HTTP/2 connections for gRPC (default 4)
          --duration S                     measured seconds per phase (default 20)
          --warmup S                       unmeasured seconds first, while the receiver's JIT settles (default 75)
          --spans N                        stop a phase after N acknowledged spans (default: duration only)
          --rate R                         target spans/s (default 0: flat out)
          --probe-interval MS              one latency probe every MS milliseconds (default 200)
          --api-key KEY                    start the receiver with this key and send it (default: auth off on loopback)
          --receiver [LABEL=]PATH          OtelLlm.Receiver.dll (default: the Release build next to this tool); repeat to compare
                                           builds side by side in one run (e.g. --receiver before=../old/OtelLlm.Receiver.dll --receiver after=...)
          --rounds N                       repeat every phase N times, alternating the receivers A B, B A, ... (default 1)
          --receiver-arg --Key=Value       extra receiver configuration (repeatable)
          --receiver-env NAME=VALUE        environment variable for the receiver, e.g. DOTNET_gcServer=0 (repeatable)
          --no-ceiling                     skip the direct-ClickHouse ceiling
          --ceiling-concurrency N          concurrent inserts in the ceiling (default 2)
          --keep                           keep the phase databases
        sdk: a stock OpenTelemetry SDK (default batch processor) in --processes child processes produces --rate spans/s in
          all for --duration seconds against the receiver; reports the share of produced spans stored (count FINAL per service).
          --sdk js|dotnet|both             JavaScript (tests/js/stream-spans.mjs, OTLP/HTTP protobuf) and/or .NET
                                           (OtelLlm.SdkStream, OTLP/gRPC) (default both)
          --processes N                    SDK processes sharing the rate (default 1)
          --rate, --duration, --rounds, --receiver, --receiver-arg, --receiver-env, --keep as for ingest
        dashboards: fills otel_llm_bench with synthetic llm_calls and times every panel query.
        export: fills otel_llm_bench_export with 1,000,000 synthetic llm_calls with captured content, starts the receiver
          as a child process and streams every export (calls as CSV, JSON and JSON Lines with content, fine-tuning JSONL)
          of the first 10,000 calls and of all of them, reading the receiver's resident memory before and at its peak
          (--rows, --database, --regenerate as below; --receiver as for ingest, repeat it to compare builds), and what
          ClickHouse needs to read the range with FINAL at once and a day at a time.
        read-api: the same data (and one otel_traces span per call), the receiver as a child process, and every
          read-API request the console's pages make over 24 h and 30 d, p50 and p95 (--rows, --database, --runs,
          --regenerate as for dashboards; --receiver as for ingest).
          --rows N                         rows to generate (default 10,000,000; reused when the count matches)
          --database NAME                  database (default otel_llm_bench)
          --runs N                         timed runs per query, median reported (default 3)
          --regenerate                     drop and refill even when the row count matches
        common:
          --clickhouse URL                 ClickHouse HTTP address (default http://127.0.0.1:8123)
          --out PREFIX                     write PREFIX.md and PREFIX.json (default loadgen-results)
        """;

    public static LoadGenOptions Parse(string[] args)
    {
        var o = new LoadGenOptions();
        var i = 0;
        if (args.Length > 0 && !args[0].StartsWith('-'))
        {
            o.Mode = args[0];
            i = 1;
        }

        var rowsGiven = false;
        var databaseGiven = false;
        for (; i < args.Length; i++)
        {
            var name = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--protocol":
                    o.Protocols.AddRange(Next() switch
                    {
                        "grpc" => [OtlpProtocol.Grpc],
                        "http" => [OtlpProtocol.HttpProtobuf],
                        "both" => [OtlpProtocol.Grpc, OtlpProtocol.HttpProtobuf],
                        var v => throw new ArgumentException($"unknown protocol {v}"),
                    });
                    break;
                case "--profile":
                    o.Profiles.AddRange(Next() switch
                    {
                        "off" => [PayloadProfile.ContentOff],
                        "on" => [PayloadProfile.ContentOn],
                        "both" => [PayloadProfile.ContentOff, PayloadProfile.ContentOn],
                        var v => throw new ArgumentException($"unknown profile {v}"),
                    });
                    break;
                case "--spans-per-request": o.SpansPerRequest = Int(Next()); break;
                case "--concurrency": o.Concurrency = Int(Next()); break;
                case "--connections": o.Connections = Int(Next()); break;
                case "--duration": o.DurationSeconds = Double(Next()); break;
                case "--warmup": o.WarmupSeconds = Double(Next()); break;
                case "--spans": o.MaxSpans = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rate": o.Rate = Double(Next()); break;
                case "--probe-interval": o.ProbeIntervalMs = Int(Next()); break;
                case "--api-key": o.ApiKey = Next(); break;
                case "--receiver":
                    var receiver = Next();
                    var labelEnd = receiver.IndexOf('=', StringComparison.Ordinal);
                    o.Receivers.Add(labelEnd > 0
                        ? (receiver[..labelEnd], Path.GetFullPath(receiver[(labelEnd + 1)..]))
                        : ($"r{o.Receivers.Count + 1}", Path.GetFullPath(receiver)));
                    break;
                case "--rounds": o.Rounds = Math.Max(1, Int(Next())); break;
                case "--sdk":
                    o.Sdks.AddRange(Next() switch
                    {
                        "js" => ["js"],
                        "dotnet" => ["dotnet"],
                        "both" => ["js", "dotnet"],
                        var v => throw new ArgumentException($"unknown sdk {v}"),
                    });
                    break;
                case "--processes": o.Processes = Math.Max(1, Int(Next())); break;
                case "--receiver-arg": o.ReceiverArgs.Add(Next()); break;
                case "--receiver-env":
                    var pair = Next();
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    o.ReceiverEnvironment[eq > 0 ? pair[..eq] : throw new ArgumentException("--receiver-env needs NAME=VALUE")] = pair[(eq + 1)..];
                    break;
                case "--clickhouse": o.ClickHouse = new Uri(Next()); break;
                case "--no-ceiling": o.Ceiling = false; break;
                case "--ceiling-concurrency": o.CeilingConcurrency = Int(Next()); break;
                case "--rows": o.DashboardRows = long.Parse(Next(), CultureInfo.InvariantCulture); rowsGiven = true; break;
                case "--database": o.DashboardDatabase = Next(); databaseGiven = true; break;
                case "--runs": o.DashboardRuns = Int(Next()); break;
                case "--regenerate": o.Regenerate = true; break;
                case "--keep": o.KeepDatabases = true; break;
                case "--out": o.OutputPrefix = Next(); break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }

        if (o.Mode == "export")
        {
            o.DashboardRows = rowsGiven ? o.DashboardRows : 1_000_000;
            o.DashboardDatabase = databaseGiven ? o.DashboardDatabase : "otel_llm_bench_export";
        }

        if (o.Protocols.Count == 0)
        {
            o.Protocols.AddRange([OtlpProtocol.Grpc, OtlpProtocol.HttpProtobuf]);
        }

        if (o.Profiles.Count == 0)
        {
            o.Profiles.AddRange([PayloadProfile.ContentOff, PayloadProfile.ContentOn]);
        }

        if (o.Sdks.Count == 0)
        {
            o.Sdks.AddRange(["js", "dotnet"]);
        }

        if (o.Receivers.Count == 0)
        {
            o.Receivers.Add(("receiver", Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "OtelLlm.Receiver", "release", "OtelLlm.Receiver.dll"))));
        }

        o.ReceiverDll = o.Receivers[0].Dll;
        return o;
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    private static double Double(string s) => double.Parse(s, CultureInfo.InvariantCulture);
}
