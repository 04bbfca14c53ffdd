using Microsoft.AspNetCore.Builder;
using OtelLlm.Receiver;
using OtelLlm.TestSupport;

namespace OtelLlm.Demo.Tests;

/// <summary>A fresh migrated database and the real receiver writing to it on free loopback ports, started in-process.</summary>
public class DemoReceiver : IAsyncLifetime
{
    private WebApplication? _app;

    public ClickHouseDatabase Database { get; } = new();

    public int GrpcPort { get; private set; }

    public int HttpPort { get; private set; }

    public virtual async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        for (var attempt = 0; ; attempt++)
        {
            GrpcPort = FreePort.Next();
            HttpPort = FreePort.Next();
            var app = ReceiverHost.Build(
            [
                $"--OtelLlm:Receiver:GrpcPort={GrpcPort}",
                $"--OtelLlm:Receiver:HttpPort={HttpPort}",
                "--OtelLlm:Receiver:BatchMaxDelayMilliseconds=200",
                $"--OtelLlm:ClickHouse:Url={Database.Url}",
                $"--OtelLlm:ClickHouse:Database={Database.Name}",
                "--Logging:LogLevel:Default=Warning",
            ]);
            try
            {
                await app.StartAsync();
                _app = app;
                return;
            }
            catch (IOException) when (attempt < 5)
            {
                // Another test took the port between FreePort and Kestrel's bind; try new ones.
                await app.DisposeAsync();
            }
        }
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

    /// <summary>The ClickHouse options for the demo's summary commands.</summary>
    public string[] ClickHouseArgs => ["--clickhouse", Database.Url.ToString(), "--database", Database.Name];
}

/// <summary>Tests that generate traffic share the process-wide ActivitySource names of the demo services, so they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DemoTrafficGroup
{
    public const string Name = "demo traffic";
}
