using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OtelLlm.Instrumentation;
using OtelLlm.Instrumentation.Enrichment;

namespace Microsoft.Extensions.AI;

/// <summary>Adds Microsoft.Extensions.AI's OpenTelemetry chat client with OtelLlm's enrichment inside it, in one line.</summary>
public static class OtelLlmChatClientExtensions
{
    /// <summary>
    /// Adds <see cref="OpenTelemetryChatClient"/> (GenAI spans and metrics) and, directly inside it, OtelLlm's enrichment
    /// of its spans: cost, prompt-cache writes, and user, session, conversation, workload and tags from <see cref="OtelLlmContext"/>.
    /// </summary>
    /// <param name="builder">The chat client builder.</param>
    /// <param name="configure">Optional settings callback.</param>
    /// <param name="loggerFactory">The logger factory for the OpenTelemetry client's error log; resolved from the services when <see langword="null"/>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>
    /// Use this instead of <c>UseOpenTelemetry()</c>, not beside it. Placed after <c>UseFunctionInvocation()</c>, every model
    /// call of a tool loop gets its own span, and the tool executions are recorded by the function-invocation client.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseOtelLlm(this ChatClientBuilder builder, Action<OtelLlmInstrumentationOptions>? configure = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = OtelLlmInstrumentationOptions.From(configure);
        return builder.Use((inner, services) => Wrap(inner, options, loggerFactory ?? services.GetService<ILoggerFactory>()));
    }

    /// <summary>
    /// Wraps the client in <see cref="OpenTelemetryChatClient"/> with OtelLlm's enrichment inside it, for code that does not
    /// build its clients with a <see cref="ChatClientBuilder"/>. Same as <c>UseOtelLlm</c>.
    /// </summary>
    /// <param name="client">The client to instrument.</param>
    /// <param name="configure">Optional settings callback.</param>
    /// <param name="loggerFactory">The logger factory for the OpenTelemetry client's error log, if any.</param>
    /// <returns>The instrumented client.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    public static IChatClient WithOtelLlm(this IChatClient client, Action<OtelLlmInstrumentationOptions>? configure = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return Wrap(client, OtelLlmInstrumentationOptions.From(configure), loggerFactory);
    }

    private static OpenTelemetryChatClient Wrap(IChatClient inner, OtelLlmInstrumentationOptions options, ILoggerFactory? loggerFactory)
    {
        var enriching = new EnrichingChatClient(inner, options);
        var telemetry = new OpenTelemetryChatClient(enriching, loggerFactory?.CreateLogger(typeof(OpenTelemetryChatClient)), options.SourceName);
        if (options.EnableSensitiveData is { } sensitive)
        {
            telemetry.EnableSensitiveData = sensitive;
        }

        enriching.Enricher.Source = telemetry.GetService(typeof(ActivitySource)) as ActivitySource;
        return telemetry;
    }
}
