using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization;

/// <summary>Copies of rows, for revisions that repeat a row with more content.</summary>
internal static class LlmCallRows
{
    /// <summary>The key of a row without content: most remembered rows, so it is built once, not per row.</summary>
    private const string NoContentKey = "\u0001\u0001\u0001";

    // Every column, a column added later included (LlmCallRow.Copy), with room for the attributes a revision adds.
    public static LlmCallRow Clone(LlmCallRow row) => row.Copy(extraAttributes: 2);

    /// <summary>The content columns together, to tell whether a revision would change anything.</summary>
    public static string ContentKey(LlmCallRow row) =>
        row.InputMessages.Length == 0 && row.OutputMessages.Length == 0 && row.SystemInstructions.Length == 0 && row.ToolDefinitions.Length == 0
            ? NoContentKey
            : string.Concat(row.InputMessages, "\u0001", row.OutputMessages, "\u0001", row.SystemInstructions, "\u0001", row.ToolDefinitions);
}
