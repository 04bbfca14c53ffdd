using Anthropic;
using Anthropic.Exceptions;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OtelLlm.Instrumentation;
using OtelLlm.Samples.Anthropic;
using OtelLlm.Samples.FakeAnthropic;

// Usage: dotnet run --project samples/OtelLlm.Samples.Anthropic -- [--endpoint http://localhost:4317] [--protocol grpc|http]
//        [--calls 6] [--fake true|false] [--model claude-sonnet-4-5-20250929] [--service-name name] [--capture-content true|false]
var settings = SampleSettings.Parse(args);

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

var instrumentationOptions = new OtelLlmInstrumentationOptions { CaptureMessageContent = settings.CaptureContent };
var weather = OtelLlmTools.Instrument(AIFunctionFactory.Create((string location) => $"rainy, 14°C in {location}", "get_weather", "Gets the current weather for a city"), instrumentationOptions);
string[] cities = ["Paris", "Lisbon", "Oslo", "Tokyo"];

var failures = 0;
for (var i = 0; i < settings.Calls; i++)
{
    using var scope = OtelLlmContext.Begin(userId: $"user-{i % 3}", sessionId: $"session-{i % 2}", conversationId: $"conversation-{i}", workload: "sample-weather-bot", tags: [new("sample", "anthropic")]);
    try
    {
        switch (i % 3)
        {
            case 0:
                var response = await chat.GetResponseAsync($"Say hello to {cities[i % cities.Length]}", new ChatOptions { Instructions = "Be brief." });
                Console.WriteLine($"[{i}] chat: {response.Text}");
                break;
            case 1:
                Console.Write($"[{i}] stream: ");
                await foreach (var update in chat.GetStreamingResponseAsync($"Tell me about {cities[i % cities.Length]}"))
                {
                    Console.Write(update.Text);
                }

                Console.WriteLine();
                break;
            default:
                await ToolTurnAsync(chat, weather, cities[i % cities.Length], i);
                break;
        }
    }
    catch (Exception e) when (e is HttpRequestException or InvalidOperationException or AnthropicException)
    {
        failures++;
        Console.Error.WriteLine($"[{i}] call failed: {e.GetType().Name}: {e.Message}");
    }
}

tracerProvider.ForceFlush();
meterProvider.ForceFlush();
Console.WriteLine($"Sent {settings.Calls} scenarios ({failures} failed) to {settings.Endpoint} over {protocol}.");
return failures == 0 ? 0 : 1;

static async Task ToolTurnAsync(IChatClient chat, AIFunction weather, string city, int i)
{
    var options = new ChatOptions { Tools = [weather] };
    List<ChatMessage> history = [new(ChatRole.User, city)];
    var first = await chat.GetResponseAsync(history, options);
    history.AddRange(first.Messages);
    foreach (var call in first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>())
    {
        var result = await weather.InvokeAsync(new AIFunctionArguments(call.Arguments) { Context = new Dictionary<object, object?> { [OtelLlmPropertyKeys.ToolCallId] = call.CallId } });
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, result)]));
    }

    var second = await chat.GetResponseAsync(history, options);
    Console.WriteLine($"[{i}] tools: {second.Text}");
}
