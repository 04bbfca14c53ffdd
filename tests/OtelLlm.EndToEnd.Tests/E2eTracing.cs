using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OtelLlm.Receiver.TestHost;

namespace OtelLlm.EndToEnd.Tests;

/// <summary>What the end-to-end tests share: the application's tracer provider, and reading stored calls and spans back.</summary>
internal static class E2eTracing
{
    /// <summary>A tracer provider set up as the instrumentation guide says, exporting OTLP to the receiver.</summary>
    public static TracerProvider Provider(ReceiverFixture receiver, string protocol, string service, string sourceName) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service).AddAttributes([new("deployment.environment.name", "e2e")]))
            .AddOtelLlmInstrumentation(o => o.SourceNames.Add(sourceName))
            .AddOtlpExporter(o =>
            {
                o.TimeoutMilliseconds = 60_000;
                o.Protocol = protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                o.Endpoint = protocol == "grpc" ? receiver.GrpcEndpoint : new Uri(receiver.HttpEndpoint, "/v1/traces");
            })
            .Build()!;

    /// <summary>The service's calls in start order, once at least <paramref name="expected"/> are stored (or after a minute).</summary>
    public static async Task<List<JsonElement>> WaitForCallsAsync(ReceiverFixture receiver, string service, int expected) =>
        await WaitForRowsAsync(
            receiver,
            $"SELECT * FROM llm_calls FINAL WHERE ServiceName = '{service}' ORDER BY StartTimeUnixNano",
            expected,
            "read end-to-end calls");

    /// <summary>Asserts that the call's span has exactly one child span: the provider's HTTP request to the fake.</summary>
    public static async Task AssertHttpChildAsync(ReceiverFixture receiver, JsonElement row, Uri baseUrl, string path)
    {
        var traceId = row.GetProperty("TraceId").GetString();
        var spanId = row.GetProperty("SpanId").GetString();
        var children = await WaitForRowsAsync(
            receiver,
            "SELECT SpanName, SpanKind, SpanAttributes.Value[indexOf(SpanAttributes.Key, 'url.full')] AS Url, "
            + "SpanAttributes.Value[indexOf(SpanAttributes.Key, 'server.address')] AS Host, ScopeName "
            + $"FROM otel_traces FINAL WHERE TraceId = '{traceId}' AND ParentSpanId = '{spanId}'",
            1,
            "read the HTTP child span");
        var child = Assert.Single(children);
        Assert.Equal("POST", child.GetProperty("SpanName").GetString());
        Assert.Equal("System.Net.Http", child.GetProperty("ScopeName").GetString());
        Assert.Contains("Client", child.GetProperty("SpanKind").GetString(), StringComparison.OrdinalIgnoreCase);
        var url = new Uri(child.GetProperty("Url").GetString()!);
        Assert.Equal(baseUrl.Host, url.Host);
        Assert.Equal(baseUrl.Port, url.Port);
        Assert.Equal(path, url.AbsolutePath);
        Assert.Equal(baseUrl.Host, child.GetProperty("Host").GetString());
    }

    public static ulong UInt(JsonElement row, string column) =>
        row.GetProperty(column) is { ValueKind: JsonValueKind.String } s
            ? ulong.Parse(s.GetString()!, CultureInfo.InvariantCulture)
            : row.GetProperty(column).GetUInt64();

    public static List<string> FinishReasons(JsonElement row) =>
        row.GetProperty("FinishReasons").EnumerateArray().Select(e => e.GetString()!).ToList();

    public static List<JsonObject> Parts(JsonElement row, string column) =>
        JsonNode.Parse(row.GetProperty(column).GetString()!)!.AsArray()
            .SelectMany(m => m!["parts"]!.AsArray())
            .Select(p => p!.AsObject())
            .ToList();

    /// <summary>The concatenated text parts of the last message with the given role, in the OTel GenAI message schema.</summary>
    public static string Text(JsonElement row, string column, string role)
    {
        var message = JsonNode.Parse(row.GetProperty(column).GetString()!)!.AsArray().Last(m => (string?)m!["role"] == role)!;
        return string.Concat(message["parts"]!.AsArray().Where(p => (string?)p!["type"] == "text").Select(p => (string?)p!["content"]));
    }

    private static async Task<List<JsonElement>> WaitForRowsAsync(ReceiverFixture receiver, string sql, int expected, string purpose)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var rows = await receiver.Database.Client.QueryJsonAsync(sql, purpose);
            if (rows.Count >= expected || DateTime.UtcNow > deadline)
            {
                return [.. rows];
            }

            await Task.Delay(250);
        }
    }
}
