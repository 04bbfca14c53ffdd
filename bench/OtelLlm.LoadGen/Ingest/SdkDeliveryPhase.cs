using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OtelLlm.LoadGen.Measurement;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.LoadGen.Ingest;

/// <summary>What one SDK delivery phase measured.</summary>
internal sealed record SdkDeliveryResult(
    string Receiver,
    int Round,
    string Sdk,
    int Processes,
    double Rate,
    double Seconds,
    long Produced,
    long Stored,
    double StoredShare,
    IReadOnlyList<string> PerProcess,
    double ReceiverCpuSeconds,
    string LoadAverageStart,
    string LoadAverageEnd);

/// <summary>Where the SDK senders are: the JavaScript script in the repository and the .NET console next to this tool.</summary>
internal sealed record SdkTools(string JsScript, string DotNetStream);

/// <summary>
/// A stock OpenTelemetry SDK with its default batch processor, in one or more child processes sharing a rate, against
/// the receiver: the SDK drops what no longer fits its queue while an export waits, so the share of produced spans that
/// ends up stored (<c>count() FROM otel_traces FINAL</c> per service) shows whether the receiver answers fast enough.
/// </summary>
internal sealed class SdkDeliveryPhase(SdkTools tools, ReceiverProcess receiver, ClickHouseClient clickHouse, string sdk, double rate, int processes, double seconds, string receiverLabel, int round)
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_countTimeout = TimeSpan.FromSeconds(120);

    public static SdkTools FindTools()
    {
        string? script = null;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null && script is null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "js", "stream-spans.mjs");
                if (File.Exists(candidate))
                {
                    script = candidate;
                }
            }
        }

        var stream = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "OtelLlm.SdkStream", "release", "OtelLlm.SdkStream.dll"));
        return new SdkTools(
            script ?? throw new FileNotFoundException("tests/js/stream-spans.mjs not found; run from the repository (and 'npm ci' in tests/js)."),
            stream);
    }

    public async Task<SdkDeliveryResult> RunAsync()
    {
        if (sdk == "dotnet" && !File.Exists(tools.DotNetStream))
        {
            throw new FileNotFoundException($"Build the .NET sender first: dotnet build -c Release bench/OtelLlm.SdkStream ({tools.DotNetStream})");
        }

        var loadStart = MachineInfo.LoadAverageNow();
        var cpuStart = ProcessStats.CpuSeconds(receiver.Pid);
        var perProcessRate = (int)Math.Round(rate / processes);
        var services = Enumerable.Range(1, processes).Select(i => $"sdk-{sdk}-{round}-{i}-{Guid.NewGuid().ToString("N")[..6]}").ToArray();
        var produced = await Task.WhenAll(services.Select(service => RunSenderAsync(service, perProcessRate)));

        // Count with FINAL per service until every span is there or the counts stop growing.
        var stored = new long[processes];
        var clock = Stopwatch.StartNew();
        var lastChange = Stopwatch.StartNew();
        while (clock.Elapsed < s_countTimeout)
        {
            var changed = false;
            for (var i = 0; i < processes; i++)
            {
                var count = long.Parse(await clickHouse.ScalarAsync($"SELECT count() FROM otel_traces FINAL WHERE ServiceName = {SqlLiteral.Quote(services[i])}", "count delivered spans"), CultureInfo.InvariantCulture);
                changed |= count != stored[i];
                stored[i] = count;
            }

            if (changed)
            {
                lastChange.Restart();
            }

            if (stored.Zip(produced).All(p => p.First >= p.Second) || lastChange.Elapsed > s_settle)
            {
                break;
            }

            await Task.Delay(500);
        }

        var producedTotal = produced.Sum();
        var storedTotal = stored.Sum();
        return new SdkDeliveryResult(receiverLabel, round, sdk, processes, rate, seconds, producedTotal, storedTotal,
            producedTotal > 0 ? storedTotal / (double)producedTotal : 0,
            stored.Zip(produced).Select(p => $"{p.First:N0}/{p.Second:N0}").ToArray(),
            Math.Round(ProcessStats.CpuSeconds(receiver.Pid) - cpuStart, 2), loadStart, MachineInfo.LoadAverageNow());
    }

    private async Task<long> RunSenderAsync(string service, int processRate)
    {
        var info = sdk == "js"
            ? new ProcessStartInfo("node") { ArgumentList = { tools.JsScript, "--endpoint", $"http://127.0.0.1:{receiver.HttpPort}" }, WorkingDirectory = Path.GetDirectoryName(tools.JsScript)! }
            : new ProcessStartInfo("dotnet") { ArgumentList = { tools.DotNetStream, "--endpoint", $"http://127.0.0.1:{receiver.GrpcPort}" } };
        info.ArgumentList.Add("--rate");
        info.ArgumentList.Add(processRate.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--seconds");
        info.ArgumentList.Add(seconds.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--service");
        info.ArgumentList.Add(service);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout;
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"The {sdk} sender failed (exit {process.ExitCode}):\n{output}\n{await stderr}");
        }

        using var json = JsonDocument.Parse(line);
        return json.RootElement.GetProperty("produced").GetInt64();
    }
}
