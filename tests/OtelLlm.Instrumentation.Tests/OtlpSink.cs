using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OtelLlm.Instrumentation.Tests;

/// <summary>A local OTLP/HTTP endpoint (Kestrel on a free loopback port) that keeps every request body it is sent.</summary>
internal sealed class OtlpSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
    private readonly WebApplication _app;

    private OtlpSink(WebApplication app) => _app = app;

    /// <summary>The base address, for an exporter's endpoint.</summary>
    public Uri Endpoint { get; private set; } = null!;

    public static async Task<OtlpSink> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var sink = new OtlpSink(builder.Build());
        sink._app.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            sink._received.Enqueue((context.Request.Path.Value!, body.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
        });
        await sink._app.StartAsync();
        sink.Endpoint = new Uri(sink._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return sink;
    }

    /// <summary>Every body sent to <c>/v1/&lt;signal&gt;</c>, as text (protobuf strings read as they are).</summary>
    public string Text(string signal)
        => string.Concat(_received.Where(r => r.Path == "/v1/" + signal).Select(r => Encoding.UTF8.GetString(r.Body)));

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
