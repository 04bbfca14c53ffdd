using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OtelLlm.Receiver.Api;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Hosting;
using OtelLlm.Receiver.Normalization;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Receiver.Pipeline.Reliability;
using OtelLlm.Receiver.Transport;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Schema;

namespace OtelLlm.Receiver;

/// <summary>
/// Builds and runs the receiver. Settings come from <c>appsettings.json</c>, environment variables
/// (<c>OtelLlm__Receiver__GrpcPort</c>, <c>OtelLlm__ClickHouse__Url</c>, …) and command-line arguments
/// (<c>--OtelLlm:Receiver:GrpcPort=4317</c>), later sources winning.
/// </summary>
public static partial class ReceiverHost
{
    /// <summary>The configuration section for ClickHouse, bound to <see cref="ClickHouseOptions"/>.</summary>
    public const string ClickHouseSectionName = "OtelLlm:ClickHouse";

    /// <summary>
    /// Runs the receiver until it is stopped and returns the exit code. With <c>migrate</c> as the first argument it
    /// applies the schema migrations and exits instead.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "migrate")
        {
            return await MigrateAsync(args[1..]);
        }

        await using var app = Build(args);
        await app.RunAsync();
        return 0;
    }

    /// <summary>Builds the application without starting it.</summary>
    /// <param name="args">Command-line arguments; configuration keys as <c>--OtelLlm:Receiver:HttpPort=0</c>.</param>
    /// <param name="configureServices">Runs after the default registrations, to replace some (for example the normalizer).</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var receiverSection = builder.Configuration.GetSection(ReceiverOptions.SectionName);
        var receiver = receiverSection.Get<ReceiverOptions>() ?? new ReceiverOptions();
        builder.Services.Configure<ReceiverOptions>(receiverSection);
        builder.Services.Configure<ClickHouseOptions>(builder.Configuration.GetSection(ClickHouseSectionName));

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var address = receiver.ListenAddress is "*" or "0.0.0.0" or "" ? IPAddress.Any
                : receiver.ListenAddress is "::" ? IPAddress.IPv6Any
                : receiver.ListenAddress is "localhost" ? IPAddress.Loopback
                : IPAddress.Parse(receiver.ListenAddress);
            // Cleartext HTTP/2 (gRPC) needs an endpoint that speaks only HTTP/2, hence two ports.
            kestrel.Listen(address, receiver.GrpcPort, o =>
            {
                o.Protocols = HttpProtocols.Http2;
                o.UseConfiguredTls(builder.Configuration, builder.Environment.ContentRootPath);
            });
            kestrel.Listen(address, receiver.HttpPort, o =>
            {
                o.Protocols = HttpProtocols.Http1;
                o.UseConfiguredTls(builder.Configuration, builder.Environment.ContentRootPath);
            });
            kestrel.AddServerHeader = false;
            kestrel.Limits.Http2.MaxStreamsPerConnection = Math.Max(1, receiver.Http2MaxStreamsPerConnection);
            kestrel.Limits.MaxConcurrentConnections = receiver.MaxConcurrentConnections > 0 ? receiver.MaxConcurrentConnections : null;
        });

        var services = builder.Services;
        services.AddSingleton(sp => new ClickHouseClient(sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value));
        services.AddSingleton<ReceiverMetrics>();
        services.AddSingleton<ReadinessState>();
        services.AddGenAiNormalization(builder.Configuration);
        services.AddSingleton<IBatchWriter, ClickHouseBatchWriter>();
        services.AddSingleton<IRequestAuthenticator, AllowAllAuthenticator>();
        services.AddSingleton<TelemetryPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryPipeline>());
        services.AddHostedService<SchemaStartupService>();
        services.AddSingleton<OtlpIngestor>();
        services.AddSingleton<RequestAdmission>();
        services.AddSingleton<GrpcTransport>();
        services.AddSingleton<HttpTransport>();
        services.AddReliability(builder.Configuration, builder.Environment.ContentRootPath);
        services.AddApi(builder.Configuration);
        configureServices?.Invoke(services);

        var app = builder.Build();
        var grpc = app.Services.GetRequiredService<GrpcTransport>();
        app.Use(next => context => GrpcTransport.Handles(context.Request) ? grpc.HandleAsync(context) : next(context));

        var http = app.Services.GetRequiredService<HttpTransport>();
        app.Map("/v1/traces", http.TracesAsync);
        app.Map("/v1/logs", http.LogsAsync);
        app.Map("/v1/metrics", http.MetricsAsync);
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", ReadyAsync);
        if (app.Services.GetRequiredService<IOptions<ApiOptions>>().Value.Enabled)
        {
            app.MapApiV1();
        }

        return app;
    }

    private static async Task<IResult> ReadyAsync(ReadinessState readiness, ClickHouseClient client, CancellationToken ct)
    {
        if (!readiness.SchemaReady)
        {
            return Results.Text("schema migrations not applied yet", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return await client.PingAsync(ct)
            ? Results.Text("ready")
            : Results.Text("ClickHouse is not reachable", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<int> MigrateAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var options = builder.Configuration.GetSection(ClickHouseSectionName).Get<ClickHouseOptions>() ?? new ClickHouseOptions();
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ReceiverHost).FullName!);
        using var client = new ClickHouseClient(options);
        var runner = new MigrationRunner(client, host.Services.GetRequiredService<ILogger<MigrationRunner>>());
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                var applied = await runner.ApplyAsync();
                LogMigrated(logger, options.Database, applied.Count, Migrations.LatestVersion);
                return 0;
            }
            catch (ClickHouseException ex) when (DateTime.UtcNow < deadline)
            {
                LogMigrateRetry(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
            catch (ClickHouseException ex)
            {
                LogMigrateFailed(logger, ex.Message);
                return 1;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database {Database}: applied {Count} migration(s); schema is at version {Version}")]
    private static partial void LogMigrated(ILogger logger, string database, int count, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot migrate yet ({Reason}); retrying")]
    private static partial void LogMigrateRetry(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Migration failed: {Reason}")]
    private static partial void LogMigrateFailed(ILogger logger, string reason);
}
