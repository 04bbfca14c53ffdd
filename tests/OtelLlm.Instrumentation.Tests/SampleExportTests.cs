using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OtelLlm.Samples.Anthropic;

namespace OtelLlm.Instrumentation.Tests;

/// <summary>The sample, run in-process against the fake Anthropic API, exports OTLP/HTTP with the real exporter.</summary>
public sealed class SampleExportTests
{
    [Fact]
    public async Task Sample_FakeAnthropic_ExportsGenAiSpansAndMetricsOverOtlpHttp()
    {
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue((context.Request.Path.Value!, body.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync();
        var endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        var output = new StringWriter();
        var settings = new SampleSettings(endpoint, "http", Calls: 3, UseFake: true, Model: "claude-sonnet-4-5-20250929", ServiceName: "sample-under-test", CaptureContent: true);

        var exitCode = await SampleRunner.RunAsync(settings, output, output);

        Assert.True(exitCode == 0, output.ToString());
        var traces = string.Concat(received.Where(r => r.Path == "/v1/traces").Select(r => Encoding.UTF8.GetString(r.Body)));
        var metrics = string.Concat(received.Where(r => r.Path == "/v1/metrics").Select(r => Encoding.UTF8.GetString(r.Body)));
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
