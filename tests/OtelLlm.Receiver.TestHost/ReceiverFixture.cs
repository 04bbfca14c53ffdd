using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OtelLlm.TestSupport;
using Xunit;

namespace OtelLlm.Receiver.TestHost;

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

    public virtual async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        (_app, GrpcPort, HttpPort) = await InProcessReceiver.StartAsync(Arguments, ConfigureServices);
    }

    public virtual async Task DisposeAsync()
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
    public static HttpClient CreateGrpcClient() => InProcessReceiver.CreateGrpcClient();

    /// <summary>Waits until everything acknowledged so far is in ClickHouse (see <see cref="InProcessReceiver.WaitUntilWrittenAsync"/>).</summary>
    public Task WaitUntilWrittenAsync() => _app!.WaitUntilWrittenAsync();

    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    private string[] Arguments(int grpcPort, int httpPort)
    {
        var args = new List<string>
        {
            $"--OtelLlm:Receiver:GrpcPort={grpcPort}",
            $"--OtelLlm:Receiver:HttpPort={httpPort}",
            "--OtelLlm:Receiver:BatchMaxDelayMilliseconds=100",
            $"--OtelLlm:ClickHouse:Url={Database.Url}",
            $"--OtelLlm:ClickHouse:Database={Database.Name}",
            "--Logging:LogLevel:Default=Warning",
        };
        foreach (var (key, value) in Settings)
        {
            args.Add($"--{key}={value}");
        }

        return [.. args];
    }
}
