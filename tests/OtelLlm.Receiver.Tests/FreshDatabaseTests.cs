using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using OtelLlm.Receiver.TestHost;
using OtelLlm.TestSupport;

namespace OtelLlm.Receiver.Tests;

/// <summary>A first start against a ClickHouse that does not have the database yet (what the load generator does).</summary>
public sealed class FreshDatabaseTests
{
    [Fact]
    public async Task Start_DatabaseDoesNotExistYet_MigratesKeepsRunningAndStores()
    {
        var database = new ClickHouseDatabase { Migrate = false };
        try
        {
            await database.InitializeAsync();
            await StartSendAndCheckAsync(database);
        }
        finally
        {
            await database.DisposeAsync();
            database.Dispose();
        }
    }

    private static async Task StartSendAndCheckAsync(ClickHouseDatabase database)
    {
        var (app, _, httpPort) = await InProcessReceiver.StartAsync((grpc, http) =>
        [
            $"--OtelLlm:Receiver:GrpcPort={grpc}",
            $"--OtelLlm:Receiver:HttpPort={http}",
            "--OtelLlm:Receiver:BatchMaxDelayMilliseconds=100",
            $"--OtelLlm:ClickHouse:Url={database.Url}",
            $"--OtelLlm:ClickHouse:Database={database.Name}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        try
        {
            await SendAndCheckAsync(database, app, httpPort);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task SendAndCheckAsync(ClickHouseDatabase database, Microsoft.AspNetCore.Builder.WebApplication app, int httpPort)
    {
        var lifetime = (IHostApplicationLifetime)app.Services.GetService(typeof(IHostApplicationLifetime))!;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "the receiver never became ready");
            Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the receiver stopped itself");
            await Task.Delay(100);
        }

        using var content = new ByteArrayContent(Otlp.Spans("fresh-database", 3).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await http.PostAsync(new Uri("/v1/traces", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await app.WaitUntilWrittenAsync();
        Assert.Equal(3, await database.CountAsync("SELECT count() FROM otel_traces WHERE ServiceName = 'fresh-database'"));
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the receiver stopped itself");
    }
}
