using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OtelLlm.TestSupport;

namespace OtelLlm.Receiver.TestHost;

/// <summary>Starts the real receiver in this process on free loopback ports.</summary>
public static class InProcessReceiver
{
    /// <summary>Builds and starts the receiver with the arguments <paramref name="args"/> gives for a gRPC and an HTTP port.</summary>
    public static async Task<(WebApplication App, int GrpcPort, int HttpPort)> StartAsync(
        Func<int, int, string[]> args, Action<IServiceCollection>? configureServices = null)
    {
        // A port found free can be taken by a parallel test before Kestrel binds it; try a few.
        for (var attempt = 0; ; attempt++)
        {
            var grpcPort = FreePort.Next();
            var httpPort = FreePort.Next();
            var app = ReceiverHost.Build(args(grpcPort, httpPort), configureServices);
            try
            {
                await app.StartAsync();
                return (app, grpcPort, httpPort);
            }
            catch (IOException) when (attempt < 5)
            {
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>An HttpClient that speaks HTTP/2 without TLS (prior knowledge), as gRPC clients do.</summary>
    public static HttpClient CreateGrpcClient() => new(new SocketsHttpHandler())
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(60),
    };
}
