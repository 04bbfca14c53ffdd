using System.Text.RegularExpressions;
using OtelLlm.Semantics.Pricing;

namespace OtelLlm.Instrumentation;

/// <summary>Settings of the OtelLlm chat, embedding and tool instrumentation.</summary>
public sealed class OtelLlmInstrumentationOptions
{
    /// <summary>The default <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/> name.</summary>
    public const string DefaultSourceName = "OtelLlm.Instrumentation";

    /// <summary>The environment variable that turns content capture on by default (<c>true</c>, case-insensitive).</summary>
    public const string CaptureContentEnvironmentVariable = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

    /// <summary>The marker appended to text cut at <see cref="MaxContentLength"/>; <c>{0}</c> is the number of characters removed.</summary>
    public const string TruncationMarkerFormat = "…[truncated {0} chars]";

    /// <summary>Gets or sets the ActivitySource and Meter name. Default <c>OtelLlm.Instrumentation</c>.</summary>
    public string SourceName { get; set; } = DefaultSourceName;

    /// <summary>
    /// Gets or sets whether prompts, responses, system instructions and tool definitions are recorded
    /// (<c>gen_ai.input.messages</c>, <c>gen_ai.output.messages</c>, <c>gen_ai.system_instructions</c>, full <c>gen_ai.tool.definitions</c>,
    /// tool call arguments and results). Default <see langword="false"/>, unless
    /// <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true</c>.
    /// </summary>
    public bool CaptureMessageContent { get; set; } = CaptureContentDefault();

    /// <summary>
    /// Gets or sets the maximum length in characters of one captured text (a message part, a tool argument set or result).
    /// Longer text is cut and ends with a truncation marker such as <c>…[truncated 120 chars]</c>. Default 16384; 0 or less means no limit.
    /// </summary>
    public int MaxContentLength { get; set; } = 16 * 1024;

    /// <summary>Gets the regular expressions whose matches are replaced by <see cref="RedactionReplacement"/> in captured content.</summary>
    public IList<Regex> RedactionPatterns { get; } = [];

    /// <summary>Gets or sets the text that replaces every match of <see cref="RedactionPatterns"/>. Default <c>[REDACTED]</c>.</summary>
    public string RedactionReplacement { get; set; } = "[REDACTED]";

    /// <summary>
    /// Gets or sets a callback applied to every captured text after <see cref="RedactionPatterns"/> and before truncation;
    /// it returns the text to record. Nothing captured leaves the process without passing through it.
    /// </summary>
    public Func<string, string>? Redact { get; set; }

    /// <summary>Gets or sets whether <c>gen_ai.usage.cost</c> is computed from <see cref="PriceTable"/>. Default <see langword="true"/>.</summary>
    public bool RecordCost { get; set; } = true;

    /// <summary>Gets or sets the price table; default <see cref="ModelPriceTable.Default"/>. Use <see cref="ModelPriceTable.WithOverrides"/> for contract prices.</summary>
    public ModelPriceTable? PriceTable { get; set; }

    /// <summary>
    /// Gets or sets the provider name used when the inner client's metadata has none
    /// (a <c>gen_ai.provider.name</c> value such as <c>openai</c>).
    /// </summary>
    public string? ProviderName { get; set; }

    internal static bool CaptureContentDefault() =>
        string.Equals(Environment.GetEnvironmentVariable(CaptureContentEnvironmentVariable), "true", StringComparison.OrdinalIgnoreCase);

    internal OtelLlmInstrumentationOptions Clone()
    {
        var clone = new OtelLlmInstrumentationOptions
        {
            SourceName = string.IsNullOrWhiteSpace(SourceName) ? DefaultSourceName : SourceName,
            CaptureMessageContent = CaptureMessageContent,
            MaxContentLength = MaxContentLength,
            RedactionReplacement = RedactionReplacement ?? string.Empty,
            Redact = Redact,
            RecordCost = RecordCost,
            PriceTable = PriceTable,
            ProviderName = ProviderName,
        };
        foreach (var pattern in RedactionPatterns)
        {
            clone.RedactionPatterns.Add(pattern);
        }

        return clone;
    }
}
