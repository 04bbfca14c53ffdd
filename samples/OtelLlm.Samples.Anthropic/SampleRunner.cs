using Anthropic;
using Anthropic.Exceptions;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OtelLlm.Instrumentation;
using OtelLlm.Samples.FakeAnthropic;

namespace OtelLlm.Samples.Anthropic;

/// <summary>Runs the sample scenarios: plain chat, streaming chat and a tool round trip (two model calls and the tool), in rotation.</summary>
internal static class SampleRunner
{
    private static readonly string[] s_cities = ["Paris", "Lisbon", "Oslo", "Tokyo"];

    public static async Task<int> RunAsync(SampleSettings settings, TextWriter output, TextWriter errors)
    {
        await using var fake = settings.UseFake ? await FakeAnthropicServer.StartAsync() : null;
        var protocol = string.Equals(settings.Protocol, "grpc", StringComparison.OrdinalIgnoreCase) ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        var resource = ResourceBuilder.CreateDefault().AddService(settings.ServiceName).AddAttributes([new("deployment.environment.name", "sample")]);

        using var tracerProvider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddOtelLlmInstrumentation()
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = protocol == OtlpExportProtocol.Grpc ? settings.Endpoint : new Uri(settings.Endpoint, "v1/traces");
            })
            .Build();
        using var meterProvider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddOtelLlmInstrumentation()
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = protocol == OtlpExportProtocol.Grpc ? settings.Endpoint : new Uri(settings.Endpoint, "v1/metrics");
            })
            .Build();

        var anthropic = fake is null
            ? new AnthropicClient()
            : new AnthropicClient { ApiKey = "fake-key", BaseUrl = fake.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 };

        // The one line that adds OtelLlm: Microsoft.Extensions.AI's OpenTelemetry client with OtelLlm's enrichment inside
        // it, after the function-invocation loop so that every model call of a tool round trip is its own span.
        using var chat = new ChatClientBuilder(anthropic.AsIChatClient(settings.Model, 512))
            .UseFunctionInvocation()
            .UseOtelLlm(o => o.EnableSensitiveData = settings.CaptureContent)
            .Build();
        var weather = AIFunctionFactory.Create((string location) => $"rainy, 14°C in {location}", "get_weather", "Gets the current weather for a city");

        var failures = 0;
        for (var i = 0; i < settings.Calls; i++)
        {
            var city = s_cities[i % s_cities.Length];
            using var scope = OtelLlmContext.Begin(userId: $"user-{i % 3}", sessionId: $"session-{i % 2}", conversationId: $"conversation-{i}", workload: "sample-weather-bot", tags: [new("sample", "anthropic")]);
            try
            {
                switch (i % 3)
                {
                    case 0:
                        var response = await chat.GetResponseAsync($"Say hello to {city}", new ChatOptions { Instructions = "Be brief." });
                        await output.WriteLineAsync($"[{i}] chat: {response.Text}");
                        break;
                    case 1:
                        var text = new System.Text.StringBuilder();
                        await foreach (var update in chat.GetStreamingResponseAsync($"Tell me about {city}"))
                        {
                            text.Append(update.Text);
                        }

                        await output.WriteLineAsync($"[{i}] stream: {text}");
                        break;
                    default:
                        var answer = await chat.GetResponseAsync(city, new ChatOptions { Tools = [weather] });
                        await output.WriteLineAsync($"[{i}] tools: {answer.Text}");
                        break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or AnthropicException)
            {
                failures++;
                await errors.WriteLineAsync($"[{i}] call failed: {e.GetType().Name}: {e.Message}");
            }
        }

        tracerProvider.ForceFlush();
        meterProvider.ForceFlush();
        await output.WriteLineAsync($"Sent {settings.Calls} scenarios ({failures} failed) to {settings.Endpoint} over {protocol}.");
        return failures == 0 ? 0 : 1;
    }
}
