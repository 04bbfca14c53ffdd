using System.Text.Json.Nodes;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// The content events seen for one call, de-duplicated, and how they fill the row's content columns: content the
/// span itself carries always wins; events only fill columns the span left empty.
/// </summary>
internal sealed class ContentSet
{
    private readonly List<ContentItem> _items = [];
    private readonly HashSet<string> _fingerprints = new(StringComparer.Ordinal);

    public int Count => _items.Count;

    /// <summary>Adds an item; <see langword="false"/> when the same event was already added (re-delivery).</summary>
    public bool Add(ContentItem item)
    {
        if (!_fingerprints.Add(item.Fingerprint))
        {
            return false;
        }

        _items.Add(item);
        return true;
    }

    /// <summary>Fills the row's empty content columns; returns whether any column changed.</summary>
    public bool ApplyTo(LlmCallRow row, int maxContentChars)
    {
        if (_items.Count == 0)
        {
            return false;
        }

        var changed = false;
        if (row.InputMessages.Length == 0 && BuildMessages(ContentKind.InputMessages, ContentKind.InputMessage) is { } input)
        {
            row.InputMessages = ContentLimits.Cap(MessageJson.Serialize(input), maxContentChars, row, nameof(LlmCallRow.InputMessages));
            changed = true;
        }

        if (row.OutputMessages.Length == 0 && BuildMessages(ContentKind.OutputMessages, ContentKind.OutputMessage) is { } output)
        {
            row.OutputMessages = ContentLimits.Cap(MessageJson.Serialize(output), maxContentChars, row, nameof(LlmCallRow.OutputMessages));
            if (row.FinishReasons.Count == 0)
            {
                foreach (var m in output)
                {
                    if (MessageJson.StringOf(m?["finish_reason"]) is { } reason)
                    {
                        row.FinishReasons.Add(reason);
                    }
                }
            }

            changed = true;
        }

        if (row.SystemInstructions.Length == 0 && Concat(ContentKind.SystemInstructions) is { } system)
        {
            row.SystemInstructions = ContentLimits.Cap(MessageJson.Serialize(system), maxContentChars, row, nameof(LlmCallRow.SystemInstructions));
            changed = true;
        }

        if (row.ToolDefinitions.Length == 0 && Concat(ContentKind.ToolDefinitions) is { } tools)
        {
            row.ToolDefinitions = ContentLimits.Cap(MessageJson.Serialize(tools), maxContentChars, row, nameof(LlmCallRow.ToolDefinitions));
            changed = true;
        }

        return changed;
    }

    private JsonArray? BuildMessages(ContentKind arrays, ContentKind singles)
    {
        var result = Concat(arrays);
        if (result is null)
        {
            var picked = new List<ContentItem>();
            foreach (var item in _items)
            {
                if (item.Kind == singles)
                {
                    picked.Add(item);
                }
            }

            if (picked.Count == 0)
            {
                return null;
            }

            // Input messages keep emission order; choices are ordered by their index.
            picked.Sort(singles == ContentKind.OutputMessage
                ? static (a, b) => a.Index != b.Index ? a.Index.CompareTo(b.Index) : Compare(a, b)
                : Compare);
            result = [];
            foreach (var item in picked)
            {
                result.Add(item.Node.DeepClone());
            }
        }

        return MessageJson.HasParts(result) ? result : null;
    }

    private JsonArray? Concat(ContentKind kind)
    {
        List<ContentItem>? picked = null;
        foreach (var item in _items)
        {
            if (item.Kind == kind)
            {
                (picked ??= []).Add(item);
            }
        }

        if (picked is null)
        {
            return null;
        }

        picked.Sort(Compare);
        var result = new JsonArray();
        foreach (var item in picked)
        {
            foreach (var element in (JsonArray)item.Node)
            {
                result.Add(element?.DeepClone());
            }
        }

        return result.Count == 0 ? null : result;
    }

    private static int Compare(ContentItem a, ContentItem b) =>
        a.Order != b.Order ? a.Order.CompareTo(b.Order) : a.Sequence.CompareTo(b.Sequence);
}
