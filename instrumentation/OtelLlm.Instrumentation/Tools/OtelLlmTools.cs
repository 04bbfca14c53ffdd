using System.Diagnostics;
using Microsoft.Extensions.AI;
using OtelLlm.Semantics;
using OtelLlm.Instrumentation.Telemetry;

namespace OtelLlm.Instrumentation;

/// <summary>
/// Records tool executions as <c>execute_tool {name}</c> spans. Microsoft.Extensions.AI's FunctionInvokingChatClient
/// does this itself; use these helpers where tools are invoked by hand or by another loop.
/// </summary>
public static class OtelLlmTools
{
    /// <summary>Wraps a function so each invocation is an <c>execute_tool</c> span (kind Internal).</summary>
    /// <param name="function">The function to instrument.</param>
    /// <param name="options">Settings (source name, content capture, redaction); <see langword="null"/> for the defaults.</param>
    /// <returns>A function with the same name, description and schema.</returns>
    /// <remarks>
    /// The tool call id is read from <see cref="AIFunctionArguments.Context"/> under <see cref="OtelLlmPropertyKeys.ToolCallId"/>.
    /// Arguments and result are recorded (<c>gen_ai.tool.call.arguments</c>/<c>.result</c>) only with content capture on.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is <see langword="null"/>.</exception>
    public static AIFunction Instrument(AIFunction function, OtelLlmInstrumentationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return function as InstrumentedFunction ?? new InstrumentedFunction(function, (options ?? new OtelLlmInstrumentationOptions()).Clone());
    }

    /// <summary>Instruments every <see cref="AIFunction"/> in a tool list, leaving other tools as they are.</summary>
    /// <param name="tools">The tools, e.g. <see cref="ChatOptions.Tools"/>.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <returns>A new list.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tools"/> is <see langword="null"/>.</exception>
    public static IList<AITool> Instrument(IEnumerable<AITool> tools, OtelLlmInstrumentationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var result = new List<AITool>();
        foreach (var tool in tools)
        {
            result.Add(tool is AIFunction f ? Instrument(f, options) : tool);
        }

        return result;
    }

    private sealed class InstrumentedFunction : DelegatingAIFunction
    {
        private readonly InstrumentationCore _core;
        private readonly string _spanName;

        public InstrumentedFunction(AIFunction inner, OtelLlmInstrumentationOptions options)
            : base(inner)
        {
            _core = new InstrumentationCore(options, providerName: null, providerUri: null, defaultModel: null);
            _spanName = GenAi.Operation.ExecuteTool + " " + inner.Name;
        }

        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            var source = _core.Telemetry.Source;
            if (!source.HasListeners())
            {
                return await base.InvokeCoreAsync(arguments, cancellationToken);
            }

            using var activity = source.StartActivity(_spanName, ActivityKind.Internal);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag(GenAi.Operation.Name, GenAi.Operation.ExecuteTool);
                activity.SetTag(GenAi.Tool.Name, Name);
                activity.SetTag(GenAi.Tool.Type, GenAi.Tool.TypeFunction);
                if (!string.IsNullOrEmpty(Description))
                {
                    activity.SetTag(GenAi.Tool.Description, Description);
                }

                if (arguments.Context is { } context && context.TryGetValue(OtelLlmPropertyKeys.ToolCallId, out var callId) && callId is string id)
                {
                    activity.SetTag(GenAi.Tool.CallId, id);
                }

                InstrumentationCore.SetContext(activity, properties: null, conversationId: null);
                if (_core.CaptureContent)
                {
                    var args = new Dictionary<string, object?>(arguments.Count);
                    foreach (var pair in arguments)
                    {
                        args[pair.Key] = pair.Value;
                    }

                    activity.SetTag(GenAi.Tool.CallArguments, _core.Formatter.Value(args));
                }
            }

            try
            {
                var result = await base.InvokeCoreAsync(arguments, cancellationToken);
                if (activity is { IsAllDataRequested: true } && _core.CaptureContent)
                {
                    activity.SetTag(GenAi.Tool.CallResult, _core.Formatter.Value(result));
                }

                return result;
            }
            catch (Exception e)
            {
                activity?.SetTag(Otel.ErrorType, e.GetType().FullName);
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                throw;
            }
        }
    }
}
