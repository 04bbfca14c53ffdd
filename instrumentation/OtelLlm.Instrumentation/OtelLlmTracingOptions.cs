using System.Text.RegularExpressions;

namespace OtelLlm.Instrumentation;

/// <summary>
/// Settings of <c>AddOtelLlmInstrumentation()</c> on a tracer provider: which GenAI sources it records, whether the
/// provider's HTTP calls are recorded, and how captured content is redacted and truncated before any exporter sees it.
/// </summary>
/// <remarks>
/// Redaction and truncation run in an OpenTelemetry processor on every span the provider records, whatever
/// produced it, on the GenAI content attributes: <c>gen_ai.input.messages</c>, <c>gen_ai.output.messages</c>,
/// <c>gen_ai.system_instructions</c>, <c>gen_ai.tool.definitions</c>, <c>gen_ai.tool.call.arguments</c> and
/// <c>gen_ai.tool.call.result</c>. JSON values stay valid JSON: every string inside them is processed on its own,
/// except the schema's own fields (<c>role</c>, <c>type</c>, <c>id</c>, <c>name</c>, <c>finish_reason</c>,
/// <c>mime_type</c>, <c>modality</c>). Processors run in the order they are added, so call
/// <c>AddOtelLlmInstrumentation</c> before adding exporters.
/// </remarks>
public sealed class OtelLlmTracingOptions
{
    /// <summary>The marker appended to text cut at <see cref="MaxContentLength"/>; <c>{0}</c> is the number of characters removed.</summary>
    public const string TruncationMarkerFormat = "…[truncated {0} chars]";

    /// <summary>
    /// Gets the ActivitySource names recorded besides Microsoft.Extensions.AI's default
    /// (<see cref="OtelLlmInstrumentationOptions.DefaultSourceName"/>): the <see cref="OtelLlmInstrumentationOptions.SourceName"/>
    /// an application gave its clients, or other GenAI instrumentations whose content should be redacted too.
    /// </summary>
    public IList<string> SourceNames { get; } = [];

    /// <summary>
    /// Gets or sets whether outgoing <see cref="HttpClient"/> calls are recorded (OpenTelemetry.Instrumentation.Http), so
    /// the provider's HTTP request is a child span of the <c>chat</c> span. Default <see langword="true"/>.
    /// </summary>
    public bool RecordHttpClientCalls { get; set; } = true;

    /// <summary>
    /// Gets or sets the maximum length in characters of one captured text (a message part, a tool argument).
    /// Longer text is cut and ends with a truncation marker such as <c>…[truncated 120 chars]</c>. Default 16384; 0 or less means no limit.
    /// </summary>
    public int MaxContentLength { get; set; } = 16 * 1024;

    /// <summary>Gets the regular expressions whose matches are replaced by <see cref="RedactionReplacement"/> in captured content.</summary>
    public IList<Regex> RedactionPatterns { get; } = [];

    /// <summary>Gets or sets the text that replaces every match of <see cref="RedactionPatterns"/>. Default <c>[REDACTED]</c>.</summary>
    public string RedactionReplacement { get; set; } = "[REDACTED]";

    /// <summary>
    /// Gets or sets a callback applied to every captured text after <see cref="RedactionPatterns"/> and before truncation;
    /// it returns the text to record. No captured text reaches an exporter added after this instrumentation without passing through it.
    /// </summary>
    public Func<string, string>? Redact { get; set; }
}
