using System.Globalization;
using OtelLlm.Demo.Summary;
using OtelLlm.Demo.Traffic;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Demo.Cli;

/// <summary>The demo's commands: <c>generate</c>, <c>summary</c> (alias <c>report</c>), <c>run</c> (both) and <c>help</c>.</summary>
internal static class DemoCommands
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitUsage = 2;

    public const string Usage = """
        OtelLlm demo: realistic LLM traffic through the OtelLlm instrumentation, and a terminal report from ClickHouse.

        Commands
          generate   send simulated traffic over OTLP to the receiver
          summary    print calls, cost, p95 latency and error rate by model from ClickHouse (alias: report)
          run        generate, wait until the calls are queryable, then print the summary
          help       this text

        generate / run options
          --endpoint URL         OTLP endpoint (default http://127.0.0.1:4317 for grpc, :4318 for http/protobuf)
          --protocol P           grpc | http/protobuf (default grpc)
          --calls N              model calls to make (default 300; every scenario runs at least once)
          --api-key K            API key for the receiver, sent as x-api-key (default none)
          --seed S               random seed (default 42)
          --content true|false   record prompts and responses (default true)
          --latency-scale X      multiplies simulated provider latencies (default 0.05)
          --concurrency N        requests in flight at once (default 4)
          --environment E        deployment.environment.name of the services (default demo)

        summary / run options
          --clickhouse URL       ClickHouse HTTP interface (default http://127.0.0.1:8123)
          --database NAME        database (default otel_llm)
          --user U, --password P ClickHouse credentials (default default, empty)
          --project P            only this project (default all)
          --since 1h             calls that started in the last 90s, 15m, 1h, 7d (default 24h)
          --from ISO --to ISO    an absolute UTC range instead, e.g. 2025-06-01T00:00:00Z
          --wait 60s             run only: how long to wait for the calls to become queryable (default 60s)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            output.WriteLine(Usage);
            return args.Length == 0 ? ExitUsage : ExitOk;
        }

        try
        {
            var command = CommandLine.Parse(args[1..]);
            switch (args[0])
            {
                case "generate":
                    return await GenerateAsync(command, output, error, interactive, cancellationToken);
                case "summary":
                case "report":
                    return await SummaryAsync(command, output, error, cancellationToken);
                case "run":
                    return await RunAllAsync(command, output, error, interactive, cancellationToken);
                default:
                    error.WriteLine($"Unknown command '{args[0]}'. Commands: generate, summary (report), run, help.");
                    return ExitUsage;
            }
        }
        catch (UsageException e)
        {
            error.WriteLine(e.Message);
            return ExitUsage;
        }
        catch (ClickHouseException e)
        {
            error.WriteLine("ClickHouse: " + e.Message);
            return ExitFailed;
        }
        catch (HttpRequestException e)
        {
            error.WriteLine("Cannot reach ClickHouse: " + e.Message);
            return ExitFailed;
        }
    }

    internal static TrafficOptions ParseTraffic(CommandLine command)
    {
        var protocol = command.GetString("protocol", "grpc", "OTEL_EXPORTER_OTLP_PROTOCOL").ToLowerInvariant() switch
        {
            "grpc" => "grpc",
            "http/protobuf" or "http" or "http-protobuf" => "http/protobuf",
            var other => throw new UsageException($"--protocol must be grpc or http/protobuf, not '{other}'."),
        };
        return new TrafficOptions
        {
            Protocol = protocol,
            Endpoint = command.GetUri("endpoint", protocol == "grpc" ? "http://127.0.0.1:4317" : "http://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_ENDPOINT"),
            Calls = command.GetInt("calls", 300, 1, "OTELLLM_DEMO_CALLS"),
            ApiKey = command.Get("api-key", "OTELLLM_API_KEY"),
            Seed = command.GetInt("seed", 42, int.MinValue),
            CaptureContent = command.GetBool("content", true),
            LatencyScale = command.GetDouble("latency-scale", 0.05),
            Concurrency = command.GetInt("concurrency", 4, 1),
            Environment = command.GetString("environment", "demo"),
        };
    }

    internal static (ClickHouseOptions ClickHouse, SummaryFilter Filter) ParseSummary(CommandLine command, bool allowRange)
    {
        var clickHouse = new ClickHouseOptions
        {
            Url = command.GetUri("clickhouse", "http://127.0.0.1:8123", "CLICKHOUSE_URL"),
            Database = command.GetString("database", "otel_llm", "OTELLLM_DATABASE"),
            User = command.GetString("user", "default", "CLICKHOUSE_USER"),
            Password = command.GetString("password", string.Empty, "CLICKHOUSE_PASSWORD"),
        };
        var filter = new SummaryFilter { Project = command.Get("project") };
        if (!allowRange)
        {
            return (clickHouse, filter);
        }

        var since = command.Get("since");
        var from = command.Get("from");
        var to = command.Get("to");
        if (from is not null)
        {
            filter = filter with { Since = null, From = ParseTime("from", from), To = to is null ? null : ParseTime("to", to) };
        }
        else if (to is not null)
        {
            throw new UsageException("--to needs --from.");
        }
        else if (since is not null)
        {
            filter = filter with { Since = DurationText.TryParse(since, out var span) ? span : throw new UsageException($"--since must look like 90s, 15m, 1h or 7d, not '{since}'.") };
        }

        return (clickHouse, filter);
    }

    private static DateTime ParseTime(string name, string text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw new UsageException($"--{name} must be an ISO 8601 time such as 2025-06-01T00:00:00Z, not '{text}'.");

    private static async Task<int> GenerateAsync(CommandLine command, TextWriter output, TextWriter error, bool interactive, CancellationToken ct)
    {
        if (command.GetBool("summary", false))
        {
            return await RunAllAsync(command, output, error, interactive, ct);
        }

        var options = ParseTraffic(command);
        command.RejectUnknown();
        var result = await GenerateCoreAsync(options, output, error, interactive, ct);
        return result.Exported ? ExitOk : ExitFailed;
    }

    private static async Task<int> SummaryAsync(CommandLine command, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (options, filter) = ParseSummary(command, allowRange: true);
        command.RejectUnknown();
        using var client = new ClickHouseClient(options);
        var report = await SummaryQuery.RunAsync(client, filter, ct);
        SummaryPrinter.Print(report, options.Url, output);
        return ExitOk;
    }

    private static async Task<int> RunAllAsync(CommandLine command, TextWriter output, TextWriter error, bool interactive, CancellationToken ct)
    {
        var traffic = ParseTraffic(command);
        var (clickHouseOptions, filter) = ParseSummary(command, allowRange: false);
        var waitText = command.GetString("wait", "60s");
        var wait = DurationText.TryParse(waitText, out var span) ? span : throw new UsageException($"--wait must look like 30s or 2m, not '{waitText}'.");
        command.GetBool("summary", false);
        command.RejectUnknown();

        using var client = new ClickHouseClient(clickHouseOptions);
        var result = await GenerateCoreAsync(traffic, output, error, interactive, ct);

        // Rows are stamped with the span's start second; the run's own range keeps older data out of its summary.
        filter = filter with { Since = null, From = result.StartedUtc.AddSeconds(-1), To = null };
        output.WriteLine($"Waiting up to {DurationText.Format(wait)} for {result.Calls} calls to be queryable in {clickHouseOptions.Database}.llm_calls ...");
        var deadline = DateTime.UtcNow + wait;
        long stored;
        while ((stored = await SummaryQuery.CountAsync(client, filter, ct)) < result.Calls && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500, ct);
        }

        var report = await SummaryQuery.RunAsync(client, filter, ct);
        SummaryPrinter.Print(report, clickHouseOptions.Url, output);
        if (stored < result.Calls)
        {
            error.WriteLine($"Only {stored} of {result.Calls} calls arrived in ClickHouse within {DurationText.Format(wait)}. Is the receiver writing to {clickHouseOptions.Url} database {clickHouseOptions.Database}? Check its log.");
            return ExitFailed;
        }

        return result.Exported ? ExitOk : ExitFailed;
    }

    private static async Task<GenerationResult> GenerateCoreAsync(TrafficOptions options, TextWriter output, TextWriter error, bool interactive, CancellationToken ct)
    {
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Generating {options.Calls} LLM calls from {TrafficGenerator.ServiceNames.Count} services to {options.Endpoint} over {options.Protocol} (content capture {(options.CaptureContent ? "on" : "off")}, seed {options.Seed})"));
        var result = await new TrafficGenerator(options).RunAsync(output, interactive, ct);
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"service",-14} {"model",-24} {"calls",7} {"errors",7} {"streamed",9}"));
        foreach (var line in result.Lines)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {line.Service,-14} {line.Model,-24} {line.Calls,7} {line.Errors,7} {line.Streaming,9}"));
        }

        var seconds = (result.FinishedUtc - result.StartedUtc).TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Sent {result.Calls} calls ({result.Errors} simulated provider errors) in {seconds:0.0}s."));
        if (!result.Exported)
        {
            // ForceFlush reports false when an export failed or did not finish; the exporter's own events say why.
            var reason = result.FirstExportError ?? (result.Flushed ? "the exporter reported errors" : "the exporter reported a failure or did not finish within 60 s");
            error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"Export to {options.Endpoint} failed ({result.ExportFailures} exporter error(s)): {reason}. Is the receiver running at that address and protocol, and does it need --api-key?"));
        }

        return result;
    }
}
