using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OtelLlm.TestSupport;

namespace OtelLlm.Receiver.Tests;

/// <summary>
/// A fresh migrated ClickHouse database and a receiver writing to it, listening on free loopback ports.
/// Subclasses change settings (for example a small request limit).
/// </summary>
public class ReceiverFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public ClickHouseDatabase Database { get; } = new();

    public int GrpcPort { get; private set; }

    public int HttpPort { get; private set; }

    public Uri GrpcEndpoint => new($"http://127.0.0.1:{GrpcPort}");

    public Uri HttpEndpoint => new($"http://127.0.0.1:{HttpPort}");

    public IServiceProvider Services => _app!.Services;

    /// <summary>Extra settings as configuration keys and values.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        // A port found free can be taken by a parallel test before Kestrel binds it; try a few.
        for (var attempt = 0; ; attempt++)
        {
            GrpcPort = FreePort.Next();
            HttpPort = FreePort.Next();
            var args = new List<string>
            {
                $"--OtelLlm:Receiver:GrpcPort={GrpcPort}",
                $"--OtelLlm:Receiver:HttpPort={HttpPort}",
                "--OtelLlm:Receiver:BatchMaxDelayMilliseconds=100",
                $"--OtelLlm:ClickHouse:Url={Database.Url}",
                $"--OtelLlm:ClickHouse:Database={Database.Name}",
                "--Logging:LogLevel:Default=Warning",
            };
            foreach (var (key, value) in Settings)
            {
                args.Add($"--{key}={value}");
            }

            var app = ReceiverHost.Build([.. args], ConfigureServices);
            try
            {
                await app.StartAsync();
                _app = app;
                return;
            }
            catch (IOException) when (attempt < 5)
            {
                await app.DisposeAsync();
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await Database.DisposeAsync();
        Database.Dispose();
    }

    /// <summary>An HttpClient that speaks HTTP/2 without TLS (prior knowledge), as gRPC clients do.</summary>
    public static HttpClient CreateGrpcClient() => new(new SocketsHttpHandler())
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(60),
    };

    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }
}
