using System.Diagnostics;

namespace OtelLlm.Instrumentation.Tests;

/// <summary>
/// Content capture follows the environment variable OpenTelemetry's GenAI instrumentations share when the application
/// sets nothing: the sample (one <c>UseOtelLlm()</c> line, no capture flag) runs as a process of its own with and
/// without <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true</c>, exporting OTLP/HTTP to a local sink.
/// </summary>
public sealed class ContentCaptureEnvironmentTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sample_CaptureFromTheEnvironment_MessagesExportedOnlyWhenTheVariableSaysSo(bool capture)
    {
        await using var sink = await OtlpSink.StartAsync();
        var endpoint = sink.Endpoint.ToString().TrimEnd('/');

        // The sample's build output sits beside this test's under artifacts/bin/<project>/<configuration>/.
        var here = Path.GetDirectoryName(typeof(ContentCaptureEnvironmentTests).Assembly.Location)!;
        var sample = Path.GetFullPath(Path.Combine(here, "..", "..", "OtelLlm.Samples.Anthropic", Path.GetFileName(here), "OtelLlm.Samples.Anthropic.dll"));
        Assert.True(File.Exists(sample), $"build the sample first: {sample}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { sample, "--endpoint", endpoint, "--protocol", "http", "--calls", "1", "--fake", "true", "--service-name", "capture-env" })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment.Remove("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT");
        if (capture)
        {
            start.Environment["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true";
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(process.ExitCode == 0, await stdout + await stderr);

        var traces = sink.Text("traces");
        Assert.Contains("capture-env", traces, StringComparison.Ordinal);
        Assert.Contains("gen_ai.usage.input_tokens", traces, StringComparison.Ordinal);
        Assert.Equal(capture, traces.Contains("gen_ai.input.messages", StringComparison.Ordinal));
        Assert.Equal(capture, traces.Contains("gen_ai.output.messages", StringComparison.Ordinal));
    }
}
