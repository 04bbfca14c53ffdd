using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OtelLlm.Receiver.Admission;
using OtelLlm.Receiver.Api;
using OtelLlm.Receiver.Configuration;
using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Receiver.Hosting;
using OtelLlm.Receiver.Normalization;
using OtelLlm.Receiver.Otlp;
using OtelLlm.Receiver.Otlp.Grpc;
using OtelLlm.Receiver.Otlp.Http;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Receiver.Pipeline.Reliability;
using OtelLlm.Receiver.Pipeline.Wal;
using OtelLlm.Receiver.Repricing;
using OtelLlm.Receiver.RowEncoding;
using OtelLlm.Receiver.WebConsole;
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
    public const string ClickHouseSectionName = SettingsSections.ClickHouse;

    /// <summary>
    /// Runs the receiver until it is stopped and returns the exit code. With <c>migrate</c> as the first argument it
    /// applies the schema migrations and exits instead; with <c>reprice</c> it re-prices stored calls (docs/prices.md).
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "migrate")
        {
            return await MigrateAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == RepriceCommand.Name)
        {
            return await RepriceCommand.RunAsync(args[1..], ClickHouseSectionName, Console.Out, Console.Error, TimeProvider.System);
        }

        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (OptionsValidationException e)
        {
            // The host that owns logging was never built: one console logger for this one message.
            var problem = SettingsProblem(e);
            using (var loggers = LoggerFactory.Create(b => b.AddSimpleConsole()))
            {
                var logger = loggers.CreateLogger(typeof(ReceiverHost).FullName!);
                LogSettingsInvalid(logger, problem);
            }

            return 2;
        }

        await using (app)
        {
            try
            {
                // The write-ahead log is opened (recovered, locked) before anything listens.
                _ = app.Services.GetRequiredService<WriteAheadLog>();
            }
            catch (WalLockedException e)
            {
                var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ReceiverHost).FullName!);
                LogWalLocked(logger, e.Message);
                return 3;
            }

            await app.RunAsync();
        }

        return 0;
    }

    /// <summary>Builds the application without starting it: every service, endpoint and setting of the receiver is wired here.</summary>
    /// <param name="args">Command-line arguments; configuration keys as <c>--OtelLlm:Receiver:HttpPort=0</c>.</param>
    /// <param name="configureServices">Runs after the default registrations, to replace some (for example the batch writer).</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var configuration = builder.Configuration;
        var contentRoot = builder.Environment.ContentRootPath;
        var receiver = configuration.GetSection(ReceiverOptions.SectionName).Get<ReceiverOptions>() ?? new ReceiverOptions();
        var auth = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        var wal = configuration.GetSection(WalOptions.SectionName).Get<WalOptions>() ?? new WalOptions();
        var console = configuration.GetSection(ConsoleOptions.SectionName).Get<ConsoleOptions>() ?? new ConsoleOptions();

        // Every setting is checked before anything is built, opened or bound (OptionsValidationException names them all);
        // ValidateOnStart below checks them again wherever the options are read.
        var settings = new ReceiverSettingsValidation(
            Options.Create(configuration.GetSection(ClickHouseSectionName).Get<ClickHouseOptions>() ?? new ClickHouseOptions()),
            Options.Create(configuration.GetSection(GenAiNormalizationOptions.SectionName).Get<GenAiNormalizationOptions>() ?? new GenAiNormalizationOptions()),
            Options.Create(console),
            wal,
            auth,
            builder.Environment).Validate(null, receiver);
        if (settings.Failed)
        {
            throw new OptionsValidationException(nameof(ReceiverOptions), typeof(ReceiverOptions), settings.Failures);
        }

        ConfigureKestrel(builder.WebHost, receiver, auth, console, contentRoot);

        var services = builder.Services;
        services.AddOptions<ReceiverOptions>().Bind(configuration.GetSection(ReceiverOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReceiverOptions>, ReceiverSettingsValidation>();
        services.AddSingleton(auth);
        services.Configure<ConsoleOptions>(configuration.GetSection(ConsoleOptions.SectionName));
        if (console.Enabled)
        {
            services.AddSingleton<ConsoleAssets>();
        }

        services.AddSingleton(TimeProvider.System);
        services.Configure<ClickHouseOptions>(configuration.GetSection(ClickHouseSectionName));
        services.AddOptions<GenAiNormalizationOptions>().Bind(configuration.GetSection(GenAiNormalizationOptions.SectionName));
        services.AddMetrics();
        services.AddHttpContextAccessor();

        // Storage and the pipeline.
        services.AddSingleton(sp => new ClickHouseClient(sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value));
        services.AddSingleton<ClickHouseBatchWriter>();
        services.AddReliability(wal, contentRoot);
        services.AddSingleton<TelemetryPipeline>();
        services.AddSingleton<ReadinessState>();
        services.AddHostedService<SchemaStartupService>();
        services.AddHostedService<RetentionService>();
        services.AddSingleton<ReceiverMetrics>();

        // Decoding, normalization and rows.
        services.AddSingleton<IGenAiNormalizer, GenAiNormalizer>();
        services.AddSingleton<TraceRows>();
        services.AddSingleton<LogRows>();
        services.AddSingleton<MetricRows>();

        // Admission and the OTLP services with their gRPC and HTTP adapters.
        services.AddSingleton(sp => ApiKeySources.Create(auth, receiver, contentRoot, sp.GetRequiredService<ILoggerFactory>().CreateLogger("OtelLlm.Receiver.Auth")));
        services.AddSingleton<RequestAdmission>();
        services.AddSingleton<OtlpRefusal>();
        services.AddSingleton<OtlpExport>();
        services.AddSingleton<OtlpTraceService>();
        services.AddSingleton<OtlpLogsService>();
        services.AddSingleton<OtlpMetricsService>();
        services.AddSingleton<OtlpHttpExport>();
        services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = receiver.MaxRequestBytes;
            o.CompressionProviders = [new BoundedGzipProvider(receiver.MaxRequestBytes, new HttpContextAccessor())];
        });
        services.AddSingleton<OtlpGrpcCall>();
        services.AddSingleton<OtlpGrpcTraceService>();
        services.AddSingleton<OtlpGrpcLogsService>();
        services.AddSingleton<OtlpGrpcMetricsService>();
        services.AddSingleton<OtlpGrpcMethodProvider>();
        services.AddSingleton<IServiceMethodProvider<OtlpGrpcTraceService>>(sp => sp.GetRequiredService<OtlpGrpcMethodProvider>());
        services.AddSingleton<IServiceMethodProvider<OtlpGrpcLogsService>>(sp => sp.GetRequiredService<OtlpGrpcMethodProvider>());
        services.AddSingleton<IServiceMethodProvider<OtlpGrpcMetricsService>>(sp => sp.GetRequiredService<OtlpGrpcMethodProvider>());
        services.AddApi(configuration);
        services.AddSelfTelemetry(receiver, [ReceiverMetrics.MeterName, NormalizationMetrics.MeterName, ReliabilityMetrics.MeterName]);
        configureServices?.Invoke(services);

        var app = builder.Build();
        app.UseConsole(console);
        app.UseRouting();
        app.UseMiddleware<OtlpGrpcAdmission>();
        app.MapGrpcService<OtlpGrpcTraceService>().WithMetadata(new OtlpGrpcExportEndpoint());
        app.MapGrpcService<OtlpGrpcLogsService>().WithMetadata(new OtlpGrpcExportEndpoint());
        app.MapGrpcService<OtlpGrpcMetricsService>().WithMetadata(new OtlpGrpcExportEndpoint());
        app.MapOtlpHttpApi();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", ReadyAsync);
        if (app.Services.GetRequiredService<IOptions<ApiOptions>>().Value.Enabled)
        {
            app.MapApiV1();
        }

        return app;
    }

    /// <summary>
    /// Two ports: cleartext gRPC needs an endpoint that speaks only HTTP/2 (prior knowledge), OTLP/HTTP and the API
    /// speak HTTP/1.1; a third for the console (HTTP/1.1) unless it is off. <see cref="AuthOptions.TlsCertificatePath"/> turns on TLS on both.
    /// </summary>
    private static void ConfigureKestrel(IWebHostBuilder webHost, ReceiverOptions receiver, AuthOptions auth, ConsoleOptions console, string contentRoot)
    {
        webHost.ConfigureKestrel(kestrel =>
        {
            // Runs when the server starts, after the settings were validated.
            var certificate = string.IsNullOrWhiteSpace(auth.TlsCertificatePath) ? null
                : X509CertificateLoader.LoadPkcs12FromFile(Path.IsPathRooted(auth.TlsCertificatePath) ? auth.TlsCertificatePath : Path.Combine(contentRoot, auth.TlsCertificatePath), auth.TlsCertificatePassword);
            // An address that does not parse is reported by the settings check before anything listens.
            var address = receiver.ListenAddress is "*" or "0.0.0.0" or "" ? IPAddress.Any
                : receiver.ListenAddress is "::" ? IPAddress.IPv6Any
                : IPAddress.TryParse(receiver.ListenAddress, out var parsed) ? parsed
                : IPAddress.Loopback;
            kestrel.Listen(address, receiver.GrpcPort, o =>
            {
                o.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                {
                    o.UseHttps(certificate);
                }
            });
            kestrel.Listen(address, receiver.HttpPort, o =>
            {
                o.Protocols = HttpProtocols.Http1;
                if (certificate is not null)
                {
                    o.UseHttps(certificate);
                }
            });
            ConsoleHosting.Listen(kestrel, console, certificate);
            kestrel.AddServerHeader = false;
            kestrel.Limits.Http2.MaxStreamsPerConnection = Math.Max(1, receiver.Http2MaxStreamsPerConnection);
            kestrel.Limits.MaxConcurrentConnections = receiver.MaxConcurrentConnections > 0 ? receiver.MaxConcurrentConnections : null;
        });
    }

    /// <summary>One message naming every invalid setting, one per line.</summary>
    internal static string SettingsProblem(OptionsValidationException e)
        => "The receiver cannot start; fix these settings:" + string.Concat(e.Failures.Select(f => Environment.NewLine + "  - " + f));

    /// <summary>
    /// Ready when the schema is in place and the write-ahead log has room: the receiver then takes data, whether or not
    /// ClickHouse answers right now (the log holds it). The body says what the log holds and whether ClickHouse answers.
    /// </summary>
    private static async Task<IResult> ReadyAsync(ReadinessState readiness, ClickHouseClient client, TelemetryPipeline pipeline, CancellationToken ct)
    {
        var log = pipeline.Log;
        bool clickHouse;
        using (var brief = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            brief.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                clickHouse = await client.PingAsync(brief.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                clickHouse = false;
            }
        }

        var reason = pipeline.LogFull ? "the write-ahead log is full (the backlog is over OtelLlm:Receiver:Wal:MaxLogBytes); new data is refused until ClickHouse catches up"
            : !readiness.SchemaReady ? "schema migrations not applied yet"
            : null;
        var body = new ReadyState(
            reason is null ? "ready" : "not ready",
            reason ?? (clickHouse ? "ready" : "ClickHouse does not answer; accepted data waits in the write-ahead log"),
            clickHouse,
            new WalState(log.DiskBytes, log.MaxBytes, log.PendingCount, log.PendingRows, Math.Round(log.OldestPendingAge.TotalSeconds, 3), log.AppendedSequence, log.DurableSequence));
        return Results.Json(body, statusCode: reason is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
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

    [LoggerMessage(EventId = ReceiverEventIds.WalLocked, Level = LogLevel.Critical, Message = "The receiver cannot start: {Problem}")]
    private static partial void LogWalLocked(ILogger logger, string problem);

    [LoggerMessage(EventId = ReceiverEventIds.SettingsInvalid, Level = LogLevel.Critical, Message = "{Problem}")]
    private static partial void LogSettingsInvalid(ILogger logger, string problem);

    [LoggerMessage(EventId = ReceiverEventIds.Migrated, Level = LogLevel.Information, Message = "Database {Database}: applied {Count} migration(s); schema is at version {Version}")]
    private static partial void LogMigrated(ILogger logger, string database, int count, int version);

    [LoggerMessage(EventId = ReceiverEventIds.MigrateRetry, Level = LogLevel.Warning, Message = "Cannot migrate yet ({Reason}); retrying")]
    private static partial void LogMigrateRetry(ILogger logger, string reason);

    [LoggerMessage(EventId = ReceiverEventIds.MigrateFailed, Level = LogLevel.Error, Message = "Migration failed: {Reason}")]
    private static partial void LogMigrateFailed(ILogger logger, string reason);
}
