using System.Collections.Frozen;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization.Dialects;

/// <summary>
/// What a dialect does unless it says otherwise: the OTel GenAI semantic conventions, read through the dialect's
/// <see cref="ColumnSources"/>. The operation comes from <c>gen_ai.operation.name</c>, then the dialect's own
/// vocabulary (<see cref="OperationFromVocabulary"/>), then the span name; model calls are the inference operations;
/// content comes from the semconv attributes.
/// </summary>
internal abstract class GenAiDialect : IGenAiDialect
{
    private readonly FrozenSet<string> _mapped;
    private readonly string[] _mappedPrefixes;

    protected GenAiDialect(string sourceFormat, ColumnSources columns)
    {
        SourceFormat = sourceFormat;
        Columns = columns;
        _mapped = columns.Names().Concat(CostCalculator.SpanCostAttributes).Concat(EnergyCalculator.SpanEnergyAttributes).ToFrozenSet(StringComparer.Ordinal);
        _mappedPrefixes = columns.ConsumedPrefixes;
    }

    public string SourceFormat { get; }

    /// <summary>Where each column comes from in this dialect.</summary>
    public ColumnSources Columns { get; }

    public abstract bool Detects(SpanInput input);

    public string Operation(SpanInput input) =>
        input.Attributes.GetString(GenAi.Operation.Name) ?? OperationFromVocabulary(input) ?? OperationFromSpanName(input);

    /// <summary>
    /// Model calls are the inference operations; MEAI's <c>orchestrate_tools</c> span (which any semconv dialect may carry
    /// under an application's own source name) repeats the summed usage of every turn and never is.
    /// </summary>
    public virtual bool IsModelCall(SpanInput input, string operation) =>
        input.Span.Name != Meai.OrchestrateToolsSpan && IsInference(operation);

    public virtual void Fill(SpanInput input, LlmCallRow row)
    {
        CommonColumns.Fill(input, row, Columns);
        SpanContent.FromAttributes(input, row);
    }

    public bool IsMapped(string attributeKey)
    {
        if (_mapped.Contains(attributeKey))
        {
            return true;
        }

        foreach (var prefix in _mappedPrefixes)
        {
            if (attributeKey.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public virtual bool ExpectsLogContent(SpanInput input) => false;

    /// <summary>The operation as the dialect's own attributes say it, before the span name is read; <see langword="null"/> when they do not.</summary>
    protected virtual string? OperationFromVocabulary(SpanInput input) => null;

    /// <summary>Operations that are one model call.</summary>
    protected static bool IsInference(string operation) =>
        operation is GenAi.Operation.Chat or GenAi.Operation.TextCompletion or GenAi.Operation.GenerateContent
            or GenAi.Operation.Embeddings or "completion" or "responses";

    /// <summary>The operation from the span name (<c>chat gpt-4o</c>, <c>openai.chat</c>, ...), else from v1.26 attributes.</summary>
    private static string OperationFromSpanName(SpanInput input)
    {
        var name = input.Span.Name;
        if (name.StartsWith("chat", StringComparison.Ordinal) && (name.Length == 4 || name[4] == ' '))
        {
            return GenAi.Operation.Chat;
        }

        if (name.StartsWith("text_completion ", StringComparison.Ordinal) || name.EndsWith(".completion", StringComparison.Ordinal))
        {
            return GenAi.Operation.TextCompletion;
        }

        if (name.StartsWith("embeddings", StringComparison.Ordinal) || name.EndsWith(".embeddings", StringComparison.Ordinal))
        {
            return GenAi.Operation.Embeddings;
        }

        if (name.EndsWith(".chat", StringComparison.Ordinal))
        {
            return GenAi.Operation.Chat;
        }

        // v1.26 spans carried no operation name; a system plus a model is an inference call.
        var a = input.Attributes;
        if (a.Contains(GenAi.System) && a.Contains(GenAi.Request.Model))
        {
            return GenAi.Operation.Chat;
        }

        return string.Empty;
    }
}
