using OtelLlm.Samples.Anthropic;

namespace OtelLlm.Instrumentation.Tests;

/// <summary>The sample, run in-process against the fake Anthropic API, exports OTLP/HTTP with the real exporter.</summary>
public sealed class SampleExportTests
{
    [Fact]
    public async Task Sample_FakeAnthropic_ExportsGenAiSpansAndMetricsOverOtlpHttp()
    {
        await using var sink = await OtlpSink.StartAsync();
        var endpoint = sink.Endpoint;
        var output = new StringWriter();
        var settings = new SampleSettings(endpoint, "http", Calls: 3, UseFake: true, Model: "claude-sonnet-4-5-20250929", ServiceName: "sample-under-test", CaptureContent: true);

        var exitCode = await SampleRunner.RunAsync(settings, output, output);

        Assert.True(exitCode == 0, output.ToString());
        var traces = sink.Text("traces");
        var metrics = sink.Text("metrics");
        Assert.Contains("chat claude-sonnet-4-5-20250929", traces, StringComparison.Ordinal);
        Assert.Contains("execute_tool get_weather", traces, StringComparison.Ordinal);
        Assert.Contains("gen_ai.usage.cost", traces, StringComparison.Ordinal);
        Assert.Contains("gen_ai.request.stream", traces, StringComparison.Ordinal);
        Assert.Contains("sample-weather-bot", traces, StringComparison.Ordinal);
        Assert.Contains("sample-under-test", traces, StringComparison.Ordinal);
        Assert.Contains("gen_ai.input.messages", traces, StringComparison.Ordinal);
        Assert.Contains("gen_ai.client.token.usage", metrics, StringComparison.Ordinal);
        Assert.Contains("gen_ai.client.operation.duration", metrics, StringComparison.Ordinal);
    }
}
