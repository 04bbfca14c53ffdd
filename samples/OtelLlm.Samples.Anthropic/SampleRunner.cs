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

/// <summary>Runs the sample scenarios: plain chat, streaming chat and a tool round trip, in rotation.</summary>
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

        // The one line that adds OtelLlm to any IChatClient.
        using var chat = anthropic.AsIChatClient(settings.Model, 512).WithOtelLlm(o => o.CaptureMessageContent = settings.CaptureContent);

        var toolOptions = new OtelLlmInstrumentationOptions { CaptureMessageContent = settings.CaptureContent };
        var weather = OtelLlmTools.Instrument(AIFunctionFactory.Create((string location) => $"rainy, 14°C in {location}", "get_weather", "Gets the current weather for a city"), toolOptions);

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
                        await output.WriteLineAsync($"[{i}] tools: {await ToolTurnAsync(chat, weather, city)}");
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

    private static async Task<string> ToolTurnAsync(IChatClient chat, AIFunction weather, string city)
    {
        var options = new ChatOptions { Tools = [weather] };
        List<ChatMessage> history = [new(ChatRole.User, city)];
        var first = await chat.GetResponseAsync(history, options);
        history.AddRange(first.Messages);
        foreach (var message in first.Messages)
        {
            foreach (var call in message.Contents.OfType<FunctionCallContent>())
            {
                var result = await weather.InvokeAsync(new AIFunctionArguments(call.Arguments) { Context = new Dictionary<object, object?> { [OtelLlmPropertyKeys.ToolCallId] = call.CallId } });
                history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, result)]));
            }
        }

        var second = await chat.GetResponseAsync(history, options);
        return second.Text;
    }
}
