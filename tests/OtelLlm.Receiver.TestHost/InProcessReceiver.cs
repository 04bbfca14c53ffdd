using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OtelLlm.TestSupport;

namespace OtelLlm.Receiver.TestHost;

/// <summary>Starts the real receiver in this process on free loopback ports.</summary>
public static class InProcessReceiver
{
    /// <summary>
    /// Builds and starts the receiver with the arguments <paramref name="args"/> gives for a gRPC and an HTTP port. Each
    /// receiver gets a write-ahead log folder of its own (removed when it stops) unless the arguments name one: receivers
    /// running side by side in one test process must never share a log, and the log refuses to be opened twice.
    /// </summary>
    public static async Task<(WebApplication App, int GrpcPort, int HttpPort)> StartAsync(
        Func<int, int, string[]> args, Action<IServiceCollection>? configureServices = null)
    {
        // A port found free can be taken by a parallel test before Kestrel binds it; try a few.
        for (var attempt = 0; ; attempt++)
        {
            var grpcPort = FreePort.Next();
            var httpPort = FreePort.Next();
            var state = Path.Combine(Path.GetTempPath(), "otelllm-inproc-" + Guid.NewGuid().ToString("N"));
            string[] defaults =
            [
                $"--OtelLlm:Receiver:Wal:Directory={Path.Combine(state, "wal")}",
                $"--OtelLlm:Receiver:Wal:DeadLetterDirectory={Path.Combine(state, "dead-letter")}",

                // The console's fixed default port would collide between receivers running side by side; a test that
                // wants the console turns it on with a port of its own.
                "--OtelLlm:Console:Enabled=false",
            ];

            // Later arguments win, so a test's own folders replace these.
            var app = ReceiverHost.Build([.. defaults, .. args(grpcPort, httpPort)], configureServices);
            app.Lifetime.ApplicationStopped.Register(() => DeleteQuietly(state));
            try
            {
                await app.StartAsync();
                return (app, grpcPort, httpPort);
            }
            catch (IOException) when (attempt < 5)
            {
                await app.DisposeAsync();
                DeleteQuietly(state);
            }
        }
    }

    private static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still open by a disposing component; the folder is unique, so nothing reuses it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Waits until the receiver's writers have taken everything it acknowledged so far out of its write-ahead log into
    /// ClickHouse (an acknowledgement means durable in the log, not yet queryable).
    /// </summary>
    public static async Task WaitUntilWrittenAsync(this WebApplication app, TimeSpan? timeout = null)
    {
        var log = app.Services.GetRequiredService<Pipeline.Wal.WriteAheadLog>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        while (log.PendingCount > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The receiver still holds {log.PendingCount} unwritten records in its write-ahead log.");
            }

            await Task.Delay(10);
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
