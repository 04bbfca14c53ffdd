using OtelLlm.Demo.Traffic;

namespace OtelLlm.Demo.Tests;

/// <summary>The receiver plus one generator run over OTLP/gRPC, waited for until every call is stored.</summary>
public sealed class GeneratedTraffic : DemoReceiver
{
    internal GenerationResult Result { get; private set; } = null!;

    public string Output { get; private set; } = string.Empty;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        using var output = new StringWriter();
        var generator = new TrafficGenerator(new TrafficOptions
        {
            Endpoint = new Uri($"http://127.0.0.1:{GrpcPort}"),
            Protocol = "grpc",
            Calls = 80,
            Seed = 7,
            LatencyScale = 0.01,
        });
        Result = await generator.RunAsync(output, interactive: false);
        Output = output.ToString();
        await Database.WaitForCountAsync("SELECT count() FROM llm_calls FINAL", Result.Calls, TimeSpan.FromSeconds(60));
    }
}
