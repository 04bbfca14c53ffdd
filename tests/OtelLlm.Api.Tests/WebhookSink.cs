using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OtelLlm.Api.Tests;

/// <summary>
/// A real HTTP server (Kestrel on a free loopback port) that webhooks post to. The path's first segment says how it
/// answers: <c>/ok/…</c> 200, <c>/fail/…</c> 500, <c>/gone/…</c> 404, <c>/flaky/…</c> 503 twice, then 200.
/// Every request is recorded.
/// </summary>
public sealed class WebhookSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private WebApplication? _app;

    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    public IReadOnlyList<Received> Requests => [.. _received];

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/{behaviour}/{**rest}", async (HttpContext context, string behaviour) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var path = context.Request.Path.Value!;
            var count = _counts.AddOrUpdate(path, 1, (_, n) => n + 1);
            _received.Enqueue(new Received(path, body, context.Request.ContentType, context.Request.Headers["X-OtelLlm-Event-Id"].ToString()));
            return behaviour switch
            {
                "ok" => Results.Ok(),
                "fail" => Results.Text("boom", statusCode: 500),
                "gone" => Results.Text("no_service", statusCode: 404),
                "flaky" => count <= 2 ? Results.Text("busy", statusCode: 503) : Results.Ok(),
                _ => Results.BadRequest(),
            };
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
    }

    public string Url(string path) => new Uri(BaseUrl, path).AbsoluteUri;

    public List<Received> To(string path) => [.. _received.Where(r => r.Path == "/" + path)];

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    public sealed record Received(string Path, string Body, string? ContentType, string EventId);
}

/// <summary>Waits for a condition by checking it again and again, never for a fixed time.</summary>
public static class Until
{
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting for {what}.");
            }

            await Task.Delay(50);
        }
    }

    public static async Task<T> StructAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
        where T : struct
        => (T)await ValueAsync<object>(async () => await probe() is { } value ? value : null, what, timeout);

    public static Task TrueAsync(Func<Task<bool>> probe, string what, TimeSpan? timeout = null)
        => ValueAsync<object>(async () => await probe() ? new object() : null, what, timeout);
}
