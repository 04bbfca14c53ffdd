using System.Globalization;

namespace OtelLlm.Samples.Anthropic;

/// <summary>Command-line settings of the sample; every flag but <c>--capture-content</c> also has an environment variable of its own.</summary>
internal sealed record SampleSettings(
    Uri Endpoint,
    string Protocol,
    int Calls,
    bool UseFake,
    string Model,
    string ServiceName,
    bool? CaptureContent)
{
    public static SampleSettings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'. Use --name value.");
            }

            var name = args[i][2..];
            values[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
        }

        string Get(string name, string env, string fallback) =>
            values.TryGetValue(name, out var v) ? v : Environment.GetEnvironmentVariable(env) is { Length: > 0 } e ? e : fallback;

        var apiKey = Environment.GetEnvironmentVariable("ANTHROPIC_API_KEY");
        var fake = Get("fake", "OTELLLM_SAMPLE_FAKE", string.IsNullOrEmpty(apiKey) ? "true" : "false");
        return new SampleSettings(
            new Uri(Get("endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4317")),
            Get("protocol", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            int.Parse(Get("calls", "OTELLLM_SAMPLE_CALLS", "6"), CultureInfo.InvariantCulture),
            bool.Parse(fake),
            Get("model", "OTELLLM_SAMPLE_MODEL", "claude-sonnet-4-5-20250929"),
            Get("service-name", "OTEL_SERVICE_NAME", "otel-llm-sample-anthropic"),
            // Without the flag, content capture is Microsoft.Extensions.AI's default: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT.
            values.TryGetValue("capture-content", out var capture) ? bool.Parse(capture) : null);
    }
}
