using System.Globalization;
using System.Text;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization;

/// <summary>Caps content columns so one hostile or runaway span cannot make a row of unbounded size.</summary>
internal static class ContentLimits
{
    /// <summary>Appended to a capped value, so a reader sees the text is incomplete and by how much.</summary>
    public const string MarkerFormat = "…[truncated by otel-llm: {0} of {1} chars kept]";

    private static readonly CompositeFormat s_marker = CompositeFormat.Parse(MarkerFormat);

    /// <summary>
    /// The value, or its first <paramref name="maxChars"/> characters plus a visible marker; a capped column is
    /// also named in the row's <c>otel_llm.truncated</c> attribute.
    /// </summary>
    public static string Cap(string value, int maxChars, LlmCallRow row, string column)
    {
        if (maxChars <= 0 || value.Length <= maxChars)
        {
            return value;
        }

        var keep = maxChars;
        if (char.IsHighSurrogate(value[keep - 1]))
        {
            keep--;
        }

        row.Attributes.Add(OtelLlmNames.Truncated, column);
        return string.Concat(value.AsSpan(0, keep), string.Format(CultureInfo.InvariantCulture, s_marker, keep, value.Length));
    }
}
